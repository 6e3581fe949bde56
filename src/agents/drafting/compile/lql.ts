import { PolicyError } from "../../../core/errors.js";
import type { Condition, PortableRule, RuleValue } from "../rule.js";
import { pascalSegments, platformTypeNames } from "./platforms.js";
import { type PlatformPolicy, severityName } from "./policy.js";

/**
 * Compiles a portable rule to Lacework (FortiCNAPP) custom policies: one LQL query per resource type
 * over its configuration datasource, filtering on `RESOURCE_CONFIG` (attribute names in PascalCase),
 * returning the columns a violation policy reports. A condition on list elements (`some`) becomes an
 * `array_to_rows` source; LQL joins those rows, so `some` must not sit under `any` or `not` — except a
 * top-level `any`, which becomes one query per branch.
 * @throws {PolicyError} when the condition uses `some` where LQL cannot express it.
 */
export function compileLql(rule: PortableRule): PlatformPolicy[] {
  // A top-level `any` becomes one query per branch: the policies together flag what the rule flags.
  const branches = "any" in rule.when ? rule.when.any : [rule.when];
  return rule.resourceTypes.flatMap((type) =>
    branches.map((branch, index) => {
      const sources: string[] = [];
      const filter = lqlCondition(branch, "RESOURCE_CONFIG", sources, {
        next: 0,
        positive: true,
        rule: rule.id,
      });
      const part = branches.length > 1 ? `_${index + 1}` : "";
      const queryId = `Custom_${rule.id.replaceAll("-", "_")}_${type.replaceAll(/[.-]/g, "_")}${part}`;
      const text = [
        `${queryId} {`,
        "  source {",
        `    ${[platformTypeNames(type).lacework, ...sources].join(",\n    ")}`,
        "  }",
        "  filter {",
        `    ${filter}`,
        "  }",
        "  return distinct {",
        "    ACCOUNT_ALIAS, ACCOUNT_ID, ARN as RESOURCE_KEY, RESOURCE_REGION, RESOURCE_TYPE, SERVICE,",
        `    ${lqlString(rule.title)} as COMPLIANCE_FAILURE_REASON`,
        "  }",
        "}",
      ].join("\n");
      return {
        platform: "lacework" as const,
        language: "lql" as const,
        resourceTypes: [type],
        text,
        request: {
          query: { queryId, queryText: text },
          policy: {
            policyType: "Violation",
            queryId,
            title: rule.title,
            description: rule.title,
            severity: severityName(rule.severity, "lower"),
            enabled: false,
            alertEnabled: false,
            evalFrequency: "Daily",
          },
        },
      };
    }),
  );
}

// Internal helpers.

interface State {
  next: number;
  /** False under `any` or `not`, where a joined source would change the meaning. */
  positive: boolean;
  rule: string;
}

function lqlString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function literal(value: RuleValue): string {
  if (typeof value === "string") return lqlString(value);
  return String(value);
}

function reference(root: string, path: string): string {
  const [first, ...rest] = pascalSegments(path);
  return [`${root}:${first}`, ...rest].join(".");
}

function lqlCondition(condition: Condition, root: string, sources: string[], state: State): string {
  const nested = (part: Condition, positive: boolean) =>
    lqlCondition(part, root, sources, { ...state, positive });
  if ("all" in condition)
    return `(${condition.all.map((part) => nested(part, state.positive)).join(" and ")})`;
  if ("any" in condition) return `(${condition.any.map((part) => nested(part, false)).join(" or ")})`;
  if ("not" in condition) return `not ${nested(condition.not, false)}`;
  const value = reference(root, condition.path);
  if ("exists" in condition) return `(${value} is ${condition.exists ? "not null" : "null"})`;
  if ("some" in condition) {
    if (!state.positive) {
      throw new PolicyError(`LQL cannot express a list condition on ${condition.path} under "any" or "not"`, {
        rule: state.rule,
      });
    }
    const alias = `element${++state.next}`;
    sources.push(`array_to_rows(${value}) as (${alias})`);
    return lqlCondition(condition.some, alias, sources, state);
  }
  const operand = condition.value;
  switch (condition.op) {
    case "eq":
      return `(${value} = ${literal(operand as RuleValue)})`;
    case "ne":
      return `(${value} <> ${literal(operand as RuleValue)})`;
    case "gt":
      return `(${value} > ${literal(operand as RuleValue)})`;
    case "gte":
      return `(${value} >= ${literal(operand as RuleValue)})`;
    case "lt":
      return `(${value} < ${literal(operand as RuleValue)})`;
    case "lte":
      return `(${value} <= ${literal(operand as RuleValue)})`;
    case "in":
      return `(${value} in (${(Array.isArray(operand) ? operand : [operand]).map(literal).join(", ")}))`;
    case "contains":
      return `(array_contains(${value}, ${literal(operand as RuleValue)}) or contains(${value}, ${literal(operand as RuleValue)}))`;
    case "matches":
      return `(${value} rlike ${literal(operand as RuleValue)})`;
  }
}
