import { z } from "zod";
import type { Finding, FindingStatus } from "./finding.js";

/**
 * Governance-owned state of a finding: our decisions, exceptions and ticket links. It lives in the
 * Store apart from the producer-owned Finding, so re-ingesting a finding never overwrites a human
 * decision.
 */
export const governanceStateSchema = z.object({
  findingId: z.string(),
  /** A status we decided, which outranks the platform's. */
  status: z.enum(["suppressed", "risk_accepted", "false_positive"]).optional(),
  reason: z.string().optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  /** Until when the decision holds (ISO-8601); after it the platform's status applies again. */
  expiresAt: z.string().optional(),
  tickets: z.array(z.object({ sink: z.string(), id: z.string(), url: z.string().optional() })).default([]),
});
export type GovernanceState = z.infer<typeof governanceStateSchema>;

/**
 * The status a person should see: the platform's status, unless a governance decision that has not
 * expired says otherwise. A resolved finding stays resolved whatever we decided.
 */
export function effectiveStatus(
  finding: Pick<Finding, "status">,
  state: GovernanceState | undefined,
  now: Date = new Date(),
): FindingStatus {
  if (!state?.status || finding.status === "resolved") return finding.status;
  if (state.expiresAt && Date.parse(state.expiresAt) <= now.getTime()) return finding.status;
  return state.status === "risk_accepted" ? "risk_accepted" : "suppressed";
}
