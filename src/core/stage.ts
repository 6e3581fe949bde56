import { EventEmitter } from "eventemitter3";
import { type AuditAppender, type AuditEvent, appendAll } from "./audit.js";
import type { Mode } from "./case.js";
import type { PipelineEvents } from "./events.js";
import { memoryStore } from "./memory-store.js";
import { createRecorder, type RunRecorder } from "./recorder.js";
import { createRunReport, type RunReport } from "./report.js";
import type { Store } from "./store.js";

/**
 * What every stage receives besides its input. Record through it, never by writing the report:
 * `warn` for what the user should know, `fail` for an item that cannot be processed (it becomes a
 * dead letter and the run goes on), `audit` for a step the audit log must hold.
 */
export interface StageContext extends RunRecorder {
  /** The stage's name in the report (`triage`, `explain#2` for a second explain). */
  stage: string;
  signal: AbortSignal;
  events: EventEmitter<PipelineEvents>;
  /** The run's report, to read (and for `generateObject` to add token usage to). */
  report: RunReport;
  /** Durable state shared by stages (caches, ledgers, approvals). */
  store: Store;
  mode: Mode;
  /** The run's clock; tests pass a fixed one. */
  now: () => Date;
  /**
   * Records steps in the run's audit log (`pipeline({ audit })`), in this order; a no-op without one.
   * Inside `pipeline()` the steps are queued and written in batches, in order, and every delivery waits
   * until everything recorded before it is on the log; a write that fails ends the run. Outside a
   * pipeline (`createStageContext({ audit })`) it resolves once the steps are written.
   */
  audit(...events: AuditEvent[]): Promise<void>;
}

/**
 * A pipeline stage: a named object whose `run` turns one async iterable into another.
 * One bad item goes to `context.fail` with its error; it never ends the run.
 */
export interface Stage<In, Out> {
  readonly name: string;
  run(input: AsyncIterable<In>, context: StageContext): AsyncIterable<Out>;
}

/**
 * The stages of a pipeline whose first input is `In`, checked in order: each stage must accept what
 * the one before it yields. A wrong order (say `decide` before `triage`) is a compile error at the
 * stage out of place.
 */
export type StageChain<In, Stages extends readonly unknown[]> = Stages extends readonly [
  infer First,
  ...infer Rest,
]
  ? First extends Stage<infer Accepts, infer Yields>
    ? [In] extends [Accepts]
      ? readonly [First, ...StageChain<Yields, Rest>]
      : readonly [Stage<In, Yields>, ...StageChain<Yields, Rest>]
    : readonly [Stage<In, unknown>]
  : Stages extends readonly []
    ? readonly []
    : readonly Stage<In, unknown>[];

/** Options of {@link createStageContext}; every field has a default. */
export interface StageContextOptions {
  /** @default "stage" */
  stage?: string;
  /** @default a signal that never aborts */
  signal?: AbortSignal;
  /** @default a new emitter */
  events?: EventEmitter<PipelineEvents>;
  /** @default a new, empty report */
  report?: RunReport;
  /** @default memoryStore() */
  store?: Store;
  /** @default "read-only" */
  mode?: Mode;
  /** @default () => new Date() */
  now?: () => Date;
  /** Where `context.audit` writes; without it, `audit` records nothing. */
  audit?: AuditAppender;
}

/**
 * A context for running one stage by hand (a unit test, a worker that runs a single stage);
 * `pipeline()` builds one per stage the same way.
 * @example
 * const context = createStageContext({ mode: "automated", audit: auditLog(store) });
 * for await (const action of decide({ policy }).run(cases(), context)) actions.push(action);
 * expect(context.report.deadLetters).toEqual([]);
 */
export function createStageContext(options: StageContextOptions = {}): StageContext {
  const stage = options.stage ?? "stage";
  const events = options.events ?? new EventEmitter<PipelineEvents>();
  const report = options.report ?? createRunReport("stage", (options.now ?? (() => new Date()))());
  const log = options.audit;
  const recorder = createRecorder(report, events, stage);
  return {
    stage,
    signal: options.signal ?? new AbortController().signal,
    events,
    report,
    store: options.store ?? memoryStore(),
    mode: options.mode ?? "read-only",
    now: options.now ?? (() => new Date()),
    warn: recorder.warn,
    fail: recorder.fail,
    audit: async (...entries) => {
      if (log) await appendAll(log, entries);
    },
  };
}
