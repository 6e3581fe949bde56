import type { AuditLog, AuditRecord, AuditVerification } from "../../audit/audit-log.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { ConfigurationError } from "../../core/errors.js";
import { type Finding, type Severity, severityRank } from "../../core/finding.js";
import { sha256Hex } from "../../core/fingerprint.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { PostureHistory, PostureSummary } from "./history.js";
import { type ComplianceMapper, complianceMapper } from "./mapping.js";
import {
  assessPositions,
  type ComplianceException,
  type ComplianceScope,
  type MappingRouteUse,
  type RequirementStatus,
  snapshotStatus,
} from "./posture.js";
import type { Framework, FrameworkSource } from "./types.js";

/** Options of {@link buildEvidencePack}. */
export interface EvidencePackOptions {
  /** A bundled framework key or a framework of your own. */
  framework: string | Framework;
  /** The findings the pack assesses (current state). */
  findings: Iterable<Finding>;
  scope?: ComplianceScope;
  /** The period the pack covers; its end is the instant assessed. @default the 90 days up to now */
  period?: { from: Date | string; to: Date | string };
  /** Gives each requirement's status history over the period. */
  history?: PostureHistory;
  /** Gives the evidence items (audit records of the findings) and the chain anchor. */
  audit?: AuditLog;
  exceptions?: readonly ComplianceException[];
  /** Names archetypes in the narratives. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
  /** @default a mapper for the framework alone, with `knowledge` */
  mapper?: ComplianceMapper;
  /**
   * How much each requirement lists: a sample of its failing findings (most severe, then oldest,
   * first) and its failing resources with the most findings; the totals always count them all, and
   * the posture snapshot keeps every failing resource id. @default { findings: 20, resources: 100 }
   */
  limits?: { findings?: number; resources?: number };
  /** @default new Date() */
  now?: Date;
}

/** An audit record that backs a requirement, with what an auditor needs to check it against the chain. */
export interface EvidenceItem {
  seq: number;
  hash: string;
  prevHash: string;
  at: string;
  type: string;
  actor: string;
  caseId?: string;
  findingIds: string[];
}

/** A failing finding, as the pack shows it. */
export interface EvidenceFinding {
  id: string;
  title: string;
  severity: Severity;
  resourceId: string;
  firstSeen: string;
  url?: string;
}

/** One requirement of a pack. */
export interface EvidenceRequirement {
  id: string;
  title: string;
  section: string;
  status: RequirementStatus;
  /** The status at each snapshot of the period, oldest first. */
  history: { at: string; status: RequirementStatus }[];
  /** How many findings and resources fail it, how many mapped findings pass (resolved or excepted), and how many audit records name its findings. */
  totals: {
    failingFindings: number;
    failingResources: number;
    passingFindings: number;
    auditRecords: number;
  };
  /** A sample of the failing findings: the most severe, then the oldest (see `limits`). */
  failing: EvidenceFinding[];
  /** The failing resources with the most failing findings, with their counts (see `limits`). */
  failingResources: { id: string; findings: number }[];
  /** Exceptions and risk acceptances in force, with their approvals and tickets. */
  exceptions: (ComplianceException | { id: string; reason: string })[];
  routes: MappingRouteUse[];
  /** The audit records of the sampled findings (failing and passing), each with its hash. */
  evidence: EvidenceItem[];
  /** "Explain the gaps": a paragraph written from the facts above. */
  narrative: string;
}

/** An audit-ready evidence pack for one framework, scope and period. */
export interface EvidencePack {
  framework: { key: string; name: string; version?: string; source?: FrameworkSource };
  scope: string;
  period: { from: string; to: string };
  generatedAt: string;
  summary: { pass: number; fail: number; notAssessed: number; findings: number; score?: number };
  narrative: string;
  requirements: EvidenceRequirement[];
  /** Every audit record an evidence item cites, once, in log order: each hash can be recomputed from the pack alone. */
  records: AuditRecord[];
  /** The audit chain's last record when the pack was built: verify the log against it. */
  anchor?: { seq: number; hash: string };
  /** The audit log's verification when the pack was built. */
  verification?: AuditVerification;
}

