import type { Action } from "../../core/action.js";
import type { RemediationCallOptions, RemediationResult, Remediator } from "../../core/remediator.js";

/** Options of {@link functionRemediation}. */
export interface FunctionRemediationOptions {
  /** Named in deliveries and the audit log. */
  name: string;
  /** Your fix; return what it did and how to roll it back. */
  remediate: (action: Action, options: RemediationCallOptions) => Promise<RemediationResult>;
}

/**
 * A remediator from your own function (an SDK call, a Terraform run, a ticket to a platform team).
 * @example
 * const fixBucket = functionRemediation({
 *   name: "block-public-access",
 *   remediate: async (action) => {
 *     await s3.putPublicAccessBlock({ Bucket: action.case.findings[0]!.resource.name, … });
 *     return { status: "applied", details: {}, rollback: "Remove the bucket's Block Public Access settings." };
 *   },
 * });
 */
export function functionRemediation(options: FunctionRemediationOptions): Remediator {
  return {
    name: options.name,
    remediate: (action, callOptions = {}) => options.remediate(action, callOptions),
  };
}
