import type { Job, JobsOptions, Queue, Telemetry, Worker } from "bullmq";
import type { ApprovalQueue } from "../agents/approvals/queue.js";
import type { Action } from "../core/action.js";
import type { AuditAppender, AuditEvent } from "../core/audit.js";
import { appendAll } from "../core/audit.js";
import { canonicalJson } from "../core/canonical-json.js";
import type { Mode } from "../core/case.js";
import {
  ConfigurationError,
  DeliveryError,
  isCloudstewardError,
  type RateLimitError,
} from "../core/errors.js";
import type { Finding } from "../core/finding.js";
import { sha256Hex } from "../core/fingerprint.js";
import { memoryStore } from "../core/memory-store.js";
import {
  type AnyStage,
  type CheckedStages,
  deliveryEvent,
  isAction,
  type PipelineSource,
} from "../core/pipeline.js";
import type { RateLimit } from "../core/rate-limiter.js";
import { createRunReport } from "../core/report.js";
import { RunAudit } from "../core/run-audit.js";
import type { Sink } from "../core/sink.js";
import type { FindingQuery, FindingSource } from "../core/source.js";
import { createStageContext, type StageContext } from "../core/stage.js";
import type { Store } from "../core/store.js";
import { type Backend, openBackend, type QueueConnection } from "./connection.js";

/** The Store namespace where items a queued stage could not process are kept, keyed `<queue>/<job>/<n>`. */
export const queueDeadLettersNamespace = "queue:dead-letters";

/**
 * The pacing a `deliver-<sink>` queue gets by default when the sink's key in `sinks` is one of these:
 * the pace each sink keeps on its own in one process (Jira Cloud's burst limit is not published, so
 * its sink paces at 10/s; ServiceNow's limits are per instance and per hour; Slack posts about one
 * message per second per channel), now held across every worker.
 */
export const documentedLimits: Readonly<Record<string, RateLimit>> = {
  jira: { requestsPerSecond: 10 },
  servicenow: { requestsPerSecond: 5 },
  slack: { requestsPerSecond: 1 },
};

