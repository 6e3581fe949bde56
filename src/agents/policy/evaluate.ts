import type { ActionKind, RiskLevel } from "../../core/action.js";
import type { Case, Environment, Mode } from "../../core/case.js";
import type {
  ApprovalCondition,
  ApprovalRule,
  CaseCondition,
  Policy,
  Principal,
  RoutingRule,
} from "./schema.js";

/** A routing rule that matched a case, with the conditions that made it match. */
export interface RuleMatch {
  rule: RoutingRule;
  /** One phrase per condition, e.g. `severity critical ∈ [critical, high]`. */
  reasons: string[];
}

/** Whether an action must wait for a human, and why. */
export interface ApprovalRequirement {
  requiresApproval: boolean;
  reason: string;
  /** The approvers of the matching `approvals` rule, when one matched. */
  approvers?: string[];
}

/** The facts about an action that approval rules and scopes look at. */
export interface ActionFacts {
  kind: ActionKind;
  risk: RiskLevel;
  case: Case;
  /** The `automatic` flag of the policy's action template. */
  automatic?: boolean;
}

/**
 * The routing rules that match a case, in policy order: the first only with `routing: "first"`.
 * @example
 * const [match] = matchRules(policy, item); // match?.rule.id === "critical-production"
 */
export function matchRules(policy: Policy, item: Case): RuleMatch[] {
  const matches: RuleMatch[] = [];
  const facts = caseFacts(policy, item);
  for (const rule of policy.rules) {
    const reasons = matchCondition(rule.when, item, facts);
    if (reasons === undefined) continue;
    matches.push({ rule, reasons });
    if (policy.routing === "first") break;
  }
  return matches;
}

/** The environment a case is in, as `enrich` found it; `unknown` without context. */
export function environmentOf(item: Case): Environment {
  return item.context?.environment?.value ?? "unknown";
}

/** The environment routing uses for a case, and why it differs from what `enrich` found. */
export interface RoutingEnvironment {
  environment: Environment;
  /** Set when the case's environment was unknown, unreadable or disputed and was routed as a guarded one. */
  guarded?: string;
}

/**
 * The environment routing, approvals, risk and scopes use: what `enrich` found, except that an
 * unknown or unreadable environment routes as the policy's `unknownEnvironment` (default
 * `production`), and disagreeing providers route as the most guarded of their values. What cannot
 * be read never relaxes an action.
 * @example
 * routingEnvironmentOf(policy, caseWithoutContext); // { environment: "production", guarded: "environment unknown, routed as production (unknownEnvironment)" }
 */
export function routingEnvironmentOf(policy: Policy, item: Case): RoutingEnvironment {
  const found = item.context?.environment;
  const fallback = policy.unknownEnvironment ?? "production";
  const routed = (value: Environment) => (value === "unknown" ? fallback : value);
  if (found === undefined || found.value === "unknown") {
    const why = found === undefined ? "no environment context" : `unreadable environment (${found.source})`;
    return fallback === "unknown"
      ? { environment: "unknown" }
      : { environment: fallback, guarded: `${why}, routed as ${fallback} (policy unknownEnvironment)` };
  }
  let environment: Environment = found.value;
  let disputedBy: string | undefined;
  for (const conflict of found.conflicts ?? []) {
    const candidate = routed(conflict.value);
    if (guardRank(candidate) < guardRank(environment)) {
      environment = candidate;
      disputedBy = `${conflict.source} says ${conflict.value}`;
    }
  }
  return disputedBy === undefined
    ? { environment }
    : {
        environment,
        guarded: `environment disputed (${found.source} says ${found.value}, ${disputedBy}), routed as ${environment}`,
      };
}

/**
 * The risk of an action on a case. Remediation is always `high`. Actions that change something
 * (`exception`, `tag`) are `high` on IAM or network resources and in production — or where the
 * environment is unknown, which is treated as production — else `medium` for exceptions and `low`
 * for tags. Actions that only tell people (`ticket`, `notify`) are `low`; `escalate` is `medium`.
 * A policy template's `risk` can raise the result, never lower it. With `policy`, the environment is
 * the one {@link routingEnvironmentOf} gives (disputed values count as the most guarded).
 */
export function riskOf(kind: ActionKind, item: Case, floor?: RiskLevel, policy?: Policy): RiskLevel {
  const derived = derivedRisk(kind, item, policy);
  return floor !== undefined && riskRank[floor] > riskRank[derived] ? floor : derived;
}

/**
 * Whether an action must wait for a human in `mode`, re-derived from the policy (never from the
 * action's own fields). `read-only`: everything is a draft. High risk: always. A matching
 * `approvals` rule with `required`: always. `assisted`: always. `automated`: unless the policy marks
 * the action `automatic` and its risk is `low`.
 */
