import type { ApprovalRequest } from "../agents/approvals/queue.js";
import type { Briefing } from "../agents/briefing/briefing.js";
import type { GateDraft } from "../agents/gate/gate.js";
import type { AuditVerification } from "../audit/audit-log.js";
import type { Action } from "../core/action.js";
import { type Case, findingCountOf, type Mode } from "../core/case.js";
import type { Delivery } from "../core/events.js";
import type { Severity } from "../core/finding.js";
import type { RunReport, Usage } from "../core/report.js";

/** The owner of a case no provider named an owner for. */
export const unowned = "unowned";

/** One labelled count of a chart. */
export interface ReportCount {
  label: string;
  count: number;
}

/**
 * One fix and every case it closes, across owners and platforms: the cases of one knowledge-base
 * archetype (or, when none matched, one platform rule), so the same fix is shown once with its reach
 * ("Log4Shell: 14 resources, 6 owners") instead of once per owner.
 */
export interface ReportFix {
  /** The archetype id, else the rule id. */
  key: string;
  /** The rule's name, e.g. `Log4Shell (CVE-2021-44228)`. */
  title: string;
  /** The highest severity among its cases. */
  severity: Severity;
  /** The highest priority among its cases. */
  priority: number;
  cases: number;
  findings: number;
  /** Distinct resources across its cases. */
  resources: number;
  /** Owners, most findings first. */
  owners: string[];
  /** Environments, most findings first. */
  environments: string[];
  /** The explanation of its highest-priority case. */
  risk: string;
  whyItMatters: string;
  remediationSteps: string[];
  snippets: { language: string; label: string; code: string }[];
  controls: string[];
  /** `model`, `knowledge`, or `none`. */
  explainedBy: string;
  /** Its case ids, highest priority first. */
  caseIds: string[];
}

/** Where an action stands: delivered by a sink, waiting for a human, or kept as a read-only draft. */
export type ReportActionStatus = "delivered" | "waiting" | "draft";

/** One action the report lists. */
export interface ReportAction {
  status: ReportActionStatus;
  kind: string;
  sink: string;
  risk: string;
  /** The case's severity. */
  severity: Severity;
  owner: string;
  environment: string;
  /** ISO date (YYYY-MM-DD) from the severity's SLA, when the policy sets one. */
  dueDate?: string;
  caseId: string;
  headline: string;
  /** The policy rule that produced it. */
  rule?: string;
  /** Delivered: the ticket key or message reference; waiting: the approval id. */
  ref?: string;
  url?: string;
  /** The link points at this machine (the sandbox on 127.0.0.1), not at a real tracker. */
  local?: boolean;
  /** Why it waits or was kept as a draft; who approved it, for approved ones. */
  note?: string;
}

/** One timed step of a command (sandbox start, pipeline, report…), shown as a table. */
export interface ReportPhase {
  name: string;
  durationMs: number;
}

/** One pipeline stage on the run's timeline. */
export interface ReportStage {
  name: string;
  /** Milliseconds after the run's start when it took its first input. */
  startMs: number;
  durationMs: number;
  in: number;
  out: number;
}

/** Everything the HTML report renders; plain JSON, built by {@link buildReportData}. */
export interface ReportData {
  title: string;
  generatedAt: string;
  mode: Mode;
  /** e.g. `knowledge base (no model)` or `openai gpt-4.1-mini`. */
  explainer: string;
  totals: {
    findings: number;
    cases: number;
    delivered: number;
    pending: number;
    drafts: number;
    deadLetters: number;
    /** Cases holding findings from two or more platforms: the problems cross-platform dedup folded. */
    casesAcrossPlatforms: number;
  };
  severity: ReportCount[];
  category: ReportCount[];
  /** Findings by the platform that reported them (`wiz`, `prisma`, …). */
  platform: ReportCount[];
  /** The 12 owners with most findings. */
  owner: ReportCount[];
  /** Findings by the ISO week they were first seen (`2026-W14`), oldest first. */
  trend: ReportCount[];
  /** The fixes with the highest-priority cases, grouped across owners. */
  topFixes: ReportFix[];
  /** How many distinct fixes the cases need in all. */
  fixCount: number;
  /** Every action: delivered, waiting for approval and drafts, most severe and soonest due first. */
  actions: ReportAction[];
  usage: Usage;
  audit: AuditVerification;
  /** The command's own steps, one after another. */
  phases: ReportPhase[];
  /** The pipeline's stages: they stream and overlap, so their durations do not add up. */
  stages: ReportStage[];
  /** The pipeline's wall-clock time. */
  pipelineMs: number;
  /** Problems worth acting on. */
  warnings: string[];
  /** Status lines: a stage's counts, what read-only mode held back. */
  notes: string[];
  /** The executive brief shown as the report's briefing section, when the input had one. */
  briefing?: Briefing;
}