/**
 * Builds an evidence pack: per requirement the status and its history over the period, the failing
 * findings and resources, the exceptions in force, the routes that mapped them, the audit records
 * that back them (each with its hash) and a narrative; the pack carries the audit chain's anchor.
 * Render it with {@link evidencePackMarkdown}, {@link evidencePackCsv}, {@link evidencePackHtml} or
 * {@link evidencePackOscal}; check it with {@link verifyEvidencePack}. For several frameworks over the
 * same findings, {@link buildEvidencePacks} maps and reads the audit log once.
 * @example
 * const pack = await buildEvidencePack({ framework: "soc2", findings, audit, history, period: { from: "2026-07-01", to: "2026-09-30" } });
 */
export async function buildEvidencePack(options: EvidencePackOptions): Promise<EvidencePack> {
  const { framework, ...rest } = options;
  const [pack] = await buildEvidencePacks({ ...rest, frameworks: [framework] });
  return pack!;
}

/** Options of {@link buildEvidencePacks}: those of {@link buildEvidencePack}, with several frameworks. */
export interface EvidencePacksOptions extends Omit<EvidencePackOptions, "framework"> {
  /** Bundled framework keys or frameworks of your own. */
  frameworks: readonly (string | Framework)[];
}

/**
 * Builds one evidence pack per framework over the same findings, audit log and period, mapping the
 * findings, reading the audit log and verifying its chain once for all of them.
 * @example
 * const packs = await buildEvidencePacks({ frameworks: ["soc2", "iso27001-2022"], findings, audit, history });
 */
export async function buildEvidencePacks(options: EvidencePacksOptions): Promise<EvidencePack[]> {
  const now = options.now ?? new Date();
  const knowledge = options.knowledge ?? defaultKnowledge;
  const to = instant(options.period?.to ?? now, "period.to");
  const from = instant(options.period?.from ?? new Date(Date.parse(to) - 90 * 86_400_000), "period.from");
  if (from > to)
    throw new ConfigurationError(`evidence: period.from ${from} is after period.to ${to}`, {
      option: "period",
    });
  const mapper = options.mapper ?? complianceMapper({ frameworks: options.frameworks, knowledge });
  const keys = options.frameworks.map((framework) =>
    typeof framework === "string" ? framework : framework.key,
  );
  for (const key of keys)
    if (!mapper.frameworks.some((candidate) => candidate.key === key))
      throw new ConfigurationError(`evidence: the mapper does not hold framework "${key}"`, {
        option: "mapper",
      });

  const findings = Array.isArray(options.findings)
    ? (options.findings as readonly Finding[])
    : [...options.findings];
  const assessments = assessPositions(findings, {
    mapper,
    at: to,
    scope: options.scope,
    exceptions: options.exceptions,
    frameworks: keys,
  });
  const records = options.audit ? await recordsByPosition(options.audit, findings, from, to) : undefined;
  const verification = options.audit ? await options.audit.verify() : undefined;
  const facts: PackFacts = {
    findings,
    records,
    pressing: pressingOrder(findings),
    exceptionsById: new Map((options.exceptions ?? []).map((exception) => [exception.id, exception])),
    findingLimit: options.limits?.findings ?? 20,
    resourceLimit: options.limits?.resources ?? 100,
    knowledge,
    stamps: new Int32Array(records?.list.length ?? 0),
    stamp: 0,
  };
  const packs: EvidencePack[] = [];
  for (const assessment of assessments) {
    const framework = mapper.frameworks.find((candidate) => candidate.key === assessment.framework)!;
    const snapshots = options.history
      ? await options.history.summaries(framework.key, assessment.scope, { since: from, until: to })
      : [];
    packs.push({
      ...packOf(framework, assessment, snapshots, facts),
      period: { from, to },
      generatedAt: now.toISOString(),
      ...(verification?.ok && verification.lastHash !== undefined
        ? { anchor: { seq: verification.count, hash: verification.lastHash } }
        : {}),
      ...(verification === undefined ? {} : { verification }),
    });
  }
  return packs;
}

/**
 * The audit records of a period, numbered in log order, and which of them name each finding: the
 * numbers of the records naming the finding at position `p` are `numbers[offsets[p]]` up to
 * `numbers[offsets[p + 1]]` (excluded).
 */
interface PositionedRecords {
  list: AuditRecord[];
  offsets: Int32Array;
  numbers: Int32Array;
}

