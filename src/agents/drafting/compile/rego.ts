import type { Condition, PortableRule, RuleValue } from "../rule.js";
import { platformTypeNames } from "./platforms.js";
import { type PlatformPolicy, severityName } from "./policy.js";

/**
 * Compiles a portable rule to a Wiz cloud configuration rule: Rego in `package wiz` whose `result`
 * is `"fail"` when the resource (`input`) breaks the rule, built from the condition tree (helper
 * functions for `any`, `not`, `contains` and `some`), never from free text.
 * @example
 * const policy = compileRego(rule); // policy.text starts with "package wiz"
 */
export function compileRego(rule: PortableRule): PlatformPolicy {
  const helpers: string[][] = [];
  const body = bodyOf(rule.when, "input", helpers, { next: 0 });
  const lines = ["package wiz", "", 'default result = "pass"', "", 'result = "fail" {', ...indent(body), "}"];
  for (const helper of helpers) lines.push("", ...helper);
  const text = `${lines.join("\n")}\n`;
  return {
    platform: "wiz",
    language: "rego",
    resourceTypes: rule.resourceTypes,
    text,
    request: {
      name: rule.title,
      description: rule.title,
      targetNativeTypes: rule.resourceTypes.map((type) => platformTypeNames(type).wiz),
      severity: severityName(rule.severity, "upper"),
      opaPolicy: text,
      enabled: false,
      functionAsControl: false,
    },
  };
}

// Internal helpers.

interface Counter {
  next: number;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

function reference(root: string, path: string): string {
  return (
    root +
    path
      .split(".")
      .map((segment) =>
        /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`,
      )
      .join("")
  );
}

function regoValue(value: RuleValue): string {
  return JSON.stringify(value);
}

/** A helper function `name(x)` with one body per alternative; returns the call on `root`. */
function helper(
  root: string,
  alternatives: readonly Condition[],
  helpers: string[][],
  counter: Counter,
): string {
  const name = `violates_${++counter.next}`;
  const definition: string[] = [];
  for (const alternative of alternatives) {
    const variable = `x${counter.next}`;
    definition.push(
      `${name}(${variable}) {`,
      ...indent(bodyOf(alternative, variable, helpers, counter)),
      "}",
    );
  }
  helpers.push(definition);
  return `${name}(${root})`;
}

function bodyOf(condition: Condition, root: string, helpers: string[][], counter: Counter): string[] {
  if ("all" in condition) return condition.all.flatMap((part) => bodyOf(part, root, helpers, counter));
  if ("any" in condition) return [helper(root, condition.any, helpers, counter)];
  if ("not" in condition) return [`not ${helper(root, [condition.not], helpers, counter)}`];
  const value = reference(root, condition.path);
  if ("exists" in condition) {
    return condition.exists
      ? [`_ = ${value}`]
      : [`not ${helper(root, [{ path: condition.path, exists: true }], helpers, counter)}`];
  }
  if ("some" in condition) {
    const item = `item${++counter.next}`;
    return [`${item} := ${value}[_]`, ...bodyOf(condition.some, item, helpers, counter)];
  }
  const operand = condition.value;
  switch (condition.op) {
    case "eq":
      return [`${value} == ${regoValue(operand as RuleValue)}`];
    case "ne":
      return [`${value} != ${regoValue(operand as RuleValue)}`];
    case "gt":
      return [`${value} > ${regoValue(operand as RuleValue)}`];
    case "gte":
      return [`${value} >= ${regoValue(operand as RuleValue)}`];
    case "lt":
      return [`${value} < ${regoValue(operand as RuleValue)}`];
    case "lte":
      return [`${value} <= ${regoValue(operand as RuleValue)}`];
    case "in": {
      const members = (Array.isArray(operand) ? operand : [operand]).map(regoValue).join(", ");
      return [`{${members}}[${value}]`];
    }
    case "contains": {
      const name = `contains_${++counter.next}`;
      const needle = regoValue(operand as RuleValue);
      helpers.push([
        `${name}(v) {`,
        "  is_string(v)",
        `  contains(v, ${needle})`,
        "}",
        "",
        `${name}(v) {`,
        "  is_array(v)",
        `  v[_] == ${needle}`,
        "}",
      ]);
      return [`${name}(${value})`];
    }
    case "matches":
      return [`regex.match(${regoValue(operand as RuleValue)}, ${value})`];
  }
}
