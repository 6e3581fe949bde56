import { PolicyError } from "../../../core/errors.js";
import type { Condition, PortableRule, RuleValue } from "../rule.js";
import { cloudOf, platformTypeNames } from "./platforms.js";
import { type PlatformPolicy, severityName } from "./policy.js";

/**
 * Compiles a portable rule to Prisma Cloud custom config policies: one RQL query per resource type,
 * `config from cloud.resource where cloud.type = … AND api.name = … AND json.rule = <condition>`,
 * with `[?any(…)]` for conditions on list elements. Built from the condition tree, never from free text.
 * Each policy is named after the rule, with the `api.name` appended when the rule has several types.
 * @example
 * const [policy] = compileRql(rule); // policy.text starts with "config from cloud.resource"
 */
export function compileRql(rule: PortableRule): PlatformPolicy[] {
  const condition = jsonRule(rule.when);
  return rule.resourceTypes.map((type) => {
    const cloud = cloudOf(type);
    const scope = ["aws", "azure", "gcp", "oci", "alibaba_cloud"].includes(cloud)
      ? `cloud.type = '${cloud}' AND `
      : "";
    const apiName = platformTypeNames(type).prisma;
    const text = `config from cloud.resource where ${scope}api.name = '${apiName}' AND json.rule = ${condition}`;
    // Policy names are unique in a tenant: one policy per resource type needs its own.
    const name = rule.resourceTypes.length > 1 ? `${rule.title} (${apiName})` : rule.title;
    return {
      platform: "prisma" as const,
      language: "rql" as const,
      resourceTypes: [type],
      text,
      request: {
        name,
        description: rule.title,
        policyType: "config",
        cloudType: cloud,
        severity: severityName(rule.severity, "lower"),
        enabled: false,
        rule: {
          name,
          type: "Config",
          criteria: text,
          parameters: { savedSearch: "false", withIac: "false" },
        },
      },
    };
  });
}

// Internal helpers.

function literal(value: RuleValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** RQL's json.rule grammar; single quotes would end the query, so strings are double-quoted JSON. */
function jsonRule(condition: Condition): string {
  if ("all" in condition) return `(${condition.all.map(jsonRule).join(" and ")})`;
  if ("any" in condition) return `(${condition.any.map(jsonRule).join(" or ")})`;
  if ("not" in condition) return `not ${jsonRule(condition.not)}`;
  const path = condition.path;
  if (path.includes("'")) throw new PolicyError(`Path ${path} cannot be written in RQL`);
  if ("exists" in condition) return `(${path} ${condition.exists ? "exists" : "does not exist"})`;
  if ("some" in condition) return `(${path}[?any(${jsonRule(condition.some)})] exists)`;
  const operand = condition.value;
  if (Array.isArray(operand) || condition.op === "in") {
    const members = (Array.isArray(operand) ? operand : [operand]).map(literal).join(", ");
    return `(${path} is member of (${members}))`;
  }
  switch (condition.op) {
    case "eq":
      return typeof operand === "boolean" ? `(${path} is ${operand})` : `(${path} == ${literal(operand)})`;
    case "ne":
      return typeof operand === "boolean" ? `(${path} is ${!operand})` : `(${path} != ${literal(operand)})`;
    case "gt":
      return `(${path} > ${literal(operand)})`;
    case "gte":
      return `(${path} >= ${literal(operand)})`;
    case "lt":
      return `(${path} < ${literal(operand)})`;
    case "lte":
      return `(${path} <= ${literal(operand)})`;
    case "contains":
      return `(${path} contains ${literal(operand)})`;
    case "matches":
      return `(${path} matches ${literal(operand)})`;
  }
}
