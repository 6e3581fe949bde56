import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import { replay } from "../../../src/agents/replay/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import { fixtureDate, makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

const suppressions = [
  {
    id: "legacy-account",
    match: { "resource.accountId": "111111111111" },
    reason: "Legacy account being decommissioned",
    owner: "platform",
    expiresAt: "2099-01-01",
  },
];

function findings() {
  resetFactories();
  return [
    makeFinding({ severity: "critical", resource: { tags: { team: "payments" } } }),
    makeFinding({
      severity: "high",
      title: "Security group allows SSH from 0.0.0.0/0",
      rule: { id: "sg-open-ssh", name: "SSH open to the world" },
      resource: {
        type: "aws.ec2.security-group",
        nativeType: "SG",
        name: "sg-0a1b2c3d",
        tags: { team: "web" },
      },
    }),
    makeFinding({ severity: "high", resource: { accountId: "111111111111", tags: { team: "legacy" } } }),
    makeFinding({
      severity: "low",
      title: "EC2 instance allows IMDSv1",
      rule: { id: "ec2-imdsv1", name: "IMDSv2 should be required" },
      resource: { type: "aws.ec2.instance", nativeType: "INSTANCE", name: "i-0abc", tags: { team: "web" } },
    }),
  ];
}

const baselinePolicy: PolicyInput = {
  mode: "automated",
  rules: [
    {
      id: "critical",
      when: { severity: "critical" },
      do: [{ kind: "ticket", sink: "jira", automatic: true }],
    },
  ],
  sla: { critical: 7 },
};

const candidatePolicy: PolicyInput = {
  mode: "automated",
  rules: [
    {
      id: "critical-and-high",
      when: { severity: ["critical", "high"] },
      do: [
        { kind: "ticket", sink: "jira", automatic: true },
        { kind: "notify", sink: "slack" },
      ],
    },
  ],
  sla: { critical: 7, high: 30 },
};

describe("replay", () => {
  it("diffs tickets, approvals, suppressions and model usage between two policies", async () => {
    const model = scriptedModel({
      defaultObject: { label: "true_positive", confidence: 0.9, rationale: "Real exposure." },
      modelId: "gpt-test",
    });
    const diff = await replay({
      findings: findings(),
      baseline: { policy: baselinePolicy, stages: [triage({ suppressions })] },
      candidate: { policy: candidatePolicy, stages: [triage({ verdict: { model } })] },
      now: () => new Date(fixtureDate),
    });
    expect(diff.baseline.cases).toBe(3);
    expect(diff.candidate.cases).toBe(4);
    expect(diff.ticketsOpened).toHaveLength(2);
    expect(
      diff.ticketsOpened.every((action) => action.rule === "critical-and-high" && !action.requiresApproval),
    ).toBe(true);
    expect(diff.ticketsClosed).toEqual([]);
    expect(diff.actionsAdded.map((action) => action.kind).sort()).toEqual([
      "notify",
      "notify",
      "notify",
      "ticket",
      "ticket",
    ]);
    expect(diff.approvalsNeeded.map((action) => action.kind)).toEqual(["notify", "notify", "notify"]);
    expect(diff.suppressionsLapsed).toHaveLength(1);
    expect(diff.suppressionsAdded).toEqual([]);
    expect(diff.baseline.usage.calls).toBe(0);
    expect(diff.candidate.usage.calls).toBe(4);
    expect(diff.usageDelta.calls).toBe(4);
    expect(diff.usageDelta.inputTokens).toBeGreaterThan(0);
  });

  it("reports no change for the same policy, whatever the rule is called", async () => {
    const renamed: PolicyInput = {
      ...baselinePolicy,
      rules: [{ ...baselinePolicy.rules![0]!, id: "critical-renamed" }],
    };
    const diff = await replay({
      findings: findings(),
      baseline: { policy: baselinePolicy },
      candidate: { policy: renamed },
    });
    expect(diff.actionsAdded).toEqual([]);
    expect(diff.actionsRemoved).toEqual([]);
    expect(diff.approvalsNeeded).toEqual([]);
    expect(diff.usageDelta).toEqual({ calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 });
  });

  it("shows tickets that would close and approvals a stricter mode adds", async () => {
    const diff = await replay({
      findings: findings(),
      baseline: { policy: candidatePolicy },
      candidate: { policy: { ...baselinePolicy, mode: "assisted" } },
    });
    expect(diff.ticketsClosed).toHaveLength(2);
    expect(diff.actionsRemoved.filter((action) => action.kind === "notify")).toHaveLength(3);
    expect(diff.approvalsNeeded).toHaveLength(1);
    expect(diff.approvalsNeeded[0]).toMatchObject({
      kind: "ticket",
      requiresApproval: true,
      dueDate: "2026-01-22",
    });
  });
});
