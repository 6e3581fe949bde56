import { EventEmitter } from "eventemitter3";
import type { Action } from "./action.js";
import type { AuditAppender, AuditEvent } from "./audit.js";
import { findingIdsOf, type Mode } from "./case.js";
import { BoundedQueue } from "./concurrency.js";
import { ConfigurationError, DeliveryError, isAbortError, isCloudstewardError } from "./errors.js";
import type { PipelineEvents } from "./events.js";
import type { Finding } from "./finding.js";
import { memoryStore } from "./memory-store.js";
import { createRecorder } from "./recorder.js";
import { createRunReport, type RunReport, type StageStats } from "./report.js";
import { RunAudit } from "./run-audit.js";
import type { Sink } from "./sink.js";
import type { FindingQuery, FindingSource } from "./source.js";
import { createStageContext, type Stage, type StageChain, type StageContext } from "./stage.js";
import type { Store } from "./store.js";

/** Where findings come from: an adapter, or any async iterable of findings (a file, a webhook queue, a test). */
export type PipelineSource = FindingSource | AsyncIterable<Finding>;

/** Any stage, as the stage list holds them before their order is checked. */
// biome-ignore lint/suspicious/noExplicitAny: a stage of any input and output; `StageChain` checks the order.
export type AnyStage = Stage<any, any>;

/**
 * Nothing when `Stages` is in an order that works from findings; otherwise a `stages` property of the
 * right shape, so the compiler names the stage out of place.
 */
export type CheckedStages<Stages extends readonly AnyStage[]> = [Stages] extends [StageChain<Finding, Stages>]
  ? unknown
  : { stages: StageChain<Finding, Stages> };

/** Options of {@link pipeline}; `Stages` is inferred from `stages` and checked in order. */
export interface PipelineOptions<Stages extends readonly AnyStage[] = readonly AnyStage[]> {
  /** The findings to process; combined with `sources` when both are given. */
  source?: PipelineSource;
  /** Several sources, merged as they produce (interleaved), each pulled lazily. */
  sources?: readonly PipelineSource[];
  /** The filter passed to every `FindingSource.findings()`; plain iterables ignore it. */
  query?: FindingQuery;
  /**
   * The stages, in order; each one's output is the next one's input, checked at compile time (a stage
   * that cannot take what the one before it yields is a type error). An error that escapes a stage
   * (rather than going to `context.fail`) ends the run: `start` rejects with it.
   * @default []
   */
  stages?: Stages;
  /**
   * The audit log the run records itself in: `ingestion` (every finding's id and digest, as it
   * arrives), and through the stages `ai-output` (explain), `decision` (decide), `gate` and
   * `approval` (gate), and `delivery` (each delivered or failed action). A write that fails ends the
   * run: a governed run does not go on unaudited. Pass `auditLog(store)` from `cloudsteward/audit`.
   */
  audit?: AuditAppender;
  /**
   * Who the run acts as: the actor of its `delivery` records (and of the gate's, which also names it).
   * @default "cloudsteward"
   */
  principal?: string;
  /**
   * Where the last stage's actions go: `sinks[action.sink ?? "default"]`. The pipeline does not
   * close them; the caller owns their lifecycle.
   * @default {}
   */
  sinks?: Record<string, Sink>;
  /**
   * Durable state handed to every stage.
   * @default memoryStore()
   */
  store?: Store;
  /**
   * The rollout phase handed to every stage. In `read-only` mode actions reach no sink: they are
   * counted and reported with one warning.
   * @default "read-only"
   */
  mode?: Mode;
  /**
   * How many sink deliveries run at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * How many items may wait between two stages; a full buffer pauses the stage before it.
   * @default 64
   */
  bufferSize?: number;
  /**
   * The run's clock; tests pass a fixed one.
   * @default () => new Date()
   */
  now?: () => Date;
  /**
   * The id of the run in events and the report.
   * @default crypto.randomUUID()
   */
  runId?: string;
}

