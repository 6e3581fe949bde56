import { ConfigurationError } from "../../core/errors.js";
import type { ExceptionRef, ExceptionRequest, StatusChange } from "../../core/source.js";
import { exceptionDescription, exceptionExpiry } from "../shared/write-back.js";
import type { PrismaClient } from "./client.js";
import { allTime } from "./queries.js";

/**
 * Writes a status back: `open` reopens the alert, `suppressed` and `risk_accepted` dismiss it with the
 * reason and note as its dismissal note.
 * @throws ConfigurationError for `in_progress` and `resolved`, which Prisma Cloud sets itself.
 */
export async function setAlertStatus(
  client: PrismaClient,
  alertId: string,
  change: StatusChange,
  signal: AbortSignal | undefined,
): Promise<void> {
  const alerts = [alertId];
  if (change.status === "open") return changeStatus(client, "reopen", { alerts }, signal);
  if (change.status === "suppressed" || change.status === "risk_accepted") {
    const note = [change.reason, change.note].filter(Boolean).join(": ") || "Dismissed by cloudsteward";
    return changeStatus(client, "dismiss", { alerts, dismissalNote: note }, signal);
  }
  throw new ConfigurationError(
    `prisma: setStatus cannot set "${change.status}": Prisma Cloud alerts can only be dismissed, snoozed or reopened (Prisma resolves alerts itself when the resource is fixed).`,
    { option: "status" },
  );
}

/**
 * Snoozes the alert until the request's expiry: a dismissal with a time range, after which the alert
 * reopens. A snooze is a state of the alert, not an object of its own, so the alert id is its reference.
 * @throws ConfigurationError when the expiry is unreadable or not in the future (nothing is sent).
 */
export async function snoozeAlert(
  client: PrismaClient,
  alertId: string,
  request: ExceptionRequest,
  signal: AbortSignal | undefined,
): Promise<ExceptionRef> {
  const now = Date.now();
  const until = exceptionExpiry("prisma", request, now);
  await changeStatus(
    client,
    "dismiss",
    {
      alerts: [alertId],
      dismissalNote: exceptionDescription(request, new Date(until).toISOString()),
      // A dismissal with a time range is a snooze: the alert reopens when it ends (docs/prisma.md, Sources: write-back).
      dismissalTimeRange: { type: "absolute", value: { startTime: now, endTime: until } },
    },
    signal,
  );
  return { id: alertId, until: new Date(until).toISOString() };
}

// Internal helpers.

async function changeStatus(
  client: PrismaClient,
  route: "dismiss" | "reopen",
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<void> {
  await client.request("POST", `/alert/${route}`, {
    // `filter.timeRange` is required even with explicit alert ids (docs/prisma.md, Sources: write-back).
    json: { policies: [], ...body, filter: { timeRange: allTime, filters: [] } },
    signal,
    idempotent: false,
  });
}
