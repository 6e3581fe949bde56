import type { z } from "zod";
import { type ErrorIssue, PolicyError, toErrorIssues } from "../../core/errors.js";
import {
  type ActionTemplate,
  type Policy,
  type PolicyInput,
  policySchema,
  type RoutingRule,
  scopeSchema,
} from "./schema.js";

/**
 * Validates a policy written in TypeScript and returns it typed, with defaults filled in. Besides
 * the schema it checks that rule and principal ids are unique, that every rule only asks for
 * action kinds in `allowedActions`, and that every approver is a known principal id or a scope.
 * @throws PolicyError whose `issues` name each invalid field by its path (`rules.0.do.1.kind`).
 * @example
 * const policy = definePolicy({
 *   mode: "assisted",
 *   rules: [{ id: "critical", when: { severity: "critical" }, do: [{ kind: "ticket", sink: "jira" }] }],
 *   sla: { critical: 7, high: 30 },
 * });
 */
export function definePolicy(input: PolicyInput | Policy): Policy {
  if (validated.has(input as object)) return input as Policy;
  const { policy, issues } = validatePolicy(input);
  if (policy) return policy;
  throw policyError(issues, "policy");
}

/**
 * Result of {@link validatePolicy}: the policy with its warnings (valid, but probably not what the
 * author meant), or the issues that make it invalid.
 */
export type PolicyValidation =
  | { policy: Policy; issues: []; warnings: PolicyWarning[] }
  | { policy: undefined; issues: ErrorIssue[]; warnings: [] };

/** Something a valid policy asks for that will not happen as written, e.g. an `automatic` the gate always holds. */
export interface PolicyWarning {
  /** The field, e.g. `["rules", 2, "do", 0, "automatic"]`. */
  path: (string | number)[];
  /** The routing rule's id. */
  rule: string;
  message: string;
}

/** Validates a policy without throwing; {@link definePolicy} and `loadPolicy` build on it. */
export function validatePolicy(input: unknown): PolicyValidation {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) return { policy: undefined, issues: schemaIssues(parsed.error), warnings: [] };
  const issues = crossFieldIssues(parsed.data);
  if (issues.length > 0) return { policy: undefined, issues, warnings: [] };
  // Frozen, so no stage can widen a policy at run time, and remembered, so passing the same
  // policy to decide and gate shares one object (and the derivations cached for it).
  const policy = deepFreeze(parsed.data);
  validated.add(policy);
  return { policy, issues: [], warnings: policyWarnings(policy) };
}

/**
 * The `automatic: true` flags the gate can never honour, one warning per action template naming its
 * rule: remediation (always high risk) outside rules that match only drift cases (`rule: "drift/*"`,
 * which the drift job's automation principal approves when low-risk), exceptions and escalations (never low risk), any action with
 * a `risk` above low, changes (`tag`) a rule only asks for on production or unknown environments or
 * on IAM/identity or network resources, and kinds an `approvals` rule always requires.
 * @example
 * for (const warning of policyWarnings(policy)) console.warn(`${warning.path.join(".")}: ${warning.message}`);
 */
export function policyWarnings(policy: Policy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  policy.rules.forEach((rule, index) => {
    rule.do.forEach((template, position) => {
      if (!template.automatic) return;
      const why = heldAlways(policy, rule, template);
      if (why === undefined) return;
      warnings.push({
        path: ["rules", index, "do", position, "automatic"],
        rule: rule.id,
        message: `rule "${rule.id}" marks its ${template.kind} action automatic, but the gate always holds it for a human approval: ${why}. Remove \`automatic\` or expect an approval request.`,
      });
    });
  });
  return warnings;
}

/** Builds the `PolicyError` for a list of issues, naming each path (and location, when given). */
export function policyError(
  issues: readonly (ErrorIssue & { location?: string })[],
  source: string,
  cause?: z.ZodError,
): PolicyError {
  const lines = issues.map(
    (issue) =>
      `  ${issue.location ? `${issue.location} ` : ""}${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`,
  );
  return new PolicyError(
    `${source}: the governance policy is invalid (${issues.length} issue${issues.length === 1 ? "" : "s"}). Fix these fields:\n${lines.join("\n")}`,
    { issues: [...issues], cause },
  );
}

// Internal helpers.