/** Options of {@link PipelineRun.start}. */
export interface PipelineStartOptions {
  /** Aborting it stops every source and stage; `start` then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A configured run: subscribe to its events, then `start` it once. */
export interface PipelineRun extends EventEmitter<PipelineEvents> {
  readonly runId: string;
  /**
   * Runs the sources through the stages and delivers the resulting actions, resolving to the report.
   * Rejects with the signal's reason on abort, or with the error that escaped a source or stage;
   * `run-end` is emitted either way, before it settles.
   */
  start(options?: PipelineStartOptions): Promise<RunReport>;
}

/**
 * Composes sources, stages and sinks into a run. Findings stream through bounded buffers, so memory
 * stays flat whatever the number of findings; actions (objects with `kind` and `idempotencyKey`)
 * coming out of the last stage are delivered, and a failed delivery becomes a dead letter instead
 * of ending the run. Report counts are per stage: `report.stages[name] = { in, out, durationMs }`,
 * plus `source` and, when actions arrive, `deliver`. With `audit`, the run writes its own audit trail
 * (see {@link PipelineOptions.audit}).
 * @example
 * const run = pipeline({ source: wiz(), stages: [triage(), decide({ policy })], sinks: { ticket: jira(options) }, mode: "assisted", audit: auditLog(store) });
 * run.on("item-failed", ({ deadLetter }) => log.warn(deadLetter.error.message));
 * const report = await run.start({ signal: AbortSignal.timeout(600_000) });
 */
export function pipeline<Stages extends readonly AnyStage[] | []>(
  options: PipelineOptions<Stages> & NoInfer<CheckedStages<Stages>>,
): PipelineRun {
  const sources = [...(options.source ? [options.source] : []), ...(options.sources ?? [])];
  if (sources.length === 0) {
    throw new ConfigurationError("pipeline: no source given. Pass `source` or `sources`.", {
      option: "source",
    });
  }
  for (const [name, value] of [
    ["concurrency", options.concurrency],
    ["bufferSize", options.bufferSize],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new ConfigurationError(`pipeline: \`${name}\` must be a positive integer, got ${value}.`, {
        option: name,
      });
    }
  }
  return new Run(options as PipelineOptions, sources);
}

/** True for a value shaped like an {@link Action}: an object with a string `kind` and `idempotencyKey`. */
export function isAction(value: unknown): value is Action {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Action).kind === "string" &&
    typeof (value as Action).idempotencyKey === "string"
  );
}

class Run extends EventEmitter<PipelineEvents> implements PipelineRun {
  readonly runId: string;
  private started = false;

  constructor(
    private readonly options: PipelineOptions,
    private readonly sources: PipelineSource[],
  ) {
    super();
    this.runId = options.runId ?? crypto.randomUUID();
  }

  async start(startOptions: PipelineStartOptions = {}): Promise<RunReport> {
    if (this.started) {
      throw new ConfigurationError(
        "pipeline: start() was already called on this run. Create a new pipeline() for another run.",
      );
    }
    this.started = true;
    const userSignal = startOptions.signal;
    userSignal?.throwIfAborted();

    const options = this.options;
    const now = options.now ?? (() => new Date());
    const mode = options.mode ?? "read-only";
    const bufferSize = options.bufferSize ?? 64;
    const controller = new AbortController();
    const report = createRunReport(this.runId, now());
    const startedAt = performance.now();
    const store = options.store ?? memoryStore();
    let rejectRun: (error: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      rejectRun = reject;
    });
    failed.catch(() => {});
    const fail = (error: unknown) => {
      if (!controller.signal.aborted) controller.abort(error);
      rejectRun(error);
    };
    const onAbort = () => fail(userSignal?.reason);
    userSignal?.addEventListener("abort", onAbort, { once: true });
    const audit = options.audit ? new RunAudit(options.audit, fail) : undefined;
    const contextFor = (stage: string): StageContext =>
      createStageContext({
        stage,
        signal: controller.signal,
        events: this,
        report,
        store,
        mode,
        now,
        ...(audit
          ? {
              audit: {
                append: async (event) => audit.record([event]),
                appendMany: async (events) => audit.record(events),
              },
            }
          : {}),
      });

