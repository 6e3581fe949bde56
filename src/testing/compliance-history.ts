import { wiz } from "../adapters/wiz/wiz.js";
import { type PostureHistory, postureHistory } from "../agents/compliance/history.js";
import { complianceMapper } from "../agents/compliance/mapping.js";
import { assessCompliance, type ComplianceException, toSnapshot } from "../agents/compliance/posture.js";
import { type AuditLog, auditLog } from "../audit/audit-log.js";
import type { Finding, FindingStatus } from "../core/finding.js";
import { memoryStore } from "../core/memory-store.js";
import type { Store } from "../core/store.js";
import { startSandbox } from "./sandbox/server.js";

/** Options of {@link sandboxComplianceHistory}. */
export interface SandboxComplianceOptions {
  /** Estate seed. @default 1 */
  seed?: number;
  /** Wiz findings in the estate. @default 300 */
  size?: number;
  /** Weekly runs, the last one at the estate's observation instant. @default 8 */
  weeks?: number;
  /** Frameworks snapshotted at every run. @default ["soc2"] */
  frameworks?: readonly string[];
  /** Where the audit log and the snapshots go. @default a memory store */
  store?: Store;
}

/** Weeks of sandbox history: what a compliance pack and a brief are built from. */
export interface SandboxComplianceHistory {
  /** The findings as the last run saw them (every status), read from the sandbox's Wiz through the adapter. */
  findings: Finding[];
  /** Exceptions granted over the weeks: some expired, some expiring soon, some in force. */
  exceptions: ComplianceException[];
  store: Store;
  audit: AuditLog;
  history: PostureHistory;
  /** The instants of the weekly runs, oldest first; the last is the estate's observation instant. */
  runs: string[];
}

const day = 86_400_000;
const everyStatus: FindingStatus[] = ["open", "in_progress", "resolved", "risk_accepted", "suppressed"];

/**
 * Gives the sandbox estate several weeks of history: reads its Wiz findings (every status) through
 * the adapter from a sandbox on 127.0.0.1, then replays one run a week. Each run sees the findings
 * first seen by then (a finding resolved later is still open then), logs their ingestion, the
 * resolutions of the week and the exceptions granted that week in the audit log, and keeps a posture
 * snapshot per framework. Exceptions go to every seventh open critical or high finding's resource,
 * granted across the weeks for 3 or 8 weeks, so some have expired, some expire soon, some hold.
 * @example
 * const { findings, exceptions, audit, history, runs } = await sandboxComplianceHistory({ weeks: 8 });
 * const pack = await buildEvidencePack({ framework: "soc2", findings, exceptions, audit, history, now: new Date(runs.at(-1)!) });
 */
export async function sandboxComplianceHistory(
  options: SandboxComplianceOptions = {},
): Promise<SandboxComplianceHistory> {
  const weeks = Math.max(2, Math.floor(options.weeks ?? 8));
  const frameworks = options.frameworks ?? ["soc2"];
  const sandbox = await startSandbox({
    seed: options.seed ?? 1,
    size: options.size ?? 300,
    platforms: ["wiz"],
  });
  const findings: Finding[] = [];
  try {
    for await (const finding of wiz({ ...sandbox.wiz, rateLimit: false }).findings({ status: everyStatus }))
      findings.push(finding);
  } finally {
    await sandbox.close();
  }
  findings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const now = Date.parse(sandbox.estate.now);
  const runs = Array.from({ length: weeks }, (_, week) =>
    new Date(now - (weeks - 1 - week) * 7 * day).toISOString(),
  );

  const exceptions: ComplianceException[] = findings
    .filter(
      (finding) =>
        (finding.status === "open" || finding.status === "in_progress") &&
        (finding.severity === "critical" || finding.severity === "high"),
    )
    .filter((_, index) => index % 7 === 0)
    .map((finding, index) => {
      const granted = runs[index % (weeks - 1)]!;
      return {
        id: `EXC-${String(index + 1).padStart(3, "0")}`,
        resourceIds: [finding.resource.id],
        reason: `Compensating control while ${finding.rule.name} is fixed on ${finding.resource.name}`,
        approvedBy: index % 2 === 0 ? "ciso@example.com" : "security-lead@example.com",
        approvedAt: granted,
        expiresAt: new Date(Date.parse(granted) + (index % 3 === 0 ? 8 : 3) * 7 * day).toISOString(),
        ticket: `GRC-${100 + index}`,
      };
    });

  const store = options.store ?? memoryStore();
  const audit = auditLog(store);
  const history = postureHistory(store);
  const mapper = complianceMapper({ frameworks });
  let previous = Number.NEGATIVE_INFINITY;
  for (const run of runs) {
    const at = Date.parse(run);
    const seen = findings
      .filter((finding) => Date.parse(finding.firstSeen) <= at)
      .map((finding) => asOf(finding, at));
    for (let start = 0; start < seen.length; start += 100)
      await audit.append({
        type: "ingestion",
        at: run,
        actor: "cloudsteward/pipeline",
        findingIds: seen.slice(start, start + 100).map((finding) => finding.id),
        data: { platform: "wiz", run },
      });
    const resolved = seen.filter(
      (finding) => finding.status === "resolved" && Date.parse(finding.lastSeen) > previous,
    );
    if (resolved.length > 0)
      await audit.append({
        type: "resolution",
        at: run,
        actor: "cloudsteward/pipeline",
        findingIds: resolved.map((finding) => finding.id),
        data: { platform: "wiz", resolved: resolved.length },
      });
    for (const exception of exceptions.filter(
      (candidate) => Date.parse(candidate.approvedAt!) > previous && Date.parse(candidate.approvedAt!) <= at,
    ))
      await audit.append({
        type: "exception",
        at: run,
        actor: exception.approvedBy!,
        findingIds: seen
          .filter((finding) => exception.resourceIds!.includes(finding.resource.id))
          .map((finding) => finding.id),
        data: {
          exception: exception.id,
          state: "approved",
          expiresAt: exception.expiresAt,
          ticket: exception.ticket,
        },
      });
    for (const assessment of assessCompliance(seen, { mapper, at: run, exceptions }))
      await history.save(toSnapshot(assessment));
    previous = at;
  }
  return { findings, exceptions, store, audit, history, runs };
}

/** A finding as a run at `at` saw it: resolved only once its resolution (`lastSeen`) has happened. */
function asOf(finding: Finding, at: number): Finding {
  if (Date.parse(finding.lastSeen) <= at) return finding;
  return {
    ...finding,
    status: finding.status === "resolved" ? "open" : finding.status,
    lastSeen: new Date(at).toISOString(),
  };
}
