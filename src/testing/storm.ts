import type { Finding } from "../core/finding.js";
import { memoryStore } from "../core/memory-store.js";
import type { Stage } from "../core/stage.js";
import { createWebhookHandler } from "../server/webhook-handler.js";
import { makeFinding } from "./factories.js";

/** What {@link webhookStorm} sent and how the receiver answered. */
export interface WebhookStormResult {
  /** The distinct findings sent. */
  findings: Finding[];
  /** How many deliveries got each HTTP status. */
  statuses: Record<number, number>;
  /** How long the receiver took to answer every delivery, in ms. */
  answeredMs: number;
}

/**
 * A webhook storm: `deliveries` deliveries through `createWebhookHandler` whose `enqueue` is given
 * (a queued pipeline's), in bursts of 500, a fifth of them redeliveries of earlier ones (same
 * delivery id, same body), as a platform retrying what it thinks was lost sends them.
 * @example
 * const storm = await webhookStorm({ deliveries: 10_000, enqueue: (findings) => queued.enqueue(findings) });
 */
export async function webhookStorm(options: {
  deliveries: number;
  enqueue: (findings: Finding[]) => Promise<unknown>;
}): Promise<WebhookStormResult> {
  const handler = createWebhookHandler({
    sources: {
      hook: {
        parse: async (request) => [(await request.json()) as Finding],
        deliveryIdHeader: "x-delivery-id",
      },
    },
    store: memoryStore(),
    enqueue: (batch) => options.enqueue(batch.findings),
  });
  const findings = Array.from({ length: options.deliveries - Math.floor(options.deliveries / 5) }, () =>
    makeFinding(),
  );
  const sends = [...findings.keys(), ...findings.keys()].slice(0, options.deliveries);
  const statuses: Record<number, number> = {};
  const started = performance.now();
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
    for (const response of responses) statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  return { findings, statuses, answeredMs: performance.now() - started };
}

/** A stage that counts how many times each finding reaches it (it yields their ids: no actions). */
export function countingStage(seen: Map<string, number>): Stage<Finding, string> {
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
