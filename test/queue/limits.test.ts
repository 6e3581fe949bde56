import { describe, expect, it } from "vitest";
import type { Action } from "../../src/core/action.js";
import { RateLimitError } from "../../src/core/errors.js";
import type { Sink } from "../../src/core/sink.js";
import type { Stage } from "../../src/core/stage.js";
import { createQueuedPipeline } from "../../src/queue/index.js";
import { makeAction, makeFinding, resetFactories } from "../../src/testing/factories.js";
import { backends, useBackend } from "./backends.js";

/** One action per finding, for the `jira` sink: the stage under test is the delivery. */
const toActions: Stage<unknown, Action> = {
  name: "act",
  async *run(input) {
    for await (const item of input) {
      const finding = item as ReturnType<typeof makeFinding>;
      yield makeAction({ sink: "jira", idempotencyKey: `ticket:${finding.id}` });
    }
  },
};

function findings(count: number) {
  resetFactories();
  return Array.from({ length: count }, () => makeFinding());
}

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
      const now = Date.now();
      if (options.throttleFirst && throttled.length === 0) until = now + 400;
      if (now < until) {
        throttled.push(now);
        throw new RateLimitError("jira: 429", {
          integration: "jira",
          status: 429,
          method: "POST",
          url: "https://jira.example/rest/api/3/issue",
          retryAfterMs: until - now,
        });
      }
      times.push(now);
      return { key: action.idempotencyKey, status: "created" };
    },
  };
}

let counter = 0;

describe.each(backends)("shared limits on $name", (backend) => {
  const started = useBackend(backend);

  it("holds a sink's limit across four workers", async () => {
    const times: number[] = [];
    const run = createQueuedPipeline({
      connection: started().connection,
      prefix: `l${++counter}`,
      stages: [toActions],
      sinks: { jira: timed(times) },
      mode: "automated",
      batchSize: 4,
      // 2 deliveries per 100 ms, whoever delivers.
      limits: { "deliver-jira": { requestsPerSecond: 20, burst: 2 } },
    });
    const workers = await Promise.all([1, 2, 3, 4].map(() => run.startWorker({ concurrency: 4 })));
    await run.enqueue(findings(16));
    await run.idle();
    expect(times).toHaveLength(16);
    times.sort((a, b) => a - b);
    // BullMQ's windows are fixed, so any 100 ms holds at most two windows' worth: 4 deliveries. A fifth
    // delivery within 100 ms of four others would be one over the limit (5 ms of clock slack).
    for (let index = 0; index + 4 < times.length; index++) {
      expect((times[index + 4] as number) - (times[index] as number)).toBeGreaterThanOrEqual(95);
    }
    await Promise.all(workers.map((worker) => worker.close()));
    await run.close();
  }, 60_000);

  it("pauses the queue for every worker on 429 with Retry-After, without spending an attempt", async () => {
    const times: number[] = [];
    const sink = timed(times, { throttleFirst: true });
    const run = createQueuedPipeline({
      connection: started().connection,
      prefix: `l${++counter}`,
      stages: [toActions],
      sinks: { jira: sink },
      mode: "automated",
      attempts: 1,
      limits: { "deliver-jira": false },
    });
    const workers = await Promise.all([1, 2, 3].map(() => run.startWorker()));
    await run.enqueue(findings(12));
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
    await run.close();
  }, 60_000);

  it("names a limit on a queue it does not have", () => {
    expect(() =>
      createQueuedPipeline({
        connection: started().connection,
        stages: [toActions],
        sinks: { jira: timed([]) },
        limits: { "deliver-slack": { requestsPerSecond: 1 } },
      }),
    ).toThrow(/deliver-slack.*ingest, deliver-jira/);
  });
});