/** The inputs of {@link buildReportData}. */
export interface ReportInput {
  /** @default "cloudsteward report" */
  title?: string;
  mode: Mode;
  explainer: string;
  cases: readonly Case[];
  report: RunReport;
  /** Deliveries, from `action-delivered` events or an approval execution. */
  delivered: readonly { action: Action; delivery: Delivery; note?: string }[];
  /** Requests still waiting for a human. */
  pending: readonly ApprovalRequest[];
  /** Drafts a read-only run kept. @default [] */
  drafts?: readonly GateDraft[];
  audit: AuditVerification;
  phases: readonly ReportPhase[];
  /** How many fixes to show in full. @default 10 */
  topFixes?: number;
  /** An executive brief (`buildBriefing` of `cloudsteward/compliance`) to show as the report's briefing section. @default none */
  briefing?: Briefing;
  /** @default () => new Date() */
  now?: () => Date;
}

const severities = ["critical", "high", "medium", "low", "info"] as const;

/**
 * Turns a run's cases, deliveries, approvals, drafts and audit result into the report's data: counts
 * per severity, category, owner and first-seen week, the top fixes grouped across owners, every
 * action with its severity, owner and due date, and the stages on the run's timeline.
 * @example
 * const html = renderReport(buildReportData({ mode: "automated", explainer: "knowledge base", cases, report, delivered, pending, audit, phases }));
 */
export function buildReportData(input: ReportInput): ReportData {
  const severity = new Map<string, number>(severities.map((name) => [name, 0]));
  const category = new Map<string, number>();
  const platform = new Map<string, number>();
  const owner = new Map<string, number>();
  const trend = new Map<string, number>();
  let findings = 0;
  for (const item of input.cases) {
    const ownerName = ownerOf(item);
    for (const finding of item.findings) {
      findings++;
      bump(severity, finding.severity);
      bump(category, finding.category);
      bump(platform, finding.source.platform);
      bump(owner, ownerName);
      bump(trend, isoWeek(finding.firstSeen));
    }
  }
  const drafts = input.drafts ?? [];
  const fixes = fixesOf(input.cases);
  const actions = [
    ...input.delivered.map(({ action, delivery, note }) => ({
      ...actionSummary(action, "delivered"),
      ...(delivery.ref ? { ref: delivery.ref.id } : {}),
      ...(delivery.ref?.url ? { url: delivery.ref.url, local: isLocalUrl(delivery.ref.url) } : {}),
      ...(note ? { note } : {}),
    })),
    ...input.pending.map((request) => ({
      ...actionSummary(request.action, "waiting"),
      ref: request.id,
      note: request.reason,
    })),
    ...drafts.map((draft) => ({ ...actionSummary(draft.action, "draft"), note: draft.reason })),
  ].sort(
    (a, b) =>
      severities.indexOf(a.severity) - severities.indexOf(b.severity) ||
      (a.dueDate ?? "9999").localeCompare(b.dueDate ?? "9999") ||
      a.caseId.localeCompare(b.caseId),
  );
  const stages = Object.entries(input.report.stages)
    .filter(([, stats]) => stats.startMs !== undefined)
    .map(([name, stats]) => ({
      name,
      startMs: stats.startMs ?? 0,
      durationMs: stats.durationMs,
      in: stats.in,
      out: stats.out,
    }));
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
      drafts: drafts.length,
      deadLetters: input.report.deadLetters.length,
      casesAcrossPlatforms: input.cases.filter((item) => item.platforms.length > 1).length,
    },
    severity: [...severity].map(([label, count]) => ({ label, count })),
    category: sortedCounts(category),
    platform: sortedCounts(platform),
    owner: sortedCounts(owner).slice(0, 12),
    trend: [...trend].sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => ({ label, count })),
    topFixes: fixes.slice(0, input.topFixes ?? 10),
    fixCount: fixes.length,
    actions,
    usage: input.report.usage,
    audit: input.audit,
    phases: [...input.phases],
    stages,
    pipelineMs: input.report.durationMs ?? Math.max(0, ...stages.map((s) => s.startMs + s.durationMs)),
    warnings: input.report.warnings
      .filter((warning) => warning.level !== "info")
      .map((warning) => warning.message),
    notes: input.report.warnings
      .filter((warning) => warning.level === "info")
      .map((warning) => warning.message),
    ...(input.briefing ? { briefing: input.briefing } : {}),
  };
}

