import { resolve } from "node:path";
import type { ApprovalRequest } from "../../agents/approvals/queue.js";
import { buildBriefing } from "../../agents/briefing/briefing.js";
import { type GateDraft, gateDrafts } from "../../agents/gate/gate.js";
import { governance } from "../../agents/governance/governance.js";
import { stricterMode } from "../../agents/policy/evaluate.js";
import type { Action } from "../../core/action.js";
import { modeSchema } from "../../core/case.js";
import { isAbortError, isCloudstewardError } from "../../core/errors.js";
import { stableHash } from "../../core/fingerprint.js";
import type { Warning } from "../../core/report.js";
import type { Sink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { writeReport } from "../../report/write.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { preflightModel } from "../model.js";
import { preflightForRun } from "../preflight.js";
import { trackProgress } from "../progress.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** The Store namespace of the cursor `run` resumes from. */
export const cursorsNamespace = "cli:cursors";

/**
 * The Store namespace of actions whose delivery failed (`<sink>:<idempotency key>` → the action): the
 * next `run` delivers each again through its sink's ledger, which settles what the failed attempt did.
 */
export const outstandingNamespace = "cli:outstanding";

/** Help text of `cloudsteward run`. */
export const runHelp = `cloudsteward run [options]

Runs the configured pipeline once: every configured source → triage → enrich → explain → decide →
gate → sinks. It resumes from a cursor saved in the store, which advances only past findings whose
actions reached a final state (delivered, or waiting for approval); actions whose delivery failed are
delivered again, through the ticket ledger, by the next run. When the policy file changed since the
last run, the cursor is set aside and every finding is read and decided again under the new policy.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --mode <mode>    read-only | assisted | automated (default: the config's mode; the policy's may be stricter)
  --dry-run        read-only for this run: actions become drafts, nothing is delivered, no cursor moves
  --since <when>   only findings updated since an ISO date or a duration (7d, 12h, 30m); ignores the cursor
  --report <dir>   also write the HTML report of the run to <dir>/index.html
  --json           print the run report as JSON

On a terminal a progress bar follows reading, explaining and delivering; piped, a plain line every
1,000 findings read.

Examples:
  cloudsteward run --dry-run                 # read-only: explanations and drafts, nothing delivered
  cloudsteward run --dry-run --report out    # …and out/index.html; then: cloudsteward drafts
  cloudsteward run --since 7d --dry-run      # only findings updated in the last week
  cloudsteward run --mode assisted           # tickets held for approval (cloudsteward approvals)
  cloudsteward run --config prod/cloudsteward.yaml --json > run.json`;

/** The flags of `cloudsteward run`. */
export const runArgs = {
  flags: {
    config: { type: "string", path: "file" },
    mode: { type: "string", choices: modeSchema.options },
    "dry-run": { type: "boolean", default: false },
    since: { type: "string" },
    report: { type: "string", path: "directory" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward run`: the configured pipeline, once. */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, runArgs);
  const out = createOutput(io, { json: values.json });
  const modeArg = values.mode === undefined ? undefined : modeSchema.safeParse(values.mode);
  const since = values.since === undefined ? undefined : parseSince(values.since, new Date());
  const context = await openContext(io, values.config, { showEndpoints: true });
  try {
    const started = performance.now();
    const refused = await preflightForRun(context, io);
    if (refused !== undefined) return refused;
    const explainer = await preflightModel(context.model, io.signal ? { signal: io.signal } : {});
    if (explainer.problem)
      io.stderr.write(`warning: ${explainer.problem}. This run explains with the knowledge base.\n`);
    const preflightMs = performance.now() - started;
    const requested = values["dry-run"] ? "read-only" : (modeArg?.data ?? context.config.mode);
    const mode = stricterMode(context.policy.mode, requested);
    const startedAt = new Date().toISOString();
    const policyHash = stableHash(JSON.stringify(context.policy));
    const saved = await context.store.get<SavedCursor>(cursorsNamespace, lastRunKey);
    const policyChanged = saved !== undefined && saved.policyHash !== policyHash;
    const cursor = since ?? (policyChanged ? undefined : saved?.updatedAfter);
    out.note(
      `Mode ${mode}${values["dry-run"] ? " (dry run)" : ""}: the stricter of the run's ${requested} and the policy's ${context.policy.mode}. Explanations by ${explainer.label}.`,
    );
    out.note(
      cursor
        ? `Findings updated since ${cursor}.`
        : policyChanged
          ? "The policy changed since the last run: every finding is read and decided again."
          : "All findings (first run).",
    );
    const run = governance({
      sources: Object.values(context.sources),
      ...(cursor ? { query: { updatedAfter: cursor } } : {}),
      policy: context.policy,
      principal: context.config.principal,
      mode,
      sinks: context.sinks,
      store: context.store,
      audit: context.audit,
      approvals: context.approvals,
      ...(explainer.model ? { model: explainer.model } : {}),
    });
    const delivering = mode !== "read-only";
    trackProgress(run, out, { delivering });
    const result = await run.start(io.signal ? { signal: io.signal } : {});
    const outstanding = delivering
      ? await settleOutstanding(context.store, context.sinks, result, io.signal)
      : { retried: 0, failed: [] as Action[], left: 0 };
    if (!values["dry-run"] && since === undefined) {
      await context.store.set<SavedCursor>(cursorsNamespace, lastRunKey, {
        updatedAfter: cursorAfter(startedAt, outstanding.failed),
        policyHash,
      });
    }
    const pending: ApprovalRequest[] = [];
    for await (const request of context.approvals.list({ state: "requested" })) pending.push(request);
    const drafts: GateDraft[] = [];
    for await (const draft of gateDrafts(context.store)) drafts.push(draft);
    const gate = gateCounts(result.report.warnings);
    const newRequests = pending.filter((request) => request.requestedAt >= startedAt).length;
    const newDrafts = drafts.filter((draft) => draft.at >= startedAt);
    const summary = {
      mode,
      requestedMode: requested,
      policyMode: context.policy.mode,
      dryRun: values["dry-run"],
      explainer: explainer.label,
      /** The findings were read from this instant on (the cursor or --since); null: all of them. */
      updatedSince: cursor ?? null,
      /** The policy differs from the one the last run decided under, so every finding was read again. */
      policyChanged,
      findings: result.report.stages.source?.in ?? 0,
      cases: result.cases.length,
      delivered: result.delivered.length + outstanding.retried,
      /** Actions an earlier run failed to deliver, delivered by this one. */
      retried: outstanding.retried,
      /** Actions whose delivery failed; the next run delivers them again. */
      outstanding: outstanding.left,
      /** What this run's gate decided. */
      thisRun: { heldForApproval: gate.held, keptAsDrafts: gate.draft, rejected: gate.rejected },
      /** Approvals and drafts from earlier runs that this run did not add. */
      fromEarlierRuns: {
        waitingForApproval: pending.length - newRequests,
        drafts: drafts.length - newDrafts.length,
      },
      /** Every approval waiting now, this run's and earlier ones. */
      waitingForApproval: pending.length,
      deadLetters: result.report.deadLetters.map((letter) => ({
        stage: letter.stage,
        item: letter.itemId,
        error: letter.error.message,
      })),
      notes: result.report.warnings
        .filter((warning) => warning.level === "info")
        .map((warning) => warning.message),
      warnings: result.report.warnings
        .filter((warning) => warning.level !== "info")
        .map((warning) => warning.message),
      usage: result.report.usage,
      durationMs: Math.round(result.report.durationMs ?? 0),
      ...(values.report ? { report: "" } : {}),
    };
    if (values.report) {
      const verification = await context.audit.verify();
      summary.report = await writeReport(resolve(io.cwd, values.report), {
        title: `cloudsteward run${values["dry-run"] ? " (dry run)" : ""}`,
        mode,
        explainer: explainer.label,
        cases: result.cases,
        report: result.report,
        delivered: result.delivered,
        pending,
        drafts: newDrafts,
        audit: verification,
        briefing: await buildBriefing({
          findings: result.cases.flatMap((item) => item.findings),
          slaDays: context.policy.sla,
        }),
        phases: [
          { name: "preflight", durationMs: preflightMs },
          { name: "pipeline", durationMs: result.report.durationMs ?? 0 },
        ],
      });
    }
    if (out.json) out.data(summary);
    else {
      out.line(
        `${summary.findings} findings → ${summary.cases} cases. This run: ${summary.delivered} delivered, ${gate.held} held for approval, ${gate.draft} kept as drafts${mode === "read-only" ? " (read-only: nothing was delivered)" : ""}.`,
      );
      const earlier = summary.fromEarlierRuns;
      if (earlier.waitingForApproval + earlier.drafts > 0)
        out.line(
          `From earlier runs: ${earlier.waitingForApproval} waiting for approval, ${earlier.drafts} drafts.`,
        );
      if (pending.length + drafts.length > 0)
        out.line(
          `Review them: cloudsteward drafts (${pending.length} waiting, ${drafts.length} drafts in all).`,
        );
      for (const note of summary.notes) out.line(out.dim(note));
      for (const warning of summary.warnings) out.line(out.yellow(`warning: ${warning}`));
      for (const letter of summary.deadLetters)
        out.line(out.red(`dead letter (${letter.stage} ${letter.item ?? ""}): ${letter.error}`));
      if (summary.report) out.line(`Report: ${summary.report}`);
    }
    return summary.deadLetters.length > 0 || outstanding.left > 0 ? exitCodes.failure : exitCodes.ok;
  } finally {
    await context.close();
  }
}

/** An ISO date, or a duration back from `now`: `7d`, `12h`, `30m`. */
export function parseSince(value: string, now: Date): string {
  const duration = /^(\d+)([dhm])$/.exec(value);
  if (duration) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[duration[2] as "d" | "h" | "m"];
    return new Date(now.getTime() - Number(duration[1]) * unit).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw usageError(
      `--since must be an ISO date (2026-03-01) or a duration (7d, 12h, 30m); got "${value}".`,
    );
  return new Date(time).toISOString();
}

// Internal helpers.

/** The cursor key: the start of the last successful run, shared by every configured source. */
const lastRunKey = "last-run";

/** The saved cursor, with the hash of the policy that run decided under. */
interface SavedCursor {
  updatedAfter: string;
  /** Absent in cursors saved before policy hashes were kept: such a cursor counts as a changed policy. */
  policyHash?: string;
}

/** What the gate decided in this run, from its `gate` status line. */
function gateCounts(warnings: readonly Warning[]): { held: number; draft: number; rejected: number } {
  const details = warnings.find((warning) => warning.feature === "gate")?.details ?? {};
  const count = (key: string) => (typeof details[key] === "number" ? (details[key] as number) : 0);
  return { held: count("held"), draft: count("draft"), rejected: count("rejected") };
}

/** An action whose delivery failed, kept for the next run. */
interface OutstandingAction {
  sink: string;
  action: Action;
  failedAt: string;
  error: string;
}

/**
 * Records the actions this run failed to deliver, forgets those it delivered, and delivers again
 * the ones earlier runs left (the sinks' ledgers make that safe: a delivery that went through is
 * found, an uncertain one waits for its settle window). Returns what is still not delivered.
 */
async function settleOutstanding(
  store: Store,
  sinks: Record<string, Sink>,
  result: Awaited<ReturnType<ReturnType<typeof governance>["start"]>>,
  signal: AbortSignal | undefined,
): Promise<{ retried: number; failed: Action[]; left: number }> {
  const keyOf = (sink: string, action: Action) => `${sink}:${action.idempotencyKey}`;
  const handled = new Set<string>();
  for (const { action } of result.delivered) {
    const key = keyOf(action.sink ?? "default", action);
    handled.add(key);
    await store.delete(outstandingNamespace, key);
  }
  const failed: Action[] = [];
  for (const letter of result.report.deadLetters) {
    const action = asAction(letter.item);
    if (!action || !letter.stage.startsWith("deliver")) continue;
    const sink = action.sink ?? "default";
    handled.add(keyOf(sink, action));
    failed.push(action);
    await store.set<OutstandingAction>(outstandingNamespace, keyOf(sink, action), {
      sink,
      action,
      failedAt: new Date().toISOString(),
      error: letter.error.message,
    });
  }
  let retried = 0;
  const earlier: { key: string; value: OutstandingAction }[] = [];
  for await (const entry of store.list<OutstandingAction>(outstandingNamespace)) {
    if (!handled.has(entry.key)) earlier.push(entry);
  }
  for (const { key, value } of earlier) {
    const sink = sinks[value.sink];
    if (!sink) continue;
    try {
      await sink.deliver(value.action, signal ? { signal } : {});
      await store.delete(outstandingNamespace, key);
      retried++;
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw error;
      failed.push(value.action);
      const message = isCloudstewardError(error) || error instanceof Error ? error.message : String(error);
      await store.set<OutstandingAction>(outstandingNamespace, key, {
        ...value,
        failedAt: new Date().toISOString(),
        error: message,
      });
    }
  }
  return { retried, failed, left: failed.length };
}

/**
 * The next cursor: the start of this run, but never past a finding of an action that is not
 * delivered yet (just before the earliest such finding was last seen), so the next run reads it again.
 */
function cursorAfter(startedAt: string, unfinished: readonly Action[]): string {
  let cursor = Date.parse(startedAt);
  for (const action of unfinished) {
    for (const finding of action.case.findings) {
      const seen = Date.parse(finding.lastSeen);
      if (Number.isFinite(seen)) cursor = Math.min(cursor, seen - 1);
    }
  }
  return new Date(cursor).toISOString();
}

function asAction(item: unknown): Action | undefined {
  const candidate = item as Partial<Action> | undefined;
  return candidate && typeof candidate.idempotencyKey === "string" && candidate.case?.findings
    ? (candidate as Action)
    : undefined;
}
