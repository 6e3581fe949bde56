import type { FindingStatus } from "../../core/finding.js";
import type { WizKind } from "./map-severity.js";

/** Resolution reasons that mean "we accept this risk" rather than "this is not a problem". */
const riskAcceptedReasons = new Set(["EXCEPTION", "WONT_FIX"]);

/**
 * Maps a Wiz status (and its resolution reason) to the normalized status, case-insensitively:
 * `REJECTED`/`IGNORED` with `EXCEPTION` or `WONT_FIX` is `risk_accepted`, any other rejection is `suppressed`.
 * A configuration finding's `result` stands in for a status the query did not select: `FAIL` is `open`,
 * `PASS` `resolved`. Returns `undefined` for a value Wiz does not document.
 */
export function mapWizStatus(native: string, resolutionReason?: string | null): FindingStatus | undefined {
  switch (native.trim().toUpperCase()) {
    case "OPEN":
    case "UNRESOLVED":
    case "REOPENED":
    case "CREATED":
    case "FAIL":
      return "open";
    case "IN_PROGRESS":
      return "in_progress";
    case "RESOLVED":
    case "FIXED":
    case "CLOSED":
    case "PASS":
      return "resolved";
    case "REJECTED":
    case "IGNORED":
      return riskAcceptedReasons.has(resolutionReason?.trim().toUpperCase() ?? "")
        ? "risk_accepted"
        : "suppressed";
    default:
      return undefined;
  }
}

/** The Wiz statuses to send in a server-side filter for the normalized ones. */
export function toWizStatuses(statuses: readonly FindingStatus[], kind: WizKind): string[] {
  const rejected = kind === "vulnerability" ? "IGNORED" : "REJECTED";
  const map: Record<FindingStatus, string> = {
    open: "OPEN",
    in_progress: kind === "vulnerability" ? "OPEN" : "IN_PROGRESS",
    resolved: "RESOLVED",
    suppressed: rejected,
    risk_accepted: rejected,
  };
  return [...new Set(statuses.map((status) => map[status]))];
}