/** Options of {@link createQueuedPipeline}: `pipeline()`'s, plus where the queues live. */
export interface QueuedPipelineOptions<Stages extends readonly AnyStage[] = readonly AnyStage[]> {
  /** Redis or PostgreSQL; every process of the deployment passes the same one. */
  connection: QueueConnection;
  /**
   * The stages, in order, as for `pipeline()`. Each gets a queue: the first one's is `ingest` (its
   * jobs are ingestion units of findings), the others are named after the stage.
   * @default []
   */
  stages?: Stages;
  /** Durable state shared by every worker: use `postgresStore` past one process. @default memoryStore() */
  store?: Store;
  /** The audit log, as for `pipeline()`: ingestion, what the stages record, and every delivery. */
  audit?: AuditAppender;
  /** Who the run acts as: the actor of its `delivery` records. @default "cloudsteward" */
  principal?: string;
  /** Where the last stage's actions go: each sink gets its own queue, `deliver-<name>`. @default {} */
  sinks?: Record<string, Sink>;
  /** As for `pipeline()`: in `read-only` mode actions reach no sink. @default "read-only" */
  mode?: Mode;
  /** How many items (findings, cases, actions) one stage job holds at most. @default 50 */
  batchSize?: number;
  /**
   * Prefix of the queue names, so several deployments share a Redis or a database.
   * @default "cloudsteward"
   */
  prefix?: string;
  /**
   * How long a finished job id is remembered, so the same ingestion unit, batch or action enqueued
   * again within it creates no work. The delivery ledger stays the guarantee past it.
   * @default 86_400_000 (one day)
   */
  dedupWindowMs?: number;
  /**
   * Rate limits per queue name, shared by every worker of the deployment (BullMQ's limiter): at most
   * `burst` jobs (default `requestsPerSecond` rounded up) every `burst / requestsPerSecond` seconds.
   * `false` lifts one. A sink that answers 429 with Retry-After pauses its queue for every worker for
   * that long, and the job waits without losing an attempt.
   * @default {@link documentedLimits} for the `deliver-<sink>` queues whose sink key it names
   */
  limits?: Record<string, RateLimit | false>;
  /**
   * The approval queue the gate parks held actions in (pass the same one to `gate({ approvals })`).
   * With it, an `approvals` queue resumes each approved action through a job keyed by the approval id
   * ({@link QueuedPipeline.resume}), and every worker serving it expires the requests past the
   * policy's deadline every `approvalSweepMs`. The requests live in the Store, so they survive
   * restarts and deploys.
   */
  approvals?: ApprovalQueue;
  /** How often a worker serving `approvals` expires requests past their deadline. @default 60_000 */
  approvalSweepMs?: number;
  /** How many times a job runs before it becomes a dead letter (failed). @default 3 */
  attempts?: number;
  /**
   * How long a job's lock lasts without its worker renewing it (every half of it): past it, the job
   * of a worker that died (SIGKILL, a lost machine) goes back to wait for another worker. Checked as
   * often. A job may stall `attempts` times before it becomes a dead letter.
   * @default 30_000
   */
  stalledAfterMs?: number;
  /**
   * OpenTelemetry through BullMQ's telemetry interface, on every queue and worker: traces of each job
   * from enqueue to completion and, with metrics enabled, job counts and durations per queue. Pass
   * `new BullMQOtel({ tracerName: "cloudsteward", meterName: "cloudsteward", enableMetrics: true })`
   * from `bullmq-otel` (BullMQ's own package), with your OpenTelemetry SDK set up.
   */
  telemetry?: Telemetry;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/**
 * The Store namespace remembering the digest of every finding enqueued (key: finding id; the digest
 * leaves out `source.fetchedAt`), for `dedupWindowMs`: a finding re-sent unchanged is not enqueued again.
 */
export const queueIngestedNamespace = "queue:ingested";

/** Options of {@link QueuedPipeline.enqueue}. */
export interface EnqueueOptions {
  /** The filter passed to a `FindingSource`'s `findings()`. */
  query?: FindingQuery;
  /** Findings per ingestion job. @default the pipeline's `batchSize` */
  unitSize?: number;
  signal?: AbortSignal;
}

/** What {@link QueuedPipeline.enqueue} put on the ingestion queue. */
export interface EnqueueResult {
  findings: number;
  /** Ingestion jobs submitted; one already known by its id is not created again. */
  units: number;
  /** Findings skipped: enqueued before, unchanged, within the dedup window. */
  duplicates: number;
}

/** Options of {@link QueuedPipeline.startWorker}. */
export interface StartWorkerOptions {
  /** The queues this process serves (names from {@link QueuedPipeline.queues}). @default all of them */
  queues?: readonly string[];
  /** Jobs each queue runs at once in this process. @default 1 */
  concurrency?: number;
}

/** A running worker: {@link QueueWorker.close} finishes the jobs in flight, then stops. */
export interface QueueWorker {
  readonly queues: readonly string[];
  close(): Promise<void>;
}

/** The job counts of one queue. */
export interface QueueStatus {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  /** When the job waiting longest was added (ISO-8601), when one waits. */
  oldestWaitingAt?: string;
}

/**
 * A dead letter of the queued run: a job that failed its last attempt (`retry(queue, job)` runs it
 * again), or an item a stage could not process inside a job that went on (kept in the Store under
 * {@link queueDeadLettersNamespace}; fix its cause and enqueue its finding again).
 */
export interface QueueDeadLetter {
  kind: "job" | "item";
  queue: string;
  /** The failed job's id; for an item, the job it was in and its place (`<job>/<n>`). */
  job: string;
  /** What it carried: the action's idempotency key, the approval id, or how many items a batch held. */
  subject: string;
  /** The error of the last attempt. */
  reason: string;
  /** Attempts made (jobs). */
  attempts?: number;
  /** When it failed (ISO-8601). */
  failedAt?: string;
}

/** The governed pipeline spread over queues that any number of worker processes serve. */
export interface QueuedPipeline {
  /** The queues, in the order work flows: `ingest`, one per further stage, `deliver-<sink>` per sink. */
  readonly queues: readonly string[];
  /**
   * Splits findings into ingestion units (jobs of `unitSize` findings, ids from their content),
   * skipping a finding enqueued before with the same content within `dedupWindowMs`.
   */
  enqueue(source: PipelineSource | readonly Finding[], options?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Resumes an approved action: a job keyed by the approval id delivers it, once (the approval
   * queue's execution ledger), so a repeat — a second click, a redelivered ITSM webhook — does
   * nothing. Call it from what applies the decision (Slack's `onResult`, your API). Resolves once the
   * job is queued; a request not approved (yet) is left as it is.
   * @throws ConfigurationError without `approvals`
   */
  resume(approvalId: string): Promise<void>;
  /** Serves queues in this process until `close()`. */
  startWorker(options?: StartWorkerOptions): Promise<QueueWorker>;
  /** Job counts per queue, in flow order. */
  status(): Promise<QueueStatus[]>;
  /**
   * The run's dead letters, newest first per queue: the failed jobs (kept seven days) of every queue,
   * then the items stages could not process.
   * @param options.limit at most this many failed jobs per queue (default 100)
   */
  deadLetters(options?: { limit?: number }): Promise<QueueDeadLetter[]>;
  /**
   * Runs failed jobs again with fresh attempts: the job `job` of `queue`, or every failed job of
   * `queue`. Resolves to how many were put back to wait.
   * @throws ConfigurationError for a queue this pipeline does not have, or a job that is not failed
   */
  retry(queue: string, job?: string): Promise<number>;
  /** Resolves once no queue has a waiting, active or delayed job (failed ones stay failed). */
  idle(options?: { signal?: AbortSignal; pollMs?: number }): Promise<void>;
  /** Closes the queues and every worker started here. */
  close(): Promise<void>;
}

interface StageJob {
  items: unknown[];
}

interface DeliverJob {
  action: Action;
}

interface ResumeJob {
  approvalId: string;
}

/** An item a stage could not process, as kept under {@link queueDeadLettersNamespace}. */
interface KeptItem {
  stage: string;
  itemId: string | null;
  code: string;
  message: string;
  at: string;
}

/** What a job carried, in a few words: the action's key, the approval id, or the batch's size. */
function subjectOf(data: StageJob | DeliverJob | ResumeJob): string {
  if ("action" in data) return data.action.idempotencyKey;
  if ("approvalId" in data) return data.approvalId;
  return Array.isArray(data.items) ? `${data.items.length} items` : "a malformed job";
}

/**
 * `pipeline()` on BullMQ (Redis or PostgreSQL): the same stages, sinks, store, audit and mode, with a
 * queue per stage and per sink so that many worker processes share the work. Ingestion units, stage
 * batches and deliveries get job ids derived from their content or idempotency key, so a re-sent
 * finding or a duplicated webhook creates no work twice; the delivery ledger and the approval queue
 * in the Store stay the source of exactly-once. Every process (the ones that enqueue, the workers)
 * builds it with the same options.
 * @example
 * const queued = createQueuedPipeline({ connection: { postgres: process.env.DATABASE_URL! }, store, audit: auditLog(store), stages: [triage(), decide({ policy })], sinks: { ticket: jira(options) }, mode: "assisted" });
 * await queued.enqueue(wiz());
 * const worker = await queued.startWorker({ concurrency: 4 });
 * process.once("SIGTERM", () => worker.close());
 */
export function createQueuedPipeline<Stages extends readonly AnyStage[] | []>(
  options: QueuedPipelineOptions<Stages> & NoInfer<CheckedStages<Stages>>,
): QueuedPipeline {
  for (const [name, value] of [
    ["batchSize", options.batchSize],
    ["attempts", options.attempts],
    ["stalledAfterMs", options.stalledAfterMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new ConfigurationError(
        `createQueuedPipeline: \`${name}\` must be a positive integer, got ${value}.`,
        {
          option: name,
        },
      );
    }
  }
  return new Queued(options as QueuedPipelineOptions);
}

class Queued implements QueuedPipeline {
  readonly queues: readonly string[];
  private readonly stages: readonly AnyStage[];
  private readonly sinks: Record<string, Sink>;
  private readonly store: Store;
  private readonly prefix: string;
  private readonly batchSize: number;
  private readonly jobOptions: JobsOptions;
  private readonly dedupWindowMs: number;
  private backend?: Promise<Backend>;
  private readonly opened = new Map<string, Promise<Queue>>();
  private readonly workers = new Set<Worker>();

  constructor(private readonly options: QueuedPipelineOptions) {
    this.stages = options.stages ?? [];
    this.sinks = options.sinks ?? {};
    this.store = options.store ?? memoryStore();
    this.prefix = options.prefix ?? "cloudsteward";
    this.batchSize = options.batchSize ?? 50;
    this.dedupWindowMs = options.dedupWindowMs ?? 86_400_000;
    this.jobOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: Math.ceil(this.dedupWindowMs / 1000) },
      removeOnFail: { age: 7 * 86_400 },
    };
    const names: string[] = [];
    this.stages.forEach((stage, index) => {
      names.push(index === 0 ? "ingest" : uniqueName(names, stage.name));
    });
    for (const sink of Object.keys(this.sinks)) names.push(`deliver-${sink}`);
    if (options.approvals) names.push("approvals");
    this.queues = names;
    for (const name of Object.keys(options.limits ?? {})) {
      if (!names.includes(name)) {
        throw new ConfigurationError(
          `createQueuedPipeline: \`limits\` names a queue "${name}" this pipeline does not have. The queues are: ${names.join(", ")}.`,
          { option: "limits" },
        );
      }
    }
  }

  async enqueue(
    source: PipelineSource | readonly Finding[],
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    if (this.stages.length === 0) {
      throw new ConfigurationError("createQueuedPipeline: no stages given, so there is nothing to enqueue.", {
        option: "stages",
      });
    }
    const unitSize = options.unitSize ?? this.batchSize;
    const findings = isFindingSource(source)
      ? source.findings(options.query, options.signal ? { signal: options.signal } : {})
      : (source as AsyncIterable<Finding> | readonly Finding[]);
    const queue = await this.queue("ingest");
    let unit: Finding[] = [];
    let digests: string[] = [];
    const result: EnqueueResult = { findings: 0, units: 0, duplicates: 0 };
    const flush = async () => {
      await this.add(queue, "ingest", unit);
      // Remembered only once queued: a crash in between re-sends work (the ledger absorbs it), never loses it.
      for (const [index, finding] of unit.entries()) {
        await this.store.set(queueIngestedNamespace, finding.id, digests[index], {
          ttlMs: this.dedupWindowMs,
        });
      }
      result.units++;
      unit = [];
      digests = [];
    };
    for await (const finding of findings) {
      options.signal?.throwIfAborted();
      result.findings++;
      const digest = contentDigest(finding);
      if ((await this.store.get<string>(queueIngestedNamespace, finding.id)) === digest) {
        result.duplicates++;
        continue;
      }
      unit.push(finding);
      digests.push(digest);
      if (unit.length >= unitSize) await flush();
    }
    if (unit.length > 0) await flush();
    return result;
  }

  async resume(approvalId: string): Promise<void> {
    if (!this.options.approvals) {
      throw new ConfigurationError(
        "createQueuedPipeline: resume() needs `approvals`, the approval queue the gate uses.",
        {
          option: "approvals",
        },
      );
    }
    const queue = await this.queue("approvals");
    await queue.add("resume", { approvalId } satisfies ResumeJob, {
      ...this.jobOptions,
      jobId: `r-${sha256Hex(approvalId).slice(0, 40)}`,
    });
  }

  async startWorker(options: StartWorkerOptions = {}): Promise<QueueWorker> {
    const served = options.queues ?? this.queues;
    for (const name of served) {
      if (!this.queues.includes(name)) {
        throw new ConfigurationError(
          `createQueuedPipeline: no queue named "${name}". The queues are: ${this.queues.join(", ")}.`,
          { option: "queues" },
        );
      }
    }
    const backend = await this.open();
    const started: Worker[] = [];
    const timers: NodeJS.Timeout[] = [];
    for (const name of served) {
      const processor =
        name === "approvals"
          ? (job: Job<ResumeJob>) => this.resumeApproved(job)
          : name.startsWith("deliver-")
            ? (job: Job<DeliverJob>) => this.deliver(name.slice("deliver-".length), job)
            : (job: Job<StageJob>) => this.runStage(this.queues.indexOf(name), name, job);
      if (name === "approvals") timers.push(this.sweepApprovals());
      const limit = this.limitOf(name);
      const stalledAfterMs = this.options.stalledAfterMs ?? 30_000;
      const worker = backend.worker(this.fullName(name), processor as never, {
        concurrency: options.concurrency ?? 1,
        lockDuration: stalledAfterMs,
        stalledInterval: stalledAfterMs,
        maxStalledCount: this.jobOptions.attempts ?? 3,
        ...(limit ? { limiter: limiterOf(limit) } : {}),
      });
      // A job that fails is retried, then kept as failed (a dead letter); the worker goes on.
      worker.on("error", () => {});
      this.workers.add(worker);
      started.push(worker);
    }
    return {
      queues: served,
      close: async () => {
        for (const timer of timers) clearInterval(timer);
        await Promise.all(started.map((worker) => worker.close()));
        for (const worker of started) this.workers.delete(worker);
      },
    };
  }

  private limitOf(name: string): RateLimit | undefined {
    const configured = this.options.limits?.[name];
    if (configured !== undefined) return configured || undefined;
    return name.startsWith("deliver-") ? documentedLimits[name.slice("deliver-".length)] : undefined;
  }

  async status(): Promise<QueueStatus[]> {
    const statuses: QueueStatus[] = [];
    for (const name of this.queues) {
      const queue = await this.queue(name);
      const counts = await queue.getJobCounts(
        "waiting",
        "prioritized",
        "active",
        "delayed",
        "failed",
        "completed",
      );
      const [oldest] = await queue.getJobs(["waiting"], 0, 0, true);
      statuses.push({
        queue: name,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
        ...(oldest ? { oldestWaitingAt: new Date(oldest.timestamp).toISOString() } : {}),
      });
    }
    return statuses;
  }

  async deadLetters(options: { limit?: number } = {}): Promise<QueueDeadLetter[]> {
    const letters: QueueDeadLetter[] = [];
    for (const name of this.queues) {
      const queue = await this.queue(name);
      for (const job of await queue.getJobs(["failed"], 0, (options.limit ?? 100) - 1, false)) {
        letters.push({
          kind: "job",
          queue: name,
          job: String(job.id),
          subject: subjectOf(job.data as StageJob | DeliverJob | ResumeJob),
          reason: job.failedReason,
          attempts: job.attemptsMade,
          ...(job.finishedOn ? { failedAt: new Date(job.finishedOn).toISOString() } : {}),
        });
      }
    }
    for await (const { key, value } of this.store.list<KeptItem>(queueDeadLettersNamespace)) {
      const [queue = "", ...job] = key.split("/");
      letters.push({
        kind: "item",
        queue,
        job: job.join("/"),
        subject: value.itemId ?? "",
        reason: `${value.code}: ${value.message}`,
        failedAt: value.at,
      });
    }
    return letters;
  }

  async retry(name: string, jobId?: string): Promise<number> {
    if (!this.queues.includes(name)) {
      throw new ConfigurationError(
        `createQueuedPipeline: no queue named "${name}". The queues are: ${this.queues.join(", ")}.`,
        { option: "queue" },
      );
    }
    const queue = await this.queue(name);
    const jobs = jobId === undefined ? await queue.getJobs(["failed"]) : [await queue.getJob(jobId)];
    let retried = 0;
    for (const job of jobs) {
      if (!job || !(await job.isFailed())) {
        throw new ConfigurationError(
          `createQueuedPipeline: queue "${name}" has no failed job "${jobId}" (see deadLetters()).`,
          { option: "job" },
        );
      }
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried++;
    }
    return retried;
  }

  async idle(options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<void> {
    // Read in flow order: a job enqueues its successors before it completes, so once a queue reads
    // empty, everything it produced is already on the queues read after it. Two empty reads in a row
    // rule out a job moving between two reads.
    let emptyReads = 0;
    while (emptyReads < 2) {
      options.signal?.throwIfAborted();
      const busy = (await this.status()).some((queue) => queue.waiting + queue.active + queue.delayed > 0);
      emptyReads = busy ? 0 : emptyReads + 1;
      if (emptyReads < 2) await sleep(options.pollMs ?? 100, options.signal);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.close()));
    this.workers.clear();
    await Promise.all([...this.opened.values()].map(async (queue) => (await queue).close()));
    this.opened.clear();
  }

  /**
   * Delivers the approved actions not delivered yet, each once across workers (the execution ledger,
   * which also keeps a failed execution and its error: `executeApproved({ retryFailed })` retries it).
   */
  private async resumeApproved(job: Job<ResumeJob>): Promise<Record<string, unknown>> {
    const approvals = this.options.approvals as ApprovalQueue;
    const request = await approvals.get(job.data.approvalId);
    if (request?.state !== "approved") return { state: request?.state ?? "missing", executed: 0 };
    // A resume whose worker died mid-delivery runs again once its job stalls: take its execution over.
    const result = await approvals.executeApproved({
      sinks: this.sinks,
      staleAfterMs: this.options.stalledAfterMs ?? 30_000,
    });
    return { state: request.state, executed: result.executed.length, failed: result.failed.length };
  }

  /**
   * Expires the requests past their deadline now and every `approvalSweepMs` (atomic per request, so
   * several workers may sweep at once). A sweep that fails is tried again at the next tick.
   */
  private sweepApprovals(): NodeJS.Timeout {
    const approvals = this.options.approvals as ApprovalQueue;
    const now = this.options.now ?? (() => new Date());
    const sweep = () => void approvals.expire(now()).catch(() => {});
    sweep();
    const timer = setInterval(sweep, this.options.approvalSweepMs ?? 60_000);
    timer.unref();
    return timer;
  }

  /** Runs one stage over one job's items, then queues what it yields for the next step. */
  private async runStage(index: number, name: string, job: Job<StageJob>): Promise<Record<string, number>> {
    const stage = this.stages[index] as AnyStage;
    const { audit: log, mode = "read-only" } = this.options;
    const now = this.options.now ?? (() => new Date());
    let auditError: unknown;
    const audit = log
      ? new RunAudit(log, (error) => {
          auditError ??= error;
        })
      : undefined;
    if (index === 0 && audit) for (const finding of job.data.items) await audit.ingest(finding as Finding);
    const context = createStageContext({
      stage: stage.name,
      store: this.store,
      mode,
      now,
      report: createRunReport(`${name}/${job.id}`, now()),
      ...(audit
        ? {
            audit: {
              append: async (event: AuditEvent) => audit.record([event]),
              appendMany: async (events: AuditEvent[]) => audit.record(events),
            },
          }
        : {}),
    });
    const outputs: unknown[] = [];
    for await (const item of stage.run(iterate(job.data.items), context)) outputs.push(item);
    // Nothing moves on before the trail that led to it is on the log.
    await audit?.flushed();
    if (auditError !== undefined) throw auditError;
    const forwarded =
      index < this.stages.length - 1
        ? await this.forwardItems(this.queues[index + 1] as string, outputs)
        : await this.forwardActions(outputs, context, audit);
    await audit?.flushed();
    await this.keepDeadLetters(name, job, context);
    return {
      in: job.data.items.length,
      out: outputs.length,
      forwarded,
      deadLetters: context.report.deadLetters.length,
    };
  }

  private async forwardItems(next: string, items: unknown[]): Promise<number> {
    const queue = await this.queue(next);
    for (let start = 0; start < items.length; start += this.batchSize) {
      await this.add(queue, next, items.slice(start, start + this.batchSize));
    }
    return items.length;
  }

  /** Queues each action on its sink's queue, its job id from the idempotency key. */
  private async forwardActions(
    items: unknown[],
    context: StageContext,
    audit: RunAudit | undefined,
  ): Promise<number> {
    const actions = items.filter(isAction);
    if (context.mode === "read-only") return 0;
    let forwarded = 0;
    for (const action of actions) {
      const sink = action.sink ?? "default";
      if (!this.sinks[sink]) {
        const error = new DeliveryError(
          `createQueuedPipeline: no sink named "${sink}" for action ${action.idempotencyKey}. Pass \`sinks: { ${JSON.stringify(sink)}: … }\`.`,
          { sink, key: action.idempotencyKey },
        );
        context.fail(error, { itemId: action.idempotencyKey, item: action });
        audit?.record([
          this.deliveryEvent(action, sink, {
            status: "failed",
            key: action.idempotencyKey,
            code: error.code,
            error: error.message,
          }),
        ]);
        continue;
      }
      const queue = await this.queue(`deliver-${sink}`);
      await queue.add("deliver", { action } satisfies DeliverJob, {
        ...this.jobOptions,
        jobId: `a-${sha256Hex(action.idempotencyKey).slice(0, 40)}`,
      });
      forwarded++;
    }
    return forwarded;
  }

  /** Delivers one action; on its last attempt a failure is audited and the job becomes a dead letter. */
  private async deliver(sinkName: string, job: Job<DeliverJob>): Promise<Record<string, unknown>> {
    const { action } = job.data;
    const sink = this.sinks[sinkName] as Sink;
    const log = this.options.audit;
    try {
      const delivery = await sink.deliver(action);
      if (log) {
        await appendAll(log, [
          this.deliveryEvent(action, sinkName, {
            status: delivery.status,
            key: delivery.key,
            ref: delivery.ref ?? null,
          }),
        ]);
      }
      return { status: delivery.status, key: delivery.key, ref: delivery.ref ?? null };
    } catch (error) {
      const retryAfterMs = isCloudstewardError(error, "RATE_LIMITED")
        ? (error as RateLimitError).retryAfterMs
        : undefined;
      if (retryAfterMs !== undefined && retryAfterMs > 0) {
        // The vendor said when to come back: hold the whole queue, every worker, that long.
        const bullmq = await import("bullmq");
        await (await this.queue(`deliver-${sinkName}`)).rateLimit(retryAfterMs);
        throw new bullmq.RateLimitError();
      }
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const retryable = !isCloudstewardError(error) || error.isRetryable;
      if ((final || !retryable) && log) {
        const typed = isCloudstewardError(error)
          ? error
          : new DeliveryError(
              `${sinkName}: delivering action ${action.idempotencyKey} failed with ${error instanceof Error ? error.name : typeof error}; see the cause.`,
              { sink: sinkName, key: action.idempotencyKey, cause: error },
            );
        await appendAll(log, [
          this.deliveryEvent(action, sinkName, {
            status: "failed",
            key: action.idempotencyKey,
            code: typed.code,
            error: typed.message,
          }),
        ]);
      }
      if (!retryable) {
        const { UnrecoverableError } = await import("bullmq");
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  }

  /** Keeps what `context.fail` recorded in the Store, where every worker's dead letters meet. */
  private async keepDeadLetters(name: string, job: Job, context: StageContext): Promise<void> {
    let n = 0;
    for (const letter of context.report.deadLetters) {
      await this.store.set<KeptItem>(queueDeadLettersNamespace, `${name}/${job.id}/${n++}`, {
        stage: letter.stage,
        itemId: letter.itemId ?? null,
        code: letter.error.code,
        message: letter.error.message,
        at: (this.options.now ?? (() => new Date()))().toISOString(),
      });
    }
  }

  private deliveryEvent(action: Action, sink: string, data: Record<string, unknown>): AuditEvent {
    return deliveryEvent(this.options.principal ?? "cloudsteward", action, sink, data);
  }

  /** Adds one batch to `queue`, its job id the digest of its content, so the same batch is added once. */
  private async add(queue: Queue, name: string, items: unknown[]): Promise<void> {
    await queue.add(name, { items } satisfies StageJob, {
      ...this.jobOptions,
      jobId: `b-${sha256Hex(canonicalJson(items)).slice(0, 40)}`,
    });
  }

  private open(): Promise<Backend> {
    this.backend ??= openBackend(this.options.connection, this.options.telemetry);
    return this.backend;
  }

  /** The queue `name`, opened once however many callers ask at the same time. */
  private queue(name: string): Promise<Queue> {
    let queue = this.opened.get(name);
    if (!queue) {
      queue = this.open().then((backend) => backend.queue(this.fullName(name)));
      this.opened.set(name, queue);
    }
    return queue;
  }

  private fullName(name: string): string {
    return `${this.prefix}-${name}`;
  }
}

/** The digest of what a finding says, without when it was fetched (a re-fetch is the same finding). */
function contentDigest(finding: Finding): string {
  const { fetchedAt: _, ...source } = finding.source;
  return sha256Hex(canonicalJson({ ...finding, source }));
}

/** BullMQ's fixed-window limiter for a token-bucket rate: `burst` jobs per `burst / rate` seconds. */
function limiterOf(limit: RateLimit): { max: number; duration: number } {
  if (!(limit.requestsPerSecond > 0)) {
    throw new ConfigurationError(
      `createQueuedPipeline: a limit's requestsPerSecond must be greater than 0, got ${limit.requestsPerSecond}.`,
      { option: "limits" },
    );
  }
  const max = Math.max(1, limit.burst ?? Math.ceil(limit.requestsPerSecond));
  return { max, duration: Math.ceil((max * 1000) / limit.requestsPerSecond) };
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

function isFindingSource(source: unknown): source is FindingSource {
  return typeof (source as FindingSource).findings === "function";
}

function uniqueName(taken: readonly string[], name: string): string {
  if (!taken.includes(name)) return name;
  let suffix = 2;
  while (taken.includes(`${name}-${suffix}`)) suffix++;
  return `${name}-${suffix}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
