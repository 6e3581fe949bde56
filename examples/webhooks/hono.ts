/**
 * Receive Wiz webhooks with `createWebhookHandler`, a Fetch-API handler `(Request) => Promise<Response>`.
 *
 * With Hono (npm install hono), the handler mounts as is:
 *   import { Hono } from "hono";
 *   const app = new Hono();
 *   app.all("/webhooks/*", (c) => handler(c.req.raw));
 *   app.all("/slack/interactions", (c) => handler(c.req.raw));
 *   app.get("/healthz", (c) => handler(c.req.raw));
 *   export default app; // Bun, Deno, Workers; or serve(app) from @hono/node-server
 *
 * Hono is not a dependency of this repository, so this example serves the same handler on bare
 * `node:http` with `serveNode` and sends itself one webhook (pass --listen to keep serving).
 * Env: WIZ_WEBHOOK_SECRET (the Wiz Automation Action's bearer token).
 * Run: npx tsx examples/webhooks/hono.ts
 */

import { serveNode } from "../../src/server/node.js";
import { createWebhookHandler } from "../../src/server/webhook-handler.js";
import { run } from "../run.js";
import { sampleWizWebhook } from "./sample.js";

await run(
  async (context) => {
    const secret = context.env.WIZ_WEBHOOK_SECRET ?? "example-webhook-token";
    const handler = createWebhookHandler({
      sources: { wiz: { secret } },
      // Answered with 202 first; this runs in the background (put your pipeline here, or pass `pipeline`).
      onFindings: ({ findings }) => {
        for (const finding of findings)
          console.log(`received ${finding.severity} ${finding.resource.name}: ${finding.title}`);
      },
    });
    const server = await serveNode(handler, { port: 0 });
    console.log(`Listening on ${server.url}/webhooks/wiz`);
    if (process.argv.includes("--listen")) return;
    const response = await fetch(`${server.url}/webhooks/wiz`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify(sampleWizWebhook),
    });
    console.log(`POST /webhooks/wiz → ${response.status} ${await response.text()}`);
    const again = await fetch(`${server.url}/webhooks/wiz`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify(sampleWizWebhook),
    });
    console.log(`redelivery → ${again.status} ${await again.text()}`);
    await handler.drain();
    await server.close();
  },
  { sandbox: false },
);
