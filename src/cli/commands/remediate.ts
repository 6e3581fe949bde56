import { approvedBaselines, type ResourceSnapshot } from "../../agents/drift/baseline.js";
import { changeSignals, detectDrift } from "../../agents/drift/detect.js";
import { type FixFormat, type FixRoute, fixFormats } from "../../agents/drift/playbooks.js";
import { driftRemediation } from "../../agents/drift/remediate.js";
import { functionRemediation } from "../../agents/remediation/function.js";
import { assertWritable, ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";
import { readJson } from "./drift.js";

/** Help text of `cloudsteward remediate`. */
export const remediateHelp = `cloudsteward remediate plan --snapshot <file> [options]

A dry run of the drift job: detects the drift of the resources in a snapshot file against the
approved baselines (cloudsteward drift baseline), and for each drift shows what the policy decides
(automatic, a named human's approval, or a ticket only) and why, the playbook, the exact request the
chosen route would send (the native operation and input, the workflow_dispatch inputs, the pull
request, the webhook event), the steps and rollback in the chosen format, and what the fix closes.
Nothing is written or sent: executing fixes needs remediators, which you configure in code
(driftRemediation in cloudsteward/drift, docs/remediation.md).

Options:
  --config <file>                the config file (default ./cloudsteward.yaml)
  --snapshot <file>              a JSON array of { id, type, attributes, environment? }
  --findings <file>              normalized findings whose change signals attribute the drift
  --route <route>                native | pipeline | pull-request | webhook (default pipeline)
  --format <format>              cli | terraform | cloudformation | console (default terraform)
  --automation-principal <id>    the policy principal that would approve automatic fixes
  --json                         JSON output

Examples:
  cloudsteward remediate plan --snapshot inventory.json --route native --format cli
  cloudsteward remediate plan --snapshot inventory.json --automation-principal drift-bot --json`;

const routes = ["native", "pipeline", "pull-request", "webhook"] as const;

/** The flags and subcommands of `cloudsteward remediate`. */
export const remediateArgs = {
  flags: {
    config: { type: "string", path: "file" },
    snapshot: { type: "string", path: "file" },
    findings: { type: "string", path: "file" },
    route: { type: "string", default: "pipeline", choices: routes },
    format: { type: "string", default: "terraform", choices: fixFormats },
    "automation-principal": { type: "string" },
    json: { type: "boolean", default: false },
  },
  subcommands: ["plan"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward remediate plan`: the drift job's dry run over a snapshot file. */
export async function remediateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, remediateArgs);
  subcommandOf(positionals[0], remediateArgs.subcommands);
  if (!values.snapshot) throw usageError("remediate plan needs --snapshot <file>.");
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config);
  try {
    const snapshots = (await readJson(io, values.snapshot)) as ResourceSnapshot[];
    if (!Array.isArray(snapshots)) {
      throw new ConfigurationError(`${values.snapshot} must be a JSON array of resource snapshots.`, {
        option: "snapshot",
      });
    }
    const findings = values.findings ? ((await readJson(io, values.findings)) as Finding[]) : [];
    const drifts = detectDrift(snapshots, await approvedBaselines(context.store).index(), {
      signals: changeSignals(findings),
    });
    const route = values.route as FixRoute;
    // The dry run never calls a remediator; this one refuses to write if anything ever did.
    const refusing = functionRemediation({
      name: `cli-${route}`,
      remediate: async () => {
        assertWritable(`cli-${route}`, false, "remediate");
        throw new Error("unreachable");
      },
    });
    const job = driftRemediation({
      policy: context.policy,
      store: context.store,
      remediators: { [route]: refusing },
      choose: () => ({ route, format: values.format as FixFormat }),
      read: async (id) => snapshots.find((snapshot) => snapshot.id === id),
      ...(values["automation-principal"] ? { automationPrincipal: values["automation-principal"] } : {}),
    });
    const fixes = await job.plan(drifts);
    if (out.json) {
      out.data(fixes);
      return exitCodes.ok;
    }
    if (fixes.length === 0) out.line(`No drift in ${snapshots.length} resource(s).`);
    for (const fix of fixes) {
      out.line(
        `${out.bold(fix.decision)}  ${fix.drift.resourceId}  ${fix.drift.path}${fix.playbook ? `  (${fix.playbook})` : ""}`,
      );
      out.line(out.dim(`    ${fix.reason}`));
      if (fix.plan) {
        out.line(`    ${fix.plan.route} request: ${JSON.stringify(fix.plan.request)}`);
        for (const step of fix.plan.steps) out.line(`    step: ${step}`);
        for (const step of fix.plan.rollback) out.line(out.dim(`    rollback: ${step}`));
      }
      if (fix.impact) out.line(out.dim(`    closes ${fix.impact.closes.findingIds.length} finding(s)`));
    }
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}
