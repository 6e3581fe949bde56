import type { Action, ActionKind, RiskLevel } from "../../core/action.js";
import { type Case, findingIdsOf, type Mode } from "../../core/case.js";
import type { Finding } from "../../core/finding.js";
import { pipeline } from "../../core/pipeline.js";
import type { RunReport, Usage } from "../../core/report.js";
import type { Stage } from "../../core/stage.js";
import { decide } from "../decide/decide.js";
import { definePolicy } from "../policy/define.js";
import type { Policy, PolicyInput } from "../policy/schema.js";
import { triage } from "../triage/triage.js";

/** One side of a replay: a policy and the stages that turn findings into cases. */
export interface ReplaySide {
  policy: Policy | PolicyInput;
  /**
   * Findings → cases (triage, enrich, explain…), with their own models (use scripted or cached
   * models so a replay costs nothing, or real ones to measure the cost).
   * @default [triage()]
   */
  stages?: readonly Stage<never, unknown>[];
  /** The mode whose approval requirements are compared. @default the policy's mode */
  mode?: Mode;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Recorded findings; read once and replayed through both sides. */
  findings: Iterable<Finding> | AsyncIterable<Finding>;
  baseline: ReplaySide;
  candidate: ReplaySide;
  /** The clock of both runs. @default () => new Date() */
  now?: () => Date;
}

/** One action, reduced to what a reviewer compares. */
export interface ReplayAction {
  caseId: string;
  kind: ActionKind;
  sink: string;
  rule?: string;
  risk: RiskLevel;
  requiresApproval: boolean;
  dueDate?: string;
  /** The case's title, for the report. */
  title: string;
}

/** What one side produced. */
export interface ReplaySummary {
  cases: number;
  actions: ReplayAction[];
  /** Ids of the findings that reached no case (suppressed). */
  suppressedFindings: string[];
  usage: Usage;
  report: RunReport;
}

/** The difference between the baseline and the candidate. */
export interface ReplayDiff {
  baseline: ReplaySummary;
  candidate: ReplaySummary;
  /** Tickets the candidate would open that the baseline does not. */
  ticketsOpened: ReplayAction[];
  /** Tickets the baseline opens that the candidate would not (they would close, or never open). */
  ticketsClosed: ReplayAction[];
  /** Every action (any kind) only the candidate proposes. */
  actionsAdded: ReplayAction[];
  /** Every action only the baseline proposes. */
  actionsRemoved: ReplayAction[];
  /** Candidate actions that need an approval where the baseline's same action did not (or did not exist). */
  approvalsNeeded: ReplayAction[];
  /** Findings the baseline suppresses and the candidate would not. */
  suppressionsLapsed: string[];
  /** Findings the candidate would suppress and the baseline does not. */
  suppressionsAdded: string[];
  /** Candidate usage minus baseline usage (model calls, tokens, cost). */
  usageDelta: Usage;
}

/**
 * Shadow mode: runs recorded findings through a baseline and a candidate (policy, prompts, models)
 * without delivering anything, and diffs the decisions — tickets that would open or close,
 * suppressions that would lapse, actions that would need approval — and the change in model calls
 * and cost, from the runs' reports. Actions are compared by case, kind and sink, so renaming a rule
 * is not a change.
 * @example
 * const diff = await replay({ findings: lastWeek, baseline: { policy: current }, candidate: { policy: proposed } });
 * console.log(`${diff.ticketsOpened.length} new tickets, ${diff.approvalsNeeded.length} more approvals`);
 */
export async function replay(options: ReplayOptions): Promise<ReplayDiff> {
  const findings: Finding[] = [];
  for await (const finding of options.findings) findings.push(finding);
  const baseline = await runSide(options.baseline, findings, options.now);
  const candidate = await runSide(options.candidate, findings, options.now);

  const before = bySlot(baseline.actions);
  const after = bySlot(candidate.actions);
  const added = candidate.actions.filter((action) => !before.has(slotOf(action)));
  const removed = baseline.actions.filter((action) => !after.has(slotOf(action)));
  const baselineSuppressed = new Set(baseline.suppressedFindings);
  const candidateSuppressed = new Set(candidate.suppressedFindings);
  return {
    baseline,
    candidate,
    ticketsOpened: added.filter((action) => action.kind === "ticket"),
    ticketsClosed: removed.filter((action) => action.kind === "ticket"),
    actionsAdded: added,
    actionsRemoved: removed,
    approvalsNeeded: candidate.actions.filter(
      (action) => action.requiresApproval && before.get(slotOf(action))?.requiresApproval !== true,
    ),
    suppressionsLapsed: baseline.suppressedFindings.filter((id) => !candidateSuppressed.has(id)),
    suppressionsAdded: candidate.suppressedFindings.filter((id) => !baselineSuppressed.has(id)),
    usageDelta: {
      calls: candidate.usage.calls - baseline.usage.calls,
      inputTokens: candidate.usage.inputTokens - baseline.usage.inputTokens,
      outputTokens: candidate.usage.outputTokens - baseline.usage.outputTokens,
      cost: candidate.usage.cost - baseline.usage.cost,
    },
  };
}

// Internal helpers.

async function runSide(
  side: ReplaySide,
  findings: readonly Finding[],
  now?: () => Date,
): Promise<ReplaySummary> {
  const policy = definePolicy(side.policy);
  const seen = new Set<string>();
  const actions: ReplayAction[] = [];
  let cases = 0;
  const tapCases: Stage<Case, Case> = {
    name: "replay-cases",
    async *run(input) {
      for await (const item of input) {
        cases++;
        for (const id of findingIdsOf(item)) seen.add(id);
        yield item;
      }
    },
  };
  const collect: Stage<Action, never> = {
    name: "replay-actions",
    // biome-ignore lint/correctness/useYield: the last stage only records actions, so nothing is delivered.
    async *run(input) {
      for await (const action of input) actions.push(toReplayAction(action));
    },
  };
  const report = await pipeline({
    source: (async function* () {
      yield* findings;
    })(),
    stages: [...(side.stages ?? [triage()]), tapCases, decide({ policy }), collect] as Stage<
      never,
      unknown
    >[],
    mode: side.mode ?? policy.mode,
    ...(now ? { now } : {}),
  }).start();
  const ids = new Set(findings.map((finding) => finding.id));
  return {
    cases,
    actions,
    suppressedFindings: [...ids].filter((id) => !seen.has(id)).sort(),
    usage: { ...report.usage },
    report,
  };
}

function toReplayAction(action: Action): ReplayAction {
  const result: ReplayAction = {
    caseId: action.case.id,
    kind: action.kind,
    sink: action.sink ?? "default",
    risk: action.risk,
    requiresApproval: action.requiresApproval,
    title: action.case.findings[0]?.title ?? action.case.id,
  };
  if (action.rule !== undefined) result.rule = action.rule;
  if (action.dueDate !== undefined) result.dueDate = action.dueDate;
  return result;
}

function slotOf(action: ReplayAction): string {
  return `${action.caseId}\u0000${action.kind}\u0000${action.sink}`;
}

function bySlot(actions: readonly ReplayAction[]): Map<string, ReplayAction> {
  return new Map(actions.map((action) => [slotOf(action), action]));
}