/** What every pack of one {@link buildEvidencePacks} call shares. */
interface PackFacts {
  findings: readonly Finding[];
  records: PositionedRecords | undefined;
  /** Finding position → its rank when the most severe, then oldest, come first. */
  pressing: () => Int32Array;
  exceptionsById: ReadonlyMap<string, ComplianceException>;
  findingLimit: number;
  resourceLimit: number;
  knowledge: KnowledgeBase;
  /** Record number → the last requirement that counted it, to count distinct records without a set per requirement. */
  stamps: Int32Array;
  stamp: number;
}

function packOf(
  framework: Framework,
  assessment: ReturnType<typeof assessPositions>[number],
  snapshots: readonly PostureSummary[],
  facts: PackFacts,
): Omit<EvidencePack, "period" | "generatedAt" | "anchor" | "verification"> {
  const { findings, records, exceptionsById, findingLimit, resourceLimit, knowledge, stamps } = facts;
  const cited = new Map<number, AuditRecord>();
  const requirements = assessment.requirements.map((requirement): EvidenceRequirement => {
    const failing = mostPressing(requirement.failing, facts.pressing, findingLimit);
    const evidence = new Map<number, EvidenceItem>();
    let backing = 0;
    if (records) {
      const { list, offsets, numbers } = records;
      for (const position of [...failing, ...requirement.passing.slice(0, findingLimit)])
        for (let index = offsets[position]!; index < offsets[position + 1]!; index++) {
          const record = list[numbers[index]!]!;
          if (!evidence.has(record.seq)) {
            evidence.set(record.seq, toItem(record));
            cited.set(record.seq, record);
          }
        }
      const stamp = ++facts.stamp;
      for (const positions of [requirement.failing, requirement.passing])
        for (const position of positions)
          for (let index = offsets[position]!; index < offsets[position + 1]!; index++)
            if (stamps[numbers[index]!] !== stamp) {
              stamps[numbers[index]!] = stamp;
              backing++;
            }
    }
    const exceptions = requirement.exceptions.map(
      (id) =>
        exceptionsById.get(id) ?? { id, reason: "status set on the platform (risk accepted or suppressed)" },
    );
    const history = snapshots.map((snapshot) => ({
      at: snapshot.at,
      status: snapshotStatus(snapshot, requirement.id),
    }));
    const result: EvidenceRequirement = {
      id: requirement.id,
      title: requirement.title,
      section: requirement.section,
      status: requirement.status,
      history,
      totals: {
        failingFindings: requirement.failing.length,
        failingResources: requirement.failingResources.length,
        passingFindings: requirement.passing.length,
        auditRecords: backing,
      },
      failing: failing.map((position) => toEvidenceFinding(findings[position]!)),
      failingResources: mostFindings(requirement.failingResources, resourceLimit),
      exceptions,
      routes: requirement.routes,
      evidence: [...evidence.values()].sort((a, b) => a.seq - b.seq),
      narrative: "",
    };
    result.narrative = requirementNarrative(result, knowledge);
    return result;
  });

  const count = (status: RequirementStatus) =>
    requirements.filter((requirement) => requirement.status === status).length;
  const summary = {
    pass: count("pass"),
    fail: count("fail"),
    notAssessed: count("not-assessed"),
    findings: assessment.findingCount,
    ...(count("pass") + count("fail") > 0 ? { score: count("pass") / (count("pass") + count("fail")) } : {}),
  };
  return {
    framework: {
      key: framework.key,
      name: framework.name,
      ...(framework.version === undefined ? {} : { version: framework.version }),
      ...(framework.source === undefined ? {} : { source: framework.source }),
    },
    scope: assessment.scope,
    summary,
    narrative: packNarrative(framework.name, summary, requirements),
    requirements,
    records: [...cited.values()].sort((a, b) => a.seq - b.seq),
  };
}

/** The result of {@link verifyEvidencePack}. */
export interface EvidenceVerification {
  ok: boolean;
  /** Evidence items checked. */
  items: number;
  /** Records that do not recompute to their hash or differ from the log's, and items citing no record of the pack, by seq, with why. */
  failures: { seq: number; reason: string }[];
  /** The audit log checked against the pack's anchor. */
  chain: AuditVerification;
}

/**
 * Checks a pack against the audit log: the log verifies up to the pack's anchor, every record the
 * pack carries recomputes to its hash (SHA-256 of canonical JSON; not for an HMAC-keyed log) and is
 * the record the log holds at that position, and every evidence item cites one of them by its hash.
 * @example
 * const result = await verifyEvidencePack(JSON.parse(await readFile("pack.json", "utf8")), audit);
 */
