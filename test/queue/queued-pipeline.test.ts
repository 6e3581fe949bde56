import { describe, expect, it } from "vitest";
import { decide } from "../../src/agents/decide/index.js";
import { gate } from "../../src/agents/gate/index.js";
import { definePolicy } from "../../src/agents/policy/index.js";
import { triage } from "../../src/agents/triage/index.js";
import { type AuditRecord, auditLog } from "../../src/audit/index.js";
import type { Action } from "../../src/core/action.js";
import { findingIdsOf } from "../../src/core/case.js";
import type { Finding } from "../../src/core/finding.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { pipeline } from "../../src/core/pipeline.js";
import type { Sink } from "../../src/core/sink.js";
import type { Store } from "../../src/core/store.js";
import { createQueuedPipeline, queueDeadLettersNamespace } from "../../src/queue/index.js";
import { fixtureDate, makeFinding, resetFactories } from "../../src/testing/factories.js";
import { backends, recording, useBackend } from "./backends.js";

const ticketAndNotify = [
  { kind: "ticket", sink: "jira", automatic: true, params: { project: "SEC" } },
  { kind: "notify", sink: "slack", automatic: true },
] as const;
const policy = definePolicy({
  mode: "automated",
  rules: [{ id: "urgent", when: { severity: ["critical", "high"] }, do: [...ticketAndNotify] }],
  principals: [{ id: "bot", scopes: ["execute:ticket", "execute:notify"] }],
  allowedActions: [...new Set(ticketAndNotify.map((action) => action.kind))],
});

/** Twelve findings, every third one medium; one owner each, so each is its own case whatever the unit. */
function findings(): Finding[] {
  resetFactories();
  const made: Finding[] = [];
  for (let n = 0; n < 12; n++) {
    const name = `bucket-${n}`;
    const tags = { owner: `team-${n}` };
    made.push(
      makeFinding({
        severity: n % 3 ? "critical" : "medium",
        resource: { id: `arn:aws:s3:::${name}`, name, tags },
      }),
    );
  }
  return made;
}

const stages = () => [triage(), decide({ policy }), gate({ policy, principal: "bot" })] as const;
const now = () => new Date(fixtureDate);

async function records(store: Store): Promise<AuditRecord[]> {
  const list: AuditRecord[] = [];
  for await (const record of auditLog(store).query()) list.push(record);
  return list;
}

