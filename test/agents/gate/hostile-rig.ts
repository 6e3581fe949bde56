import { approvalQueue } from "../../../src/agents/approvals/index.js";
import type { Policy } from "../../../src/agents/policy/schema.js";
import { functionRemediation, remediationSink } from "../../../src/agents/remediation/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { Action } from "../../../src/core/action.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { Sink } from "../../../src/core/sink.js";
import { fixtureDate } from "../../../src/testing/factories.js";

/**
 * What a run on hostile findings needs around the pipeline: a memory store with its audit log and
 * approval queue (clock at the fixture date), sinks that record what reaches them, and a remediation
 * sink that counts the fixes it executed.
 */
export function hostileRig(policy: Policy) {
  const store = memoryStore();
  const audit = auditLog(store);
  const now = () => new Date(fixtureDate);
  const approvals = approvalQueue({ store, policy, audit, now });
  let remediations = 0;
  const recording = (name: string, into: Action[]): Sink => ({
    specificationVersion: "v1",
    name,
    async deliver(action) {
      into.push(action);
      return { key: action.idempotencyKey, status: "created" };
    },
  });
  const fixer = remediationSink(
    functionRemediation({
      name: "fixer",
      remediate: async () => {
        remediations++;
        return { status: "applied", details: {}, rollback: "n/a" };
      },
    }),
    { approvals, store },
  );
  return { store, audit, approvals, now, recording, fixer, remediations: () => remediations };
}
