import { randomUUID } from "node:crypto";
import type { Telemetry } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { type ApprovalRequest, approvalQueue } from "../../agents/approvals/queue.js";
import { decide } from "../../agents/decide/decide.js";
import { gate } from "../../agents/gate/gate.js";
import { definePolicy } from "../../agents/policy/define.js";
import { triage } from "../../agents/triage/triage.js";
import { type AuditRecord, auditLog } from "../../audit/audit-log.js";
import type { Action } from "../../core/action.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { findingIdsOf } from "../../core/case.js";
import { RateLimitError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { memoryStore } from "../../core/memory-store.js";
import { pipeline } from "../../core/pipeline.js";
import type { Sink } from "../../core/sink.js";
import type { Stage } from "../../core/stage.js";
import type { Store } from "../../core/store.js";
import {
  createQueuedPipeline,
  type QueueConnection,
  type QueueDeadLetter,
  type QueuedPipelineOptions,
  queueDeadLettersNamespace,
} from "../../queue/index.js";
import { fixtureDate, makeAction, makeFinding, resetFactories } from "../factories.js";
import { countingStage, webhookStorm } from "../storm.js";

/** Options of {@link testQueueBackend}. */
export interface TestQueueBackendOptions {
  /** The suite's title, e.g. `"redis"`. */
  name: string;
  /**
   * The Redis or PostgreSQL the queues live on, running when the tests run (start it in a
   * `beforeAll` of the enclosing file). Every test uses its own queue prefix, so one server serves
   * the whole suite.
   */
  connection: () => QueueConnection;
  /** The Store the queued pipelines keep their state in. @default a fresh memoryStore() per test */
  store?: () => Store | Promise<Store>;
  /** How many webhook deliveries the storm test sends in one burst (a fifth are redeliveries). @default 10_000 */
  stormDeliveries?: number;
  /** Called once after every test, e.g. to stop the server. */
  cleanup?: () => Promise<void> | void;
}

/**
 * A vitest suite a queue backend (Redis, PostgreSQL, or what stands in for one: a managed service, a
 * proxy) passes to carry `createQueuedPipeline`: the queued run's audit trail, decisions and tickets
 * equal `pipeline()`'s on the same input; a duplicated unit is one job and a re-sent finding no work;
 * a failed delivery is a dead letter and a failed audit record; a sink's limit holds across four
 * workers, and a 429 with Retry-After holds its queue for all of them; an approval wait survives a
 * restart and is resumed once; a burst of webhook deliveries is acknowledged with none lost or
 * processed twice.
 * @example
 * testQueueBackend({ name: "redis", connection: () => ({ redis: "redis://127.0.0.1:6379" }) });
 */
export function testQueueBackend(options: TestQueueBackendOptions): void {
  const opened: { close(): Promise<void> }[] = [];
  /** A queued pipeline under a prefix of its own, closed after the suite. */
  const queued = (pipelineOptions: Omit<QueuedPipelineOptions, "connection">, prefix = unique()) => {
    const run = createQueuedPipeline({ connection: options.connection(), prefix, ...pipelineOptions });
    opened.push(run);
    return run;
  };
  const store = async () => (options.store ? await options.store() : memoryStore());

  describe(`Queue backend conformance: ${options.name}`, () => {
    afterAll(async () => {
      for (const run of opened) await run.close();
      await options.cleanup?.();
    });

    it("runs the governed input as pipeline() does: the same audit trail, decisions and tickets", async () => {
      const inProcess = memoryStore();
      const expected: Action[] = [];
      await pipeline({
        source: iterate(findings()),
        stages: governedStages(),
        sinks: { jira: recording("jira", expected), slack: recording("slack", expected) },
        audit: auditLog(inProcess),
        mode: "automated",
        principal: "bot",
        now,
      }).start();

      const state = await store();
      const delivered: Action[] = [];
      const run = queued({
        stages: governedStages(),
        sinks: { jira: recording("jira", delivered), slack: recording("slack", delivered) },
        store: state,
        audit: auditLog(state),
        mode: "automated",
        principal: "bot",
        now,
      });
      expect(run.queues).toEqual(["ingest", "decide", "gate", "deliver-jira", "deliver-slack"]);
      const workers = [await run.startWorker({ concurrency: 2 }), await run.startWorker({ concurrency: 2 })];
      expect(await run.enqueue(findings())).toEqual({ findings: 12, units: 1, duplicates: 0 });
      await run.idle();

      expect(expected).toHaveLength(16);
      expect(tickets(delivered)).toEqual(tickets(expected));
      const [trail, queuedTrail] = [await records(inProcess), await records(state)];
      expect(steps(queuedTrail)).toEqual(steps(trail));
      expect(decisions(queuedTrail)).toEqual(decisions(trail));
      expect(decisions(trail)).toHaveLength(12);

      // The same findings again: remembered, so no work at all.
      expect(await run.enqueue(findings())).toEqual({ findings: 12, units: 0, duplicates: 12 });
      await run.idle();
      expect(delivered).toHaveLength(16);
      const status = await run.status();
      expect(status.map((queue) => queue.failed)).toEqual([0, 0, 0, 0, 0]);
      expect(status.find((queue) => queue.queue === "deliver-jira")?.completed).toBe(8);
      await Promise.all(workers.map((worker) => worker.close()));
    }, 60_000);

    it("splits findings into ingestion units and loses none; a duplicated unit is one job", async () => {
      const delivered: Action[] = [];
      const prefix = unique();
      const sinks = { jira: recording("jira", delivered), slack: recording("slack", delivered) };
      const run = queued(
        { stages: governedStages(), sinks, store: await store(), mode: "automated" },
        prefix,
      );
      // Enqueued twice by two producers that do not share a store: the job ids alone stop the repeat.
      const other = queued({ stages: governedStages(), store: memoryStore() }, prefix);
      for (const producer of [run, other]) {
        expect(await producer.enqueue(findings(), { unitSize: 5 })).toEqual({
          findings: 12,
          units: 3,
          duplicates: 0,
        });
      }
      expect((await run.status())[0]?.waiting).toBe(3);
      const worker = await run.startWorker();
      await run.idle();
      const ticketed = new Set(
        delivered.filter((action) => action.kind === "ticket").flatMap((a) => findingIdsOf(a.case)),
      );
      const critical = findings().filter((finding) => finding.severity === "critical");
      expect([...ticketed].sort()).toEqual(critical.map((finding) => finding.id).sort());
      expect(new Set(delivered.map((action) => action.idempotencyKey)).size).toBe(delivered.length);
      await worker.close();
    }, 60_000);

    it("keeps a failed delivery as a dead letter, audits it and retries it; read-only mode delivers nothing", async () => {
      const state = await store();
      let down = true;
      const recovered: Action[] = [];
      const failing: Sink = {
        specificationVersion: "v1",
        name: "jira",
        async deliver(action) {
          if (down) throw new Error("jira is down");
          return recording("jira", recovered).deliver(action);
        },
      };
      const run = queued({
        stages: governedStages(),
        store: state,
        audit: auditLog(state),
        principal: "bot",
        mode: "automated",
        attempts: 1,
        sinks: { jira: failing },
        now,
      });
      const worker = await run.startWorker();
      const sent = findings().slice(0, 2);
      await run.enqueue(sent);
      await run.idle();
      const status = await run.status();
      expect(status.find((queue) => queue.queue === "deliver-jira")?.failed).toBe(1);
      const failed = (await records(state)).filter(
        (record) => record.event.type === "delivery" && record.event.data.status === "failed",
      );
      // jira failed; slack is not a sink of this pipeline, so the notify action fails before any queue.
      expect(failed.map((record) => record.event.data.sink).sort()).toEqual(["jira", "slack"]);
      // The notify action names a sink this pipeline does not have: a dead letter, kept in the store.
      const letters: unknown[] = [];
      for await (const { value } of state.list(queueDeadLettersNamespace)) letters.push(value);
      expect(letters).toEqual([expect.objectContaining({ stage: "gate", code: "DELIVERY" })]);
      // Both are in the run's dead letters; the failed job, once its cause is gone, runs again.
      const dead = await run.deadLetters();
      expect(dead.map(({ kind, queue, reason }) => ({ kind, queue, reason }))).toEqual([
        { kind: "job", queue: "deliver-jira", reason: "jira is down" },
        { kind: "item", queue: "gate", reason: expect.stringMatching(/^DELIVERY: .*slack/) },
      ]);
      const [job] = dead as [QueueDeadLetter];
      await expect(run.retry("deliver-jira", "no-such-job")).rejects.toThrow(/no failed job "no-such-job"/);
      down = false;
      expect(await run.retry(job.queue, job.job)).toBe(1);
      await run.idle();
      expect(recovered.map((action) => action.idempotencyKey)).toEqual([job.subject]);
      expect((await run.status()).find((queue) => queue.queue === "deliver-jira")?.failed).toBe(0);
      await worker.close();

      const quiet: Action[] = [];
      const readOnly = queued({
        stages: governedStages(),
        store: await store(),
        sinks: { jira: recording("jira", quiet) },
        mode: "read-only",
      });
      const reader = await readOnly.startWorker();
      await readOnly.enqueue(findings());
      await readOnly.idle();
      expect(quiet).toEqual([]);
      await reader.close();
    }, 60_000);

    it("holds a sink's limit across four workers", async () => {
      const times: number[] = [];
      const run = queued({
        stages: [toActions],
        sinks: { jira: timed(times) },
        mode: "automated",
        batchSize: 4,
        // 2 deliveries per 100 ms, whoever delivers.
        limits: { "deliver-jira": { requestsPerSecond: 20, burst: 2 } },
      });
      const workers = await Promise.all([1, 2, 3, 4].map(() => run.startWorker({ concurrency: 4 })));
      await run.enqueue(plainFindings(16));
      await run.idle();
      expect(times).toHaveLength(16);
      times.sort((a, b) => a - b);
      // BullMQ's windows are fixed, so any 100 ms holds at most two windows' worth: 4 deliveries. A
      // fifth delivery within 100 ms of four others would be one over the limit (5 ms of clock slack).
      for (let index = 0; index + 4 < times.length; index++) {
        expect((times[index + 4] as number) - (times[index] as number)).toBeGreaterThanOrEqual(95);
      }
      await Promise.all(workers.map((worker) => worker.close()));
    }, 60_000);

    it("holds the queue for every worker on 429 with Retry-After, without spending an attempt", async () => {
      const times: number[] = [];
      const sink = timed(times, { throttleFirst: true });
      const run = queued({
        stages: [toActions],
        sinks: { jira: sink },
        mode: "automated",
        attempts: 1,
        limits: { "deliver-jira": false },
      });
      const workers = await Promise.all([1, 2, 3].map(() => run.startWorker()));
      await run.enqueue(plainFindings(12));
      await run.idle();
      expect(times).toHaveLength(12);
      // One attempt each, yet none failed: a 429 puts the job back without spending it.
      const status = await run.status();
      expect(status.find((queue) => queue.queue === "deliver-jira")?.failed).toBe(0);
      // Only the calls already in flight (one per worker) met the vendor's 429; no worker took a new
      // job until the Retry-After had passed.
      expect(sink.throttled.length).toBeGreaterThanOrEqual(1);
      expect(sink.throttled.length).toBeLessThanOrEqual(3);
      await Promise.all(workers.map((worker) => worker.close()));
    }, 60_000);

    it("parks held actions in the store, resumes an approved one once after a restart, expires the rest", async () => {
      const state = await store();
      const delivered: Action[] = [];
      const prefix = unique();
      let clock = new Date("2026-03-01T10:00:00Z");
      const at = () => clock;
      /** One deployment's queued pipeline over `state`; built again to stand for a restart. */
      const deployment = () => {
        const approvals = approvalQueue({ store: state, policy: heldPolicy, now: at });
        return queued(
          {
            store: state,
            stages: [
              triage(),
              decide({ policy: heldPolicy }),
              gate({ policy: heldPolicy, principal: "bot", approvals }),
            ],
            sinks: { jira: recording("jira", delivered) },
            approvals,
            approvalSweepMs: 50,
            mode: "assisted",
            principal: "bot",
            now: at,
          },
          prefix,
        );
      };
      resetFactories();
      const held = [1, 2].map((n) =>
        makeFinding({
          severity: "critical",
          resource: { id: `arn:aws:s3:::b${n}`, tags: { owner: `team-${n}` } },
        }),
      );

      const first = deployment();
      expect(first.queues).toContain("approvals");
      const worker = await first.startWorker();
      await first.enqueue(held);
      await first.idle();
      const waiting = await requests(state);
      expect(waiting.map((request) => request.state)).toEqual(["requested", "requested"]);
      expect(delivered).toEqual([]);
      // A deploy: every worker stops; the waits stay in the store.
      await worker.close();
      await first.close();

      const second = deployment();
      const restarted = await second.startWorker();
      const [chosen, other] = waiting as [ApprovalRequest, ApprovalRequest];
      await approvalQueue({ store: state, policy: heldPolicy, now: at }).approve(chosen.id, {
        principal: "alice",
      });
      // The button pressed twice, the ITSM webhook redelivered: one job, one delivery.
      await second.resume(chosen.id);
      await second.resume(chosen.id);
      await second.resume(other.id); // not approved: left waiting
      await second.idle();
      expect(delivered.map((action) => action.idempotencyKey)).toEqual([chosen.action.idempotencyKey]);

      // Past the policy's deadline, a sweeping worker expires what still waits.
      clock = new Date("2026-03-02T10:00:01Z");
      let states: string[] = [];
      for (let poll = 0; poll < 100; poll++) {
        states = (await requests(state)).map(
          (request) => `${request.id === chosen.id ? "chosen" : "other"}:${request.state}`,
        );
        if (states.includes("other:expired")) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(states.sort()).toEqual(["chosen:approved", "other:expired"]);
      expect(delivered).toHaveLength(1);
      await restarted.close();
    }, 60_000);

    it("reports every job to the telemetry it is given: a span per job, counts per queue", async () => {
      const spans: string[] = [];
      const counted: string[] = [];
      const span = {
        setSpanOnContext: (context: unknown) => context,
        setAttribute() {},
        setAttributes() {},
        addEvent() {},
        recordException() {},
        end() {},
      };
      const telemetry: Telemetry = {
        tracer: {
          startSpan(name) {
            spans.push(name);
            return span;
          },
        },
        contextManager: {
          with: (_context, fn) => fn(),
          active: () => ({}),
          getMetadata: () => "",
          fromMetadata: (context) => context,
        },
        meter: {
          createCounter: (name) => ({
            add: (value, attributes) => counted.push(`${name} ${value} ${canonicalJson(attributes ?? {})}`),
          }),
          createHistogram: () => ({ record() {} }),
          createGauge: () => ({ record() {} }),
        },
      };
      const run = queued({ stages: [toActions], sinks: { jira: timed([]) }, mode: "automated", telemetry });
      const worker = await run.startWorker();
      await run.enqueue(plainFindings(2));
      await run.idle();
      await worker.close();
      expect(spans.length).toBeGreaterThanOrEqual(3);
      expect(counted.filter((entry) => entry.startsWith("bullmq.jobs.completed 1")).length).toBe(3);
    }, 60_000);

    const deliveries = options.stormDeliveries ?? 10_000;
    it(`acknowledges ${deliveries} webhook deliveries in a burst, loses none and processes none twice`, async () => {
      const seen = new Map<string, number>();
      const run = queued({ stages: [countingStage(seen)], store: await store() });
      const worker = await run.startWorker({ concurrency: 8 });
      resetFactories();
      const storm = await webhookStorm({ deliveries, enqueue: (findings) => run.enqueue(findings) });
      expect(storm.statuses).toEqual({ 202: deliveries });
      await run.idle({ pollMs: 250 });
      expect(seen.size).toBe(storm.findings.length);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
      expect((await run.status())[0]).toMatchObject({ failed: 0, completed: storm.findings.length });
      await worker.close();
    }, 300_000);
  });
}

const ticketAndNotify = [
  { kind: "ticket", sink: "jira", automatic: true, params: { project: "SEC" } },
  { kind: "notify", sink: "slack", automatic: true },
] as const;
const automatedPolicy = definePolicy({
  mode: "automated",
  rules: [{ id: "urgent", when: { severity: ["critical", "high"] }, do: [...ticketAndNotify] }],
  principals: [{ id: "bot", scopes: ["execute:ticket", "execute:notify"] }],
  allowedActions: ["ticket", "notify"],
});
const heldPolicy = definePolicy({
  mode: "assisted",
  rules: [{ id: "tickets", when: { severity: ["critical"] }, do: [{ kind: "ticket", sink: "jira" }] }],
  principals: [
    { id: "bot", scopes: ["execute:ticket"] },
    { id: "alice", scopes: ["approve:*"] },
  ],
  allowedActions: ["ticket"],
  approvalTtlHours: 24,
});

const governedStages = () =>
  [
    triage(),
    decide({ policy: automatedPolicy }),
    gate({ policy: automatedPolicy, principal: "bot" }),
  ] as const;
const now = () => new Date(fixtureDate);

/** Twelve findings, every third one medium; one owner each, so each is its own case whatever the unit. */
function findings(): Finding[] {
  resetFactories();
  return Array.from({ length: 12 }, (_, n) =>
    makeFinding({
      severity: n % 3 ? "critical" : "medium",
      resource: { id: `arn:aws:s3:::bucket-${n}`, name: `bucket-${n}`, tags: { owner: `team-${n}` } },
    }),
  );
}

function plainFindings(count: number): Finding[] {
  resetFactories();
  return Array.from({ length: count }, () => makeFinding());
}

function unique(): string {
  return `c${randomUUID().slice(0, 8)}`;
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

async function records(store: Store): Promise<AuditRecord[]> {
  const list: AuditRecord[] = [];
  for await (const record of auditLog(store).query()) list.push(record);
  return list;
}

async function requests(store: Store): Promise<ApprovalRequest[]> {
  const list: ApprovalRequest[] = [];
  for await (const request of approvalQueue({ store, policy: heldPolicy }).list()) list.push(request);
  return list;
}

/**
 * The trail as a sorted list of steps, one per finding a record names (ingestion records group
 * findings by how they arrived, which differs between one process and the queues): type, actor, case.
 */
function steps(trail: AuditRecord[]): string[] {
  return trail
    .flatMap(({ event }) =>
      (event.findingIds?.length ? event.findingIds : [""]).map((finding) =>
        [
          event.type,
          event.actor,
          event.caseId ?? "",
          finding,
          event.type === "delivery" ? event.data.status : "",
        ].join(" "),
      ),
    )
    .sort();
}

function decisions(trail: AuditRecord[]): string[] {
  return trail
    .filter(({ event }) => event.type === "decision")
    .map(({ event }) =>
      canonicalJson({ caseId: event.caseId, findingIds: event.findingIds, data: event.data }),
    )
    .sort();
}

/** The tickets and notifications delivered: key, sink, kind and parameters. */
function tickets(actions: Action[]): string[] {
  return actions
    .map((action) => canonicalJson([action.idempotencyKey, action.sink, action.kind, action.params]))
    .sort();
}

/** A sink that records what reaches it. */
function recording(name: string, delivered: Action[]): Sink {
  return {
    specificationVersion: "v1",
    name,
    async deliver(action) {
      delivered.push(action);
      return { key: action.idempotencyKey, status: "created", ref: { id: `${name}-${action.id}` } };
    },
  };
}

/** One action per finding, for the `jira` sink: the stage under test is the delivery. */
const toActions: Stage<Finding, Action> = {
  name: "act",
  async *run(input) {
    for await (const finding of input)
      yield makeAction({ sink: "jira", idempotencyKey: `ticket:${finding.id}` });
  },
};

/**
 * A sink that notes when each delivery reached it. With `throttleFirst`, it behaves like a vendor
 * over its limit: the first call, and every call in the 400 ms after it, gets 429 with Retry-After.
 */
function timed(times: number[], options: { throttleFirst?: boolean } = {}): Sink & { throttled: number[] } {
  const throttled: number[] = [];
  let until = 0;
  return {
    specificationVersion: "v1",
    name: "jira",
    throttled,
    async deliver(action) {
      const at = Date.now();
      if (options.throttleFirst && throttled.length === 0) until = at + 400;
      if (at < until) {
        throttled.push(at);
        throw new RateLimitError("jira: 429", {
          integration: "jira",
          status: 429,
          method: "POST",
          url: "https://jira.example/rest/api/3/issue",
          retryAfterMs: until - at,
        });
      }
      times.push(at);
      return { key: action.idempotencyKey, status: "created" };
    },
  };
}
