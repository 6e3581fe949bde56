import { bundledFrameworkKeys } from "../../agents/compliance/framework.js";
import { type PostureHistory, postureHistory } from "../../agents/compliance/history.js";
import { complianceMapper } from "../../agents/compliance/mapping.js";
import {
  assessCompliance,
  type ComplianceException,
  complianceScore,
  type RequirementStatus,
  snapshotStatus,
  toSnapshot,
} from "../../agents/compliance/posture.js";
import { type ExceptionRecord, exceptionNamespace } from "../../agents/exceptions/exceptions.js";
import { casesNamespace } from "../../agents/governance/governance.js";
import type { Sla } from "../../agents/policy/schema.js";
import type { AuditLog } from "../../audit/audit-log.js";
import type { Case } from "../../core/case.js";
import type { Finding } from "../../core/finding.js";
import { memoryStore } from "../../core/memory-store.js";
import type { Store } from "../../core/store.js";
import { sandboxComplianceHistory } from "../../testing/compliance-history.js";
import { auditKey, openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openCliStore } from "../store.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";
import { complianceAnnexCommand } from "./compliance-annex.js";
import { complianceCompareCommand } from "./compliance-compare.js";

/** Help text of `cloudsteward compliance`. */
export const complianceHelp = `cloudsteward compliance [options]

Shows where each compliance framework stands: how many requirements pass, fail or are not assessed
(nothing maps to them; never counted as passing), and the score (pass ÷ assessed). With one
--framework, every requirement with its status and failing resources. The findings are those the
runs stored (or, with --sandbox, the sandbox estate's, with eight weeks of history).

\`cloudsteward compliance annex\` drafts policy annexes for new resource types, and
\`cloudsteward compliance compare\` compares with a CNAPP's own compliance posture (see their help).

Options:
  --framework <key>  a bundled framework (repeatable; default all): ${bundledFrameworkKeys.join(", ")}
  --as-of <date>     the status at that instant, from the last posture snapshot taken by then
  --record           keep a posture snapshot of each framework now, for --as-of and briefs later
  --sandbox          the sandbox estate (weekly snapshots of SOC 2) instead of the config's store
  --config <file>    the config file (default ./cloudsteward.yaml)
  --json             JSON output

Examples:
  cloudsteward compliance
  cloudsteward compliance --framework soc2
  cloudsteward compliance --framework pci-dss-4.0 --as-of 2026-09-30T23:59:59Z
  cloudsteward compliance --record        # after each run, e.g. from the same cron job
  cloudsteward compliance --sandbox --framework soc2 --as-of 2026-10-01`;

/** The flags of `cloudsteward compliance`. */
export const complianceArgs = {
  subcommands: ["annex", "compare"],
  flags: {
    framework: { type: "string", multiple: true, choices: bundledFrameworkKeys },
    "as-of": { type: "string" },
    record: { type: "boolean", default: false },
    sandbox: { type: "boolean", default: false },
    config: { type: "string", path: "file" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** One framework as `cloudsteward compliance` shows it. */
export interface FrameworkStatus {
  framework: string;
  /** The assessment's or the snapshot's instant. */
  at: string;
  /** `findings` when assessed from the findings now, `snapshot` when read back for --as-of. */
  from: "findings" | "snapshot";
  pass: number;
  fail: number;
  notAssessed: number;
  /** Percent of assessed requirements that pass. */
  score?: number;
  /** With one framework: every requirement. */
  requirements?: { id: string; title: string; status: RequirementStatus; failingResources: number }[];
}

/** `cloudsteward compliance`: status per framework (and per requirement), now or as of an instant. */
export async function complianceCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] === "annex") return complianceAnnexCommand(args.slice(1), io);
  if (args[0] === "compare") return complianceCompareCommand(args.slice(1), io);
  const { values } = parseCommandArgs(args, complianceArgs);
  const out = createOutput(io, { json: values.json });
  const frameworks = values.framework?.length ? values.framework : [...bundledFrameworkKeys];
  const asOf = values["as-of"] === undefined ? undefined : instantFlag(values["as-of"], "--as-of");
  const data = await openComplianceData(io, {
    config: values.config,
    sandbox: values.sandbox,
    readOnly: !values.record,
  });
  try {
    const statuses: FrameworkStatus[] = [];
    if (asOf) {
      for (const framework of frameworks) {
        const snapshot = await data.history.asOf(framework, "all", asOf);
        if (!snapshot) continue;
        const score = complianceScore(snapshot);
        const requirements =
          frameworks.length === 1
            ? complianceMapper({ frameworks: [framework] }).frameworks[0]!.requirements.map(
                (requirement) => ({
                  id: requirement.id,
                  title: requirement.title,
                  status: snapshotStatus(snapshot, requirement.id),
                  failingResources: snapshot.fail[requirement.id]?.length ?? 0,
                }),
              )
            : undefined;
        statuses.push({
          framework,
          at: snapshot.at,
          from: "snapshot",
          pass: snapshot.pass.length,
          fail: Object.keys(snapshot.fail).length,
          notAssessed: snapshot.notAssessed.length,
          ...(score === undefined ? {} : { score: Math.round(score * 100) }),
          ...(requirements ? { requirements } : {}),
        });
      }
    } else {
      const assessments = assessCompliance(data.findings, {
        mapper: complianceMapper({ frameworks }),
        at: data.now,
        exceptions: data.exceptions,
      });
      for (const assessment of assessments) {
        if (values.record) await data.history.save(toSnapshot(assessment));
        const count = (status: RequirementStatus) =>
          assessment.requirements.filter((requirement) => requirement.status === status).length;
        const assessed = count("pass") + count("fail");
        statuses.push({
          framework: assessment.framework,
          at: assessment.at,
          from: "findings",
          pass: count("pass"),
          fail: count("fail"),
          notAssessed: count("not-assessed"),
          ...(assessed > 0 ? { score: Math.round((count("pass") / assessed) * 100) } : {}),
          ...(frameworks.length === 1
            ? {
                requirements: assessment.requirements.map((requirement) => ({
                  id: requirement.id,
                  title: requirement.title,
                  status: requirement.status,
                  failingResources: requirement.failingResources.length,
                })),
              }
            : {}),
        });
      }
    }
    if (out.json) {
      out.data(statuses);
      return exitCodes.ok;
    }
    if (statuses.length === 0) {
      out.line(
        `No posture snapshot at or before ${asOf}. Snapshots are kept by \`cloudsteward compliance --record\`.`,
      );
      return exitCodes.ok;
    }
    out.line(
      `${asOf ? `As of ${asOf}, from the posture snapshots` : `From ${data.findings.length} findings (${data.source})`}:`,
    );
    const width = Math.max(...statuses.map((status) => status.framework.length));
    for (const status of statuses)
      out.line(
        `  ${status.framework.padEnd(width)}  ${String(status.score ?? "—").padStart(3)}%  ${status.pass} pass, ${status.fail} fail, ${status.notAssessed} not assessed${status.from === "snapshot" ? ` (snapshot ${status.at})` : ""}`,
      );
    for (const requirement of statuses[0]?.requirements ?? [])
      out.line(
        `  ${requirement.status.padEnd(12)} ${requirement.id.padEnd(14)} ${requirement.title}${requirement.failingResources > 0 ? ` — ${requirement.failingResources} failing resources` : ""}`,
      );
    if (values.record) out.note(`Kept ${statuses.length} posture snapshots.`);
    return exitCodes.ok;
  } finally {
    await data.close();
  }
}

