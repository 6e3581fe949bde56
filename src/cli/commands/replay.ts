import { resolve } from "node:path";
import { enrich } from "../../agents/enrich/enrich.js";
import { casesNamespace } from "../../agents/governance/governance.js";
import { loadPolicyFile } from "../../agents/policy/load.js";
import { type ReplayAction, replay } from "../../agents/replay/replay.js";
import { triage } from "../../agents/triage/triage.js";
import type { Case } from "../../core/case.js";
import type { Finding } from "../../core/finding.js";
import type { Stage } from "../../core/stage.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward replay`. */
export const replayHelp = `cloudsteward replay --policy <candidate.yaml> [options]

Replays the findings recorded by earlier runs through the configured policy and a candidate policy,
without delivering anything, and prints what would change: tickets opened or closed, actions added
or removed, new approvals.

Options:
  --policy <file>  the candidate policy (required)
  --config <file>  the config file (default ./cloudsteward.yaml)
  --limit <n>      actions listed per change (default 10)
  --json           the whole diff as JSON

Examples:
  cloudsteward replay --policy ./policy.candidate.yaml
  cloudsteward replay --policy ./policy.candidate.yaml --limit 50
  cloudsteward replay --policy ./policy.candidate.yaml --json > policy-diff.json`;

/** The flags of `cloudsteward replay`. */
export const replayArgs = {
  flags: {
    policy: { type: "string", path: "file" },
    config: { type: "string", path: "file" },
    limit: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward replay`: a policy change, tried on recorded findings. */
export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, replayArgs);
  if (!values.policy) throw usageError("replay needs --policy <candidate.yaml>.");
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config);
  try {
    const candidate = await loadPolicyFile(resolve(io.cwd, values.policy));
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