export async function verifyEvidencePack(
  pack: EvidencePack,
  audit: AuditLog,
  options: { hmacKeyed?: boolean } = {},
): Promise<EvidenceVerification> {
  const chain = await audit.verify(pack.anchor ? { anchor: pack.anchor } : {});
  const logged = new Map<number, string>();
  for await (const record of audit.query()) logged.set(record.seq, record.hash);
  const inPack = new Map(pack.records.map((record) => [record.seq, record]));
  const failures: EvidenceVerification["failures"] = [];
  for (const { seq, at, prevHash, event, hash } of pack.records) {
    if (!options.hmacKeyed && sha256Hex(canonicalJson({ seq, at, prevHash, event })) !== hash)
      failures.push({ seq, reason: "the record does not recompute to its hash" });
    else if (logged.get(seq) !== hash)
      failures.push({ seq, reason: "the audit log holds another record at this position" });
  }
  let items = 0;
  for (const requirement of pack.requirements)
    for (const item of requirement.evidence) {
      items++;
      if (inPack.get(item.seq)?.hash !== item.hash)
        failures.push({ seq: item.seq, reason: "the item's hash is not the hash of the pack's record" });
    }
  return { ok: chain.ok && failures.length === 0, items, failures, chain };
}

// --- Internal helpers ---------------------------------------------------------------------------------

async function recordsByPosition(
  audit: AuditLog,
  findings: readonly Finding[],
  from: string,
  to: string,
): Promise<PositionedRecords> {
  const positionOf = new Map<string, number>();
  for (let position = 0; position < findings.length; position++)
    positionOf.set(findings[position]!.id, position);
  const list: AuditRecord[] = [];
  // (position, record number) pairs, then grouped by position.
  const pairs: number[] = [];
  const offsets = new Int32Array(findings.length + 1);
  for await (const record of audit.query({ since: from, until: new Date(Date.parse(to) + 1) })) {
    const number = list.push(record) - 1;
    for (const id of record.event.findingIds ?? []) {
      const position = positionOf.get(id);
      if (position === undefined) continue;
      pairs.push(position, number);
      offsets[position + 1]!++;
    }
  }
  for (let position = 0; position < findings.length; position++) offsets[position + 1]! += offsets[position]!;
  const numbers = new Int32Array(pairs.length / 2);
  const next = offsets.slice(0, findings.length);
  for (let index = 0; index < pairs.length; index += 2) numbers[next[pairs[index]!]!++] = pairs[index + 1]!;
  return { list, offsets, numbers };
}

function toItem(record: AuditRecord): EvidenceItem {
  return {
    seq: record.seq,
    hash: record.hash,
    prevHash: record.prevHash,
    at: record.event.at ?? record.at,
    type: record.event.type,
    actor: record.event.actor,
    ...(record.event.caseId === undefined ? {} : { caseId: record.event.caseId }),
    findingIds: record.event.findingIds ?? [],
  };
}

/**
 * Ranks the findings once, most severe first, then oldest, then by id, so each requirement picks its
 * sample by comparing integers. Computed on first use: packs with no failing finding never sort.
 */
