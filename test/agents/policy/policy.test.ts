import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  approvalPermission,
  approvalRequirement,
  definePolicy,
  loadPolicy,
  loadPolicyFile,
  matchRules,
  type PolicyIssue,
  riskOf,
  scopesCover,
  stricterMode,
} from "../../../src/agents/policy/index.js";
import { isCloudstewardError, PolicyError } from "../../../src/core/errors.js";
import { caseIn, examplePolicyPath } from "./helpers.js";

function policyErrorOf(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error("expected a PolicyError");
}

describe("definePolicy", () => {
  it("fills defaults and keeps the typed data", () => {
    const policy = definePolicy({ rules: [{ id: "all", do: [{ kind: "ticket" }] }] });
    expect(policy.mode).toBe("read-only");
    expect(policy.routing).toBe("first");
    expect(policy.allowedActions).toEqual(["ticket", "notify", "remediate", "exception", "tag", "escalate"]);
    expect(policy.rules[0]?.when).toEqual({});
    expect(policy.approvalTtlHours).toBe(168);
    expect(definePolicy(policy)).toEqual(policy);
  });

  it("names every invalid field by its path", () => {
    const error = policyErrorOf(() =>
      definePolicy({
        mode: "yolo" as never,
        rules: [{ id: "r", when: { severity: ["urgent" as never] }, do: [{ kind: "page" as never }] }],
      }),
    );
    expect(isCloudstewardError(error, "POLICY")).toBe(true);
    expect(error.issues.map((issue) => issue.path.join("."))).toEqual([
      "mode",
      "rules.0.when.severity",
      "rules.0.do.0.kind",
    ]);
    expect(error.message).toContain("rules.0.do.0.kind");
  });

  it("rejects duplicate ids, kinds outside allowedActions and unknown approvers", () => {
    const error = policyErrorOf(() =>
      definePolicy({
        allowedActions: ["ticket", "notify"],
        rules: [
          { id: "a", do: [{ kind: "ticket" }] },
          { id: "a", do: [{ kind: "remediate" }] },
        ],
        principals: [{ id: "alice", scopes: ["approve:*"] }],
        approvals: [{ when: { kind: "remediate" }, approvers: ["alice", "approve:remediate", "mallory"] }],
      }),
    );
    expect(error.issues).toEqual([
      { path: ["rules", 1, "id"], message: 'duplicate rule id "a"' },
      {
        path: ["rules", 1, "do", 0, "kind"],
        message: '"remediate" is not in allowedActions (ticket, notify)',
      },
      {
        path: ["approvals", 0, "approvers", 2],
        message:
          '"mallory" is neither a principal id declared in principals nor a scope like "approve:remediate"',
      },
    ]);
  });

  it("rejects malformed scopes and unknown fields", () => {
    const error = policyErrorOf(() =>
      definePolicy({ principals: [{ id: "x", scopes: ["root"] }], colour: "red" } as never),
    );
    expect(error.issues.map((issue) => issue.path.join("."))).toEqual(["principals.0.scopes.0", "colour"]);
    expect(error.issues[1]?.message).toContain('unknown field "colour"');
  });
});