export function approvalRequirement(policy: Policy, action: ActionFacts, mode: Mode): ApprovalRequirement {
  const rule = approvalRuleFor(policy, action);
  const [requiresApproval, reason] = requirementOf(rule, action, mode);
  return rule ? { requiresApproval, reason, approvers: rule.approvers } : { requiresApproval, reason };
}

/** The first `approvals` rule whose conditions the action meets. */
export function approvalRuleFor(policy: Policy, action: ActionFacts): ApprovalRule | undefined {
  for (const rule of policy.approvals) if (approvalMatches(policy, rule.when, action)) return rule;
  return undefined;
}

/** The stricter of two modes (`read-only` < `assisted` < `automated`). */
export function stricterMode(a: Mode, b: Mode): Mode {
  return modeRank[a] <= modeRank[b] ? a : b;
}

/**
 * True when one of `scopes` covers `required` (`approve:remediate:production`): `*` in a held scope
 * matches any part, and a held scope without an environment covers every environment.
 */
export function scopesCover(scopes: readonly string[], required: string): boolean {
  const wanted = required.split(":");
  return scopes.some((scope) => {
    const held = scope.split(":");
    if (held.length > wanted.length) return false;
    return held.every((part, index) => part === "*" || part === wanted[index]);
  });
}

/**
 * Whether `principalId` may approve `action`: the principal must be declared in the policy, and be
 * listed (by id or by a scope it holds) in the first matching `approvals` rule — or, when no rule
 * matches, hold `approve:<kind>:<environment>`. The requester check is the approval queue's.
 */
export function approvalPermission(
  policy: Policy,
  principalId: string,
  action: ActionFacts,
): { allowed: true; principal: Principal } | { allowed: false; reason: string } {
  const principal = policy.principals.find((candidate) => candidate.id === principalId);
  if (!principal) {
    return { allowed: false, reason: `"${principalId}" is not a principal declared in the policy` };
  }
  const required = `approve:${action.kind}:${routingEnvironmentOf(policy, action.case).environment}`;
  const rule = approvalRuleFor(policy, action);
  if (rule) {
    const listed = rule.approvers.some(
      (approver) =>
        approver === principal.id || (approver.includes(":") && scopesCover(principal.scopes, approver)),
    );
    return listed
      ? { allowed: true, principal }
      : {
          allowed: false,
          reason: `"${principal.id}" is not among the approvers of this ${action.kind} (${rule.approvers.join(", ")})`,
        };
  }
  return scopesCover(principal.scopes, required)
    ? { allowed: true, principal }
    : { allowed: false, reason: `"${principal.id}" lacks the scope ${required}` };
}

// Internal helpers.

function requirementOf(rule: ApprovalRule | undefined, action: ActionFacts, mode: Mode): [boolean, string] {
  if (mode === "read-only") return [true, "read-only mode: actions are drafts for review"];
  if (action.risk === "high") return [true, `high-risk ${action.kind} always waits for a human approval`];
  if (rule?.required)
    return [true, `the policy's approvals rule requires an approval for this ${action.kind}`];
  if (mode === "assisted") return [true, "assisted mode: a human approves each action"];
  if (!action.automatic) return [true, `the policy does not mark this ${action.kind} automatic`];
  if (action.risk !== "low")
    return [true, `only low-risk actions run automatically; this one is ${action.risk}`];
  return [false, `automated mode: low-risk ${action.kind} marked automatic by the policy`];
}

const riskRank: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };
const modeRank: Record<Mode, number> = { "read-only": 0, assisted: 1, automated: 2 };

const networkType =
  /(^|[._-])(network|networking|vpc|subnet|security-?group|firewall|nsg|route|gateway|load-?balancer|elb|acl|peering|ingress|egress|dns)([._-]|$)/i;
const identityType =
  /(^|[._-])(iam|identity|role|policy|user|group|service-?account|serviceaccount|rolebinding|clusterrole|access-?key|entra|aad)([._-]|$)/i;

function derivedRisk(kind: ActionKind, item: Case, policy: Policy | undefined): RiskLevel {
  if (kind === "remediate") return "high";
  if (kind === "ticket" || kind === "notify") return "low";
  if (kind === "escalate") return "medium";
  // Unknown is production here whatever `unknownEnvironment` says: a change is never relaxed because
  // the environment could not be read.
  const found = environmentOf(item);
  const environment =
    policy === undefined || found === "unknown" ? found : routingEnvironmentOf(policy, item).environment;
  const sensitive =
    environment === "production" ||
    environment === "unknown" ||
    item.findings.some(
      (finding) =>
        finding.category === "identity" ||
        identityType.test(finding.resource.type) ||
        networkType.test(finding.resource.type),
    );
  if (sensitive) return "high";
  return kind === "exception" ? "medium" : "low";
}

