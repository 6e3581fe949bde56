import type { Condition, PortableRule, RuleValue } from "../rule.js";
import { pascalSegments, platformTypeNames } from "./platforms.js";
import { type PlatformPolicy, severityName } from "./policy.js";

const orcaScores: Record<PortableRule["severity"], number> = {
  critical: 9,
  high: 7,
  medium: 5,
  low: 3,
  info: 1,
};

/**
 * Compiles a portable rule to Orca custom Sonar alert rules: one query per resource type,
 * `<Model> with <condition>`, attribute names in PascalCase, `with (…)` for conditions on list
 * elements. Built from the condition tree, never from free text.
 */
export function compileSonar(rule: PortableRule): PlatformPolicy[] {
  const condition = sonarCondition(rule.when);
  return rule.resourceTypes.map((type) => {
    const text = `${platformTypeNames(type).orca} with ${condition}`;
    return {
      platform: "orca" as const,
      language: "sonar" as const,
      resourceTypes: [type],
      text,
      request: {
        name: rule.title,
        details: rule.title,
        category: "Best practices",
        rule: text,
        rule_type: `cloudsteward_${rule.id.replaceAll("-", "_")}`,
        orca_score: orcaScores[rule.severity],
        severity: severityName(rule.severity, "lower"),
        compliance_frameworks: [],
      },
    };
  });
}

// Internal helpers.

function literal(value: RuleValue): string {
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (value === null) return "null";
  return String(value);
}

function field(path: string): string {
  return pascalSegments(path).join(".");
}

function sonarCondition(condition: Condition): string {
  if ("all" in condition) return `(${condition.all.map(sonarCondition).join(" and ")})`;
  if ("any" in condition) return `(${condition.any.map(sonarCondition).join(" or ")})`;
  if ("not" in condition) return `not ${sonarCondition(condition.not)}`;
  const name = field(condition.path);
  if ("exists" in condition) return condition.exists ? `(${name} exists)` : `not (${name} exists)`;
  if ("some" in condition) return `(${name} with ${sonarCondition(condition.some)})`;
  const operand = condition.value;
  switch (condition.op) {
    case "eq":
      return `(${name} = ${literal(operand as RuleValue)})`;
    case "ne":
      return `(${name} != ${literal(operand as RuleValue)})`;
    case "gt":
      return `(${name} > ${literal(operand as RuleValue)})`;
    case "gte":
      return `(${name} >= ${literal(operand as RuleValue)})`;
    case "lt":
      return `(${name} < ${literal(operand as RuleValue)})`;
    case "lte":
      return `(${name} <= ${literal(operand as RuleValue)})`;
    case "in":
      return `(${name} in (${(Array.isArray(operand) ? operand : [operand]).map(literal).join(", ")}))`;
    case "contains":
      return `(${name} containing ${literal(operand as RuleValue)})`;
    case "matches":
      return `(${name} like ${literal(operand as RuleValue)})`;
  }
}
