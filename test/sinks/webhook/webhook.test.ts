import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  signWebhookBody,
  verifyWebhookSignature,
  type WebhookPayload,
  webhook,
} from "../../../src/sinks/webhook/index.js";
import { makeAction } from "../../../src/testing/factories.js";
import { type SinkTarget, testSink } from "../../../src/testing/vitest/sink-suite.js";

const secret = "whsec-test-shared-secret";

/** A receiver on 127.0.0.1 that verifies every request's signature and keeps what it accepted. */
async function receiver(): Promise<
  SinkTarget & { received: { headers: Record<string, unknown>; body: WebhookPayload }[] }
> {
  const received: { headers: Record<string, unknown>; body: WebhookPayload }[] = [];
  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => {
      raw += chunk;
    });
    request.on("end", () => {
      if (
        !verifyWebhookSignature({ body: raw, headers: request.headers as Record<string, string>, secret })
      ) {
        response.writeHead(401).end("invalid signature");
        return;
      }
      received.push({ headers: request.headers, body: JSON.parse(raw) as WebhookPayload });
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ id: `evt_${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/hooks/cloudsteward`,
    received,
    count: () => received.length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

testSink({
  name: "webhook",
  target: receiver,
  create: ({ baseUrl, fetch, store }) => webhook({ url: baseUrl, secret, fetch, store }),
  secrets: [secret],
});

describe("webhook", () => {
  it("signs the raw body with the timestamp and sends the idempotency key", async () => {
    const target = await receiver();
    try {
      const action = makeAction();
      const delivery = await webhook({ url: target.baseUrl, secret }).deliver(action);
      expect(delivery).toMatchObject({ status: "created", ref: { id: "evt_1" } });
      const [request] = target.received;
      expect(request?.headers["idempotency-key"]).toBe(action.idempotencyKey);
      expect(request?.headers["x-cloudsteward-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(request?.body).toMatchObject({ type: "action.created", idempotencyKey: action.idempotencyKey });
      expect(request?.body.case.id).toBe(action.case.id);
    } finally {
      await target.close?.();
    }
  });

  it("rejects a wrong secret, a tampered body and a stale timestamp", () => {
    const body = JSON.stringify({ hello: "world" });
    const now = Date.parse("2026-01-15T10:00:00Z");
    const timestamp = now / 1000;
    const headers = {
      "x-cloudsteward-timestamp": String(timestamp),
      "x-cloudsteward-signature": signWebhookBody(body, secret, timestamp),
    };
    expect(verifyWebhookSignature({ body, headers, secret, now })).toBe(true);
    expect(verifyWebhookSignature({ body, headers, secret: "other", now })).toBe(false);
    expect(verifyWebhookSignature({ body: `${body} `, headers, secret, now })).toBe(false);
    expect(verifyWebhookSignature({ body, headers, secret, now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature({ body, headers: new Headers(headers), secret, now: now + 299_000 })).toBe(
      true,
    );
    expect(verifyWebhookSignature({ body, headers: {}, secret, now })).toBe(false);
  });
});