    const queues: BoundedQueue<unknown>[] = [];
    try {
      this.emit("run-start", { runId: this.runId, mode });

      const sourceQueue = new BoundedQueue<unknown>(bufferSize, this.sources.length);
      queues.push(sourceQueue);
      const sourceStats = { in: 0, out: 0, durationMs: 0, startMs: 0 };
      report.stages.source = sourceStats;
      let sourcesOpen = this.sources.length;
      for (const source of this.sources) {
        const findings = isFindingSource(source)
          ? source.findings(options.query, {
              signal: controller.signal,
              record: createRecorder(report, this, `source:${source.platform}`),
            })
          : source;
        pump(findings, sourceQueue, fail, (finding: Finding) => {
          sourceStats.in++;
          sourceStats.out++;
          if (this.listenerCount("finding-received") > 0) {
            this.emit("finding-received", { findingId: finding.id, platform: finding.source.platform });
          }
          return audit?.ingest(finding);
        }).then(() => {
          if (--sourcesOpen === 0) sourceStats.durationMs = performance.now() - startedAt;
        });
      }

      let input: BoundedQueue<unknown> = sourceQueue;
      let output: AsyncIterable<unknown> = sourceQueue;
      let lastStats = { out: 0 };
      let finishLast = () => {};
      const stages = options.stages ?? [];
      stages.forEach((stage, position) => {
        const stats: StageStats = { in: 0, out: 0, durationMs: 0 };
        const name = uniqueName(report.stages, stage.name);
        report.stages[name] = stats;
        const stageInput = input;
        output = stage.run(stageInput as AsyncIterable<never>, contextFor(name));
        const finish = () => {
          stats.in = stageInput.taken;
          if (stageInput.firstTakeAt > 0) {
            stats.startMs = stageInput.firstTakeAt - startedAt;
            stats.durationMs = performance.now() - stageInput.firstTakeAt;
          }
        };
        if (position === stages.length - 1) {
          // The last stage feeds the delivery loop directly, which counts its outputs.
          lastStats = stats;
          finishLast = finish;
          return;
        }
        const queue = new BoundedQueue<unknown>(bufferSize);
        queues.push(queue);
        pump(output, queue, fail, () => {
          stats.out++;
        }).then(finish);
        input = queue;
      });

      const delivered = this.deliver(output, lastStats, contextFor("deliver"), audit, startedAt).then(
        finishLast,
        (error: unknown) => {
          fail(error);
          throw error;
        },
      );
      await Promise.race([delivered, failed]);
      await audit?.flushed();
      userSignal?.throwIfAborted();
    } catch (error) {
      // Whatever ended the run (a stage's `run` throwing synchronously included) stops the rest.
      fail(error);
      throw error;
    } finally {
      userSignal?.removeEventListener("abort", onAbort);
      for (const queue of queues) queue.return();
      const endedAt = now();
      report.endedAt = endedAt.toISOString();
      report.durationMs = performance.now() - startedAt;
      this.emit("run-end", { runId: this.runId, report });
    }
    return report;
  }

  /** Drains the last stage's output and delivers its actions, `concurrency` at once. */
  private async deliver(
    outputs: AsyncIterable<unknown>,
    lastStats: { out: number },
    context: StageContext,
    audit: RunAudit | undefined,
    runStartedAt: number,
  ): Promise<void> {
    const sinks = this.options.sinks ?? {};
    const limit = this.options.concurrency ?? 4;
    const stats: StageStats = { in: 0, out: 0, durationMs: 0 };
    const inFlight = new Set<Promise<void>>();
    let firstActionAt = 0;
    for await (const item of outputs) {
      lastStats.out++;
      if (!isAction(item)) continue;
      if (stats.in++ === 0) {
        firstActionAt = performance.now();
        stats.startMs = firstActionAt - runStartedAt;
        context.report.stages[uniqueName(context.report.stages, "deliver")] = stats;
      }
      if (context.mode === "read-only") continue;
      const delivery = this.deliverOne(item, sinks, stats, context, audit).finally(() =>
        inFlight.delete(delivery),
      );
      // Rejections (only aborts) are observed by the race below or by Promise.all.
      delivery.catch(() => {});
      inFlight.add(delivery);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (stats.in > 0) stats.durationMs = performance.now() - firstActionAt;
    if (context.mode === "read-only" && stats.in > 0) {
      context.warn({
        type: "other",
        level: "info",
        source: "pipeline",
        message: `read-only mode: ${stats.in} action(s) were not delivered. Pass mode "assisted" or "automated" to pipeline() to deliver them.`,
        details: { actions: stats.in },
      });
    }
  }

  private async deliverOne(
    action: Action,
    sinks: Record<string, Sink>,
    stats: { out: number },
    context: StageContext,
    audit: RunAudit | undefined,
  ): Promise<void> {
    const name = action.sink ?? "default";
    const key = action.idempotencyKey;
    const sink = sinks[name];
    try {
      if (!sink) {
        throw new DeliveryError(
          `pipeline: no sink named "${name}" for action ${key}. Pass \`sinks: { ${JSON.stringify(name)}: … }\` to pipeline().`,
          { sink: name, key },
        );
      }
      // Nothing reaches a sink before the trail that led to it (decision, gate) is on the log.
      await audit?.flushed();
      const delivery = await sink.deliver(action, { signal: context.signal });
      stats.out++;
      this.emit("action-delivered", { actionId: action.id, sink: name, delivery });
      audit?.record([
        this.deliveryEvent(action, name, {
          status: delivery.status,
          key: delivery.key,
          ref: delivery.ref ?? null,
        }),
      ]);
    } catch (error) {
      if (context.signal.aborted || isAbortError(error)) throw error;
      if (audit?.failed) throw error;
      const typed = isCloudstewardError(error)
        ? error
        : new DeliveryError(
            `${name}: delivering action ${key} failed with ${error instanceof Error ? error.name : typeof error}; see the cause.`,
            { sink: name, key, cause: error },
          );
      context.fail(typed, { itemId: key, item: action });
      audit?.record([
        this.deliveryEvent(action, name, { status: "failed", key, code: typed.code, error: typed.message }),
      ]);
    }
  }

  /** A `delivery` audit record for `action`, by the run's principal. */
  private deliveryEvent(action: Action, sink: string, data: Record<string, unknown>): AuditEvent {
    return deliveryEvent(this.options.principal ?? "cloudsteward", action, sink, data);
  }
}

