import type { FindingStatus } from "../../core/finding.js";

/**
 * Maps an Orca alert status to the normalized one, case-insensitively: `closed` is resolved, `dismissed`
 * suppressed and `snoozed` (a dismissal with an expiry) risk-accepted; the write verbs (`close`,
 * `dismiss`, `snooze`) and `in progress` read the same. `undefined` for an undocumented value.
 */
export function mapOrcaStatus(native: string): FindingStatus | undefined {
  return (
    statusByOrca[native] ??
    statusByOrca[
      native
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, "_")
    ]
  );
}

/** The Orca status values (as read back, not the write verbs) a normalized status stands for. */
export function toOrcaStatuses(statuses: readonly FindingStatus[]): string[] {
  return [...new Set(statuses.map((status) => orcaStatusOf[status]))];
}

/** The status a normalized status reads back as in Orca. */
export const orcaStatusOf: Record<FindingStatus, string> = {
  open: "open",
  in_progress: "in_progress",
  resolved: "closed",
  suppressed: "dismissed",
  risk_accepted: "snoozed",
};

// Internal helpers.

const statusByOrca: Record<string, FindingStatus> = {
  open: "open",
  in_progress: "in_progress",
  closed: "resolved",
  close: "resolved",
  dismissed: "suppressed",
  dismiss: "suppressed",
  snoozed: "risk_accepted",
  snooze: "risk_accepted",
};
