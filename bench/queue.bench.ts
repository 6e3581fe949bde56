/**
 * The queued pipeline (`cloudsteward/queue`) on Redis and PostgreSQL: cases/s end to end (enqueued
 * findings → triaged, decided, gated cases with their Jira tickets in the sandbox) with 1, 2 and 4
 * worker processes, against the same stages and sink run in-process by `pipeline()`; 4 workers
 * delivering to a sandbox Jira held to 10 requests/s under a shared limit of 8/s (0 requests over);
 * 10,000 webhook deliveries in one burst (a fifth redeliveries) acknowledged and each finding
 * processed once. `BENCH_QUEUE_CASES` (default 240) sets the cases per throughput run.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decide } from "../src/agents/decide/index.js";
import { gate } from "../src/agents/gate/index.js";
import { triage } from "../src/agents/triage/index.js";
import { auditLog } from "../src/audit/index.js";
import type { Finding } from "../src/core/finding.js";
import { memoryStore } from "../src/core/memory-store.js";
import { pipeline } from "../src/core/pipeline.js";
import type { QueueConnection } from "../src/queue/index.js";
import { createQueuedPipeline } from "../src/queue/index.js";
import { jira } from "../src/sinks/jira/index.js";
import { makeFinding, resetFactories } from "../src/testing/factories.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { countingStage, webhookStorm } from "../src/testing/storm.js";
import { startPostgres } from "../test/helpers/postgres.js";
import { startRedis } from "../test/helpers/redis.js";
import {
  exited,
  type KillDeployment,
  killPolicy,
  openStore,
  queuedOf,
  spawnWorker,
} from "../test/queue/kill/deployment.js";
import { type Benchmark, type BenchResult, resultRow } from "./harness.js";

const cases = Number(process.env.BENCH_QUEUE_CASES ?? 240);
const stormDeliveries = 10_000;
const row = resultRow("queue");

/** `count` critical findings, each its own case (its own owner), so each gets one ticket. */
function findings(count: number, tag: string): Finding[] {
  return Array.from({ length: count }, (_, n) =>
    makeFinding({
      severity: "critical",
      resource: { id: `arn:aws:s3:::${tag}-${n}`, tags: { owner: `${tag}-${n}` } },
    }),
  );
}

