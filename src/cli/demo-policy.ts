import { definePolicy } from "../agents/policy/define.js";
import type { Policy } from "../agents/policy/schema.js";

/** The principal the demo's pipeline acts as. */
export const demoPrincipal = "cloudsteward-bot";

/** The named person who approves the demo's medium- and low-risk tickets and messages. */
export const demoApprover = "demo-approver";

/**
 * The demo's governance policy, after `examples/policy/policy.yaml`: `automated` mode, where low-risk
 * tickets and messages the policy marks automatic go out at once, and everything else (critical
 * production tickets, identity escalations, any remediation) waits for a human. The demo approves
 * the held tickets and messages as {@link demoApprover}; escalations and fixes wait for `security-lead`.
 */
export function demoPolicy(): Policy {
  return definePolicy({
    mode: "automated",
    routing: "first",
    rules: [
      {
        id: "public-bucket-fix",
        description: "Public buckets get a ticket at once and a fix that waits for the security lead",
        when: { rule: "aws-s3-public-*" },
        do: [
          { kind: "ticket", sink: "jira", automatic: true },
          { kind: "remediate", sink: "fix-bucket" },
        ],
      },
      {
        id: "critical-production",
        description: "Critical and high findings in production get a ticket and a message to the owner",
        when: { severity: ["critical", "high"], environment: "production" },
        do: [
          { kind: "ticket", sink: "jira", params: { priority: "Highest" } },
          { kind: "notify", sink: "slack", automatic: true },
        ],
      },
      {
        id: "identity-escalation",
        description: "Wildcard identities anywhere are escalated to the security team",
        when: { category: "identity", severity: ["critical", "high"] },
        do: [
          { kind: "escalate", sink: "slack" },
          { kind: "ticket", sink: "jira" },
        ],
      },
      {
        id: "everything-else",
        when: { severity: ["critical", "high", "medium"] },
        do: [{ kind: "ticket", sink: "jira", automatic: true }],
      },
    ],
    sla: { critical: 7, high: 30, medium: 90, low: 180 },
    approvals: [{ when: { kind: "remediate" }, approvers: ["approve:remediate"] }],
    principals: [
      { id: demoPrincipal, scopes: ["execute:ticket", "execute:notify"] },
      { id: demoApprover, scopes: ["approve:ticket", "approve:notify"] },
      { id: "security-lead", scopes: ["approve:*"] },
    ],
    allowedActions: ["ticket", "notify", "remediate", "escalate"],
    approvalTtlHours: 72,
  });
}
