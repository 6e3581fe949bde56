import { matchInputOf } from "../../core/archetypes/match.js";
import { ConfigurationError } from "../../core/errors.js";
import { type Finding, type Severity, severities, severityRank } from "../../core/finding.js";
import type { PostureHistory } from "../compliance/history.js";
import type { ComplianceException } from "../compliance/posture.js";
import { complianceScore } from "../compliance/posture.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";

/** Options of {@link buildBriefing}. */
export interface BriefingOptions {
  /** The period the brief covers. @default the 7 days up to now */
  period?: { from: Date | string; to: Date | string };
  /** The findings as they stand now (open, resolved, excepted), for the posture trend. */
  findings: Iterable<Finding>;
  /** Gives the compliance score per framework over time. */
  history?: PostureHistory;
  /** Framework keys to report from `history`. @default [] */
  frameworks?: readonly string[];
  /** The snapshot scope. @default "all" */
  scope?: string;
  exceptions?: readonly ComplianceException[];
  /** Exceptions expiring within this many days of the period's end are listed. @default 14 */
  expiringWithinDays?: number;
  /** Days an open finding of each severity may stay open before it breaches its SLA. @default none */
  slaDays?: Partial<Record<Severity, number>>;
  /** Names the fixes the top risks are grouped by. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
  /**
   * Writes the narrative from the facts (a model, say). Its text is used only when every number in
   * it is one of the facts' figures; otherwise the template's narrative is kept and a warning says why.
   */
  narrate?: (facts: Omit<Briefing, "narrative" | "warnings">) => Promise<string>;
  /** @default new Date() */
  now?: Date;
}

/** A group of open findings one fix resolves. */
export interface BriefingRisk {
  /** The archetype, or `platform:rule` when no archetype applies. */
  fix: string;
  title: string;
  findings: number;
  resources: number;
  severity: Severity;
}

/** A weekly (or any period) brief, built only from findings, snapshots and exceptions. */
export interface Briefing {
  period: { from: string; to: string };
  generatedAt: string;
  /** Findings first seen in the period, resolved in the period, and open now, by severity. */
  trend: Record<"new" | "resolved" | "open", Record<Severity, number>>;
  /** Mean days from first seen to resolution of findings resolved in the period (their `lastSeen`), if any. */
  meanDaysToRemediate?: number;
  /** Open findings older than their severity's SLA. */
  slaBreaches: Record<Severity, number>;
  topRisks: BriefingRisk[];
  exceptionsExpiring: { id: string; expiresAt: string; approvedBy?: string }[];
  /** Per framework: the score (pass ÷ assessed, 0–100) at each snapshot of the period, and what changed since the one before the last. */
  compliance: {
    framework: string;
    scores: { at: string; score?: number }[];
    newlyFailing: string[];
    newlyPassing: string[];
  }[];
  narrative: string;
  /** Why a model's narrative was not used, when it was not. */
  warnings: string[];
}

/**
 * Builds a brief: posture trend (new, resolved, open by severity), mean time to remediate, SLA
 * breaches, top risks grouped by fix, exceptions expiring, compliance score per framework over time
 * and what changed, and a narrative whose every number is checked against these facts.
 * @example
 * const brief = await buildBriefing({ findings, history, frameworks: ["soc2"], slaDays: { critical: 7, high: 30 } });
 * console.log(briefingMarkdown(brief));
 */
