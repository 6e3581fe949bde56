import { z } from "zod";
import { actionKindSchema, riskLevelSchema } from "../../core/action.js";
import { environmentSchema, modeSchema } from "../../core/case.js";
import { categorySchema, severitySchema } from "../../core/finding.js";

/** One value or a list of values; a list matches when any of its values does. */
function oneOrMany<T extends z.ZodType>(schema: T, expected: string) {
  return z.union([schema, z.array(schema).min(1)], {
    error: `expected ${expected}, or a non-empty list of them`,
  });
}

/** `one of "a", "b"` for an enum schema. */
function choices(schema: z.ZodEnum): string {
  return `one of ${schema.options.map((option) => JSON.stringify(option)).join(", ")}`;
}

/** A string pattern: `*` matches any run of characters (`aws.iam.*`), comparison ignores case. */
const patternSchema = z.string().min(1);

/** The conditions of a routing rule; all given conditions must hold. */
export const caseConditionSchema = z.strictObject({
  /** The case's severity (the highest of its findings). */
  severity: oneOrMany(severitySchema, choices(severitySchema)).optional(),
  /** A category of any of the case's findings. */
  category: oneOrMany(categorySchema, choices(categorySchema)).optional(),
  /** The environment `enrich` found; a case without one is `unknown`. */
  environment: oneOrMany(environmentSchema, choices(environmentSchema)).optional(),
  /** The owner `enrich` found, else the triage group's owner; patterns allowed. */
  owner: oneOrMany(patternSchema, "a non-empty string pattern").optional(),
  /** The rule id of any finding (or the case's rule group key); patterns allowed. */
  rule: oneOrMany(patternSchema, "a non-empty string pattern").optional(),
  /** The cloud account id or name of any finding; patterns allowed. */
  account: oneOrMany(patternSchema, "a non-empty string pattern").optional(),
  /** Tags any finding's resource carries: key → value pattern(s); `*` means "present". */
  tags: z.record(z.string().min(1), oneOrMany(patternSchema, "a non-empty string pattern")).optional(),
  /** Bounds on the triage priority score (inclusive); a case without a priority never matches. */
  priority: z
    .strictObject({ gte: z.number().min(0).max(100).optional(), lte: z.number().min(0).max(100).optional() })
    .optional(),
  /** The normalized resource type of any finding, e.g. `aws.iam.*`. */
  resourceType: oneOrMany(patternSchema, "a non-empty string pattern").optional(),
});
/** The conditions of a routing rule. */
export type CaseCondition = z.infer<typeof caseConditionSchema>;

/** One action a routing rule asks for. */
export const actionTemplateSchema = z.strictObject({
  kind: actionKindSchema,
  /** The sink name the pipeline delivers through (`sinks[sink]`). @default "default" */
  sink: z.string().min(1).optional(),
  /** Sink-specific parameters: channel, assignee, labels… */
  params: z.record(z.string(), z.unknown()).optional(),
  /** In `automated` mode, run without a human approval when the action is low risk. @default false */
  automatic: z.boolean().optional(),
  /** Raise the action's risk above the one derived from the case; it can never be lowered. */
  risk: riskLevelSchema.optional(),
});
/** One action a routing rule asks for. */
export type ActionTemplate = z.infer<typeof actionTemplateSchema>;

/** A routing rule: when a case matches `when`, propose the actions in `do`. */
export const routingRuleSchema = z.strictObject({
  /** Unique; named in rationales, idempotency keys and the audit log. */
  id: z.string().min(1),
  /** Shown in rationales and the audit log. */
  description: z.string().optional(),
  /** @default {} (matches every case) */
  when: caseConditionSchema.default({}),
  /** The actions to propose, at least one. */
  do: z.array(actionTemplateSchema).min(1),
});
/** A routing rule: `when` → `do`. */
export type RoutingRule = z.infer<typeof routingRuleSchema>;

/** The conditions of an approval requirement; all given conditions must hold. */
export const approvalConditionSchema = z.strictObject({
  /** The action's kind. */
  kind: oneOrMany(actionKindSchema, choices(actionKindSchema)).optional(),
  /** The action's derived risk. */
  risk: oneOrMany(riskLevelSchema, choices(riskLevelSchema)).optional(),
  /** The case's environment (`unknown` without context). */
  environment: oneOrMany(environmentSchema, choices(environmentSchema)).optional(),
  /** The resource type of any finding of the case; patterns allowed. */
  resourceType: oneOrMany(patternSchema, "a non-empty string pattern").optional(),
});
/** The conditions of an approval requirement. */
export type ApprovalCondition = z.infer<typeof approvalConditionSchema>;

/** Who may approve matching actions: principal ids or scopes (`approve:remediate`). */
export const approvalRuleSchema = z.strictObject({
  /** @default {} (every action) */
  when: approvalConditionSchema.default({}),
  /** Principal ids or scopes; a principal listed by id or holding one of the scopes may approve. */
  approvers: z.array(z.string().min(1)).min(1),
  /** Matching actions always wait for an approval, even when marked `automatic`. @default true */
  required: z.boolean().default(true),
});
/** Who may approve matching actions. */
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