const networkPattern =
  /(^|[._-])(network|networking|vpc|subnet|security-?group|firewall|nsg|route|gateway|load-?balancer|elb|acl|peering|ingress|egress|dns)([._-]|$)/i;
const identityPattern =
  /(^|[._-])(iam|identity|role|policy|user|group|service-?account|serviceaccount|rolebinding|clusterrole|access-?key|entra|aad)([._-]|$)/i;

/** Why the gate always holds this automatic action (mirrors `riskOf` and `approvalRequirement`), if it does. */
function heldAlways(policy: Policy, rule: RoutingRule, template: ActionTemplate): string | undefined {
  const { kind } = template;
  if (kind === "remediate") {
    // The drift job (`cloudsteward/drift`) honours it for low-risk drift outside production, IAM and
    // network, approved by its automation principal; the gate itself always holds a remediation.
    const rules = rule.when.rule === undefined ? [] : [rule.when.rule].flat();
    if (rules.length > 0 && rules.every((pattern) => pattern.startsWith("drift/"))) return undefined;
    return "remediation is always high risk (only the drift job runs `drift/*` rules' low-risk fixes automatically)";
  }
  if (kind === "exception")
    return "an exception is at least medium risk and only low-risk actions run automatically";
  if (kind === "escalate") return "an escalation is medium risk and only low-risk actions run automatically";
  if (template.risk === "high" || template.risk === "medium")
    return `the template raises its risk to ${template.risk}`;
  if (kind === "tag") {
    const list = (value: string | readonly string[] | undefined) =>
      value === undefined ? undefined : typeof value === "string" ? [value] : value;
    const environments = list(rule.when.environment);
    if (environments?.every((environment) => environment === "production" || environment === "unknown"))
      return "a change in production (or an unknown environment) is high risk";
    const types = list(rule.when.resourceType);
    if (types?.every((type) => identityPattern.test(type) || networkPattern.test(type)))
      return "a change to IAM/identity or network resources is high risk";
    const categories = list(rule.when.category);
    if (categories?.every((category) => category === "identity"))
      return "a change to identity resources is high risk";
  }
  const required = policy.approvals.find(
    (approval) =>
      approval.required &&
      approval.when.environment === undefined &&
      approval.when.resourceType === undefined &&
      approval.when.risk === undefined &&
      (approval.when.kind === undefined ||
        approval.when.kind === kind ||
        (Array.isArray(approval.when.kind) && approval.when.kind.includes(kind))),
  );
  if (required)
    return `an approvals rule requires an approval for every ${kind} (approvers ${required.approvers.join(", ")})`;
  return undefined;
}

/** Policies this module validated and froze. */
const validated = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** zod issues as error issues; an unknown key's path ends at the key itself, so it can be located. */
function schemaIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          path: [...toErrorIssues([issue])[0]!.path, key],
          message: `unknown field "${key}" (check its spelling)`,
        }))
      : toErrorIssues([issue]).map((converted) =>
          issue.code === "invalid_type" && / received undefined$/.test(issue.message)
            ? { ...converted, message: "this required field is missing" }
            : converted,
        ),
  );
}

function crossFieldIssues(policy: Policy): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const allowed = new Set(policy.allowedActions);
  const ruleIds = new Set<string>();
  policy.rules.forEach((rule, index) => {
    if (ruleIds.has(rule.id))
      issues.push({ path: ["rules", index, "id"], message: `duplicate rule id "${rule.id}"` });
    ruleIds.add(rule.id);
    rule.do.forEach((template, position) => {
      if (!allowed.has(template.kind)) {
        issues.push({
          path: ["rules", index, "do", position, "kind"],
          message: `"${template.kind}" is not in allowedActions (${policy.allowedActions.join(", ") || "empty"})`,
        });
      }
    });
  });
  const principalIds = new Set<string>();
  policy.principals.forEach((principal, index) => {
    if (principalIds.has(principal.id)) {
      issues.push({ path: ["principals", index, "id"], message: `duplicate principal id "${principal.id}"` });
    }
    principalIds.add(principal.id);
  });
  policy.approvals.forEach((rule, index) => {
    rule.approvers.forEach((approver, position) => {
      if (principalIds.has(approver) || scopeSchema.safeParse(approver).success) return;
      issues.push({
        path: ["approvals", index, "approvers", position],
        message: `"${approver}" is neither a principal id declared in principals nor a scope like "approve:remediate"`,
      });
    });
  });
  return issues;
}
