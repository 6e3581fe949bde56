import type { Action } from "./action.js";
import type { Mode } from "./case.js";
import type { CloudstewardError } from "./errors.js";
import type { Platform } from "./finding.js";
import type { DeadLetter, RunReport, Warning } from "./report.js";

/** How a sink delivered an action. */
export interface Delivery {
  /** The idempotency key. */
  key: string;
  status: "created" | "updated" | "unchanged";
  /** e.g. the Jira issue key and link. */
  ref?: { id: string; url?: string };
  /** Delivering the same action again cannot duplicate it (true for every ledger-backed sink's success). */
  safeToRetry?: boolean;
}

/** Every event the SDK emits, one map; payloads are single objects. */
export interface PipelineEvents {
  "run-start": [{ runId: string; mode: Mode }];
  "finding-received": [{ findingId: string; platform: Platform }];
  "case-created": [{ caseId: string; findings: number }];
  "case-explained": [{ caseId: string; source: "model" | "knowledge" }];
  "action-proposed": [{ actionId: string; kind: Action["kind"]; requiresApproval: boolean }];
  "action-delivered": [{ actionId: string; sink: string; delivery: Delivery }];
  "suppression-expired": [{ ruleId: string; owner: string; expiredAt: string }];
  "request-retried": [{ integration: string; attempt: number; error: CloudstewardError; delayMs: number }];
  "warning-raised": [{ warning: Warning }];
  "item-failed": [{ deadLetter: DeadLetter }];
  "run-end": [{ runId: string; report: RunReport }];
}

export type PipelineEventName = keyof PipelineEvents;