/**
 * The `delivery` audit record of `action` at `sink` by `actor` (`data` holds the status, the key and
 * the ref or the error); `pipeline()` and the queued pipeline of `cloudsteward/queue` write the same.
 */
export function deliveryEvent(
  actor: string,
  action: Action,
  sink: string,
  data: Record<string, unknown>,
): AuditEvent {
  return {
    type: "delivery",
    actor,
    caseId: action.case.id,
    findingIds: findingIdsOf(action.case),
    data: { actionId: action.id, kind: action.kind, sink, ...data },
  };
}

function isFindingSource(source: PipelineSource): source is FindingSource {
  return typeof (source as FindingSource).findings === "function";
}

/** Pulls `source` into `queue`, pausing while the queue is full and stopping when it is cancelled. */
async function pump<T>(
  source: AsyncIterable<T>,
  queue: BoundedQueue<unknown>,
  fail: (error: unknown) => void,
  onItem: (item: T) => Promise<void> | undefined | void,
): Promise<void> {
  let iterator: AsyncIterator<T> | undefined;
  let exhausted = false;
  try {
    iterator = source[Symbol.asyncIterator]();
    while (!queue.cancelled) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const recorded = onItem(next.value);
      if (recorded) await recorded;
      if (!queue.push(next.value)) await queue.space();
    }
    queue.end();
  } catch (error) {
    exhausted = true;
    queue.fail(error);
    fail(error);
  } finally {
    if (!exhausted) iterator?.return?.()?.catch(() => {});
  }
}

function uniqueName(taken: Record<string, unknown>, name: string): string {
  if (!(name in taken)) return name;
  let suffix = 2;
  while (`${name}#${suffix}` in taken) suffix++;
  return `${name}#${suffix}`;
}
