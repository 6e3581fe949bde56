import { ConfigurationError } from "../../core/errors.js";
import { redact } from "../../core/redact.js";
import type { ExceptionRequest } from "../../core/source.js";

/**
 * When an exception expires, in epoch milliseconds, checked before anything is sent.
 * @param now With it, an expiry at or before `now` is refused too.
 * @throws ConfigurationError when `expiresAt` is not an ISO-8601 instant, or is not after `now`.
 * @example
 * const until = exceptionExpiry("prisma", request, Date.now());
 */
export function exceptionExpiry(platform: string, request: ExceptionRequest, now?: number): number {
  const until = Date.parse(request.expiresAt);
  if (Number.isNaN(until)) {
    throw new ConfigurationError(
      `${platform}: createException needs an ISO-8601 expiresAt, got "${request.expiresAt}".`,
      { option: "expiresAt" },
    );
  }
  if (now !== undefined && until <= now) {
    throw new ConfigurationError(
      `${platform}: createException's expiresAt ${request.expiresAt} is in the past.`,
      {
        option: "expiresAt",
      },
    );
  }
  return until;
}

/** The text an exception carries in the platform: the reason, who asked, who approved, until when, and the note. */
export function exceptionDescription(request: ExceptionRequest, until: string): string {
  const note = request.note ? ` ${request.note}` : "";
  return `${request.reason} (requested by ${request.requestedBy}, approved by ${request.approvedBy}, until ${until}).${note}`;
}

/**
 * A comment as it is sent to a platform: secrets redacted (`redact`), trimmed, cut to `max` characters.
 * @throws ConfigurationError when nothing is left to send.
 * @example
 * const text = commentText("orca", "Approved by bob (token=abc…)", 4000); // "Approved by bob (token=[REDACTED:…])"
 */
export function commentText(platform: string, text: string, max: number): string {
  const clean = redact(String(text)).trim();
  if (clean === "") {
    throw new ConfigurationError(`${platform}: comment needs a non-empty text.`, { option: "text" });
  }
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