const benchmark: Benchmark = {
  name: "queue",
  async run() {
    const directory = mkdtempSync(join(tmpdir(), "cloudsteward-queue-bench-"));
    const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    const sandbox = await startSandbox({ seed: 1, size: 10, platforms: ["wiz"] });
    const rows: BenchResult[] = [];
    resetFactories();
    try {
      // In process: the same stages and sink, the store in memory.
      const inProcess = memoryStore();
      const started = performance.now();
      await pipeline({
        source: iterate(findings(cases, "local")),
        stages: [triage(), decide({ policy: killPolicy }), gate({ policy: killPolicy, principal: "bot" })],
        sinks: {
          jira: jira({ ...sandbox.jira, projectKey: "SEC", store: inProcess, rateLimit: false }),
        },
        audit: auditLog(inProcess),
        mode: "automated",
        principal: "bot",
      }).start();
      const pipelineRate = cases / ((performance.now() - started) / 1000);
      rows.push(
        row("pipeline() in process", pipelineRate, "cases/s", { notes: `${cases} cases, 1 process` }),
      );

      const backends: [string, QueueConnection, KillDeployment["store"]][] = [
        ["redis", { redis: redis.url }, { sqlite: join(directory, "redis-state.db") }],
        ["postgres", { postgres: postgres.connectionString }, { postgres: postgres.connectionString }],
      ];
      for (const [name, connection, store] of backends) {
        for (const workers of [1, 2, 4]) {
          const deployment: KillDeployment = {
            connection,
            store,
            jira: sandbox.jira,
            prefix: `b${randomUUID().slice(0, 8)}`,
          };
          const rate = await throughput(deployment, workers, findings(cases, `${name}-${workers}`));
          rows.push(
            row(`${name}: ${workers} worker process${workers > 1 ? "es" : ""}`, rate, "cases/s", {
              notes: `${cases} cases end to end; ${(1000 / rate - 1000 / pipelineRate).toFixed(1)} ms/case over pipeline() (${(pipelineRate / rate).toFixed(1)}x)`,
            }),
          );
        }
      }

      // The shared limit: 4 workers, Jira held to 10 requests/s, the queue paced at 8/s.
      const limited = await startSandbox({
        seed: 2,
        size: 10,
        platforms: ["wiz"],
        faults: { rateLimit: { requestsPerSecond: 10 } },
      });
      try {
        const deployment: KillDeployment = {
          connection: { redis: redis.url },
          store: { sqlite: join(directory, "limit-state.db") },
          jira: limited.jira,
          prefix: `l${randomUUID().slice(0, 8)}`,
          limit: { requestsPerSecond: 8, burst: 1 },
        };
        await throughput(deployment, 4, findings(80, "limit"));
        const over = limited.faults.jira.stats.rateLimited;
        rows.push(
          row("over the vendor's limit, 4 workers (redis)", over, "requests", {
            target: "= 0",
            pass: over === 0,
            notes: `80 tickets at a shared 8/s against Jira's 10/s; ${limited.faults.jira.stats.requests} requests`,
          }),
        );
      } finally {
        await limited.close();
      }

      for (const [name, connection] of [
        ["redis", { redis: redis.url }],
        ["postgres", { postgres: postgres.connectionString }],
      ] as const) {
        rows.push(...(await storm(name, connection)));
      }
      return rows;
    } finally {
      await sandbox.close();
      await Promise.all([redis.stop(), postgres.stop()]);
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

/** Cases/s with `workers` worker processes, from the first enqueue until every queue is idle. */
async function throughput(deployment: KillDeployment, workers: number, sent: Finding[]): Promise<number> {
  const store = openStore(deployment);
  const { queued } = queuedOf(deployment, store);
  const pool = Array.from({ length: workers }, () => spawnWorker(deployment));
  try {
    await Promise.all(pool.map((worker) => worker.ready));
    const started = performance.now();
    await queued.enqueue(sent);
    await queued.idle({ pollMs: 50 });
    return sent.length / ((performance.now() - started) / 1000);
  } finally {
    for (const { child } of pool) child.kill("SIGTERM");
    await Promise.all(pool.map(({ child }) => exited(child)));
    await queued.close();
    await store.close();
  }
}

/** 10,000 deliveries through `createWebhookHandler` onto the queue, one in-process worker. */
async function storm(name: string, connection: QueueConnection): Promise<BenchResult[]> {
  const seen = new Map<string, number>();
  const queued = createQueuedPipeline({
    connection,
    prefix: `s${randomUUID().slice(0, 8)}`,
    stages: [countingStage(seen)],
  });
  const worker = await queued.startWorker({ concurrency: 8 });
  const started = performance.now();
  const sent = await webhookStorm({ deliveries: stormDeliveries, enqueue: (found) => queued.enqueue(found) });
  await queued.idle({ pollMs: 100 });
  const drained = (performance.now() - started) / 1000;
  await worker.close();
  await queued.close();
  const accepted = sent.statuses[202] ?? 0;
  const lost = sent.findings.filter((finding) => !seen.has(finding.id)).length;
  const twice = [...seen.values()].filter((count) => count > 1).length;
  return [
    row(`storm (${name}): acknowledged`, accepted, "deliveries", {
      target: `= ${stormDeliveries}`,
      pass: accepted === stormDeliveries,
      notes: `${(stormDeliveries / (sent.answeredMs / 1000)).toFixed(0)} deliveries/s answered; all processed in ${drained.toFixed(1)} s`,
    }),
    row(`storm (${name}): lost or processed twice`, lost + twice, "findings", {
      target: "= 0",
      pass: lost + twice === 0,
    }),
  ];
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

export default benchmark;
