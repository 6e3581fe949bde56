import { describe, expect, it } from "vitest";
import { exceptionPolicyOf } from "../../../src/agents/exceptions/index.js";
import { definePolicy, loadPolicy } from "../../../src/agents/policy/index.js";
import { PolicyError } from "../../../src/core/errors.js";

describe("the policy's exceptions section", () => {
  it("is optional: a policy without it gets every default", () => {
    expect(exceptionPolicyOf(definePolicy({}))).toEqual({
      maxDays: { critical: 30, high: 90, medium: 180, low: 365, info: 365 },
      requesters: [],
      approvers: ["approve:exception"],
      scopes: ["resource", "rule-on-account", "tag"],
      minJustificationLength: 20,
      criticalQuorum: 1,
      reminderDays: [7],
    });
  });

  it("loads from YAML with the given fields and defaults for the rest", () => {
    const policy = loadPolicy(
      ["exceptions:", "  maxDays: { critical: 14 }", "  criticalQuorum: 2", "  reminderDays: [14, 3]"].join(
        "\n",
      ),
    );
    expect(exceptionPolicyOf(policy)).toMatchObject({
      maxDays: { critical: 14, high: 90 },
      criticalQuorum: 2,
      reminderDays: [14, 3],
    });
  });

  it("rejects a wrong field with its location", () => {
    const error = (() => {
      try {
        loadPolicy(["exceptions:", "  criticalQuorum: 3"].join("\n"), { filename: "policy.yaml" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toContain("policy.yaml:2:");
    expect((error as PolicyError).issues[0]?.path).toEqual(["exceptions", "criticalQuorum"]);
  });
});
