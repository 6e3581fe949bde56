import type { EventEmitter } from "eventemitter3";
import { NormalizationError } from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import { type Finding, findingId, type Platform } from "../../core/finding.js";
import { createRecorder, type RunRecorder } from "../../core/recorder.js";
import type { Warning } from "../../core/report.js";
import type { CallOptions } from "../../core/source.js";

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
  /** Where the dead letters go: the call's recorder ({@link recorderOf}). */
  record: RunRecorder;
}

/**
 * The recorder a source call reports through: the caller's (`call.record`, which the pipeline sets),
 * else one that only announces on the source's own `events`.
 * @example
 * const record = recorderOf(call, options.events);
 */
export function recorderOf(call: CallOptions, events: EventEmitter<PipelineEvents> | undefined): RunRecorder {
  return call.record ?? createRecorder(undefined, events);
}

/**
 * Normalizes one page of native records and keeps the findings that match, in order. A record that
 * cannot be normalized is dead-lettered through `page.record` and the page goes on; any other error
 * is thrown.
 * @example
 * const items = normalizePage(rows, { normalize: (row) => normalize(row), matches: () => true, stage: "source:orca", itemId: () => undefined, record });
 */
export function normalizePage(records: Iterable<unknown>, page: PageNormalizer): Finding[] {
  const items: Finding[] = [];
  for (const record of records) {
    try {
      const finding = page.normalize(record);
      if (page.matches(finding)) items.push(finding);
    } catch (error) {
      if (!(error instanceof NormalizationError)) throw error;
      const itemId = page.itemId(record);
      page.record.fail(error, { stage: page.stage, ...(itemId === undefined ? {} : { itemId }) });
    }
  }
  return items;
}

/**
 * A warning sink for one call: each warning goes to `record.warn` the first time its source and
 * feature (else message) are seen, and repeats are counted in that warning's `details.count` — a page
 * after page of records missing the same field, or a filter warned about on every page, make one warning.
 * @example
 * const warn = warnOnce(recorderOf(call, options.events));
 * for (const warning of clientSideFilterWarnings("wiz", query, supported)) warn(warning);
 */
export function warnOnce(record: RunRecorder): (warning: Warning) => void {
  const raised = new Map<string, Warning>();
  return (warning) => {
    const key = `${warning.source}\u0000${warning.feature ?? warning.message}`;
    const earlier = raised.get(key);
    if (earlier) {
      earlier.details = { ...earlier.details, count: Number(earlier.details?.count ?? 1) + 1 };
      return;
    }
    const first = { ...warning, details: { ...warning.details, count: 1 } };
    raised.set(key, first);
    record.warn(first);
  };
}

/** The cloudsteward id a dead letter names for a record whose native id is `nativeId`; `undefined` unless that is a string. */
export function itemIdOf(platform: Platform, nativeId: unknown): string | undefined {
  return typeof nativeId === "string" ? findingId(platform, nativeId) : undefined;
}