describe("loadPolicy", () => {
  it("loads the example policy file", async () => {
    const policy = await loadPolicyFile(examplePolicyPath);
    expect(policy.mode).toBe("automated");
    expect(policy.rules.map((rule) => rule.id)).toContain("critical-production");
    expect(policy.sla.critical).toBe(7);
  });

  it("names a policy file it cannot read", async () => {
    await expect(loadPolicyFile("/nonexistent/policy.yaml")).rejects.toThrow(
      "loadPolicyFile: cannot read the policy file /nonexistent/policy.yaml (ENOENT)",
    );
  });

  it("reads YAML and JSON alike", async () => {
    const yaml = await readFile(examplePolicyPath, "utf8");
    const fromYaml = loadPolicy(yaml);
    expect(loadPolicy(JSON.stringify(fromYaml), { filename: "policy.json" })).toEqual(fromYaml);
  });

  it("points each issue at its line and column", () => {
    const text = [
      "mode: assisted", // 1
      "rules:", // 2
      "  - id: prod", // 3
      "    when:", // 4
      "      severity: [critical, urgent]", // 5
      "    do:", // 6
      "      - kind: ticket", // 7
      "        automatic: yes-please", // 8
      "  - when: {}", // 9
      "    do: [{ kind: notify }]", // 10
      "sla: { critical: -1 }", // 11
    ].join("\n");
    const error = policyErrorOf(() => loadPolicy(text, { filename: "policy.yaml" }));
    const located = (error.issues as PolicyIssue[]).map((issue) => [issue.path.join("."), issue.location]);
    expect(located).toEqual([
      ["rules.0.when.severity", "policy.yaml:5:7"],
      ["rules.0.do.0.automatic", "policy.yaml:8:20"],
      ["rules.1.id", "policy.yaml:9:5"],
      ["sla.critical", "policy.yaml:11:18"],
    ]);
    expect(error.message).toContain("policy.yaml:8:20 rules.0.do.0.automatic");
    expect(error.message).toContain("rules.1.id: this required field is missing");
  });

  it("locates cross-field issues in JSON too", () => {
    const text =
      '{\n  "allowedActions": ["ticket"],\n  "rules": [{ "id": "a", "do": [{ "kind": "tag" }] }]\n}';
    const error = policyErrorOf(() => loadPolicy(text, { filename: "p.json" }));
    expect((error.issues[0] as PolicyIssue).location).toBe("p.json:3:43");
  });

  it("reports YAML syntax errors with their position", () => {
    const error = policyErrorOf(() => loadPolicy("rules:\n  - id: a\n   do: [\n", { filename: "bad.yaml" }));
    expect(error.message).toMatch(/bad\.yaml:\d+:\d+ \(root\): YAML syntax/);
    expect((error.issues[0] as PolicyIssue).line).toBeGreaterThan(1);
  });

  it("rejects duplicate keys rather than keeping the last one silently", () => {
    const error = policyErrorOf(() => loadPolicy("mode: automated\nmode: read-only\n"));
    expect(error.message).toContain("YAML syntax");
  });
});

describe("matchRules", () => {
  const policy = definePolicy({
    rules: [
      {
        id: "iam",
        when: { resourceType: "aws.iam.*", severity: ["critical", "high"] },
        do: [{ kind: "escalate" }],
      },
      { id: "prod", when: { environment: "production", tags: { team: "pay*" } }, do: [{ kind: "ticket" }] },
      { id: "hot", when: { priority: { gte: 80 } }, do: [{ kind: "notify" }] },
      { id: "owner", when: { owner: "team-a", account: "1234*" }, do: [{ kind: "notify" }] },
    ],
  });

  it("takes the first matching rule and says why", () => {
    const item = caseIn("production", { resource: { type: "aws.iam.role", tags: { team: "payments" } } });
    const [match, ...rest] = matchRules(policy, item);
    expect(rest).toEqual([]);
    expect(match?.rule.id).toBe("iam");
    expect(match?.reasons).toEqual([
      "severity high ∈ [critical, high]",
      "resource type aws.iam.role ∈ [aws.iam.*]",
    ]);
  });

  it("collects every match with routing all", () => {
    const all = definePolicy({ ...policy, routing: "all" });
    const item = caseIn(
      "production",
      {},
      { priority: 90, context: { owner: { value: "team-a", source: "test" } } },
    );
    expect(matchRules(all, item).map((match) => match.rule.id)).toEqual(["prod", "hot", "owner"]);
  });

  it("does not match a priority bound when the case has no priority, nor a missing tag", () => {
    const all = definePolicy({ ...policy, routing: "all" });
    const item = caseIn("production", { resource: { tags: { team: "ops" } } });
    expect(matchRules(all, item)).toEqual([]);
  });
});

