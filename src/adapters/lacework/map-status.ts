import type { FindingStatus } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/** The finding families the Lacework adapter reads: alerts, compliance report violations, vulnerabilities. */
export type LaceworkKind = "alert" | "compliance" | "vulnerability";

/**
 * Maps a Lacework status to the normalized one, comparing case- and punctuation-insensitively (docs/lacework.md,
 * Sources: vocabulary): alert `Open`/`In Progress`/`Closed` (alert records do not carry the close reason, so every closed
 * alert is `resolved`), report `NonCompliant`/`Compliant`/`Suppressed`, and vulnerability
 * `New`/`Active`/`Reopened`/`Fixed`/`Exception`. Returns `undefined` for anything else.
 */
export function mapLaceworkStatus(native: string): FindingStatus | undefined {
  return statusOfWord(native);
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

// Internal helpers.

/** The status of a word, memoized: every record spells one of a handful. */
const statusOfWord = memoize((native: string): FindingStatus | undefined => {
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
}, 256);
