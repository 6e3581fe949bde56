import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Queue, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueStatus } from "../../src/queue/index.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { startPostgres } from "../helpers/postgres.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { assistedPolicyYaml, runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let redis: TestRedis;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [sandbox, redis] = await Promise.all([
    startSandbox({ size: 12, seed: 5, platforms: ["wiz"] }),
    startRedis(),
  ]);
  dir = await sandboxWorkspace(sandbox, {
    prefix: "queue",
    mode: "assisted",
    files: { "policy.yaml": assistedPolicyYaml },
  });
  env = { ...sandboxCredentials(sandbox), CLOUDSTEWARD_QUEUE_URL: redis.url };
}, 60_000);

afterAll(async () => {
  await Promise.all([sandbox?.close(), redis?.stop()]);
});

async function status(): Promise<QueueStatus[]> {
  const result = await runCli(["queue", "status", "--json"], { cwd: dir, env });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as QueueStatus[];
}

describe("cloudsteward enqueue, worker, queue status", () => {
  it("enqueues the sources, serves the queues until SIGTERM, and shows the counts", async () => {
    const enqueued = await runCli(["enqueue", "--json"], { cwd: dir, env });
    expect(enqueued.code).toBe(0);
    const totals = JSON.parse(enqueued.stdout) as { findings: number; units: number; duplicates: number };
    expect(totals.findings).toBeGreaterThan(0);
    expect(totals).toMatchObject({ duplicates: 0 });

    const before = await status();
    expect(before.map((queue) => queue.queue)).toEqual([
      "ingest",
      "enrich",
      "explain",
      "decide",
      "gate",
      "deliver-jira",
      "approvals",
    ]);
    expect(before[0]).toMatchObject({ waiting: totals.units, oldestWaitingAt: expect.any(String) });

    const stop = new AbortController();
    const worker = runCli(["worker", "--concurrency", "2"], { cwd: dir, env, signal: stop.signal });
    let after = before;
    for (let poll = 0; poll < 200; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await status();
      if (after.every((queue) => queue.waiting + queue.active + queue.delayed === 0)) break;
    }
    stop.abort(new DOMException("Terminated", "AbortError"));
    const stopped = await worker;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain("Stopped: the running jobs finished.");
    expect(after.every((queue) => queue.failed === 0)).toBe(true);
    expect(after.find((queue) => queue.queue === "gate")?.completed).toBeGreaterThan(0);

    // Enqueued again, unchanged: nothing new to do.
    const again = JSON.parse((await runCli(["enqueue", "--json"], { cwd: dir, env })).stdout);
    expect(again).toMatchObject({ findings: totals.findings, duplicates: totals.findings, units: 0 });
  }, 120_000);

  it("shows a failed job as a dead letter with the command that retries it, and retries it", async () => {
    // A job no worker can run (its items are not a list), failed on its only attempt.
    const queue = new Queue("cloudsteward-decide", {
      connection: { host: "127.0.0.1", port: Number(new URL(redis.url).port) },
    });
    await queue.add("decide", { items: null }, { jobId: "broken", attempts: 1 });
    const worker = new Worker(
      "cloudsteward-decide",
      async () => {
        throw new Error("not a list of cases");
      },
      {
        connection: { host: "127.0.0.1", port: Number(new URL(redis.url).port), maxRetriesPerRequest: null },
      },
    );
    for (let poll = 0; poll < 100 && (await queue.getFailedCount()) === 0; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await worker.close();

    const shown = await runCli(["queue", "status"], { cwd: dir, env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("Dead letters (1):");
    expect(shown.stdout).toContain(
      "decide broken (a malformed job): not a list of cases — after 1 attempts; retry: cloudsteward queue retry decide broken",
    );
    const retried = await runCli(["queue", "retry", "decide", "broken", "--json"], { cwd: dir, env });
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual({ retried: 1 });
    expect((await status()).find((entry) => entry.queue === "decide")).toMatchObject({
      failed: 0,
      waiting: 1,
    });
    const missing = await runCli(["queue", "retry", "decide", "broken"], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no failed job "broken"');
    await queue.obliterate({ force: true });
    await queue.close();
  }, 60_000);

  it("names the missing queue backend", async () => {
    const result = await runCli(["queue", "status"], { cwd: dir, env: sandboxCredentials(sandbox) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("CLOUDSTEWARD_QUEUE_URL");
  });
});

describe("cloudsteward worker on PostgreSQL alone", () => {
  it("keeps the queues and the store in one database, named by CLOUDSTEWARD_DATABASE_URL", async () => {
    const postgres = await startPostgres();
    try {
      const workspace = await sandboxWorkspace(sandbox, {
        prefix: "queue-pg",
        mode: "assisted",
        files: { "policy.yaml": assistedPolicyYaml },
      });
      const file = join(workspace, "cloudsteward.yaml");
      const config = await readFile(file, "utf8");
      await writeFile(
        file,
        config.replace("store: { sqlite: ./state/state.db }", "store: { postgres: { schema: cs } }"),
      );
      const url = postgres.connectionString;
      const pgEnv = { ...sandboxCredentials(sandbox), CLOUDSTEWARD_QUEUE_URL: url };

      const unset = await runCli(["enqueue"], { cwd: workspace, env: pgEnv });
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain("CLOUDSTEWARD_DATABASE_URL");
      expect(unset.stderr).not.toContain("test-password");

      const fullEnv = { ...pgEnv, CLOUDSTEWARD_DATABASE_URL: url };
      const enqueued = JSON.parse(
        (await runCli(["enqueue", "--json"], { cwd: workspace, env: fullEnv })).stdout,
      );
      expect(enqueued.findings).toBeGreaterThan(0);
      const stop = new AbortController();
      const worker = runCli(["worker", "--concurrency", "2"], {
        cwd: workspace,
        env: fullEnv,
        signal: stop.signal,
      });
      let after: QueueStatus[] = [];
      for (let poll = 0; poll < 300; poll++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = JSON.parse(
          (await runCli(["queue", "status", "--json"], { cwd: workspace, env: fullEnv })).stdout,
        );
        if (after[0]?.completed && after.every((queue) => queue.waiting + queue.active + queue.delayed === 0))
          break;
      }
      stop.abort(new DOMException("Terminated", "AbortError"));
      expect((await worker).code).toBe(0);
      expect(after.every((queue) => queue.failed === 0)).toBe(true);
      expect(after.find((queue) => queue.queue === "gate")?.completed).toBeGreaterThan(0);
      // The held actions are in the database: the approvals command reads them from it.
      const waiting = await runCli(["approvals", "list", "--json"], { cwd: workspace, env: fullEnv });
      expect(waiting.code).toBe(0);
      expect(JSON.parse(waiting.stdout).length).toBeGreaterThan(0);
    } finally {
      await postgres.stop();
    }
  }, 180_000);
});