describe("risk and approval requirements", () => {
  const policy = definePolicy({
    approvals: [{ when: { kind: "exception" }, approvers: ["approve:exception"] }],
  });

  it("rates remediation high, changes in production/IAM/network high, messages low", () => {
    const dev = caseIn("development");
    expect(riskOf("remediate", dev)).toBe("high");
    expect(riskOf("ticket", caseIn("production"))).toBe("low");
    expect(riskOf("tag", dev)).toBe("low");
    expect(riskOf("tag", caseIn("production"))).toBe("high");
    expect(riskOf("tag", caseIn(undefined))).toBe("high");
    expect(riskOf("tag", caseIn("development", { resource: { type: "aws.ec2.security-group" } }))).toBe(
      "high",
    );
    expect(riskOf("exception", caseIn("development", { category: "identity" }))).toBe("high");
    expect(riskOf("exception", dev)).toBe("medium");
    expect(riskOf("escalate", dev)).toBe("medium");
    expect(riskOf("ticket", dev, "medium")).toBe("medium");
    expect(riskOf("remediate", dev, "low")).toBe("high");
  });

  it("follows the mode, the risk, the approvals rules and the automatic flag", () => {
    const dev = caseIn("development");
    const ticket = { kind: "ticket" as const, risk: "low" as const, case: dev, automatic: true };
    expect(approvalRequirement(policy, ticket, "read-only").requiresApproval).toBe(true);
    expect(approvalRequirement(policy, ticket, "assisted").requiresApproval).toBe(true);
    expect(approvalRequirement(policy, ticket, "automated")).toEqual({
      requiresApproval: false,
      reason: "automated mode: low-risk ticket marked automatic by the policy",
    });
    expect(approvalRequirement(policy, { ...ticket, automatic: false }, "automated").requiresApproval).toBe(
      true,
    );
    expect(approvalRequirement(policy, { ...ticket, risk: "medium" }, "automated").requiresApproval).toBe(
      true,
    );
    expect(
      approvalRequirement(policy, { ...ticket, kind: "remediate", risk: "high" }, "automated").reason,
    ).toContain("high-risk remediate always waits");
    const exception = approvalRequirement(policy, { ...ticket, kind: "exception" }, "automated");
    expect(exception).toMatchObject({ requiresApproval: true, approvers: ["approve:exception"] });
  });

  it("compares modes and scopes", () => {
    expect(stricterMode("automated", "assisted")).toBe("assisted");
    expect(stricterMode("read-only", "automated")).toBe("read-only");
    expect(scopesCover(["approve:*"], "approve:remediate:production")).toBe(true);
    expect(scopesCover(["approve:ticket"], "approve:remediate:production")).toBe(false);
    expect(scopesCover(["approve:remediate:development"], "approve:remediate:production")).toBe(false);
    expect(scopesCover(["approve:remediate:development"], "approve:remediate")).toBe(false);
    expect(scopesCover(["execute:tag:development"], "execute:tag:development")).toBe(true);
  });

  it("allows an approver by id or scope from the matching rule, else by approve:<kind>", () => {
    const withPeople = definePolicy({
      principals: [
        { id: "alice", scopes: ["approve:*"] },
        { id: "bob", scopes: ["approve:ticket"] },
        { id: "board", scopes: [] },
      ],
      approvals: [{ when: { kind: "exception" }, approvers: ["board"] }],
    });
    const dev = caseIn("development");
    const exception = { kind: "exception" as const, risk: "medium" as const, case: dev };
    const ticket = { kind: "ticket" as const, risk: "low" as const, case: dev };
    expect(approvalPermission(withPeople, "board", exception).allowed).toBe(true);
    expect(approvalPermission(withPeople, "alice", exception)).toMatchObject({ allowed: false });
    expect(approvalPermission(withPeople, "bob", ticket).allowed).toBe(true);
    expect(approvalPermission(withPeople, "bob", { ...ticket, kind: "remediate" })).toEqual({
      allowed: false,
      reason: '"bob" lacks the scope approve:remediate:development',
    });
    expect(approvalPermission(withPeople, "eve", ticket)).toMatchObject({ allowed: false });
  });
});
