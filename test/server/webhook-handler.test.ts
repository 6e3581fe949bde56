import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseWebhook as parseLaceworkWebhook } from "../../src/adapters/lacework/webhook.js";
import { approvalQueue } from "../../src/agents/approvals/queue.js";
import { decideCase } from "../../src/agents/decide/decide.js";
import { definePolicy } from "../../src/agents/policy/define.js";
import { ConfigurationError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Stage } from "../../src/core/stage.js";
import { createWebhookHandler, type WebhookBatch } from "../../src/server/webhook-handler.js";
import { makeCase } from "../../src/testing/factories.js";

const secret = "wiz-webhook-token-1234";

function wizPayload(id: string, status = "OPEN") {
  return {
    trigger: { source: "ISSUES", type: "Created", ruleId: "ar-1", ruleName: "Send to governance" },
    issue: {
      id,
      status,
      severity: "HIGH",
      created: "2026-03-01T10:11:12Z",
      projects: [],
    },
    resource: {
      id: `arn:aws:s3:::bucket-${id}`,
      name: `bucket-${id}`,
      type: "bucket",
      cloudPlatform: "AWS",
      subscriptionId: "111122223333",
      region: "us-east-1",
    },
    control: { id: "wc-id-1234", name: "S3 bucket allows public read access", severity: "HIGH", risks: [] },
  };
}

function wizRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request("http://receiver.test/webhooks/wiz", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}`, ...headers },
    body: JSON.stringify(body),
  });
}

function collecting() {
  const batches: WebhookBatch[] = [];
  return { batches, onFindings: (batch: WebhookBatch) => void batches.push(batch) };
}

describe("createWebhookHandler", () => {
  it("refuses a configuration with nothing to process the findings", () => {
    expect(() => createWebhookHandler({ sources: { wiz: { secret } } })).toThrow(ConfigurationError);
  });

  it("answers 202 at once and processes the findings in the background", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: string[] = [];
    const handler = createWebhookHandler({
      sources: { wiz: { secret } },
      onFindings: async (batch) => {
        await gate;
        seen.push(...batch.findings.map((finding) => finding.source.nativeId));
      },
    });
    const response = await handler(wizRequest([wizPayload("a-1"), wizPayload("a-2")]));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(seen).toEqual([]);
    expect(handler.pending).toBe(1);
    release();
    await handler.drain();
    expect(seen).toEqual(["a-1", "a-2"]);
    expect(handler.pending).toBe(0);
  });

  it("rejects a wrong token with 401 and processes nothing", async () => {
    const { batches, onFindings } = collecting();
    const handler = createWebhookHandler({ sources: { wiz: { secret } }, onFindings });
    const response = await handler(wizRequest(wizPayload("b-1"), { authorization: "Bearer wrong" }));
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(secret);
    await handler.drain();
    expect(batches).toEqual([]);
  });

  it("answers 400 to a body that is not a Wiz issue", async () => {
    const { onFindings } = collecting();
    const handler = createWebhookHandler({ sources: { wiz: { secret } }, onFindings });
    const response = await handler(wizRequest({ hello: "world" }));
    expect(response.status).toBe(400);
  });

  it("routes Prisma Cloud, Orca and Lacework webhooks to their adapters' parsers with each one's auth", async () => {
    const fixture = (path: string) => readFileSync(new URL(`../adapters/${path}`, import.meta.url), "utf8");
    const { batches, onFindings } = collecting();
    const handler = createWebhookHandler({
      sources: {
        prisma: { secret: "prisma-hook-secret" },
        orca: { header: "x-cloudsteward-token", secret: "orca-hook-secret" },
        lacework: { secret: "lacework-hook-secret" },
      },
      onFindings,
    });
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      handler(new Request(`http://receiver.test${path}`, { method: "POST", headers, body }));
    const prismaBody = fixture("prisma/__fixtures__/webhook-alerts.json");
    const orcaBody = fixture("orca/__fixtures__/webhook-legacy-quirks.json");
    const laceworkBody = fixture("lacework/__fixtures__/webhook-flat.json");
    expect(
      (await post("/webhooks/prisma", prismaBody, { authorization: "Bearer prisma-hook-secret" })).status,
    ).toBe(202);
    expect(
      (await post("/webhooks/orca", orcaBody, { "x-cloudsteward-token": "orca-hook-secret" })).status,
    ).toBe(202);
    expect((await post("/webhooks/lacework?token=lacework-hook-secret", laceworkBody)).status).toBe(202);
    expect((await post("/webhooks/prisma", prismaBody, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post("/webhooks/orca", orcaBody)).status).toBe(401);
    expect((await post("/webhooks/lacework?token=wrong", laceworkBody)).status).toBe(401);
    await handler.drain();
    expect(batches.map((batch) => [batch.source, batch.findings[0]?.source.platform])).toEqual([
      ["prisma", "prisma"],
      ["orca", "orca"],
      ["lacework", "lacework"],
    ]);
  });

  it("skips a redelivered finding version and a repeated delivery id, keeping a new version", async () => {
    const { batches, onFindings } = collecting();
    const store = memoryStore();
    const handler = createWebhookHandler({
      sources: { wiz: { secret, deliveryIdHeader: "x-delivery-id" } },
      onFindings,
      store,
    });
    expect(await (await handler(wizRequest(wizPayload("c-1"), { "x-delivery-id": "d1" }))).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(
      await (await handler(wizRequest(wizPayload("c-1"), { "x-delivery-id": "d1" }))).json(),
    ).toMatchObject({
      accepted: 0,
      delivery: "duplicate",
    });
    expect(await (await handler(wizRequest(wizPayload("c-1"), { "x-delivery-id": "d2" }))).json()).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    // A second handler over the same store (another worker) also skips it.
    const other = createWebhookHandler({ sources: { wiz: { secret } }, onFindings, store });
    expect(await (await other(wizRequest(wizPayload("c-1")))).json()).toEqual({ accepted: 0, duplicates: 1 });
    // The same issue resolved later is a new version and is processed.
    expect(await (await handler(wizRequest(wizPayload("c-1", "RESOLVED")))).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    await handler.drain();
    expect(batches).toHaveLength(2);
    expect(batches[1]?.findings[0]?.status).toBe("resolved");
  });

  it("forgets a batch that failed, so the platform's retry is processed", async () => {
    let attempts = 0;
    const errors: unknown[] = [];
    const handler = createWebhookHandler({
      sources: { wiz: { secret } },
      onFindings: () => {
        attempts++;
        if (attempts === 1) throw new Error("sink down");
      },
      onError: (error) => errors.push(error),
    });
    await handler(wizRequest(wizPayload("e-1")));
    await handler.drain();
    expect(errors).toHaveLength(1);
    expect(await (await handler(wizRequest(wizPayload("e-1")))).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    await handler.drain();
    expect(attempts).toBe(2);
  });

  it("answers 503 with Retry-After when the queue is full", async () => {
    const handler = createWebhookHandler({
      sources: { wiz: { secret } },
      onFindings: () => new Promise(() => {}),
      queueSize: 1,
    });
    expect((await handler(wizRequest(wizPayload("f-1")))).status).toBe(202); // taken by the worker
    expect((await handler(wizRequest(wizPayload("f-2")))).status).toBe(202); // waits in the queue
    const full = await handler(wizRequest(wizPayload("f-3")));
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("5");
  });

  it("runs the configured pipeline stages over each batch", async () => {
    const titles: string[] = [];
    const record: Stage<{ title: string }, string> = {
      name: "record",
      async *run(input) {
        for await (const finding of input) {
          titles.push(finding.title);
          yield finding.title;
        }
      },
    };
    const reports: unknown[] = [];
    const handler = createWebhookHandler({
      sources: { wiz: { secret } },
      pipeline: { stages: [record as Stage<never, unknown>] },
      onReport: (report) => reports.push(report),
    });
    await handler(wizRequest(wizPayload("g-1")));
    await handler.drain();
    expect(titles).toEqual(["S3 bucket allows public read access"]);
    expect(reports).toHaveLength(1);
  });

  it("serves /healthz, 404 for unknown routes and 405 for GET on a webhook", async () => {
    const { onFindings } = collecting();
    const handler = createWebhookHandler({ sources: { wiz: { secret } }, onFindings });
    const health = await handler(new Request("http://receiver.test/healthz"));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, pending: 0 });
    expect(
      (await handler(new Request("http://receiver.test/webhooks/orca", { method: "POST" }))).status,
    ).toBe(404);
    expect((await handler(new Request("http://receiver.test/webhooks/wiz"))).status).toBe(405);
    expect(
      (await handler(new Request("http://receiver.test/slack/interactions", { method: "POST" }))).status,
    ).toBe(404);
  });

  it("applies a signed Slack Approve button to the approval queue", async () => {
    const policy = definePolicy({
      mode: "assisted",
      rules: [{ id: "all", when: {}, do: [{ kind: "ticket", sink: "jira" }] }],
      principals: [
        { id: "bot", scopes: ["execute:ticket"] },
        { id: "alice", scopes: ["approve:ticket"] },
      ],
      allowedActions: ["ticket"],
    });
    const approvals = approvalQueue({ store: memoryStore(), policy });
    const [action] = decideCase(policy, makeCase());
    const request = await approvals.request(action!, { requester: "bot", reason: "assisted mode" });
    const signingSecret = "slack-signing-secret";
    const handler = createWebhookHandler({
      sources: {},
      onFindings: () => {},
      approvals,
      slackSigningSecret: signingSecret,
      slack: { principalFor: (id) => (id === "U1" ? "alice" : undefined) },
    });
    const payload = {
      type: "block_actions",
      user: { id: "U1" },
      actions: [{ action_id: "cloudsteward:approve", value: request.id }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
    const slackRequest = (sig: string) =>
      new Request("http://receiver.test/slack/interactions", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": timestamp,
          "x-slack-signature": sig,
        },
        body,
      });
    expect((await handler(slackRequest("v0=deadbeef"))).status).toBe(401);
    expect((await approvals.get(request.id))?.state).toBe("requested");
    expect((await handler(slackRequest(signature))).status).toBe(200);
    expect(await approvals.get(request.id)).toMatchObject({ state: "approved", decidedBy: "alice" });
  });
});

