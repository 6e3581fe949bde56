import { ConfigurationError } from "../../core/errors.js";
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
