import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueStatus } from "../../src/queue/index.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
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

  it("names the missing queue backend", async () => {
    const result = await runCli(["queue", "status"], { cwd: dir, env: sandboxCredentials(sandbox) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("CLOUDSTEWARD_QUEUE_URL");
  });
});
