import { ConfigurationError } from "../../core/errors.js";
import type { FindingStatus } from "../../core/finding.js";
import type { StatusChange } from "../../core/source.js";

/** The finding families the Lacework adapter reads: alerts, compliance report violations, vulnerabilities. */
export type LaceworkKind = "alert" | "compliance" | "vulnerability";

/**
 * Maps a Lacework status to the normalized one, comparing case- and punctuation-insensitively (docs/lacework.md,
 * Sources: vocabulary): alert `Open`/`In Progress`/`Closed` (alert records do not carry the close reason, so every closed
 * alert is `resolved`), report `NonCompliant`/`Compliant`/`Suppressed`, and vulnerability
 * `New`/`Active`/`Reopened`/`Fixed`/`Exception`. Returns `undefined` for anything else.
 */
export function mapLaceworkStatus(native: string): FindingStatus | undefined {
  switch (native.replace(/[\s_-]+/g, "").toLowerCase()) {
    case "open":
    case "new":
    case "active":
    case "reopened":
    case "noncompliant":
      return "open";
    case "inprogress":
      return "in_progress";
    case "closed":
    case "compliant":
    case "fixed":
      return "resolved";
    case "suppressed":
    case "exception":
      return "suppressed";
    default:
      return undefined;
  }
}

/** The native statuses to send in a server-side filter for the normalized ones (none maps to nothing). */
export function toLaceworkStatuses(statuses: readonly FindingStatus[], kind: LaceworkKind): string[] {
  const map: Record<FindingStatus, readonly string[]> =
    kind === "vulnerability"
      ? {
          open: ["New", "Active", "Reopened"],
          in_progress: [],
          resolved: ["Fixed"],
          suppressed: ["Exception"],
          risk_accepted: ["Exception"],
        }
      : {
          open: ["Open"],
          in_progress: ["In Progress"],
          resolved: ["Closed"],
          suppressed: ["Closed"],
          risk_accepted: ["Closed"],
        };
  return [...new Set(statuses.flatMap((status) => map[status]))];
}

/** The close reason codes of `POST /api/v2/Alerts/{alertId}/close` (docs/lacework.md, Sources: write-back). */
export const closeReasons = {
  other: 0,
  falsePositive: 1,
  notEnoughInformation: 2,
  resolved: 3,
  expectedRoutineTesting: 4,
  expectedBehavior: 5,
} as const;

/**
 * The close request for a normalized status change: `resolved` closes with reason 3 (resolution in place),
 * `suppressed` with 1 (false positive), `risk_accepted` with 5 (expected behaviour); a numeric `reason`
 * (0–5) overrides. The comment is always sent, as the vendor CLI requires one for reason 0.
 * @throws ConfigurationError for `open` and `in_progress`: Lacework has no API to reopen or start an alert.
 */
export function toCloseRequest(change: StatusChange): { reason: number; comment: string } {
  if (change.status === "open" || change.status === "in_progress") {
    throw new ConfigurationError(
      `lacework: an alert cannot be set to ${change.status}; the API only closes alerts (reopen and in-progress have no endpoint). Add a comment in the console instead.`,
      { option: "status" },
    );
  }
  const byStatus = {
    resolved: closeReasons.resolved,
    suppressed: closeReasons.falsePositive,
    risk_accepted: closeReasons.expectedBehavior,
  };
  const explicit = change.reason !== undefined && /^[0-5]$/.test(change.reason.trim());
  const reason = explicit ? Number(change.reason) : byStatus[change.status];
  const comment = change.note?.trim() || `Closed by cloudsteward as ${change.status.replace("_", " ")}.`;
  return { reason, comment };
}