// Internal helpers.

/** The cases grouped by fix (archetype, else rule), highest priority first. */
function fixesOf(cases: readonly Case[]): ReportFix[] {
  const groups = new Map<string, Case[]>();
  for (const item of cases) {
    const key = fixKeyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const fixes: ReportFix[] = [];
  for (const [key, members] of groups) {
    members.sort((a, b) => priorityOf(b) - priorityOf(a) || a.id.localeCompare(b.id));
    const lead = members[0] as Case;
    const explanation = lead.explanation;
    const first = lead.findings[0];
    const owners = new Map<string, number>();
    const environments = new Map<string, number>();
    const resources = new Set<string>();
    let extraResources = 0;
    let findings = 0;
    for (const item of members) {
      const count = findingCountOf(item);
      findings += count;
      owners.set(ownerOf(item), (owners.get(ownerOf(item)) ?? 0) + count);
      const environment = item.context?.environment?.value ?? "unknown";
      environments.set(environment, (environments.get(environment) ?? 0) + count);
      const sampled = new Set(item.findings.map((finding) => finding.resource.id));
      for (const id of sampled) resources.add(id);
      // A big case holds a sample of its findings; its resource total counts the rest.
      if (item.resourceCount !== undefined) extraResources += Math.max(0, item.resourceCount - sampled.size);
    }
    fixes.push({
      key,
      title: first?.rule.name ?? explanation?.headline ?? lead.id,
      severity: members.reduce<Severity>(
        (worst, item) =>
          severities.indexOf(item.severity) < severities.indexOf(worst) ? item.severity : worst,
        "info",
      ),
      priority: priorityOf(lead),
      cases: members.length,
      findings,
      resources: resources.size + extraResources,
      owners: sortedCounts(owners).map((count) => count.label),
      environments: sortedCounts(environments).map((count) => count.label),
      risk: explanation?.risk ?? first?.description ?? "",
      whyItMatters: explanation?.whyItMatters ?? "",
      remediationSteps:
        explanation?.remediationSteps ?? (first?.rule.remediation ? [first.rule.remediation] : []),
      snippets: (explanation?.snippets ?? []).slice(0, 2),
      controls: (explanation?.controls ?? first?.rule.controls ?? []).map(
        (control) => `${control.framework} ${control.control}`,
      ),
      explainedBy: explanation?.source ?? "none",
      caseIds: members.map((item) => item.id),
    });
  }
  return fixes.sort(
    (a, b) =>
      b.priority - a.priority ||
      severities.indexOf(a.severity) - severities.indexOf(b.severity) ||
      b.resources - a.resources ||
      a.key.localeCompare(b.key),
  );
}

function fixKeyOf(item: Case): string {
  const archetype = item.explanation?.archetypeId;
  if (archetype) return `archetype:${archetype}`;
  return `rule:${item.findings[0]?.rule.id ?? item.groupKey.rule ?? item.id}`;
}

function priorityOf(item: Case): number {
  return item.priority?.score ?? 0;
}

function actionSummary(
  action: Action,
  status: ReportActionStatus,
): Omit<ReportAction, "ref" | "url" | "local" | "note"> {
  return {
    status,
    kind: action.kind,
    sink: action.sink ?? "default",
    risk: action.risk,
    severity: action.case.severity,
    owner: ownerOf(action.case),
    environment: action.case.context?.environment?.value ?? "unknown",
    ...(action.dueDate ? { dueDate: action.dueDate } : {}),
    caseId: action.case.id,
    headline: action.case.explanation?.headline ?? action.case.findings[0]?.title ?? action.case.id,
    ...(action.rule ? { rule: action.rule } : {}),
  };
}

/** A link to this machine: the sandbox's emulated tracker, not a real one. */
function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "[::1]" || host.startsWith("127.");
  } catch {
    return false;
  }
}

function ownerOf(item: Case): string {
  return item.context?.owner?.value ?? item.groupKey.owner ?? unowned;
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
