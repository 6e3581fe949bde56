/** #14.5: an `automatic` flag the gate always holds is a load-time warning naming the rule. */
import { describe, expect, it } from "vitest";
import { loadPolicy, policyWarnings, validatePolicy } from "../../../src/agents/policy/index.js";

const yaml = `mode: automated
rules:
  - id: fix-it
    do:
      - kind: ticket
        sink: jira
        automatic: true
      - kind: remediate
        sink: fixer
        automatic: true
  - id: prod-tags
    when: { environment: production }
    do:
      - { kind: tag, automatic: true }
  - id: iam-waivers
    when: { resourceType: "aws.iam.*" }
    do:
      - { kind: exception, automatic: true }
  - id: dev-tags
    when: { environment: development }
    do:
      - { kind: tag, automatic: true }
`;

describe("policy warnings", () => {
  it("warns, at load, about each automatic action the gate always holds, naming the rule and line", () => {
    const warnings: { rule: string; location?: string; message: string }[] = [];
    const policy = loadPolicy(yaml, {
      filename: "policy.yaml",
      onWarning: (warning) => warnings.push(warning),
    });
    expect(warnings.map((warning) => [warning.rule, warning.location])).toEqual([
      ["fix-it", "policy.yaml:10:20"],
      ["prod-tags", "policy.yaml:14:33"],
      ["iam-waivers", "policy.yaml:18:39"],
    ]);
    expect(warnings[0]?.message).toContain('rule "fix-it" marks its remediate action automatic');
    expect(warnings[0]?.message).toContain("always high risk");
    expect(warnings[1]?.message).toContain("production");
    expect(policyWarnings(policy)).toHaveLength(3);
  });

  it("validatePolicy returns the warnings; a policy without them returns none", () => {
    const result = validatePolicy({
      rules: [
        {
          id: "ok",
          do: [
            { kind: "ticket", automatic: true },
            { kind: "escalate", automatic: true },
          ],
        },
      ],
    });
    expect(result.warnings.map((warning) => warning.path)).toEqual([["rules", 0, "do", 1, "automatic"]]);
    expect(
      validatePolicy({ rules: [{ id: "ok", do: [{ kind: "notify", automatic: true }] }] }).warnings,
    ).toEqual([]);
  });

  it("warns when an approvals rule always requires the kind", () => {
    const result = validatePolicy({
      rules: [{ id: "tickets", do: [{ kind: "ticket", automatic: true }] }],
      approvals: [{ when: { kind: "ticket" }, approvers: ["approve:ticket"] }],
    });
    expect(result.warnings[0]?.message).toContain("an approvals rule requires an approval for every ticket");
  });

  it("does not warn about an automatic remediation on drift rules only (the drift job honours it), and still does elsewhere", () => {
    const result = validatePolicy({
      rules: [
        {
          id: "drift-fix",
          when: { rule: ["drift/s3-*", "drift/kms-*"] },
          do: [{ kind: "remediate", automatic: true }],
        },
        {
          id: "mixed",
          when: { rule: ["drift/s3-*", "s3-public"] },
          do: [{ kind: "remediate", automatic: true }],
        },
      ],
    });
    expect(result.warnings.map((warning) => warning.rule)).toEqual(["mixed"]);
    expect(result.warnings[0]?.message).toContain("only the drift job");
  });
});