function pressingOrder(findings: readonly Finding[]): () => Int32Array {
  let ranks: Int32Array | undefined;
  return () => {
    if (ranks) return ranks;
    const order = findings
      .map((_, position) => position)
      .sort((a, b) => {
        const x = findings[a]!;
        const y = findings[b]!;
        return (
          severityRank(y.severity) - severityRank(x.severity) ||
          (x.firstSeen < y.firstSeen ? -1 : x.firstSeen > y.firstSeen ? 1 : 0) ||
          (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
        );
      });
    ranks = new Int32Array(findings.length);
    order.forEach((position, rank) => {
      ranks![position] = rank;
    });
    return ranks;
  };
}

/** The positions of the `limit` most pressing of `positions` (see {@link pressingOrder}), most pressing first. */
function mostPressing(positions: readonly number[], ranking: () => Int32Array, limit: number): number[] {
  if (positions.length === 0 || limit <= 0) return [];
  const ranks = ranking();
  const kept: number[] = [];
  for (const position of positions) {
    const rank = ranks[position]!;
    if (kept.length === limit && rank >= ranks[kept[limit - 1]!]!) continue;
    let index = kept.length;
    while (index > 0 && rank < ranks[kept[index - 1]!]!) index--;
    kept.splice(index, 0, position);
    if (kept.length > limit) kept.pop();
  }
  return kept;
}

/** The `limit` resources with the most findings; among equals, the order given (by id). */
function mostFindings(
  resources: readonly { id: string; findings: number }[],
  limit: number,
): { id: string; findings: number }[] {
  const kept: { id: string; findings: number }[] = [];
  if (limit <= 0) return kept;
  for (const resource of resources) {
    if (kept.length === limit && resource.findings <= kept[limit - 1]!.findings) continue;
    let index = kept.length;
    while (index > 0 && resource.findings > kept[index - 1]!.findings) index--;
    kept.splice(index, 0, resource);
    if (kept.length > limit) kept.pop();
  }
  return kept;
}

function toEvidenceFinding(finding: Finding): EvidenceFinding {
  return {
    id: finding.id,
    title: finding.title,
    severity: finding.severity,
    resourceId: finding.resource.id,
    firstSeen: finding.firstSeen,
    ...(finding.source.url === undefined ? {} : { url: finding.source.url }),
  };
}

function requirementNarrative(requirement: EvidenceRequirement, knowledge: KnowledgeBase): string {
  if (requirement.status === "not-assessed")
    return "Not assessed: no check, archetype or rule maps to this requirement and no finding reached it; it needs evidence collected another way.";
  const sentences: string[] = [];
  if (requirement.status === "fail") {
    const archetypes = [
      ...new Set(requirement.routes.flatMap((route) => /archetype ([a-z0-9:-]+)/.exec(route.via)?.[1] ?? [])),
    ];
    const weaknesses = archetypes
      .map((id) => knowledge.get(id)?.title)
      .filter((title): title is string => title !== undefined)
      .slice(0, 3);
    sentences.push(
      `Fails: ${plural(requirement.totals.failingFindings, "open finding")} on ${plural(requirement.totals.failingResources, "resource")}${weaknesses.length > 0 ? ` (${weaknesses.join("; ")})` : ""}.`,
    );
  } else sentences.push("Passes: something assesses it and no open finding maps to it.");
  if (requirement.exceptions.length > 0)
    sentences.push(
      `${plural(requirement.exceptions.length, "exception")} in force: ${requirement.exceptions
        .map((exception) =>
          [
            exception.id,
            "approvedBy" in exception && exception.approvedBy
              ? `approved by ${exception.approvedBy}`
              : undefined,
            "expiresAt" in exception && exception.expiresAt
              ? `expires ${exception.expiresAt.slice(0, 10)}`
              : undefined,
          ]
            .filter(Boolean)
            .join(", "),
        )
        .join("; ")}.`,
    );
  const changes = requirement.history.filter(
    (point, index) => index > 0 && point.status !== requirement.history[index - 1]!.status,
  );
  if (changes.length > 0)
    sentences.push(
      `Over the period it changed ${plural(changes.length, "time")}: ${changes.map((change) => `${change.status} on ${change.at.slice(0, 10)}`).join(", ")}.`,
    );
  if (requirement.totals.auditRecords > 0)
    sentences.push(
      `${plural(requirement.totals.auditRecords, "audit record")} name its findings${requirement.evidence.length < requirement.totals.auditRecords ? `; the ${plural(requirement.evidence.length, "record")} of the sampled findings are cited here` : ""}.`,
    );
  return sentences.join(" ");
}

function packNarrative(
  name: string,
  summary: EvidencePack["summary"],
  requirements: readonly EvidenceRequirement[],
): string {
  const failing = requirements.filter((requirement) => requirement.status === "fail");
  const worst = [...failing]
    .sort((a, b) => b.totals.failingResources - a.totals.failingResources)
    .slice(0, 3);
  return [
    `${name}: ${summary.pass} requirements pass, ${summary.fail} fail and ${summary.notAssessed} are not assessed, from ${plural(summary.findings, "finding")} in scope.`,
    worst.length > 0
      ? `The largest gaps: ${worst.map((requirement) => `${requirement.id} (${plural(requirement.totals.failingResources, "resource")})`).join(", ")}.`
      : "No requirement fails.",
    summary.notAssessed > 0
      ? "Requirements not assessed have no automated check here and need evidence collected another way; they are never counted as passing."
      : "",
  ]
    .filter(Boolean)
    .join(" ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function instant(value: Date | string, option: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ConfigurationError(`evidence: ${option} is not a date: ${String(value)}`, { option });
  return date.toISOString();
}
