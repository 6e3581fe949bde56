import type { EventEmitter } from "eventemitter3";
import { type CloudstewardError, isAbortError, isCloudstewardError, StageError } from "./errors.js";
import type { PipelineEvents } from "./events.js";
import type { DeadLetter, RunReport, Warning } from "./report.js";

/** Where the item being dead-lettered came from. */
export interface FailedItem {
  /** The stage or source that failed it; the recorder's own stage when omitted. */
  stage?: string;
  /** A finding id, case id or action key, when known. */
  itemId?: string;
  /** The item itself, when it is safe and small enough to keep. */
  item?: unknown;
}

/**
 * The one way a stage or a source records what did not stop the run. `StageContext` is one, and
 * `CallOptions.record` hands one to a source.
 */
export interface RunRecorder {
  /** Records a warning in the run report and emits `warning-raised`. */
  warn(warning: Warning): void;
  /**
   * Dead-letters one item: records it in the run report and emits `item-failed`, and the run goes on.
   * An abort is rethrown instead (it ends the run; it is not a bad item); an error that is not a
   * `CloudstewardError` is wrapped in a `StageError` naming the stage and the item.
   */
  fail(error: unknown, item?: FailedItem): void;
}

/**
 * A recorder writing to `report` (when given) and announcing on `events`, for a source or stage run
 * outside `pipeline()` (the pipeline makes its own).
 * @example
 * const report = createRunReport("adhoc");
 * for await (const finding of wiz().findings({}, { record: createRecorder(report) })) …;
 * console.log(report.deadLetters.length);
 */
export function createRecorder(
  report: RunReport | undefined,
  events?: EventEmitter<PipelineEvents>,
  stage = "run",
): RunRecorder {
  return {
    warn(warning) {
      report?.warnings.push(warning);
      events?.emit("warning-raised", { warning });
    },
    fail(error, item = {}) {
      if (isAbortError(error)) throw error;
      const name = item.stage ?? stage;
      const deadLetter: DeadLetter = { stage: name, error: typedError(error, name, item.itemId) };
      if (item.itemId !== undefined) deadLetter.itemId = item.itemId;
      if (item.item !== undefined) deadLetter.item = item.item;
      report?.deadLetters.push(deadLetter);
      events?.emit("item-failed", { deadLetter });
    },
  };
}

function typedError(error: unknown, stage: string, itemId: string | undefined): CloudstewardError {
  if (isCloudstewardError(error)) return error;
  const what = error instanceof Error ? error.name : typeof error;
  return new StageError(
    `${stage}: ${itemId ? `item ${itemId}` : "an item"} failed with ${what}; see the cause.`,
    {
      stage,
      ...(itemId === undefined ? {} : { itemId }),
      cause: error,
    },
  );
}
