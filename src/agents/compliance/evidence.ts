import type { AuditLog, AuditRecord, AuditVerification } from "../../audit/audit-log.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Finding, Severity } from "../../core/finding.js";
import { sha256Hex } from "../../core/fingerprint.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { PostureHistory } from "./history.js";
import { type ComplianceMapper, complianceMapper } from "./mapping.js";
import {
  assessCompliance,
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
  failing: EvidenceFinding[];
  failingResources: string[];
  /** Exceptions and risk acceptances in force, with their approvals and tickets. */
  exceptions: (ComplianceException | { id: string; reason: string })[];
  routes: MappingRouteUse[];
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
 * {@link evidencePackOscal}; check it with {@link verifyEvidencePack}.
 * @example
 * const pack = await buildEvidencePack({ framework: "soc2", findings, audit, history, period: { from: "2026-07-01", to: "2026-09-30" } });
 */
export async function buildEvidencePack(options: EvidencePackOptions): Promise<EvidencePack> {
  const now = options.now ?? new Date();
  const knowledge = options.knowledge ?? defaultKnowledge;
  const to = instant(options.period?.to ?? now, "period.to");
  const from = instant(options.period?.from ?? new Date(Date.parse(to) - 90 * 86_400_000), "period.from");
  if (from > to)
    throw new ConfigurationError(`evidence: period.from ${from} is after period.to ${to}`, {
      option: "period",
    });
  const mapper = options.mapper ?? complianceMapper({ frameworks: [options.framework], knowledge });
  const key = typeof options.framework === "string" ? options.framework : options.framework.key;
  const framework = mapper.frameworks.find((candidate) => candidate.key === key);
  if (!framework)
    throw new ConfigurationError(`evidence: the mapper does not hold framework "${key}"`, {
      option: "mapper",
    });

  const findings = new Map<string, Finding>();
  const collected = (function* () {
    for (const finding of options.findings) {
      findings.set(finding.id, finding);
      yield finding;
    }
  })();
  const assessment = assessCompliance(collected, {
    mapper,
    at: to,
    scope: options.scope,
    exceptions: options.exceptions,
  }).find((candidate) => candidate.framework === key)!;

  const snapshots = options.history
    ? await options.history.list(key, assessment.scope, { since: from, until: to })
    : [];
  const records = options.audit
    ? await recordsByFinding(options.audit, from, to)
    : new Map<string, AuditRecord[]>();
  const verification = options.audit ? await options.audit.verify() : undefined;
  const exceptionsById = new Map((options.exceptions ?? []).map((exception) => [exception.id, exception]));
  const cited = new Map<number, AuditRecord>();

  const requirements = assessment.requirements.map((requirement): EvidenceRequirement => {
    const evidence = new Map<number, EvidenceItem>();
    for (const id of [...requirement.failing, ...requirement.passing])
      for (const record of records.get(id) ?? [])
        if (!evidence.has(record.seq)) {
          evidence.set(record.seq, toItem(record));
          cited.set(record.seq, record);
        }
    const failing = requirement.failing.map((id) => toEvidenceFinding(findings.get(id)!));
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
      failing,
      failingResources: requirement.failingResources,
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
    period: { from, to },
    generatedAt: now.toISOString(),
    summary,
    narrative: packNarrative(framework.name, summary, requirements),
    requirements,
    records: [...cited.values()].sort((a, b) => a.seq - b.seq),
    ...(verification?.ok && verification.lastHash !== undefined
      ? { anchor: { seq: verification.count, hash: verification.lastHash } }
      : {}),
    ...(verification === undefined ? {} : { verification }),
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

async function recordsByFinding(
  audit: AuditLog,
  from: string,
  to: string,
): Promise<Map<string, AuditRecord[]>> {
  const byFinding = new Map<string, AuditRecord[]>();
  for await (const record of audit.query({ since: from, until: new Date(Date.parse(to) + 1) })) {
    for (const id of record.event.findingIds ?? []) {
      const list = byFinding.get(id);
      if (list) list.push(record);
      else byFinding.set(id, [record]);
    }
  }
  return byFinding;
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
      `Fails: ${plural(requirement.failing.length, "open finding")} on ${plural(requirement.failingResources.length, "resource")}${weaknesses.length > 0 ? ` (${weaknesses.join("; ")})` : ""}.`,
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
  if (requirement.evidence.length > 0)
    sentences.push(`${plural(requirement.evidence.length, "audit record")} back it.`);
  return sentences.join(" ");
}

function packNarrative(
  name: string,
  summary: EvidencePack["summary"],
  requirements: readonly EvidenceRequirement[],
): string {
  const failing = requirements.filter((requirement) => requirement.status === "fail");
  const worst = [...failing]
    .sort((a, b) => b.failingResources.length - a.failingResources.length)
    .slice(0, 3);
  return [
    `${name}: ${summary.pass} requirements pass, ${summary.fail} fail and ${summary.notAssessed} are not assessed, from ${plural(summary.findings, "finding")} in scope.`,
    worst.length > 0
      ? `The largest gaps: ${worst.map((requirement) => `${requirement.id} (${plural(requirement.failingResources.length, "resource")})`).join(", ")}.`
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
