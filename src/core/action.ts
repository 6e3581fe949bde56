import { z } from "zod";
import { caseSchema } from "./case.js";

/** What the SDK may propose to do. */
export const actionKindSchema = z.enum(["ticket", "notify", "remediate", "exception", "tag", "escalate"]);
export type ActionKind = z.infer<typeof actionKindSchema>;

export const riskLevelSchema = z.enum(["low", "medium", "high"]);
export type RiskLevel = z.infer<typeof riskLevelSchema>;

/** A proposed action with its reason, risk and idempotency key (decide → gate → sinks). */
export const actionSchema = z.object({
  id: z.string(),
  kind: actionKindSchema,
  /** The case the action is for; sinks render tickets and messages from it. */
  case: caseSchema,
  /** Same case + same action → same key: sinks deliver each key once. */
  idempotencyKey: z.string().min(1),
  risk: riskLevelSchema,
  /** Why: names the policy rule that matched. */
  rationale: z.string(),
  /** The policy rule that produced it. */
  rule: z.string().optional(),
  /** The sink name to deliver through, e.g. `ticket` or `jira`. */
  sink: z.string().optional(),
  /** ISO date (YYYY-MM-DD) from the severity's SLA. */
  dueDate: z.string().optional(),
  requiresApproval: z.boolean(),
  /** Sink-specific parameters from the policy (channel, assignee, labels…). */
  params: z.record(z.string(), z.unknown()).default({}),
});
export type Action = z.infer<typeof actionSchema>;
export type ActionInput = z.input<typeof actionSchema>;