/** Most guarded first; `unknown` ranks with production. */
function guardRank(environment: Environment): number {
  return environment === "unknown" ? 0 : environmentGuard.indexOf(environment);
}
const environmentGuard: readonly Environment[] = ["production", "staging", "test", "development"];

interface CaseFacts {
  environment: RoutingEnvironment;
  categories: string[];
  ruleIds: string[];
  accounts: string[];
  resourceTypes: string[];
  owner: string | undefined;
}

function caseFacts(policy: Policy, item: Case): CaseFacts {
  const categories = new Set<string>();
  const ruleIds = new Set<string>();
  const accounts = new Set<string>();
  const resourceTypes = new Set<string>();
  for (const finding of item.findings) {
    categories.add(finding.category);
    ruleIds.add(finding.rule.id);
    accounts.add(finding.resource.accountId);
    if (finding.resource.accountName) accounts.add(finding.resource.accountName);
    resourceTypes.add(finding.resource.type);
  }
  if (item.groupKey.rule) ruleIds.add(item.groupKey.rule);
  return {
    environment: routingEnvironmentOf(policy, item),
    categories: [...categories],
    ruleIds: [...ruleIds],
    accounts: [...accounts],
    resourceTypes: [...resourceTypes],
    owner: item.context?.owner?.value ?? item.groupKey.owner,
  };
}

/** The reasons the condition holds, or undefined when it does not. */
function matchCondition(when: CaseCondition, item: Case, facts: CaseFacts): string[] | undefined {
  const reasons: string[] = [];
  if (!check(reasons, "severity", when.severity, [item.severity], false)) return undefined;
  if (!check(reasons, "category", when.category, facts.categories, false)) return undefined;
  if (!check(reasons, "environment", when.environment, [facts.environment.environment], false))
    return undefined;
  if (when.environment !== undefined && facts.environment.guarded)
    reasons.push(`(${facts.environment.guarded})`);
  if (!check(reasons, "owner", when.owner, facts.owner === undefined ? [] : [facts.owner], true))
    return undefined;
  if (!check(reasons, "rule", when.rule, facts.ruleIds, true)) return undefined;
  if (!check(reasons, "account", when.account, facts.accounts, true)) return undefined;
  if (!check(reasons, "resource type", when.resourceType, facts.resourceTypes, true)) return undefined;
  if (when.priority) {
    const score = item.priority?.score;
    const { gte, lte } = when.priority;
    if (score === undefined || (gte !== undefined && score < gte) || (lte !== undefined && score > lte))
      return undefined;
    reasons.push(`priority ${score} within [${gte ?? 0}, ${lte ?? 100}]`);
  }
  if (when.tags) {
    for (const key of Object.keys(when.tags)) {
      const values: string[] = [];
      for (const finding of item.findings) {
        const value = finding.resource.tags[key];
        if (value !== undefined) values.push(value);
      }
      if (!check(reasons, `tag ${key}`, when.tags[key], values, true)) return undefined;
    }
  }
  if (reasons.length === 0) reasons.push("no conditions (matches every case)");
  return reasons;
}

/** True when an `actual` value meets `expected` (or nothing is expected); records the reason. */
function check(
  reasons: string[],
  name: string,
  expected: string | readonly string[] | undefined,
  actual: readonly string[],
  usePatterns: boolean,
): boolean {
  if (expected === undefined) return true;
  const list = typeof expected === "string" ? [expected] : expected;
  for (const value of actual) {
    for (const pattern of list) {
      if (usePatterns ? patternMatches(pattern, value) : pattern === value) {
        reasons.push(`${name} ${value} ∈ [${list.join(", ")}]`);
        return true;
      }
    }
  }
  return false;
}

function approvalMatches(policy: Policy, when: ApprovalCondition, action: ActionFacts): boolean {
  if (!holds(when.kind, action.kind) || !holds(when.risk, action.risk)) return false;
  if (!holds(when.environment, routingEnvironmentOf(policy, action.case).environment)) return false;
  if (when.resourceType === undefined) return true;
  const patterns = typeof when.resourceType === "string" ? [when.resourceType] : when.resourceType;
  for (const finding of action.case.findings) {
    for (const pattern of patterns) if (patternMatches(pattern, finding.resource.type)) return true;
  }
  return false;
}

/** True when nothing is expected, or `actual` is (one of) the expected value(s). */
function holds<T extends string>(expected: T | readonly T[] | undefined, actual: T): boolean {
  return (
    expected === undefined || (typeof expected === "string" ? expected === actual : expected.includes(actual))
  );
}

const compiledPatterns = new Map<string, RegExp>();

/** `*` matches any run of characters; the comparison ignores case. */
function patternMatches(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern.toLowerCase() === value.toLowerCase();
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${source}$`, "is");
    if (compiledPatterns.size < 10_000) compiledPatterns.set(pattern, regex);
  }
  return regex.test(value);
}
