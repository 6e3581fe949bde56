import type { AuditAppender } from "../../core/audit.js";
import { findingIdsOf } from "../../core/case.js";
import { ConfigurationError, PolicyError } from "../../core/errors.js";
import { deliverOnce, ticketLedger } from "../../core/ledger.js";
import { redact } from "../../core/redact.js";
import type { RemediationResult, Remediator } from "../../core/remediator.js";
import type { Sink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import type { ApprovalQueue } from "../approvals/queue.js";

/** Options of {@link remediationSink}. */
export interface RemediationSinkOptions {
  /** The queue whose approvals are checked before anything runs: every remediation needs one. */
  approvals: ApprovalQueue;
  /** Holds the once-per-key ledger and each result with its rollback note (share it across workers). */
  store: Store;
  /** Records each remediation with its details and rollback note (`type: "remediation"`). */
  audit?: AuditAppender;
}

/** What a remediation sink keeps per idempotency key, in the Store namespace `remediation:<name>`. */
export interface RemediationRecord extends RemediationResult {
  key: string;
  approvalId: string;
  approvedBy?: string;
  at: string;
}

/**
 * Turns a {@link Remediator} into a Sink for `pipeline` and `executeApproved`. It refuses anything
 * but a `remediate` action that carries an approval id whose request is `approved` for the same
 * idempotency key (so a remediation never runs without a human's word, whatever reached it), runs
 * the remediator once per key (ledger in the Store), and keeps the result with its rollback note.
 * @throws PolicyError from `deliver` when the action is not an approved remediation.
 * @example
 * const approvals = approvalQueue({ store, policy });
 * await approvals.executeApproved({ sinks: { "fix-bucket": remediationSink(fix, { approvals, store }) } });
 */
export function remediationSink(remediator: Remediator, options: RemediationSinkOptions): Sink {
  if (!options?.approvals || !options.store) {
    throw new ConfigurationError(
      `remediationSink(${remediator.name}): \`approvals\` and \`store\` are required; every remediation is approval-gated.`,
      { option: "approvals" },
    );
  }
  const ledger = ticketLedger(options.store, `remediation:${remediator.name}`);
  const namespace = `remediation:${remediator.name}`;
  return {
    specificationVersion: "v1",
    name: remediator.name,
    async deliver(action, { signal } = {}) {
      const refuse = (reason: string): never => {
        throw new PolicyError(`${remediator.name}: refusing action ${action.idempotencyKey}: ${reason}.`, {
          rule: action.rule,
        });
      };
      if (action.kind !== "remediate") refuse(`it is a ${action.kind}, not a remediate action`);
      const approvalId = action.params.approvalId;
      if (typeof approvalId !== "string")
        refuse("it carries no approval id; remediations run only after approval");
      const approval = await options.approvals.get(approvalId as string);
      if (approval?.state !== "approved") {
        refuse(`approval ${String(approvalId)} is ${approval?.state ?? "missing"}, not approved`);
      }
      if (approval?.action.idempotencyKey !== action.idempotencyKey) {
        refuse(`approval ${String(approvalId)} was given for another action`);
      }
      return deliverOnce(
        ledger,
        action,
        {
          create: async (callSignal) => {
            const result = await remediator.remediate(action, { signal: callSignal });
            const record: RemediationRecord = {
              ...result,
              key: action.idempotencyKey,
              approvalId: approvalId as string,
              approvedBy: approval?.decidedBy,
              at: new Date().toISOString(),
            };
            await options.store.set(namespace, action.idempotencyKey, redact(record));
            await options.audit?.append({
              type: "remediation",
              actor: `cloudsteward/remediation:${remediator.name}`,
              caseId: action.case.id,
              findingIds: findingIdsOf(action.case),
              data: { ...record },
            });
            return { id: `${remediator.name}/${action.idempotencyKey}` };
          },
        },
        { signal },
      );
    },
  };
}

/**
 * The result a remediation sink kept for an idempotency key, with its rollback note.
 * @example
 * const record = await remediationRecord(store, "fix-bucket", action.idempotencyKey);
 * console.log(record?.rollback);
 */
export function remediationRecord(
  store: Store,
  remediator: string,
  key: string,
): Promise<RemediationRecord | undefined> {
  return store.get<RemediationRecord>(`remediation:${remediator}`, key);
}