/** The facts the compliance commands read: findings, exceptions, the audit log and posture history. */
export interface ComplianceData {
  findings: Finding[];
  exceptions: ComplianceException[];
  store: Store;
  audit: AuditLog;
  history: PostureHistory;
  /** The instant assessed: now, or the sandbox estate's observation instant. */
  now: Date;
  /** Whether the audit log is HMAC-keyed (then records cannot be recomputed without the key). */
  hmacKeyed: boolean;
  /** Where the findings came from, for the output. */
  source: string;
  /** Days to fix per severity: the policy's `sla`, or the sandbox's (critical 7, high 30, medium 90). */
  slaDays: Sla;
  close(): Promise<void>;
}

/**
 * Opens the compliance facts: the config's store (stored cases' findings, active exceptions, its
 * audit log and snapshots) or, with `sandbox`, the sandbox estate with eight weeks of history, kept
 * in `sandboxStore` (a SQLite file, so its audit log can be verified later) or in memory.
 */
export async function openComplianceData(
  io: CliIo,
  options: {
    config?: string;
    sandbox?: boolean;
    readOnly?: boolean;
    sandboxStore?: string;
    frameworks?: readonly string[];
  },
): Promise<ComplianceData> {
  if (options.sandbox) {
    const store = options.sandboxStore
      ? (await openCliStore({ path: options.sandboxStore, synchronous: "normal" }, io.stderr)).store
      : memoryStore();
    const sandbox = await sandboxComplianceHistory({
      store,
      frameworks: options.frameworks ?? bundledFrameworkKeys,
    });
    return {
      findings: sandbox.findings,
      exceptions: sandbox.exceptions,
      store,
      audit: sandbox.audit,
      history: sandbox.history,
      now: new Date(sandbox.runs.at(-1)!),
      hmacKeyed: false,
      source: `the sandbox's Wiz, ${sandbox.runs.length} weekly runs`,
      slaDays: { critical: 7, high: 30, medium: 90 },
      close: async () => store.close?.(),
    };
  }
  const context = await openContext(io, options.config, { readOnly: options.readOnly ?? true });
  try {
    const findings: Finding[] = [];
    for await (const { value } of context.store.list<Case>(casesNamespace)) findings.push(...value.findings);
    const exceptions: ComplianceException[] = [];
    for await (const { value } of context.store.list<ExceptionRecord>(exceptionNamespace))
      if (value.state === "active")
        exceptions.push({
          id: value.id,
          findingIds: value.findingIds,
          reason: value.justification,
          approvedBy: value.approvals.map((approval) => approval.principal).join(", "),
          expiresAt: value.expiresAt,
        });
    return {
      findings,
      exceptions,
      store: context.store,
      audit: context.audit,
      history: postureHistory(context.store),
      now: new Date(),
      hmacKeyed: auditKey(context.config, io.env) !== undefined,
      source: `the stored cases in ${context.storeLocation}`,
      slaDays: context.policy.sla,
      close: () => context.close(),
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** A date flag as an ISO instant, or a usage error naming the flag. */
export function instantFlag(value: string, flag: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw usageError(`${flag} is not a date: ${value} (e.g. 2026-09-30T23:59:59Z)`);
  return date.toISOString();
}
