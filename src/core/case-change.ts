import type { Case } from "./case.js";
import type { FindingStatus, Severity } from "./finding.js";
import { redact } from "./redact.js";

/** What a sink remembers about a delivered case, to tell later what changed. */
export interface CaseSnapshot {
  severity: Severity;
  /** Finding id → status. */
  findings: Record<string, FindingStatus>;
}

/** How a case changed since it was delivered. */
export interface CaseChange {
  /** Findings that joined the case. */
  added: string[];
  /** Findings that changed status. */
  statusChanged: { id: string; from: FindingStatus; to: FindingStatus }[];
  severity?: { from: Severity; to: Severity };
  /** Every finding is now resolved, and was not before. */
  resolved: boolean;
  /** Every finding was resolved before, and one is open again. */
  regressed: boolean;
}

/** The snapshot a sink stores after delivering `item`. */
export function snapshotCase(item: Case): CaseSnapshot {
  return {
    severity: item.severity,
    findings: Object.fromEntries(item.findings.map((finding) => [finding.id, finding.status])),
  };
}

/** True when every finding of the snapshot is resolved. */
export function isResolved(snapshot: CaseSnapshot): boolean {
  return Object.values(snapshot.findings).every((status) => status === "resolved");
}

/** Compares a stored snapshot with the case as it is now; `undefined` when nothing changed. */
export function diffCase(previous: CaseSnapshot, item: Case): CaseChange | undefined {
  const next = snapshotCase(item);
  const added: string[] = [];
  const statusChanged: CaseChange["statusChanged"] = [];
  for (const [id, status] of Object.entries(next.findings)) {
    const before = previous.findings[id];
    if (before === undefined) added.push(id);
    else if (before !== status) statusChanged.push({ id, from: before, to: status });
  }
  const severity =
    previous.severity === next.severity ? undefined : { from: previous.severity, to: next.severity };
  if (added.length === 0 && statusChanged.length === 0 && !severity) return undefined;
  const wasResolved = isResolved(previous);
  const nowResolved = isResolved(next);
  return {
    added,
    statusChanged,
    severity,
    resolved: nowResolved && !wasResolved,
    regressed: wasResolved && !nowResolved,
  };
}

/**
 * Plain sentences describing a change, for a ticket comment or a thread reply. Finding titles and
 * resource names are untrusted: secrets in them are masked (unless `raw`) and each becomes one line;
 * escaping for the destination's markup is the sink's job.
 */
export function describeChange(change: CaseChange, item: Case, options: { raw?: boolean } = {}): string[] {
  const lines: string[] = [];
  const titles = new Map(item.findings.map((finding) => [finding.id, finding]));
  const clean = (text: string) =>
    (options.raw === true ? text : redact(text))
      .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, " ")
      .trim();
  const name = (id: string) => {
    const finding = titles.get(id);
    return clean(finding ? `${finding.title} on ${finding.resource.name || finding.resource.id}` : id);
  };
  if (change.resolved) lines.push("Every finding of this case is resolved; closing.");
  if (change.regressed) lines.push("A resolved finding is open again (regression); reopening.");
  if (change.severity) {
    lines.push(
      `Severity changed from ${change.severity.from.toUpperCase()} to ${change.severity.to.toUpperCase()}.`,
    );
  }
  for (const id of change.added) lines.push(`New finding joined: ${name(id)}.`);
  for (const { id, from, to } of change.statusChanged) lines.push(`${name(id)}: ${from} → ${to}.`);
  return lines;
}