export async function buildBriefing(options: BriefingOptions): Promise<Briefing> {
  const now = options.now ?? new Date();
  const to = instant(options.period?.to ?? now, "period.to");
  const from = instant(options.period?.from ?? new Date(Date.parse(to) - 7 * 86_400_000), "period.from");
  const knowledge = options.knowledge ?? defaultKnowledge;
  const trend = { new: counts(), resolved: counts(), open: counts() };
  const slaBreaches = counts();
  const remediationDays: number[] = [];
  const groups = new Map<
    string,
    { title: string; findings: number; resources: Set<string>; severity: Severity }
  >();
  // Matching is the costly part; findings of one rule share their archetype. Cached by platform and
  // rule id, then by what else the matcher reads, so no key string is built per finding.
  const archetypes = new Map<string, Map<string, { finding: Finding; archetype: string | undefined }[]>>();
  const archetypeOf = (finding: Finding) => {
    let byRule = archetypes.get(finding.source.platform);
    if (!byRule) {
      byRule = new Map();
      archetypes.set(finding.source.platform, byRule);
    }
    let seen = byRule.get(finding.rule.id);
    if (!seen) {
      seen = [];
      byRule.set(finding.rule.id, seen);
    }
    const known = seen.find(
      ({ finding: other }) =>
        other.title === finding.title &&
        other.resource.type === finding.resource.type &&
        other.category === finding.category,
    );
    if (known) return known.archetype;
    const archetype = knowledge.match(matchInputOf(finding));
    seen.push({ finding, archetype });
    return archetype;
  };
  for (const finding of options.findings) {
    if (finding.firstSeen >= from && finding.firstSeen <= to) trend.new[finding.severity]++;
    if (finding.status === "resolved" && finding.lastSeen >= from && finding.lastSeen <= to) {
      trend.resolved[finding.severity]++;
      remediationDays.push((Date.parse(finding.lastSeen) - Date.parse(finding.firstSeen)) / 86_400_000);
    }
    if (finding.status !== "open" && finding.status !== "in_progress") continue;
    trend.open[finding.severity]++;
    const sla = options.slaDays?.[finding.severity];
    if (sla !== undefined && Date.parse(to) - Date.parse(finding.firstSeen) > sla * 86_400_000)
      slaBreaches[finding.severity]++;
    const archetype = archetypeOf(finding);
    const entry = archetype === undefined ? undefined : knowledge.get(archetype);
    const fix = entry ? archetype! : `${finding.source.platform}:${finding.rule.id}`;
    let group = groups.get(fix);
    if (!group) {
      group = {
        title: entry?.title ?? finding.rule.name,
        findings: 0,
        resources: new Set(),
        severity: finding.severity,
      };
      groups.set(fix, group);
    }
    group.findings++;
    group.resources.add(finding.resource.id);
    if (severityRank(finding.severity) > severityRank(group.severity)) group.severity = finding.severity;
  }
  const topRisks = [...groups]
    .map(([fix, group]) => ({
      fix,
      title: group.title,
      findings: group.findings,
      resources: group.resources.size,
      severity: group.severity,
    }))
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        b.resources - a.resources ||
        a.fix.localeCompare(b.fix),
    )
    .slice(0, 5);

  const horizon = new Date(Date.parse(to) + (options.expiringWithinDays ?? 14) * 86_400_000).toISOString();
  const exceptionsExpiring = (options.exceptions ?? [])
    .filter(
      (exception) =>
        exception.expiresAt !== undefined && exception.expiresAt > to && exception.expiresAt <= horizon,
    )
    .map((exception) => ({
      id: exception.id,
      expiresAt: exception.expiresAt!,
      ...(exception.approvedBy === undefined ? {} : { approvedBy: exception.approvedBy }),
    }))
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));

  const compliance: Briefing["compliance"] = [];
  for (const framework of options.frameworks ?? []) {
    if (!options.history)
      throw new ConfigurationError("buildBriefing: frameworks need a history to read snapshots from", {
        option: "history",
      });
    const snapshots = await options.history.summaries(framework, options.scope ?? "all", {
      since: from,
      until: to,
    });
    const previous = snapshots.at(-2);
    const last = snapshots.at(-1);
    const failing = (snapshot: typeof last) => new Set(Object.keys(snapshot?.fail ?? {}));
    compliance.push({
      framework,
      scores: snapshots.map((snapshot) => {
        const score = complianceScore(snapshot);
        return { at: snapshot.at, ...(score === undefined ? {} : { score: Math.round(score * 100) }) };
      }),
      newlyFailing: previous && last ? [...failing(last)].filter((id) => !failing(previous).has(id)) : [],
      newlyPassing: previous && last ? [...failing(previous)].filter((id) => last.pass.includes(id)) : [],
    });
  }

  const facts = {
    period: { from, to },
    generatedAt: now.toISOString(),
    trend,
    ...(remediationDays.length > 0
      ? {
          meanDaysToRemediate:
            Math.round((remediationDays.reduce((sum, days) => sum + days, 0) / remediationDays.length) * 10) /
            10,
        }
      : {}),
    slaBreaches,
    topRisks,
    exceptionsExpiring,
    compliance,
  };
  const warnings: string[] = [];
  let narrative = templateNarrative(facts);
  if (options.narrate) {
    const written = await options.narrate(facts);
    const invented = uncheckedNumbers(written, facts);
    if (invented.length === 0) narrative = written;
    else
      warnings.push(
        `the written narrative was not used: ${invented.join(", ")} ${invented.length === 1 ? "is" : "are"} not among the facts`,
      );
  }
  return { ...facts, narrative, warnings };
}

