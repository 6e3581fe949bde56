import type { Severity } from "../../core/finding.js";

/**
 * Maps a Prisma Cloud severity (`critical` … `informational`, any case) to the normalized scale.
 * Returns `undefined` for a value Prisma Cloud does not document, so the caller can name the field.
 */
export function mapPrismaSeverity(native: string): Severity | undefined {
  return severityByPrisma[native.trim().toLowerCase()];
}

/** The `policy.severity` filter values for normalized severities. */
export function toPrismaSeverities(severities: readonly Severity[]): string[] {
  return [...new Set(severities.map((severity) => (severity === "info" ? "informational" : severity)))];
}

// Internal helpers.

const severityByPrisma: Record<string, Severity> = {
  critical: "critical",
  high: "high",
  medium: "medium",
  low: "low",
  informational: "info",
  info: "info",
};
