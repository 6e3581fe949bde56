import type { EventEmitter } from "eventemitter3";
import type { Mode } from "./case.js";
import type { PipelineEvents } from "./events.js";
import type { RunReport } from "./report.js";
import type { Store } from "./store.js";

/** What every stage receives besides its input. */
export interface StageContext {
  signal: AbortSignal;
  events: EventEmitter<PipelineEvents>;
  /** Warnings and dead letters go here. */
  report: RunReport;
  /** Durable state shared by stages (caches, ledgers, approvals). */
  store: Store;
  mode: Mode;
  /** The run's clock; tests pass a fixed one. */
  now: () => Date;
}

/**
 * A pipeline stage: a named object whose `run` turns one async iterable into another.
 * One bad item goes to `report.deadLetters` with its error; it never ends the run.
 */
export interface Stage<In, Out> {
  readonly name: string;
  run(input: AsyncIterable<In>, context: StageContext): AsyncIterable<Out>;
}
