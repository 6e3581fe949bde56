/**
 * Receive Wiz webhooks in an Express app. `nodeListener(handler)` turns the Fetch-API handler into a
 * Node `(req, res)` listener, which Express mounts like any middleware:
 *   import express from "express";
 *   const app = express();
 *   // No body parser before it: signatures and tokens are checked against the raw body.
 *   app.use(["/webhooks", "/slack/interactions", "/healthz"], nodeListener(handler));
 *   app.listen(8787);
 *
 * Express is not a dependency of this repository, so this example mounts the same listener on a
 * bare `node:http` server and sends itself one webhook (pass --listen to keep serving).
 * Env: WIZ_WEBHOOK_SECRET.
 * Run: npx tsx examples/webhooks/express.ts
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeListener } from "../../src/server/node.js";
import { createWebhookHandler } from "../../src/server/webhook-handler.js";
import { run } from "../run.js";
import { sampleWizWebhook } from "./sample.js";

await run(
  async (context) => {
    const secret = context.env.WIZ_WEBHOOK_SECRET ?? "example-webhook-token";
    const handler = createWebhookHandler({
      sources: { wiz: { secret } },
      onFindings: ({ findings }) => {
        for (const finding of findings)
          console.log(`received ${finding.severity} ${finding.resource.name}: ${finding.title}`);
      },
    });
    const server = createServer(nodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    console.log(`Listening on ${url}/webhooks/wiz`);
    if (process.argv.includes("--listen")) return;
    const wrong = await fetch(`${url}/webhooks/wiz`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
      body: "{}",
    });
    console.log(`POST with a wrong token → ${wrong.status}`);
    const response = await fetch(`${url}/webhooks/wiz`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify(sampleWizWebhook),
    });
    console.log(`POST /webhooks/wiz → ${response.status} ${await response.text()}`);
    await handler.drain();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
  { sandbox: false },
);
