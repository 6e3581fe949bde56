import type { Severity } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/**
 * Maps a Lacework severity to the normalized scale: title case on alerts and vulnerabilities (`Critical` …
 * `Info`), lower case on policies, and the inverted 1–5 scale (1 = critical) as a number or a numeric
 * string on reports and webhooks (docs/lacework.md, Sources: vocabulary). Returns `undefined` for anything else.
 * @example
 * mapLaceworkSeverity("2"); // "high"
 */
export function mapLaceworkSeverity(native: string | number): Severity | undefined {
  return severityOfWord(String(native));
}

/** The title-case severities Lacework's search endpoints filter on, for the normalized ones. */
export function toLaceworkSeverities(severities: readonly Severity[]): string[] {
  return [...new Set(severities.map((severity) => laceworkSeverities[severity]))];
}

// Internal helpers.

/** The severity of a word, memoized: every record spells one of a handful. */
const severityOfWord = memoize(
  (word: string): Severity | undefined => severityByLacework[word.trim().toLowerCase()],
  256,
);

const laceworkSeverities: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Info",
};

const severityByLacework: Record<string, Severity> = {
  critical: "critical",
  "1": "critical",
  high: "high",
  "2": "high",
  medium: "medium",
  "3": "medium",
  low: "low",
  "4": "low",
  info: "info",
  informational: "info",
  "5": "info",
};
