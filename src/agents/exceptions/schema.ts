import { z } from "zod";
import { severitySchema } from "../../core/finding.js";

/**
 * What an exception covers; every scope is bounded by the rule(s) of the findings it was requested for:
 * `resource` (the rule on those resources), `rule-on-account` (the rule anywhere in those accounts),
 * or a `tag` (the rule on any resource carrying `key=value`).
 */
export const exceptionScopeSchema = z.union([
  z.literal("resource"),
  z.literal("rule-on-account"),
  z.strictObject({ tag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }) }),
]);
/** What an exception covers. */
export type ExceptionScope = z.infer<typeof exceptionScopeSchema>;

/** A compensating control: what stands in for the bypassed one, and how to verify it is in place. */
export const compensatingControlSchema = z.strictObject({
  description: z.string().min(1),
  verification: z.string().min(1).optional(),
});
/** A compensating control. */
export type CompensatingControl = z.infer<typeof compensatingControlSchema>;

/** The finding facts a request needs: rule, resource, account, tags and severity. */
export const exceptionFindingSchema = z.object({
  id: z.string().min(1),
  severity: severitySchema,
  rule: z.object({ id: z.string().min(1) }),
  resource: z.object({
    id: z.string().min(1),
    accountId: z.string(),
    tags: z.record(z.string(), z.string()),
  }),
});

/** The input of `requestException`. */
export const exceptionRequestSchema = z.strictObject({
  /** `exception`: a temporary bypass; `risk-acceptance`: a decision to live with the risk. */
  kind: z.enum(["exception", "risk-acceptance"]),
  /** The findings it is for (at least one); their rules bound the scope and their severity the duration. */
  findings: z.array(exceptionFindingSchema).min(1),
  /** The case the findings came from, kept for the record. */
  caseId: z.string().min(1).optional(),
  scope: exceptionScopeSchema,
  /** A principal declared in the policy. */
  requester: z.string().min(1),
  /** The business justification. */
  justification: z.string().trim(),
  /** Until when (ISO-8601 with an offset); at most the policy's `maxDays` for the findings' severity. */
  requestedUntil: z.iso.datetime({ offset: true }),
  /** When it takes effect (ISO-8601). @default the time of the request */
  startsAt: z.iso.datetime({ offset: true }).optional(),
  /** @default [] */
  compensatingControls: z.array(compensatingControlSchema).default([]),
  /** The risk left once the compensating controls are in place; required for a risk acceptance. */
  residualRisk: z.enum(["critical", "high", "medium", "low"]).optional(),
  /** The exception this one renews; its history carries over. */
  renews: z.string().min(1).optional(),
});
/** A request as you write it. */
export type ExceptionRequestInput = z.input<typeof exceptionRequestSchema>;
/**
 * A request for the findings of a case the governed runs kept in the Store (`cli:cases`): `caseId`
 * instead of `findings`; `requestException` reads the case's findings.
 */
export type ExceptionRequestByCase = Omit<ExceptionRequestInput, "findings" | "caseId"> & {
  caseId: string;
  findings?: undefined;
};
/** A validated request. */
export type ExceptionRequest = z.output<typeof exceptionRequestSchema>;
