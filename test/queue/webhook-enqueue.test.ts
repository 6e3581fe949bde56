import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/finding.js";
import { createWebhookHandler } from "../../src/server/index.js";
import { makeFinding, resetFactories } from "../../src/testing/factories.js";

// The storm (10,000 deliveries through the queue) is in the conformance suite, on both backends.
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
