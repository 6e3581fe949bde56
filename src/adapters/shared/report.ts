import type { EventEmitter } from "eventemitter3";
import { NormalizationError } from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import { type Finding, findingId, type Platform } from "../../core/finding.js";
import type { DeadLetter, RunReport, Warning } from "../../core/report.js";

/** How {@link normalizePage} turns one page of native records into findings. */
export interface PageNormalizer {
  /** Normalizes one record; a `NormalizationError` makes it a dead letter. */
  normalize: (record: unknown) => Finding;
  /** The client-side check of the query a finding must pass to be kept. */
  matches: (finding: Finding) => boolean;
  /** The dead letters' stage, e.g. `source:wiz`. */
  stage: string;
  /** The cloudsteward id a dead letter names for a record, when it has one. */
  itemId: (record: unknown) => string | undefined;
  /** The call's report, which receives the dead letters. */
  report?: RunReport;
  /** Where the `item-failed` events go. */
  events?: EventEmitter<PipelineEvents>;
}

/**
 * Normalizes one page of native records and keeps the findings that match, in order. A record that
 * cannot be normalized goes to `report.deadLetters` (when the call has a report) and is announced as an
 * `item-failed` event, and the page goes on; any other error is thrown.
 * @example
 * const items = normalizePage(rows, { normalize: (row) => normalize(row), matches: () => true, stage: "source:orca", itemId: () => undefined });
 */
export function normalizePage(records: Iterable<unknown>, page: PageNormalizer): Finding[] {
  const items: Finding[] = [];
  for (const record of records) {
    try {
      const finding = page.normalize(record);
      if (page.matches(finding)) items.push(finding);
    } catch (error) {
      if (!(error instanceof NormalizationError)) throw error;
      const letter: DeadLetter = { stage: page.stage, itemId: page.itemId(record), error };
      page.report?.deadLetters.push(letter);
      page.events?.emit("item-failed", { deadLetter: letter });
    }
  }
  return items;
}

/** Records a warning in `report.warnings` (when the call has a report) and announces it as a `warning-raised` event. */
export function raiseWarning(
  report: RunReport | undefined,
  events: EventEmitter<PipelineEvents> | undefined,
  warning: Warning,
): void {
  report?.warnings.push(warning);
  events?.emit("warning-raised", { warning });
}

/**
 * A warning sink for one call: each warning goes to {@link raiseWarning} the first time its source and
 * feature (else message) are seen, so a page after page of records missing the same field, or a filter
 * warned about on every page, make one warning.
 * @example
 * const warn = warnOnce(call.report, options.events);
 * for (const warning of unsupportedFilterWarnings(kinds, query)) warn(warning);
 */
export function warnOnce(
  report: RunReport | undefined,
  events: EventEmitter<PipelineEvents> | undefined,
): (warning: Warning) => void {
  const seen = new Set<string>();
  return (warning) => {
    const key = `${warning.source}\u0000${warning.feature ?? warning.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    raiseWarning(report, events, warning);
  };
}

/** The cloudsteward id a dead letter names for a record whose native id is `nativeId`; `undefined` unless that is a string. */
export function itemIdOf(platform: Platform, nativeId: unknown): string | undefined {
  return typeof nativeId === "string" ? findingId(platform, nativeId) : undefined;
}
