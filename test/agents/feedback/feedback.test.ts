import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import { evaluateExplanations } from "../../../src/agents/evaluation/explanations.js";
import { explain } from "../../../src/agents/explain/index.js";
import {
  feedbackCommand,
  feedbackEvaluationCases,
  feedbackLog,
  knowledgeOverrides,
  withKnowledgeOverrides,
} from "../../../src/agents/feedback/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { Case } from "../../../src/core/case.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { createStageContext } from "../../../src/core/stage.js";
import { renderSlack, slackActionIds } from "../../../src/sinks/render/slack.js";
import { type SlackInteractionResult, slackInteractionHandler } from "../../../src/sinks/slack/index.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

const secret = "feedback-signing-secret";
const now = new Date("2026-01-15T09:30:00.000Z");

function press(actionId: string, value: string, user: string): Request {
  const body = `payload=${encodeURIComponent(
    JSON.stringify({ type: "block_actions", user: { id: user }, actions: [{ action_id: actionId, value }] }),
  )}`;
  const ts = String(Math.floor(now.getTime() / 1000));
  return new Request("https://bot.example.com/slack/interactions", {
    method: "POST",
    headers: {
      "x-slack-request-timestamp": ts,
      "x-slack-signature": `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`,
    },
    body,
  });
}

async function explained(): Promise<Case> {
  const item = makeCase({ findings: [makeFinding({ resource: { name: "payroll-exports" } })] });
  async function* one() {
    yield item;
  }
  for await (const out of explain().run(one(), createStageContext())) return out;
  throw new Error("nothing explained");
}

describe("analyst feedback", () => {
  it("puts Helpful / Wrong buttons on the Slack message, valued with the case id, only when asked", async () => {
    const item = await explained();
    const plain = renderSlack(item);
    expect(JSON.stringify(plain.blocks)).not.toContain(slackActionIds.helpful);
    const withButtons = renderSlack(item, { feedback: true });
    const actions = withButtons.blocks.at(-1) as {
      type: string;
      elements: { action_id: string; value: string }[];
    };
    expect(actions.type).toBe("actions");
    expect(actions.elements.map((element) => [element.action_id, element.value])).toEqual([
      [slackActionIds.helpful, item.id],
      [slackActionIds.wrong, item.id],
    ]);
  });

  it("stores signed Slack presses with the case under the user's principal, audited; unsigned or unknown users store nothing", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const feedback = feedbackLog({ store, audit, now: () => now });
    const approvals = approvalQueue({ store, policy: definePolicy({ rules: [] }) });
    const results: SlackInteractionResult[] = [];
    const handler = slackInteractionHandler({
      signingSecret: secret,
      approvals,
      feedback,
      principalFor: (id) => ({ U_ALICE: "alice", U_BOB: "bob" })[id],
      onResult: (result) => {
        results.push(result);
      },
      now: () => now,
    });
    expect((await handler(press(slackActionIds.helpful, "case_1", "U_ALICE"))).status).toBe(200);
    expect((await handler(press(slackActionIds.wrong, "case_1", "U_BOB"))).status).toBe(200);
    // Alice changes her mind: her earlier word is replaced, not added.
    await handler(press(slackActionIds.wrong, "case_1", "U_ALICE"));
    await handler(press(slackActionIds.wrong, "case_1", "U_MALLORY"));
    const forged = press(slackActionIds.helpful, "case_1", "U_BOB");
    const tampered = new Request(forged, {
      headers: { ...Object.fromEntries(forged.headers), "x-slack-signature": "v0=00" },
    });
    expect((await handler(tampered)).status).toBe(401);

    expect((await feedback.forCase("case_1")).map((item) => [item.by, item.verdict, item.via])).toEqual([
      ["bob", "wrong", "slack"],
      ["alice", "wrong", "slack"],
    ]);
    expect(results.map((result) => [result.decision, result.principal, result.error?.message])).toEqual([
      ["helpful", "alice", undefined],
      ["wrong", "bob", undefined],
      ["wrong", "alice", undefined],
      ["wrong", undefined, "Slack user U_MALLORY maps to no principal of the policy."],
    ]);
    const audited = [];
    for await (const record of audit.query())
      if (record.event.type === "analyst-feedback") audited.push(record.event);
    expect(audited.map((event) => [event.actor, event.caseId, event.data?.verdict])).toEqual([
      ["alice", "case_1", "helpful"],
      ["bob", "case_1", "wrong"],
      ["alice", "case_1", "wrong"],
    ]);
  });

  it("reads the Jira comment command", () => {
    expect(feedbackCommand("Thanks!\n/cloudsteward helpful")).toEqual({ verdict: "helpful" });
    expect(feedbackCommand("/CloudSteward Wrong remediation: Use module acme/s3-private")).toEqual({
      verdict: "wrong",
      comment: "remediation: Use module acme/s3-private",
    });
    expect(feedbackCommand("please run /cloudsteward wrong")).toBeUndefined();
    expect(feedbackCommand("/cloudsteward approve")).toBeUndefined();
  });

  it("turns wrong feedback into knowledge-base overrides the next explanation uses, and into eval cases that fail until it does", async () => {
    const item = await explained();
    expect(item.explanation?.archetypeId).toBe("aws-s3-public-read");
    const store = memoryStore();
    const feedback = feedbackLog({ store, now: () => now });
    await feedback.record({
      caseId: item.id,
      verdict: "wrong",
      by: "alice",
      via: "api",
      comment: 'remediation: Apply the "acme/s3-private" Terraform module to {{resource.name}}.',
    });
    await feedback.record({ caseId: item.id, verdict: "helpful", by: "bob", via: "slack" });
    const given = await feedback.forCase(item.id);

    const overrides = knowledgeOverrides(given, [item]);
    expect(overrides).toEqual([
      expect.objectContaining({
        archetype: "aws-s3-public-read",
        field: "remediation",
        text: 'Apply the "acme/s3-private" Terraform module to {{resource.name}}.',
        by: "alice",
      }),
    ]);
    const cases = feedbackEvaluationCases(given, [item]);
    expect(cases).toEqual([
      expect.objectContaining({ archetype: "aws-s3-public-read", requiredFacts: ["acme/s3-private"] }),
    ]);
    const before = await evaluateExplanations(cases);
    expect(before.results[0]).toMatchObject({ passed: false, missingFacts: ["acme/s3-private"] });
    const after = await evaluateExplanations(cases, { knowledge: withKnowledgeOverrides(overrides) });
    expect(after.results[0]).toMatchObject({ passed: true, missingFacts: [] });
    expect(() => withKnowledgeOverrides([{ ...overrides[0]!, archetype: "no-such-archetype" }])).toThrow(
      /no-such-archetype/,
    );
  });
});
