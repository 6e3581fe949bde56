import type { Severity } from "../../core/finding.js";

/**
 * The severity a record whose severity is missing or not in its platform's vocabulary reads as, with a
 * `fallback` warning: `high`, so an unreadable finding is looked at rather than buried (the OCSF adapter's
 * choice too).
 */
export const fallbackSeverity: Severity = "high";

/** The severity words Prisma Cloud and Orca share, lower case: `critical` … `low`, and `informational` (or `info`). */
export const severityWords: Readonly<Record<string, Severity>> = {
  critical: "critical",
  high: "high",
  medium: "medium",
  low: "low",
  informational: "info",
  info: "info",
};

/** The words for normalized severities that those platforms' filters take, once each (`info` → `informational`). */
export function toSeverityWords(severities: readonly Severity[]): string[] {
  return [...new Set(severities.map((severity) => (severity === "info" ? "informational" : severity)))];
}
