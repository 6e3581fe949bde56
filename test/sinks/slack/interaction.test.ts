import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type ApprovalRequest, approvalQueue } from "../../../src/agents/approvals/index.js";
import { decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import {
  type SlackInteractionResult,
  slackInteractionHandler,
  verifySlackSignature,
} from "../../../src/sinks/slack/index.js";
import { caseIn } from "../../agents/policy/helpers.js";

const secret = "8f742231b10e8888abcd99yyyzzz85a5";
const now = new Date("2026-01-15T09:30:00.000Z");
const timestamp = String(Math.floor(now.getTime() / 1000));
const policy = definePolicy({
  mode: "assisted",
  rules: [{ id: "prod", when: { environment: "production" }, do: [{ kind: "ticket", sink: "jira" }] }],
  principals: [
    { id: "alice", scopes: ["approve:*"] },
    { id: "bot", scopes: ["execute:*"] },
  ],
});

async function setup() {
  const store = memoryStore();
  const approvals = approvalQueue({ store, policy, now: () => now });
  const [action] = decideCase(policy, caseIn("production"));
  const request = await approvals.request(action!, { requester: "bot", reason: "assisted" });
  const results: SlackInteractionResult<ApprovalRequest>[] = [];
  const handler = slackInteractionHandler({
    signingSecret: secret,
    approvals,
    principalFor: (id) => ({ U_ALICE: "alice", U_BOT: "bot" })[id],
    onResult: (result) => {
      results.push(result);
    },
    now: () => now,
  });
  return { approvals, request, results, handler };
}

function interaction(actionId: string, value: string, user = "U_ALICE") {
  return `payload=${encodeURIComponent(
    JSON.stringify({
      type: "block_actions",
      user: { id: user },
      response_url: "https://hooks.slack.com/actions/T0/1/x",
      channel: { id: "C01" },
      container: { message_ts: "1724142000.123456" },
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: "1" }],
    }),
  )}`;
}

function signed(body: string, options: { ts?: string; signature?: string } = {}): Request {
  const ts = options.ts ?? timestamp;
  const signature =
    options.signature ?? `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return new Request("https://bot.example.com/slack/interactions", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": ts,
      "x-slack-signature": signature,
    },
    body,
  });
}

describe("verifySlackSignature", () => {
  it("matches Slack's published test vector", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    expect(verifySlackSignature(secret, "1531420618", body, expected)).toBe(true);
    expect(verifySlackSignature(secret, "1531420619", body, expected)).toBe(false);
    expect(verifySlackSignature(secret, "1531420618", `${body}x`, expected)).toBe(false);
    expect(verifySlackSignature(secret, "1531420618", body, expected.slice(0, -1))).toBe(false);
  });
});

describe("slackInteractionHandler", () => {
  it("approves through the queue when Alice presses Approve", async () => {
    const { handler, request, approvals, results } = await setup();
    const response = await handler(signed(interaction("cloudsteward:approve", request.id)));
    expect(response.status).toBe(200);
    expect(await approvals.get(request.id)).toMatchObject({ state: "approved", decidedBy: "alice" });
    expect(results[0]).toMatchObject({
      decision: "approve",
      principal: "alice",
      approvalId: request.id,
      responseUrl: "https://hooks.slack.com/actions/T0/1/x",
      channelId: "C01",
      messageTs: "1724142000.123456",
    });
  });

  it("rejects through the queue, and a Slack retry of the same press changes nothing", async () => {
    const { handler, request, approvals, results } = await setup();
    const body = interaction("cloudsteward:reject", request.id);
    expect((await handler(signed(body))).status).toBe(200);
    expect((await handler(signed(body))).status).toBe(200);
    expect(await approvals.get(request.id)).toMatchObject({ state: "rejected", decidedBy: "alice" });
    expect(results[1]?.error?.message).toMatch(/already rejected by alice/);
  });

  it("answers 401 to a bad signature or a stale timestamp, and decides nothing", async () => {
    const { handler, request, approvals } = await setup();
    const body = interaction("cloudsteward:approve", request.id);
    expect((await handler(signed(body, { signature: "v0=deadbeef" }))).status).toBe(401);
    expect((await handler(signed(body, { signature: "" }))).status).toBe(401);
    const stale = String(Number(timestamp) - 301);
    expect((await handler(signed(body, { ts: stale }))).status).toBe(401);
    const tampered = signed(body);
    const forged = new Request(tampered.url, {
      method: "POST",
      headers: tampered.headers,
      body: interaction("cloudsteward:approve", request.id, "U_BOT"),
    });
    expect((await handler(forged)).status).toBe(401);
    expect((await approvals.get(request.id))?.state).toBe("requested");
  });

  it("refuses users who map to no principal, and requesters, without changing state", async () => {
    const { handler, request, approvals, results } = await setup();
    await handler(signed(interaction("cloudsteward:approve", request.id, "U_STRANGER")));
    await handler(signed(interaction("cloudsteward:approve", request.id, "U_BOT")));
    expect(results.map((result) => result.error?.message)).toEqual([
      "Slack user U_STRANGER maps to no principal of the policy.",
      `approvals: bot may not approve ${request.id}: a requester never decides their own request.`,
    ]);
    expect((await approvals.get(request.id))?.state).toBe("requested");
  });

  it("answers ssl checks, other payloads and malformed bodies", async () => {
    const { handler, results } = await setup();
    expect((await handler(signed("ssl_check=1&token=x"))).status).toBe(200);
    expect((await handler(signed("payload=%7Bnot-json"))).status).toBe(400);
    expect(
      (await handler(signed(`payload=${encodeURIComponent('{"type":"view_submission"}')}`))).status,
    ).toBe(200);
    expect((await handler(signed(interaction("someone-else:button", "x")))).status).toBe(200);
    expect(results).toEqual([]);
    expect((await handler(new Request("https://bot.example.com/", { method: "GET" }))).status).toBe(405);
  });

  it("records an acknowledgement without deciding", async () => {
    const { handler, request, approvals, results } = await setup();
    await handler(signed(interaction("cloudsteward:ack", request.id)));
    expect(results[0]).toMatchObject({ decision: "ack", principal: "alice" });
    expect(results[0]?.error).toBeUndefined();
    expect((await approvals.get(request.id))?.state).toBe("requested");
  });
});
