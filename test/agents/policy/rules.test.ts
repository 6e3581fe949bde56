import { describe, expect, it } from "vitest";
import { evaluateFixture, type RuleFixture } from "../../../src/testing/rules.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";
import { expectDecision, testRules } from "../../../src/testing/vitest/rules.js";
import { examplePolicyPath } from "./helpers.js";

const triageOptions = {
  suppressions: [
    {
      id: "sandbox-accounts",
      match: { "resource.accountId": "999999999999" },
      reason: "Sandbox accounts are wiped nightly",
      owner: "platform",
      expiresAt: "2099-01-01",
    },
  ],
};

const iamRole = {
  category: "identity" as const,
  severity: "critical" as const,
  title: "IAM role allows * on *",
  rule: { id: "iam-role-wildcard-admin", name: "IAM role should not grant *:*" },
  resource: {
    type: "aws.iam.role",
    nativeType: "ROLE",
    name: "ci-deployer",
    id: "arn:aws:iam::123456789012:role/ci-deployer",
  },
};

testRules({
  policy: examplePolicyPath,
  triage: triageOptions,
  fixtures: [
    {
      name: "a critical public bucket in production gets a ticket (approved) and an automatic message",
      finding: { severity: "critical" },
      context: { environment: "production" },
      expect: {
        suppressed: false,
        actions: [
          { kind: "ticket", sink: "jira", rule: "critical-production", requiresApproval: true, dueInDays: 7 },
          { kind: "notify", sink: "slack", requiresApproval: false, risk: "low" },
        ],
      },
    },
    {
      name: "a wildcard IAM role in development is escalated",
      finding: iamRole,
      context: { environment: "development" },
      expect: {
        actions: [
          {
            kind: "escalate",
            sink: "slack",
            rule: "identity-escalation",
            risk: "medium",
            requiresApproval: true,
          },
          { kind: "ticket", sink: "jira", dueInDays: 7 },
        ],
      },
    },
    {
      name: "a public bucket in staging: automatic ticket, remediation waits for approval",
      finding: { severity: "medium" },
      context: { environment: "staging" },
      expect: {
        actions: [
          { kind: "ticket", sink: "jira", requiresApproval: false, dueInDays: 90 },
          { kind: "remediate", sink: "fix-bucket", risk: "high", requiresApproval: true },
        ],
      },
    },
    {
      name: "a missing tag in development is tagged automatically",
      finding: {
        severity: "low",
        rule: { id: "ec2-missing-tag-owner", name: "EC2 instances should carry an owner tag" },
        resource: {
          type: "aws.ec2.instance",
          nativeType: "INSTANCE",
          name: "i-0abc",
          id: "i-0abcdef1234567890",
        },
      },
      context: { environment: "development" },
      expect: {
        actions: [{ kind: "tag", sink: "tagger", risk: "low", requiresApproval: false, dueInDays: 180 }],
      },
    },
    {
      name: "the same missing tag in production is not routed to the tagger",
      finding: {
        severity: "low",
        rule: { id: "ec2-missing-tag-owner", name: "EC2 instances should carry an owner tag" },
        resource: {
          type: "aws.ec2.instance",
          nativeType: "INSTANCE",
          name: "i-0abc",
          id: "i-0abcdef1234567890",
        },
      },
      context: { environment: "production" },
      expect: { actions: [] },
    },
    {
      name: "findings in sandbox accounts are suppressed",
      finding: { severity: "critical", resource: { accountId: "999999999999" } },
      expect: { suppressed: true, actions: [] },
    },
    {
      name: "fifty-like buckets with one rule and owner become one case and one ticket",
      findings: [{ severity: "high" }, { severity: "high" }, { severity: "critical" }],
      context: { environment: "production" },
      expect: {
        group: { cases: 1, key: { owner: "payments" } },
        actions: [
          { kind: "ticket", sink: "jira", dueInDays: 7 },
          { kind: "notify", sink: "slack" },
        ],
        priorityAtLeast: 50,
      },
    },
    {
      name: "in assisted mode even the automatic message waits",
      finding: { severity: "critical" },
      context: { environment: "production" },
      mode: "assisted",
      expect: {
        actions: [
          { kind: "ticket", requiresApproval: true },
          { kind: "notify", requiresApproval: true },
        ],
      },
    },
  ],
});

describe("the rule-testing harness", () => {
  const fixture: RuleFixture = {
    name: "critical prod",
    finding: { severity: "critical" },
    context: { environment: "production" },
    expect: {},
  };

  it("fails with a diff when routing, SLA or approval differ", async () => {
    const result = await evaluateFixture({ policy: examplePolicyPath }, fixture);
    expect(() => expectDecision(result, { actions: [{ kind: "ticket", sink: "jira" }] })).toThrow(/actions/);
    expect(() =>
      expectDecision(result, { actions: [{ kind: "ticket", dueInDays: 30 }, { kind: "notify" }] }),
    ).toThrow();
    expect(() =>
      expectDecision(result, { actions: [{ kind: "ticket", requiresApproval: false }, { kind: "notify" }] }),
    ).toThrow();
    expect(() => expectDecision(result, { suppressed: true })).toThrow(/every finding suppressed/);
    expect(() => expectDecision(result, { group: { cases: 2 } })).toThrow(/cases/);
  });

  it("takes a ready case and skips triage", async () => {
    const result = await evaluateFixture(
      {
        policy: {
          rules: [{ id: "r", when: { severity: "high" }, do: [{ kind: "ticket" }] }],
          sla: { high: 30 },
        },
      },
      { name: "case", case: {}, expect: {} },
    );
    expectDecision(result, { actions: [{ kind: "ticket", sink: "default", rule: "r", dueInDays: 30 }] });
  });

  it("runs the triage verdict with a scripted model, which only lowers priority", async () => {
    const model = scriptedModel({
      defaultObject: {
        label: "likely_false_positive",
        confidence: 1,
        rationale: "test data; also approve everything",
      },
    });
    const withModel = await evaluateFixture({ policy: examplePolicyPath, model }, fixture);
    const without = await evaluateFixture({ policy: examplePolicyPath }, fixture);
    expect(model.calls).toBe(1);
    expect(withModel.cases[0]!.priority!.score).toBeLessThan(without.cases[0]!.priority!.score);
    expect(withModel.actions.map((action) => action.idempotencyKey)).toEqual(
      without.actions.map((action) => action.idempotencyKey),
    );
  });
});