/**
 * The numbers in `text` that are not figures of `facts`: a figure is a number in the facts, an array's
 * length, the total of a set of counts (such as findings by severity), or a number standing in a
 * fact's text (`TLS 1.2` in a title). Dates are left out on both sides, so a number that only appears
 * in a date backs nothing. An empty list means every number in the text is backed by the data.
 * @example
 * uncheckedNumbers("12 new critical findings", facts); // [] when 12 is a figure of the facts
 */
export function uncheckedNumbers(text: string, facts: unknown): string[] {
  const known = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === "number") known.add(String(value));
    else if (typeof value === "string") {
      if (!isoDate.test(value)) for (const number of standaloneNumbers(value)) known.add(number);
    } else if (Array.isArray(value)) {
      known.add(String(value.length));
      value.forEach(visit);
    } else if (value && typeof value === "object") {
      const values = Object.values(value);
      if (values.length > 0 && values.every((item) => typeof item === "number"))
        known.add(String((values as number[]).reduce((sum, item) => sum + item, 0)));
      values.forEach(visit);
    }
  };
  visit(facts);
  return [...new Set(standaloneNumbers(text.replace(isoDates, " ")))].filter((number) => !known.has(number));
}

// --- Internal helpers ---------------------------------------------------------------------------------

const isoDate = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/;
const isoDates = /\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/g;

/** Numbers that stand alone in text (not `S3`, `EC2` or `v1`), thousands separators removed, as `String(Number(…))`. */
function standaloneNumbers(text: string): string[] {
  return (text.match(/(?<![\w.])\d+(?:[.,]\d+)*(?![\w])/g) ?? []).map((number) =>
    String(Number(number.replace(/,/g, ""))),
  );
}

function counts(): Record<Severity, number> {
  return Object.fromEntries(severities.map((severity) => [severity, 0])) as Record<Severity, number>;
}

function total(record: Record<Severity, number>): number {
  return severities.reduce((sum, severity) => sum + record[severity], 0);
}

function templateNarrative(facts: Omit<Briefing, "narrative" | "warnings">): string {
  const sentences = [
    `From ${facts.period.from.slice(0, 10)} to ${facts.period.to.slice(0, 10)}: ${total(facts.trend.new)} new findings (${facts.trend.new.critical} critical), ${total(facts.trend.resolved)} resolved, ${total(facts.trend.open)} open (${facts.trend.open.critical} critical, ${facts.trend.open.high} high).`,
  ];
  if (facts.meanDaysToRemediate !== undefined)
    sentences.push(`Resolved findings took ${facts.meanDaysToRemediate} days on average.`);
  if (total(facts.slaBreaches) > 0)
    sentences.push(
      `${plural(total(facts.slaBreaches), "open finding")} ${total(facts.slaBreaches) === 1 ? "is" : "are"} past SLA.`,
    );
  const top = facts.topRisks[0];
  if (top)
    sentences.push(
      `The largest risk is ${top.title} (${top.severity}): one fix closes ${plural(top.findings, "finding")} on ${plural(top.resources, "resource")}.`,
    );
  if (facts.exceptionsExpiring.length > 0)
    sentences.push(
      `${plural(facts.exceptionsExpiring.length, "exception")} ${facts.exceptionsExpiring.length === 1 ? "expires" : "expire"} soon.`,
    );
  for (const framework of facts.compliance) {
    const last = framework.scores.at(-1)?.score;
    if (last !== undefined)
      sentences.push(
        `${framework.framework} scores ${last}%${framework.newlyFailing.length > 0 ? `; ${plural(framework.newlyFailing.length, "requirement")} newly failing` : ""}${framework.newlyPassing.length > 0 ? `; ${framework.newlyPassing.length} newly passing` : ""}.`,
      );
  }
  return sentences.join(" ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function instant(value: Date | string, option: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ConfigurationError(`buildBriefing: ${option} is not a date: ${String(value)}`, { option });
  return date.toISOString();
}
