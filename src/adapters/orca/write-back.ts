import type { ExceptionRef, ExceptionRequest, StatusChange } from "../../core/source.js";
import { commentText, exceptionExpiry } from "../shared/write-back.js";
import type { OrcaClient } from "./client.js";

/**
 * Writes a status back (`PUT /alerts/<id>/status/<verb>`) and, when the change carries a reason or a
 * note, the justification as a comment: status calls carry no reason (docs/orca.md, Sources: write-back).
 */
export async function setAlertStatus(
  client: OrcaClient,
  alertId: string,
  change: StatusChange,
  signal: AbortSignal | undefined,
): Promise<void> {
  // The verbs (close, dismiss) differ from the states read back (closed, dismissed).
  await write(client, alertId, `/status/${statusVerbs[change.status]}`, undefined, signal, true);
  const comment = [change.reason, change.note].filter(Boolean).join(": ");
  if (comment) await write(client, alertId, "/comment", { comment }, signal, false);
}

/**
 * Snoozes the alert until the request's expiry, in whole days rounded up (so the exception never ends
 * before the approved date), and comments who asked, who approved and why.
 * @throws ConfigurationError when the expiry is unreadable or in the past (nothing is sent).
 */
export async function snoozeAlert(
  client: OrcaClient,
  alertId: string,
  request: ExceptionRequest,
  consoleUrl: string,
  signal: AbortSignal | undefined,
): Promise<ExceptionRef> {
  const now = Date.now();
  const until = exceptionExpiry("orca", request, now);
  const days = Math.ceil((until - now) / 86_400_000);
  await write(client, alertId, "/snooze", { days }, signal, true);
  const note = request.note ? ` ${request.note}` : "";
  const comment = `Snoozed by cloudsteward for ${days} days (until ${new Date(until).toISOString()}): ${request.reason}. Requested by ${request.requestedBy}, approved by ${request.approvedBy}.${note}`;
  await write(client, alertId, "/comment", { comment }, signal, false);
  return {
    id: `${alertId}/snooze/${days}d`,
    url: `${consoleUrl}/alerts/${encodeURIComponent(alertId)}`,
    until: new Date(now + days * 86_400_000).toISOString(),
  };
}

/** Adds a comment to the alert (`PUT /alerts/<id>/comment`, docs/orca.md, Sources: write-back); secrets redacted. */
export async function commentAlert(
  client: OrcaClient,
  alertId: string,
  text: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await write(client, alertId, "/comment", { comment: commentText("orca", text, 4000) }, signal, false);
}

/** The alert a snooze reference (`<alertId>/snooze/<days>d`, from {@link snoozeAlert}) is on. */
export function snoozedAlertOf(refId: string): string {
  return refId.replace(/\/snooze\/\d+d$/, "");
}

// Internal helpers.

/** The path verb of each status change (docs/orca.md, Sources: write-back). */
const statusVerbs: Record<StatusChange["status"], string> = {
  open: "open",
  in_progress: "in_progress",
  resolved: "close",
  suppressed: "dismiss",
  risk_accepted: "dismiss",
};

async function write(
  client: OrcaClient,
  alertId: string,
  path: string,
  json: unknown,
  signal: AbortSignal | undefined,
  idempotent: boolean,
): Promise<void> {
  await client.request("PUT", `/alerts/${encodeURIComponent(alertId)}${path}`, { json, signal, idempotent });
}
