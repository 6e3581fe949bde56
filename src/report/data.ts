import type { ApprovalRequest } from "../agents/approvals/queue.js";
import type { AuditVerification } from "../audit/audit-log.js";
import type { Action } from "../core/action.js";
import { type Case, findingCountOf, type Mode } from "../core/case.js";
import type { Delivery } from "../core/events.js";
import type { RunReport, Usage } from "../core/report.js";

/** One labelled count of a chart. */
export interface ReportCount {
  label: string;
  count: number;
}

/** One case as the report shows it. */
export interface ReportCase {
  id: string;
  severity: Case["severity"];
  priority: number;
  findings: number;
  owner: string;
  environment: string;
  headline: string;
  risk: string;
  whyItMatters: string;
  likelyIntent: string;
  remediationSteps: string[];
  snippets: { language: string; label: string; code: string }[];
  controls: string[];
  /** `model` or `knowledge`. */
  explainedBy: string;
}

/** One action the report lists. */
export interface ReportAction {
  kind: string;
  sink: string;
  risk: string;
  caseId: string;
  headline: string;
  /** Delivered: the ticket key or message reference; held: the approval id. */
  ref?: string;
  url?: string;
  /** Why it waits, for held actions; who approved it, for approved ones. */
  note?: string;
}

/** One timed phase of a run. */
export interface ReportPhase {
  name: string;
  durationMs: number;
}

/** Everything the HTML report renders; plain JSON, built by {@link buildReportData}. */
export interface ReportData {
  title: string;
  generatedAt: string;
  mode: Mode;
  /** e.g. `knowledge base (no model)` or `openai gpt-4.1-mini`. */
  explainer: string;
  totals: { findings: number; cases: number; delivered: number; pending: number; deadLetters: number };
  severity: ReportCount[];
  category: ReportCount[];
  owner: ReportCount[];
  /** Findings by the ISO week they were first seen (`2026-W14`), oldest first. */
  trend: ReportCount[];
  topCases: ReportCase[];
  delivered: ReportAction[];
  pending: ReportAction[];
  usage: Usage;
  audit: AuditVerification;
  phases: ReportPhase[];
  warnings: string[];
}

/** The inputs of {@link buildReportData}. */
export interface ReportInput {
  /** @default "cloudsteward report" */
  title?: string;
  mode: Mode;
  explainer: string;
  cases: readonly Case[];
  report: RunReport;
  /** Deliveries by action id, from `action-delivered` events or an approval execution. */
  delivered: readonly { action: Action; delivery: Delivery; note?: string }[];
  /** Requests still waiting for a human. */
  pending: readonly ApprovalRequest[];
  audit: AuditVerification;
  phases: readonly ReportPhase[];
  /** How many cases to show in full. @default 10 */
  topCases?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

const severities = ["critical", "high", "medium", "low", "info"] as const;

/**
 * Turns a run's cases, deliveries, approvals and audit result into the report's data: counts per
 * severity, category, owner and first-seen week, the top cases with their explanations, and the
 * actions taken or waiting.
 * @example
 * const html = renderReport(buildReportData({ mode: "automated", explainer: "knowledge base", cases, report, delivered, pending, audit, phases }));
 */
export function buildReportData(input: ReportInput): ReportData {
  const severity = new Map<string, number>(severities.map((name) => [name, 0]));
  const category = new Map<string, number>();
  const owner = new Map<string, number>();
  const trend = new Map<string, number>();
  let findings = 0;
  for (const item of input.cases) {
    const ownerName = ownerOf(item);
    for (const finding of item.findings) {
      findings++;
      bump(severity, finding.severity);
      bump(category, finding.category);
      bump(owner, ownerName);
      bump(trend, isoWeek(finding.firstSeen));
    }
  }
  return {
    title: input.title ?? "cloudsteward report",
    generatedAt: (input.now?.() ?? new Date()).toISOString(),
    mode: input.mode,
    explainer: input.explainer,
    totals: {
      findings,
      cases: input.cases.length,
      delivered: input.delivered.length,
      pending: input.pending.length,
      deadLetters: input.report.deadLetters.length,
    },
    severity: [...severity].map(([label, count]) => ({ label, count })),
    category: sortedCounts(category),
    owner: sortedCounts(owner).slice(0, 12),
    trend: [...trend].sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => ({ label, count })),
    topCases: [...input.cases]
      .sort((a, b) => (b.priority?.score ?? 0) - (a.priority?.score ?? 0))
      .slice(0, input.topCases ?? 10)
      .map(reportCase),
    delivered: input.delivered.map(({ action, delivery, note }) => ({
      ...actionSummary(action),
      ...(delivery.ref ? { ref: delivery.ref.id } : {}),
      ...(delivery.ref?.url ? { url: delivery.ref.url } : {}),
      ...(note ? { note } : {}),
    })),
    pending: input.pending.map((request) => ({
      ...actionSummary(request.action),
      ref: request.id,
      note: request.reason,
    })),
    usage: input.report.usage,
    audit: input.audit,
    phases: [...input.phases],
    warnings: input.report.warnings.map((warning) => warning.message),
  };
}

// Internal helpers.

function reportCase(item: Case): ReportCase {
  const explanation = item.explanation;
  const first = item.findings[0];
  return {
    id: item.id,
    severity: item.severity,
    priority: item.priority?.score ?? 0,
    findings: findingCountOf(item),
    owner: ownerOf(item),
    environment: item.context?.environment?.value ?? "unknown",
    headline: explanation?.headline ?? first?.title ?? item.id,
    risk: explanation?.risk ?? first?.description ?? "",
    whyItMatters: explanation?.whyItMatters ?? "",
    likelyIntent: explanation?.likelyIntent ?? "",
    remediationSteps: explanation?.remediationSteps ?? [],
    snippets: (explanation?.snippets ?? []).slice(0, 2),
    controls: (explanation?.controls ?? []).map((control) => `${control.framework} ${control.control}`),
    explainedBy: explanation?.source ?? "none",
  };
}

function actionSummary(action: Action): ReportAction {
  return {
    kind: action.kind,
    sink: action.sink ?? "default",
    risk: action.risk,
    caseId: action.case.id,
    headline: action.case.explanation?.headline ?? action.case.findings[0]?.title ?? action.case.id,
  };
}

function ownerOf(item: Case): string {
  return item.context?.owner?.value ?? item.groupKey.owner ?? "unowned";
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sortedCounts(counts: Map<string, number>): ReportCount[] {
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([label, count]) => ({ label, count }));
}

/** `YYYY-Www` of an ISO date (ISO-8601 weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "unknown";
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}
