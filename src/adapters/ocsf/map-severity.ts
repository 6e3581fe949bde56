import type { Finding } from "../../toolkit.js";

type Severity = Finding["severity"];

/** What {@link mapOcsfSeverity} read: the severity, the native value to keep, and whether it had to guess. */
export interface MappedSeverity {
  severity: Severity;
  /** The caption or id as the record wrote it (`"High"`, `"4"`), for `source.nativeSeverity`. */
  native: string;
  /** True when nothing readable said the severity and the safe default was used. */
  fallback: boolean;
}

/** The severity used when a record's cannot be read: `high`, so an unclear finding is never played down. */
export const fallbackSeverity: Severity = "high";

/**
 * Maps an OCSF severity: `severity_id` 1 Informational … 5 Critical, 6 Fatal (→ critical); for 0 Unknown,
 * 99 Other or no id, the `severity` caption (also vendor words such as `Moderate` and `Important`),
 * then the vendor's own pair in `vendor_attributes`; otherwise {@link fallbackSeverity}, flagged.
 * @example
 * mapOcsfSeverity({ severity_id: 4, severity: "High" }); // { severity: "high", native: "High", fallback: false }
 * mapOcsfSeverity({ severity_id: 99, severity: "Sev-X" }); // { severity: "high", native: "Sev-X", fallback: true }
 */
export function mapOcsfSeverity(
  record: { severity_id?: number; severity?: string },
  vendor?: { severity_id?: number; severity?: string },
): MappedSeverity {
  const native = record.severity ?? (record.severity_id === undefined ? "" : String(record.severity_id));
  const byId = record.severity_id === undefined ? undefined : severityById[record.severity_id];
  if (byId) return { severity: byId, native, fallback: false };
  const byWord = wordOf(record.severity);
  if (byWord) return { severity: byWord, native, fallback: false };
  const byVendor =
    (vendor?.severity_id === undefined ? undefined : severityById[vendor.severity_id]) ??
    wordOf(vendor?.severity);
  if (byVendor) return { severity: byVendor, native: native || (vendor?.severity ?? ""), fallback: false };
  return { severity: fallbackSeverity, native, fallback: true };
}

// Internal helpers.

/** OCSF `severity_id` (dictionary.json): 0 Unknown and 99 Other are not here on purpose. */
const severityById: Record<number, Severity> = {
  1: "info",
  2: "low",
  3: "medium",
  4: "high",
  5: "critical",
  6: "critical",
};

const severityByWord: Record<string, Severity> = {
  informational: "info",
  info: "info",
  information: "info",
  none: "info",
  low: "low",
  medium: "medium",
  moderate: "medium",
  high: "high",
  important: "high",
  critical: "critical",
  fatal: "critical",
};

function wordOf(value: string | undefined): Severity | undefined {
  return value === undefined ? undefined : severityByWord[value.trim().toLowerCase()];
}
