import type { FindingStatus } from "../../core/finding.js";

/**
 * Maps an alert status to the normalized status: `dismissed` is `suppressed`, `snoozed` (dismissed until
 * `dismissalUntilTs`) is `risk_accepted`, `pending_resolution` is `in_progress`. Case-insensitive;
 * `undefined` for an undocumented value.
 */
export function mapPrismaStatus(native: string): FindingStatus | undefined {
  return statusByPrisma[native.trim().toLowerCase()];
}

/**
 * The `alert.status` filter values for normalized statuses, or `undefined` when one of them has no
 * filter value (`in_progress`: `pending_resolution` is not a documented filter value).
 */
export function toPrismaStatuses(statuses: readonly FindingStatus[]): string[] | undefined {
  const values = new Set<string>();
  for (const status of statuses) {
    const value = prismaStatusFilter[status];
    if (value === undefined) return undefined;
    values.add(value);
  }
  return [...values];
}

// Internal helpers.

const statusByPrisma: Record<string, FindingStatus> = {
  open: "open",
  pending_resolution: "in_progress",
  snoozed: "risk_accepted",
  dismissed: "suppressed",
  resolved: "resolved",
};

const prismaStatusFilter: Partial<Record<FindingStatus, string>> = {
  open: "open",
  suppressed: "dismissed",
  risk_accepted: "snoozed",
  resolved: "resolved",
};