let counter = 0;

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe.each(backends)("createQueuedPipeline on $name", (backend) => {
  const started = useBackend(backend);

  /** A queued pipeline under its own prefix, so the tests of a file do not share queues. */
  function queued(options: { store: Store; sinks: Record<string, Sink>; mode?: "read-only" | "automated" }) {
    return createQueuedPipeline({
      connection: started().connection,
      prefix: `t${++counter}`,
      stages: stages(),
      audit: auditLog(options.store),
      principal: "bot",
      mode: options.mode ?? "automated",
      now,
      ...options,
    });
  }

  it("delivers what pipeline() delivers, once, with two workers on it", async () => {
    const expected: Action[] = [];
    await pipeline({
      source: iterate(findings()),
      stages: stages(),
      sinks: { jira: recording("jira", expected), slack: recording("slack", expected) },
      mode: "automated",
      principal: "bot",
      now,
    }).start();

    const store = memoryStore();
    const delivered: Action[] = [];
    const run = queued({
      store,
      sinks: { jira: recording("jira", delivered), slack: recording("slack", delivered) },
    });
    expect(run.queues).toEqual(["ingest", "decide", "gate", "deliver-jira", "deliver-slack"]);
    const workers = [await run.startWorker({ concurrency: 2 }), await run.startWorker({ concurrency: 2 })];
    expect(await run.enqueue(findings())).toEqual({ findings: 12, units: 1, duplicates: 0 });
    await run.idle();

    const keys = (actions: Action[]) => actions.map((action) => action.idempotencyKey).sort();
    expect(expected.length).toBe(16);
    expect(keys(delivered)).toEqual(keys(expected));

    const trail = await records(store);
    const ingested = trail
      .filter((record) => record.event.type === "ingestion")
      .flatMap((record) => record.event.findingIds);
    expect(ingested.sort()).toEqual(
      findings()
        .map((finding) => finding.id)
        .sort(),
    );
    const deliveries = trail.filter((record) => record.event.type === "delivery");
    expect(deliveries).toHaveLength(16);
    expect(
      deliveries.every((record) => record.event.actor === "bot" && record.event.data.status === "created"),
    ).toBe(true);
    expect(trail.filter((record) => record.event.type === "decision").length).toBeGreaterThan(0);

    // The same findings again: remembered, so no work at all.
    expect(await run.enqueue(findings())).toEqual({ findings: 12, units: 0, duplicates: 12 });
    await run.idle();
    expect(delivered).toHaveLength(16);
    const status = await run.status();
    expect(status.map((queue) => queue.failed)).toEqual([0, 0, 0, 0, 0]);
    expect(status.find((queue) => queue.queue === "deliver-jira")?.completed).toBe(8);
    await Promise.all(workers.map((worker) => worker.close()));
    await run.close();
  }, 60_000);

  it("splits findings into ingestion units and loses none; a duplicated unit is one job", async () => {
    const store = memoryStore();
    const delivered: Action[] = [];
    const run = queued({
      store,
      sinks: { jira: recording("jira", delivered), slack: recording("slack", delivered) },
    });
    // Enqueued twice by two producers that do not share a store: the job ids alone stop the repeat.
    const other = createQueuedPipeline({
      connection: started().connection,
      prefix: `t${counter}`,
      stages: stages(),
      store: memoryStore(),
    });
    expect(await run.enqueue(findings(), { unitSize: 5 })).toEqual({ findings: 12, units: 3, duplicates: 0 });
    expect(await other.enqueue(findings(), { unitSize: 5 })).toEqual({
      findings: 12,
      units: 3,
      duplicates: 0,
    });
    const ingest = (await run.status())[0];
    expect(ingest?.waiting).toBe(3);
    const worker = await run.startWorker();
    await run.idle();
    const ticketed = new Set(
      delivered.filter((action) => action.kind === "ticket").flatMap((a) => findingIdsOf(a.case)),
    );
    const critical = findings().filter((finding) => finding.severity === "critical");
    expect([...ticketed].sort()).toEqual(critical.map((finding) => finding.id).sort());
    expect(new Set(delivered.map((action) => action.idempotencyKey)).size).toBe(delivered.length);
    await worker.close();
    await Promise.all([run.close(), other.close()]);
  }, 60_000);

  it("keeps a failed delivery as a failed job and audits it; read-only mode delivers nothing", async () => {
    const store = memoryStore();
    const failing: Sink = {
      specificationVersion: "v1",
      name: "jira",
      async deliver() {
        throw new Error("jira is down");
      },
    };
    const run = createQueuedPipeline({
      connection: started().connection,
      prefix: `t${++counter}`,
      stages: stages(),
      store,
      audit: auditLog(store),
      principal: "bot",
      mode: "automated",
      attempts: 1,
      sinks: { jira: failing },
      now,
    });
    const worker = await run.startWorker();
    await run.enqueue(findings().slice(0, 2));
    await run.idle();
    const status = await run.status();
    expect(status.find((queue) => queue.queue === "deliver-jira")?.failed).toBe(1);
    const failed = (await records(store)).filter(
      (record) => record.event.type === "delivery" && record.event.data.status === "failed",
    );
    // jira failed; slack is not a sink of this pipeline, so the notify action fails before any queue.
    expect(failed.map((record) => record.event.data.sink).sort()).toEqual(["jira", "slack"]);
    // The notify action names a sink this pipeline does not have: a dead letter, kept in the store.
    const letters: unknown[] = [];
    for await (const { value } of store.list(queueDeadLettersNamespace)) letters.push(value);
    expect(letters).toEqual([expect.objectContaining({ stage: "gate", code: "DELIVERY" })]);
    await worker.close();
    await run.close();

    const quiet: Action[] = [];
    const readOnly = queued({
      store: memoryStore(),
      sinks: { jira: recording("jira", quiet) },
      mode: "read-only",
    });
    const reader = await readOnly.startWorker();
    await readOnly.enqueue(findings());
    await readOnly.idle();
    expect(quiet).toEqual([]);
    await reader.close();
    await readOnly.close();
  }, 60_000);
});
