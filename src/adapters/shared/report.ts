import type { EventEmitter } from "eventemitter3";
import type { PipelineEvents } from "../../core/events.js";
import { findingId, type Platform } from "../../core/finding.js";
import type { DeadLetter, RunReport, Warning } from "../../core/report.js";

/**
 * Records a record that could not be processed in `report.deadLetters` (when the call has a report) and
 * announces it as an `item-failed` event; the run goes on.
 */
export function deadLetter(
  report: RunReport | undefined,
  events: EventEmitter<PipelineEvents> | undefined,
  letter: DeadLetter,
): void {
  report?.deadLetters.push(letter);
  events?.emit("item-failed", { deadLetter: letter });
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

/** The cloudsteward id a dead letter names for a record whose native id is `nativeId`; `undefined` unless that is a string. */
export function itemIdOf(platform: Platform, nativeId: unknown): string | undefined {
  return typeof nativeId === "string" ? findingId(platform, nativeId) : undefined;
}
