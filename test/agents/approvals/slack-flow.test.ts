import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import { decide } from "../../../src/agents/decide/index.js";
import { gate } from "../../../src/agents/gate/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import type { Action } from "../../../src/core/action.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { Sink } from "../../../src/core/sink.js";
import { slack, slackInteractionHandler } from "../../../src/sinks/slack/index.js";
import { fixtureDate } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import { slackEmulation } from "../../../src/testing/sandbox/slack.js";
import { caseIn, runStage, stageContext } from "../policy/helpers.js";

const signingSecret = "slack-signing-secret";
const policy = definePolicy({
  mode: "assisted",
  rules: [{ id: "prod", when: { environment: "production" }, do: [{ kind: "ticket", sink: "jira" }] }],
  principals: [
    { id: "cloudsteward-bot", scopes: ["execute:*"] },
    { id: "alice", scopes: ["approve:ticket"] },
  ],
});

function click(approvalId: string, user: string): Request {
  const body = `payload=${encodeURIComponent(
    JSON.stringify({
      type: "block_actions",
      user: { id: user },
      actions: [{ type: "button", action_id: "cloudsteward:approve", value: approvalId }],
    }),
  )}`;
  const timestamp = String(Math.floor(Date.parse(fixtureDate) / 1000));
  const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return new Request("https://bot.example.com/slack", {
    method: "POST",
    headers: { "x-slack-request-timestamp": timestamp, "x-slack-signature": signature },
    body,
  });
}

describe("assisted mode end to end: gate → Slack buttons → approval → delivery", () => {
  it("posts the request with buttons, takes Alice's click, and delivers the ticket once", async () => {
    const store = memoryStore();
    const emulation = slackEmulation();
    const baseUrl = "http://sandbox.test/slack";
    const requestSink = slack({
      ...emulation.options(baseUrl),
      fetch: emulationFetch(emulation, baseUrl),
      store,
      messagesPerSecond: 1000,
    });
    const approvals = approvalQueue({ store, policy, now: () => new Date(fixtureDate) });
    const context = stageContext({ store, mode: "assisted" });
    const stages = {
      decide: decide({ policy }),
      gate: gate({ policy, approvals, requestSink, principal: "cloudsteward-bot" }),
    };
    const run = async () => {
      const actions = await runStage(stages.decide, [caseIn("production")], context);
      return runStage(stages.gate, actions, context);
    };
    expect(await run()).toEqual([]);
    expect(await run()).toEqual([]);

    const messages = emulation.messages();
    expect(messages).toHaveLength(1);
    const buttons = messages[0]?.blocks.find((block) => (block as { type: string }).type === "actions") as {
      elements: { action_id: string; value: string }[];
    };
    const approvalId = buttons.elements[0]!.value;
    expect(approvalId).toMatch(/^apr_/);

    const handler = slackInteractionHandler({
      signingSecret,
      approvals,
      principalFor: (id) => ({ U_ALICE: "alice", U_BOT: "cloudsteward-bot" })[id],
      now: () => new Date(fixtureDate),
    });
    expect((await handler(click(approvalId, "U_BOT"))).status).toBe(200);
    expect((await approvals.get(approvalId))?.state).toBe("requested");
    expect((await handler(click(approvalId, "U_ALICE"))).status).toBe(200);
    expect(await approvals.get(approvalId)).toMatchObject({ state: "approved", decidedBy: "alice" });

    const tickets: Action[] = [];
    const jira: Sink = {
      specificationVersion: "v1",
      name: "jira",
      async deliver(action) {
        tickets.push(action);
        return { key: action.idempotencyKey, status: "created", ref: { id: "SEC-1" } };
      },
    };
    await approvals.executeApproved({ sinks: { jira } });
    await approvals.executeApproved({ sinks: { jira } });
    expect(tickets.map((ticket) => [ticket.kind, ticket.sink, ticket.params.approvalId])).toEqual([
      ["ticket", "jira", approvalId],
    ]);
  });
});