/**
 * A scope: `<verb>:<kind>[:<environment>]`, where verb is `approve` or `execute` and any part may
 * be `*` (`approve:*`, `execute:notify`, `approve:remediate:development`).
 */
export const scopeSchema = z
  .string()
  .regex(
    /^(approve|execute|\*):[a-z*]+(:[a-z*]+)?$/,
    'a scope is "<approve|execute>:<kind>[:<environment>]", e.g. "approve:ticket"',
  );

/** A person or service and what it may do. */
export const principalSchema = z.strictObject({
  /** The id used in `approve(id, { principal })`, `gate({ principal })` and `approvers`. */
  id: z.string().min(1),
  /** What it may approve or run. @default [] */
  scopes: z.array(scopeSchema).default([]),
});
/** A person or service and its scopes. */
export type Principal = z.infer<typeof principalSchema>;

/** Days to fix, per severity; a severity without one gets no due date. */
export const slaSchema = z.strictObject({
  critical: z.number().int().positive().optional(),
  high: z.number().int().positive().optional(),
  medium: z.number().int().positive().optional(),
  low: z.number().int().positive().optional(),
  info: z.number().int().positive().optional(),
});
/** Days to fix, per severity. */
export type Sla = z.infer<typeof slaSchema>;

/** Days an exception may last at most, per the highest severity of its findings. */
export const exceptionMaxDaysSchema = z.strictObject({
  /** @default 30 */
  critical: z.number().int().positive().default(30),
  /** @default 90 */
  high: z.number().int().positive().default(90),
  /** @default 180 */
  medium: z.number().int().positive().default(180),
  /** @default 365 */
  low: z.number().int().positive().default(365),
  /** @default 365 */
  info: z.number().int().positive().default(365),
});

/** How exceptions and risk acceptances are requested, approved and reminded of (docs/governance.md). */
export const exceptionPolicySchema = z.strictObject({
  /** The longest an exception may last, in days, per severity. @default 30/90/180/365/365 */
  maxDays: exceptionMaxDaysSchema.prefault({}),
  /**
   * Who may request: principal ids or scopes (`approve:exception`, `*:*`); a requester must be a
   * principal declared in the policy. @default [] (any declared principal)
   */
  requesters: z.array(z.string().min(1)).default([]),
  /**
   * Who may approve: principal ids or scopes; a principal listed by id or holding one of the scopes
   * may approve. @default ["approve:exception"]
   */
  approvers: z.array(z.string().min(1)).min(1).default(["approve:exception"]),
  /** The scopes a request may take. @default every scope */
  scopes: z
    .array(z.enum(["resource", "rule-on-account", "tag"]))
    .min(1)
    .default(["resource", "rule-on-account", "tag"]),
  /** The fewest characters a business justification may have. @default 20 */
  minJustificationLength: z.number().int().min(1).default(20),
  /** Approvals a request on a critical finding needs (two distinct approvers for a quorum). @default 1 */
  criticalQuorum: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Remind owners and approvers this many days before an exception expires. @default [7] */
  reminderDays: z.array(z.number().int().positive()).default([7]),
  /**
   * Re-review each risk acceptance this many days after its start, and again every as many days
   * until it expires (one notice per period). @default none
   */
  reReviewDays: z.number().int().positive().optional(),
});
/** The exception policy as validated, defaults filled in. */
export type ExceptionPolicy = z.output<typeof exceptionPolicySchema>;

/** The governance policy: data, validated, loadable from YAML/JSON or written in TypeScript. */
export const policySchema = z.strictObject({
  /** The schema version of this document. @default 1 */
  version: z.literal(1).default(1),
  /** The rollout phase the policy allows at most; the run's mode may be stricter. @default "read-only" */
  mode: modeSchema.default("read-only"),
  /**
   * `first`: the first matching rule decides (like firewall rules); `all`: every matching rule adds
   * its actions (one action per kind and sink, the earliest rule's). @default "first"
   */
  routing: z.enum(["first", "all"]).default("first"),
  /** @default [] */
  rules: z.array(routingRuleSchema).default([]),
  /** @default {} */
  sla: slaSchema.default({}),
  /** @default [] */
  approvals: z.array(approvalRuleSchema).default([]),
  /** @default [] */
  principals: z.array(principalSchema).default([]),
  /** The only action kinds any rule may propose. @default every kind */
  allowedActions: z.array(actionKindSchema).default([...actionKindSchema.options]),
  /** How long an approval request waits before it expires, in hours. @default 168 (7 days) */
  approvalTtlHours: z.number().positive().default(168),
  /**
   * How routing, approvals, risk and scopes treat a case whose environment could not be read (no
   * context, an unreadable value, or providers that disagree): as this environment. What cannot be
   * read fails closed, so the default is the most guarded one; `unknown` matches only rules that
   * name `unknown`. Disagreeing values route as the most guarded of them.
   * @default "production"
   */
  unknownEnvironment: environmentSchema.default("production"),
  /** Exceptions and risk acceptances; absent means every default of {@link exceptionPolicySchema}. */
  exceptions: exceptionPolicySchema.optional(),
});

/** A validated policy, with defaults filled in. */
export type Policy = z.output<typeof policySchema>;
/** A policy as you write it (defaults optional). */
export type PolicyInput = z.input<typeof policySchema>;
