import type { Action } from "../../core/action.js";
import { assertWritable } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Remediator } from "../../core/remediator.js";
import type { CallOptions, FindingSource } from "../../core/source.js";

/** Options of {@link cnappRemediation}. */
export interface CnappRemediationOptions<S extends FindingSource> {
  /** The source the findings came from (e.g. `wiz(...)`), handed to `remediate`. */
  source: S;
  /** Allow the source to change anything; without it every call throws `WriteDisabledError`. @default false */
  allowWrite?: boolean;
  /** Named in deliveries and the audit log. @default `${source.platform}-native` */
  name?: string;
  /**
   * Runs the platform's own remediation for one finding (most CNAPPs expose it only through their
   * own API or console — Wiz has no public remediation API — so the call is yours to write); return
   * what it did and how to roll it back.
   */
  remediate: (
    finding: Finding,
    context: { source: S; action: Action } & CallOptions,
  ) => Promise<{ details: Record<string, unknown>; rollback: string }>;
}

/**
 * A remediator that uses a CNAPP's native remediation, one finding of the case at a time. Writes
 * are refused unless `allowWrite` is set, as for every write-back.
 * @throws WriteDisabledError from `remediate` unless `allowWrite: true`.
 * @example
 * const native = cnappRemediation({
 *   source: prismaSource,
 *   allowWrite: true,
 *   remediate: (finding, { source, signal }) => runPrismaRemediation(source, finding.source.nativeId, signal),
 * });
 */
export function cnappRemediation<S extends FindingSource>(options: CnappRemediationOptions<S>): Remediator {
  const name = options.name ?? `${options.source.platform}-native`;
  return {
    name,
    async remediate(action, { signal } = {}) {
      assertWritable(name, options.allowWrite, "remediate");
      const details: Record<string, unknown> = {};
      const rollback: string[] = [];
      for (const finding of action.case.findings) {
        signal?.throwIfAborted();
        const result = await options.remediate(finding, { source: options.source, action, signal });
        details[finding.id] = result.details;
        rollback.push(`${finding.resource.name || finding.resource.id}: ${result.rollback}`);
      }
      return { status: "applied", details, rollback: rollback.join("\n") };
    },
  };
}
