import { governance } from "../../agents/governance/governance.js";
import type { Action } from "../../core/action.js";
import { modeSchema } from "../../core/case.js";
import { isAbortError, isCloudstewardError } from "../../core/errors.js";
import type { Sink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
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
delivered again, through the ticket ledger, by the next run.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --mode <mode>    read-only | assisted | automated (default: the config's mode; the policy's may be stricter)
  --dry-run        read-only for this run: actions become drafts, nothing is delivered, no cursor moves
  --since <when>   only findings updated since an ISO date or a duration (7d, 12h, 30m); ignores the cursor
  --json           print the run report as JSON

On a terminal a progress bar follows reading, explaining and delivering; piped, a plain line every
1,000 findings read.

Examples:
  cloudsteward run --dry-run                 # read-only: explanations and drafts, nothing delivered
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
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward run`: the configured pipeline, once. */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, runArgs);
  const out = createOutput(io, { json: values.json });
  const modeArg = values.mode === undefined ? undefined : modeSchema.safeParse(values.mode);
  const since = values.since === undefined ? undefined : parseSince(values.since, new Date());
  const context = await openContext(io, values.config);
  try {
    const refused = await preflightForRun(context, io);
    if (refused !== undefined) return refused;
    const mode = values["dry-run"] ? "read-only" : (modeArg?.data ?? context.config.mode);
    const startedAt = new Date().toISOString();
    const cursor =
      since ??
      (await context.store.get<{ updatedAfter: string }>(cursorsNamespace, lastRunKey))?.updatedAfter;
    out.note(cursor ? `Findings updated since ${cursor}.` : "All findings (first run).");
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
      ...(context.model.model ? { model: context.model.model } : {}),
    });
    const delivering = !values["dry-run"] && mode !== "read-only";
    trackProgress(run, out, { delivering });
    const result = await run.start(io.signal ? { signal: io.signal } : {});
    const outstanding = delivering
      ? await settleOutstanding(context.store, context.sinks, result, io.signal)
      : { retried: 0, failed: [] as Action[], left: 0 };
    if (!values["dry-run"] && since === undefined) {
      await context.store.set(cursorsNamespace, lastRunKey, {
        updatedAfter: cursorAfter(startedAt, outstanding.failed),
      });
    }
    let pending = 0;
    for await (const _ of context.approvals.list({ state: "requested" })) pending++;
    const summary = {
      mode,
      dryRun: values["dry-run"],
      findings: result.report.stages.source?.in ?? 0,
      cases: result.cases.length,
      delivered: result.delivered.length + outstanding.retried,
      /** Actions an earlier run failed to deliver, delivered by this one. */
      retried: outstanding.retried,
      /** Actions whose delivery failed; the next run delivers them again. */
      outstanding: outstanding.left,
      waitingForApproval: pending,
      deadLetters: result.report.deadLetters.map((letter) => ({
        stage: letter.stage,
        item: letter.itemId,
        error: letter.error.message,
      })),
      warnings: result.report.warnings.map((warning) => warning.message),
      usage: result.report.usage,
      durationMs: Math.round(result.report.durationMs ?? 0),
    };
    if (out.json) out.data(summary);
    else {
      out.line(
        `${summary.findings} findings → ${summary.cases} cases → ${summary.delivered} actions delivered, ${pending} waiting for approval (mode ${mode}${values["dry-run"] ? ", dry run" : ""})`,
      );
      for (const warning of summary.warnings) out.line(out.yellow(`warning: ${warning}`));
      for (const letter of summary.deadLetters)
        out.line(out.red(`dead letter (${letter.stage} ${letter.item ?? ""}): ${letter.error}`));
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
