import type { Severity } from "../../core/finding.js";

/** The three Wiz finding families the adapter reads. */
export type WizKind = "issue" | "configuration" | "vulnerability";

/**
 * Maps a Wiz severity (`CRITICAL` … `INFORMATIONAL`, `NONE`) to the normalized scale, case-insensitively.
 * Returns `undefined` for a value Wiz does not document, so the caller can name the field in its error.
 */
export function mapWizSeverity(native: string): Severity | undefined {
  return severityByWiz[native.trim().toUpperCase()];
}

/** The Wiz severities to send in a server-side filter for the normalized ones. */
export function toWizSeverities(severities: readonly Severity[], kind: WizKind): string[] {
  return [
    ...new Set(
      severities.map((severity) =>
        severity === "info" ? (kind === "issue" ? "INFORMATIONAL" : "NONE") : severity.toUpperCase(),
      ),
    ),
  ];
}

// Internal helpers.

const severityByWiz: Record<string, Severity> = {
  CRITICAL: "critical",
  HIGH: "high",
  MEDIUM: "medium",
  LOW: "low",
  INFORMATIONAL: "info",
  INFO: "info",
  NONE: "info",
};
