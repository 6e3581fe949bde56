import type { Severity } from "../../core/finding.js";
import { severityWords } from "../shared/severity.js";

/**
 * Maps an Orca risk level (`critical` … `informational`, docs/orca.md, Sources: vocabulary), or a legacy `state.severity`
 * label (`compromised`, `imminent compromise`, `hazardous`), to the normalized scale, case-insensitively.
 * Returns `undefined` for a value Orca does not document, so the caller can name the field in its error.
 */
export function mapOrcaSeverity(native: string): Severity | undefined {
  // Orca sends lower case already: look the value up as is before normalizing it.
  return severityByOrca[native] ?? severityByOrca[native.trim().toLowerCase()];
}

/** Maps Orca's legacy integer `state.score` (1 = worst … 4, docs/orca.md, Sources: vocabulary) to the normalized scale. */
export function mapOrcaLegacyScore(score: number): Severity | undefined {
  return legacyScores[score];
}

// Internal helpers.

const severityByOrca: Record<string, Severity> = {
  ...severityWords,
  compromised: "critical",
  "imminent compromise": "high",
  hazardous: "medium",
};

const legacyScores: Record<number, Severity> = { 1: "critical", 2: "high", 3: "medium", 4: "info" };
