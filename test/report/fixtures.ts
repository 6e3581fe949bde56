import type { ApprovalRequest } from "../../src/agents/approvals/queue.js";
import type { GateDraft } from "../../src/agents/gate/gate.js";
import type { Delivery } from "../../src/core/events.js";
import type { Action, Case, Finding, RunReport } from "../../src/index.js";
import { makeCase as baseCase, makeAction, makeFinding } from "../../src/testing/factories.js";

/**
 * A case with `findings` findings of the given severity, category, owner and first-seen date, on
 * `resources` resources (default: one per finding), for the rule `rule` (default: one per case).
 */
export function makeCase(options: {
  id: string;
  severity: Finding["severity"];
  category: Finding["category"];
  owner: string;
  firstSeen: string;
  findings?: number;
  rule?: { id: string; name: string };
  environment?: "production" | "staging" | "development" | "test" | "unknown";
}): Case {
  const findings = Array.from({ length: options.findings ?? 1 }, (_, index) =>
    makeFinding({
      severity: options.severity,
      category: options.category,
      firstSeen: options.firstSeen,
      ...(options.rule ? { rule: { ...options.rule, controls: [] } } : {}),
      resource: { id: `arn:aws:s3:::${options.id}-${index}`, name: `${options.id}-${index}` },
    }),
  );
  return baseCase({
    id: options.id,
    severity: options.severity,
    findings,
    context: {
      owner: { value: options.owner, source: "tag:owner" },
      ...(options.environment ? { environment: { value: options.environment, source: "tag:env" } } : {}),
    },
    priority: {
      score: options.severity === "critical" ? 90 : options.severity === "high" ? 70 : 20,
      reasons: [],
    },
  });
}

/** Log4Shell on three owners' resources, a public bucket, and a long-named category and owner. */
export function sampleCases(): Case[] {
  const log4shell = { id: "wiz-cve-2021-44228", name: "Log4Shell (CVE-2021-44228)" };
  return [
    makeCase({
      id: "case_l1",
      severity: "critical",
      category: "vulnerability",
      owner: "payments",
      firstSeen: "2026-03-02T10:00:00Z",
      findings: 3,
      rule: log4shell,
      environment: "production",
    }),
    makeCase({
      id: "case_l2",
      severity: "critical",
      category: "vulnerability",
      owner: "platform",
      firstSeen: "2026-03-03T10:00:00Z",
      findings: 2,
      rule: log4shell,
      environment: "development",
    }),
    makeCase({
      id: "case_l3",
      severity: "high",
      category: "vulnerability",
      owner: "data-engineering-and-analytics-platform-team",
      firstSeen: "2026-03-10T10:00:00Z",
      rule: log4shell,
    }),
    makeCase({
      id: "case_b",
      severity: "high",
      category: "exposure",
      owner: "platform",
      firstSeen: "2026-03-10T10:00:00Z",
      rule: { id: "wiz-public-bucket", name: "S3 bucket allows public read" },
    }),
    makeCase({
      id: "case_c",
      severity: "low",
      category: "misconfiguration",
      owner: "<script>alert(1)</script>",
      firstSeen: "2026-03-17T10:00:00Z",
    }),
  ];
}

/** A delivered ticket on the sandbox, a held escalation, and a draft. */
export function sampleActions(cases: readonly Case[]): {
  delivered: { action: Action; delivery: Delivery }[];
  pending: ApprovalRequest[];
  drafts: GateDraft[];
} {
  const [first, second, , fourth] = cases as [Case, Case, Case, Case];
  const ticket = makeAction({ case: first, kind: "ticket", dueDate: "2026-03-09", sink: "jira" });
  const escalation = makeAction({
    case: second,
    kind: "escalate",
    risk: "high",
    dueDate: "2026-03-05",
    sink: "slack",
  });
  const draft = makeAction({ case: fourth, kind: "ticket", dueDate: "2026-04-01", sink: "jira" });
  return {
    delivered: [
      {
        action: ticket,
        delivery: {
          key: ticket.idempotencyKey,
          status: "created",
          ref: { id: "SEC-1", url: "http://127.0.0.1:4010/browse/SEC-1" },
        },
      },
    ],
    pending: [
      {
        id: `apr_${escalation.idempotencyKey}`,
        state: "requested",
        action: escalation,
        requester: "cloudsteward",
        reason: "high-risk escalate always waits for a human approval",
        requestedAt: "2026-03-20T00:00:00Z",
        expiresAt: "2026-03-27T00:00:00Z",
      },
    ],
    drafts: [
      { action: draft, reason: "read-only mode: kept as a draft for review", at: "2026-03-20T00:00:00Z" },
    ],
  };
}

/** A run report whose stages overlap, with one warning and one status line. */
export function sampleRunReport(): RunReport {
  return {
    runId: "run_1",
    startedAt: "2026-03-20T00:00:00Z",
    durationMs: 4000,
    stages: {
      source: { in: 9, out: 9, durationMs: 3000, startMs: 0 },
      triage: { in: 9, out: 5, durationMs: 2900, startMs: 50 },
      explain: { in: 5, out: 5, durationMs: 3500, startMs: 400 },
    },
    warnings: [
      {
        type: "other",
        source: "enrich",
        message: "enrich: 2 case(s) had an environment value that could not be read <b>",
      },
      {
        type: "other",
        level: "info",
        source: "gate",
        message: "gate (automated): 1 action(s) allowed, 1 held for approval",
      },
    ],
    deadLetters: [],
    usage: { calls: 3, inputTokens: 1200, outputTokens: 300, cost: 0.0123 },
  };
}
