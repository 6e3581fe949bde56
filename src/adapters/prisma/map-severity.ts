import type { Severity } from "../../core/finding.js";
import { severityWords } from "../shared/severity.js";

/**
 * Maps a Prisma Cloud severity (`critical` … `informational`, any case) to the normalized scale.
 * Returns `undefined` for a value Prisma Cloud does not document, so the caller can name the field.
 */
export function mapPrismaSeverity(native: string): Severity | undefined {
  return severityWords[native.trim().toLowerCase()];
}
