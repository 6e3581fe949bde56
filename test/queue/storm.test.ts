import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/finding.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Stage } from "../../src/core/stage.js";
import { createQueuedPipeline } from "../../src/queue/index.js";
import { createWebhookHandler } from "../../src/server/index.js";
import { makeFinding, resetFactories } from "../../src/testing/factories.js";
import { backends, useBackend } from "./backends.js";

const deliveries = 10_000;
const redelivered = 2_000;

/** Counts how many times each finding reaches the first stage (it yields ids: no actions). */
function counting(seen: Map<string, number>): Stage<Finding, string> {
  return {
    name: "count",
    async *run(input) {
      for await (const finding of input) {
        seen.set(finding.id, (seen.get(finding.id) ?? 0) + 1);
        yield finding.id;
      }
    },
  };
}

describe.each(backends)("a webhook storm on $name", (backend) => {
  const started = useBackend(backend);

  it(`acknowledges ${deliveries} deliveries in a burst, loses none and processes none twice`, async () => {
    const seen = new Map<string, number>();
    const queued = createQueuedPipeline({
      connection: started().connection,
      prefix: "storm",
      stages: [counting(seen)],
    });
    const handler = createWebhookHandler({
      sources: {
        hook: {
          parse: async (request) => [(await request.json()) as Finding],
          deliveryIdHeader: "x-delivery-id",
        },
      },
      store: memoryStore(),
      enqueue: (batch) => queued.enqueue(batch.findings),
    });
    resetFactories();
    const unique = deliveries - redelivered;
    const findings = Array.from({ length: unique }, () => makeFinding());
    // The platform retries 2,000 deliveries it thinks were lost: same delivery id, same body.
    const sends = [...findings.keys(), ...findings.keys()].slice(0, deliveries);
    const worker = await queued.startWorker({ concurrency: 8 });
    const statuses = new Map<number, number>();
    for (let start = 0; start < sends.length; start += 500) {
      const responses = await Promise.all(
        sends.slice(start, start + 500).map((index) =>
          handler(
            new Request("http://127.0.0.1/webhooks/hook", {
              method: "POST",
              headers: { "content-type": "application/json", "x-delivery-id": `d-${index}` },
              body: JSON.stringify(findings[index]),
            }),
          ),
        ),
      );
      for (const response of responses)
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 202: deliveries });
    await queued.idle({ pollMs: 250 });
    expect(seen.size).toBe(unique);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect((await queued.status())[0]).toMatchObject({ failed: 0, completed: unique });
    await worker.close();
    await queued.close();
  }, 300_000);
});

describe("createWebhookHandler with enqueue", () => {
  it("answers 503 when the queue refuses a batch, and accepts its redelivery", async () => {
    let refuse = true;
    const queued: Finding[][] = [];
    const handler = createWebhookHandler({
      sources: { hook: { parse: async (request) => [(await request.json()) as Finding] } },
      enqueue: async (batch) => {
        if (refuse) throw new Error("queue down");
        queued.push(batch.findings);
      },
    });
    resetFactories();
    const finding = makeFinding();
    const send = () =>
      handler(
        new Request("http://127.0.0.1/webhooks/hook", { method: "POST", body: JSON.stringify(finding) }),
      );
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    refuse = false;
    expect((await send()).status).toBe(202);
    expect(queued).toEqual([[finding]]);
    expect(handler.pending).toBe(0);
  });
});
