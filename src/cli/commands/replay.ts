import { resolve } from "node:path";
import { enrich } from "../../agents/enrich/enrich.js";
import { compareModels, type ModelComparison } from "../../agents/evaluation/compare.js";
import { casesNamespace } from "../../agents/governance/governance.js";
import { loadPolicyFile } from "../../agents/policy/load.js";
import { type ReplayAction, replay } from "../../agents/replay/replay.js";
import { triage } from "../../agents/triage/triage.js";
import type { Case } from "../../core/case.js";
import type { Finding } from "../../core/finding.js";
import type { Stage } from "../../core/stage.js";
import { openContext } from "../context.js";
import { type CliIo, type CliOutput, createOutput, exitCodes } from "../io.js";
import { type CliModelProvider, cliModel } from "../model.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward replay`. */
export const replayHelp = `cloudsteward replay --policy <candidate.yaml> [options]
cloudsteward replay --baseline-model <provider> --candidate-model <provider> [options]

Replays the findings recorded by earlier runs through the configured policy and a candidate policy,
without delivering anything, and prints what would change: tickets opened or closed, actions added
or removed, new approvals.

With --baseline-model and --candidate-model instead, replays the recorded cases through the explain
stage and the triage verdict with each model (none: the knowledge base) and prints the cases whose
explanation source (model or fallback), archetype, headline, remediation or verdict would change,
before a switch. Nothing is delivered or stored.

Options:
  --policy <file>            the candidate policy
  --baseline-model <p>       none | auto | openai | anthropic | ollama: the model in use
  --candidate-model <p>      the same choices: the model to switch to (CLOUDSTEWARD_MODEL names the
                             model id of both)
  --config <file>  the config file (default ./cloudsteward.yaml)
  --limit <n>      actions listed per change (default 10)
  --json           the whole diff as JSON

Examples:
  cloudsteward replay --policy ./policy.candidate.yaml
  cloudsteward replay --policy ./policy.candidate.yaml --limit 50
  cloudsteward replay --policy ./policy.candidate.yaml --json > policy-diff.json
  cloudsteward replay --baseline-model none --candidate-model anthropic`;

/** The flags of `cloudsteward replay`. */
export const replayArgs = {
  flags: {
    policy: { type: "string", path: "file" },
    "baseline-model": { type: "string", choices: ["none", "auto", "openai", "anthropic", "ollama"] },
    "candidate-model": { type: "string", choices: ["none", "auto", "openai", "anthropic", "ollama"] },
    config: { type: "string", path: "file" },
    limit: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward replay`: a policy change, tried on recorded findings. */
export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, replayArgs);
  const baselineModel = values["baseline-model"];
  const candidateModel = values["candidate-model"];
  const comparing = baselineModel !== undefined || candidateModel !== undefined;
  if (comparing && (baselineModel === undefined || candidateModel === undefined || values.policy)) {
    throw usageError(
      "replay compares models with both --baseline-model and --candidate-model, without --policy.",
    );
  }
  if (!comparing && !values.policy)
    throw usageError("replay needs --policy <candidate.yaml>, or --baseline-model and --candidate-model.");
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config);
  try {
    if (comparing) {
      const recorded: Case[] = [];
      for await (const { value } of context.store.list<Case>(casesNamespace)) recorded.push(value);
      if (recorded.length === 0) {
        io.stderr.write("cloudsteward replay: no recorded cases yet. Run `cloudsteward run` first.\n");
        return exitCodes.failure;
      }
      const baseline = cliModel(baselineModel as CliModelProvider | "auto", io.env);
      const candidate = cliModel(candidateModel as CliModelProvider | "auto", io.env);
      const comparison = await compareModels(recorded, {
        ...(baseline.model && { baseline: baseline.model }),
        ...(candidate.model && { candidate: candidate.model }),
        signal: io.signal,
      });
      if (out.json) {
        out.data(comparison);
        return exitCodes.ok;
      }
      printComparison(out, comparison, Number(values.limit));
      return exitCodes.ok;
    }
    const candidate = await loadPolicyFile(resolve(io.cwd, values.policy!));
    const findings = new Map<string, Finding>();
    for await (const { value } of context.store.list<Case>(casesNamespace)) {
      for (const finding of value.findings) findings.set(finding.id, finding);
    }
    if (findings.size === 0) {
      io.stderr.write(
        "cloudsteward replay: no recorded findings yet. Run `cloudsteward run` (or --dry-run) first.\n",
      );
      return exitCodes.failure;
    }
    const stages = () => [triage(), enrich()] as Stage<never, unknown>[];
    const diff = await replay({
      findings: findings.values(),
      baseline: { policy: context.policy, stages: stages() },
      candidate: { policy: candidate, stages: stages() },
    });
    if (out.json) {
      out.data(diff);
      return exitCodes.ok;
    }
    const limit = Number(values.limit);
    out.line(
      `Replayed ${findings.size} recorded finding(s): baseline ${diff.baseline.actions.length} action(s), candidate ${diff.candidate.actions.length}.`,
    );
    const list = (title: string, actions: ReplayAction[]) => {
      out.line(`${out.bold(title)}: ${actions.length}`);
      for (const action of actions.slice(0, limit))
        out.line(`  ${action.kind} → ${action.sink}  ${action.risk}  ${action.title}`);
    };
    list("Tickets opened", diff.ticketsOpened);
    list("Tickets closed", diff.ticketsClosed);
    list("Actions added", diff.actionsAdded);
    list("Actions removed", diff.actionsRemoved);
    list("New approvals needed", diff.approvalsNeeded);
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

function printComparison(out: CliOutput, comparison: ModelComparison, limit: number): void {
  const { baseline, candidate } = comparison;
  out.line(
    `Replayed ${comparison.cases} recorded case(s): baseline ${baseline.model} (${baseline.promptVersions}), candidate ${candidate.model} (${candidate.promptVersions}).`,
  );
  out.line(
    `Explanations written by the model: baseline ${comparison.modelWritten.baseline}, candidate ${comparison.modelWritten.candidate}.`,
  );
  out.line(`${out.bold("Cases that change")}: ${comparison.changed.length}`);
  for (const [difference, count] of Object.entries(comparison.byDifference))
    out.line(`  ${difference}: ${count}`);
  for (const item of comparison.changed.slice(0, limit)) {
    out.line(`  ${item.caseId}: ${item.differences.join(", ")}`);
    if (item.differences.includes("verdict"))
      out.line(`    verdict ${item.baseline.verdict} → ${item.candidate.verdict}`);
    if (item.differences.includes("source"))
      out.line(`    source ${item.baseline.source} → ${item.candidate.source}`);
  }
}