describe("createWebhookHandler: secrets and routes", () => {
  afterEach(() => vi.unstubAllEnvs());
  const onFindings = () => {};

  it.each([
    ["wiz", "WIZ_WEBHOOK_SECRET"],
    ["prisma", "PRISMA_WEBHOOK_SECRET"],
    ["orca", "ORCA_WEBHOOK_SECRET"],
    ["lacework", "LW_WEBHOOK_SECRET"],
  ])("refuses a %s route with a missing, empty or blank secret at creation", (name, env) => {
    vi.stubEnv(env, "");
    for (const options of [{}, { secret: "" }, { secret: "   " }]) {
      let error: unknown;
      try {
        createWebhookHandler({ sources: { [name]: options }, onFindings });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(env);
    }
    vi.stubEnv(env, "from-the-environment");
    expect(() => createWebhookHandler({ sources: { [name]: {} }, onFindings })).not.toThrow();
  });

  it("needs no secret for a route whose auth is off, and refuses an unknown route without a parser", () => {
    vi.stubEnv("WIZ_WEBHOOK_SECRET", "");
    expect(() => createWebhookHandler({ sources: { wiz: { auth: "none" } }, onFindings })).not.toThrow();
    expect(() => createWebhookHandler({ sources: { github: {} }, onFindings })).toThrow(
      /no built-in webhook parser/,
    );
  });

  it("refuses approvals without a Slack signing secret at creation", () => {
    vi.stubEnv("SLACK_SIGNING_SECRET", "");
    const approvals = approvalQueue({
      store: memoryStore(),
      policy: definePolicy({ rules: [], principals: [{ id: "bot", scopes: [] }] }),
    });
    expect(() => createWebhookHandler({ sources: {}, onFindings, approvals })).toThrow(
      /SLACK_SIGNING_SECRET/,
    );
    expect(() =>
      createWebhookHandler({ sources: {}, onFindings, approvals, slackSigningSecret: "signing" }),
    ).not.toThrow();
  });

  it("answers 404 for routes that exist only on Object.prototype", async () => {
    const handler = createWebhookHandler({ sources: { wiz: { secret } }, onFindings });
    for (const name of ["constructor", "tostring", "hasownproperty", "valueof", "isprototypeof"]) {
      const response = await handler(
        new Request(`http://receiver.test/webhooks/${name}`, { method: "POST", body: "{}" }),
      );
      expect(response.status).toBe(404);
    }
  });

  it("never says which secret is unset: a secret function returning nothing is a bare 500", async () => {
    const errors: unknown[] = [];
    const handler = createWebhookHandler({
      sources: { wiz: { secret: () => "" } },
      onFindings,
      onRequestError: (error) => errors.push(error),
    });
    const response = await handler(wizRequest(wizPayload("issue-1")));
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toMatch(/secret|WIZ_|missing|misconfigured/i);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigurationError);
  });

  it("an empty or blank secret never verifies in parseWebhook (lacework's ?token= with a space)", async () => {
    for (const blank of ["", " "]) {
      const request = new Request("http://receiver.test/webhooks/lacework?token=%20", {
        method: "POST",
        body: "[]",
      });
      await expect(parseLaceworkWebhook(request, { secret: blank })).rejects.toBeInstanceOf(
        ConfigurationError,
      );
    }
  });
});
