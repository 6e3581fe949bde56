import { approvedBaselines, type ResourceSnapshot } from "../../agents/drift/baseline.js";
import { changeSignals, detectDrift } from "../../agents/drift/detect.js";
import { type FixFormat, type FixRoute, fixFormats, valueAt } from "../../agents/drift/playbooks.js";
import { type DriftFix, driftRemediation } from "../../agents/drift/remediate.js";
import { functionRemediation } from "../../agents/remediation/function.js";
import { pipelineTrigger } from "../../agents/remediation/pipeline-trigger.js";
import type { Action } from "../../core/action.js";
import { assertWritable, ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Remediator } from "../../core/remediator.js";
import { type CliContext, openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";
import { readJson } from "./drift.js";

/** Help text of `cloudsteward remediate`. */
export const remediateHelp = `cloudsteward remediate <plan|execute> --snapshot <file> [options]

Detects the drift of the resources in a snapshot file against the approved baselines (cloudsteward
drift baseline) and, for each drift, decides under the policy: automatic (a low-risk pattern the
policy marks automatic, outside production, IAM and network, approved by remediation.automationPrincipal),
a named human's approval, or an incident ticket only.

  plan      the decision and why, the playbook, the exact request of the chosen route, the steps and
            rollback in the chosen format, what the fix closes. Writes and sends nothing.
  execute   the CI/CD route of cloudsteward.yaml (remediation.pipeline, a GitHub workflow_dispatch;
            token GITHUB_TOKEN). Without --execute a dry run: the exact POST each fix would send.
            With --execute (needs remediation.allowWrite: true): asks for each approval (ticket and
            notify actions go to the configured sinks), triggers every fix that is approved — by the
            automation principal or by a named human with cloudsteward approvals approve <id> — once,
            then re-reads the resource (Prisma Cloud's config search when sources.prisma is
            configured, else the snapshot file again) until the playbook's checks pass or its
            deadline passes. Every step goes to the audit log. Exit 1 when a fix failed verification.

Options:
  --config <file>                the config file (default ./cloudsteward.yaml)
  --snapshot <file>              a JSON array of { id, type, attributes, environment? }
  --findings <file>              normalized findings whose change signals attribute the drift
  --route <route>                plan: native | pipeline | pull-request | webhook (default pipeline)
  --format <format>              cli | terraform | cloudformation | console (default terraform)
  --automation-principal <id>    plan: the policy principal that would approve automatic fixes
                                 (default remediation.automationPrincipal)
  --execute                      execute: send the approved fixes (default: a dry run)
  --json                         JSON output

Examples:
  cloudsteward remediate plan --snapshot inventory.json --route native --format cli
  cloudsteward remediate execute --snapshot inventory.json
  cloudsteward remediate execute --snapshot inventory.json --findings findings.json --execute`;

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
    execute: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
  subcommands: ["plan", "execute"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward remediate plan|execute`: the drift job over a snapshot file, dry run or executed. */
export async function remediateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, remediateArgs);
  const verb = subcommandOf(positionals[0], remediateArgs.subcommands);
  if (!values.snapshot) throw usageError(`remediate ${verb} needs --snapshot <file>.`);
  if (values.execute && verb !== "execute") throw usageError("--execute goes with remediate execute.");
  const out = createOutput(io, { json: values.json });
  // A run that sends prints first every host it sends credentials to (the pipeline's among them).
  const context = await openContext(io, values.config, { showEndpoints: values.execute });
  try {
    const snapshotFile = values.snapshot;
    const readSnapshots = async () => {
      const snapshots = (await readJson(io, snapshotFile)) as ResourceSnapshot[];
      if (!Array.isArray(snapshots)) {
        throw new ConfigurationError(`${snapshotFile} must be a JSON array of resource snapshots.`, {
          option: "snapshot",
        });
      }
      return snapshots;
    };
    const snapshots = await readSnapshots();
    const findings = values.findings ? ((await readJson(io, values.findings)) as Finding[]) : [];
    const drifts = detectDrift(snapshots, await approvedBaselines(context.store).index(), {
      signals: changeSignals(findings),
    });
    const remediation = context.config.remediation;
    const automationPrincipal = values["automation-principal"] ?? remediation?.automationPrincipal;
    const route: FixRoute = verb === "execute" ? "pipeline" : (values.route as FixRoute);
    const pipeline = remediation?.pipeline;
    const body = (action: Pick<Action, "params" | "case">) => ({
      ref: pipeline?.ref ?? "main",
      inputs: { ...(action.params.fix as { inputs?: Record<string, string> }).inputs, case: action.case.id },
    });
    let remediator: Remediator = refusing(route);
    if (values.execute) {
      if (!pipeline) {
        throw new ConfigurationError(
          "remediate execute --execute: configure remediation.pipeline.url (a GitHub workflow_dispatch URL) in cloudsteward.yaml.",
          { option: "remediation.pipeline" },
        );
      }
      if (remediation?.allowWrite !== true) {
        throw new ConfigurationError(
          "remediate execute --execute: writes are off. Set remediation.allowWrite: true in cloudsteward.yaml to let it trigger fixes.",
          { option: "remediation.allowWrite" },
        );
      }
      const token = io.env.GITHUB_TOKEN;
      if (!token) {
        throw new ConfigurationError(
          "remediate execute --execute: set GITHUB_TOKEN for remediation.pipeline.",
          {
            option: "GITHUB_TOKEN",
          },
        );
      }
      remediator = pipelineTrigger({
        name: "drift-pipeline",
        url: pipeline.url,
        token,
        headers: { accept: "application/vnd.github+json" },
        body,
        rollback: "Revert the commit the workflow pushed.",
      });
    }
    const read = reader(context, readSnapshots);
    const job = driftRemediation({
      policy: context.policy,
      store: context.store,
      audit: context.audit,
      remediators: { [route]: remediator },
      choose: () => ({ route, format: values.format as FixFormat }),
      read,
      ...(context.sinks ? { sinks: context.sinks } : {}),
      ...(automationPrincipal ? { automationPrincipal } : {}),
    });
    if (verb === "plan" || !values.execute) {
      const fixes = await job.plan(drifts);
      printFixes(out, fixes, snapshots.length, (fix) =>
        verb === "execute" && fix.plan && fix.decision !== "ticket"
          ? [
              `would POST ${pipeline?.url ?? "<remediation.pipeline.url>"} ${JSON.stringify(
                body({ params: { fix: fix.plan.request }, case: { id: fix.caseId } as Action["case"] }),
              )}`,
            ]
          : [],
      );
      return exitCodes.ok;
    }
    // A snapshot file may be older than a fix already verified: handle only drift still there.
    const current: typeof drifts = [];
    for (const drift of drifts) {
      const now = drift.path.startsWith("rule:") ? undefined : await read(drift.resourceId, {});
      if (!now || JSON.stringify(valueAt(now.attributes, drift.path)) === JSON.stringify(drift.after))
        current.push(drift);
    }
    await job.handle(current);
    const result = await job.execute();
    const fixes: DriftFix[] = [];
    for (const drift of current) {
      const fix = await job.get(drift.id);
      if (fix) fixes.push(fix);
    }
    printFixes(out, fixes, snapshots.length, (fix) =>
      fix.state === "waiting" && fix.approvalId
        ? [`approve with: cloudsteward approvals approve ${fix.approvalId} --as <principal>`]
        : [`${fix.state}: ${fix.history.at(-1)?.note ?? ""}`],
    );
    for (const error of result.errors)
      out.line(`error: approval ${error.approvalId}: ${error.error.message}`);
    const failed = result.failed.length + result.rolledBack.length + result.errors.length;
    return failed > 0 ? exitCodes.failure : exitCodes.ok;
  } finally {
    await context.close();
  }
}

// Internal helpers.

/** A remediator for dry runs: never called, and refuses to write if it ever were. */
function refusing(route: FixRoute): Remediator {
  return functionRemediation({
    name: `cli-${route}`,
    remediate: async () => {
      assertWritable(`cli-${route}`, false, "remediate");
      throw new Error("unreachable");
    },
  });
}

/** Reads a resource again: Prisma Cloud's config search when configured, else the snapshot file. */
function reader(context: CliContext, readSnapshots: () => Promise<ResourceSnapshot[]>) {
  const prisma = context.sources.prisma;
  return async (id: string, { signal }: { signal?: AbortSignal }): Promise<ResourceSnapshot | undefined> => {
    if (prisma?.query) {
      const quoted = id.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
      const answer = (await prisma.query(
        { query: `config from cloud.resource where id = '${quoted}'`, variables: { withResourceJson: true } },
        { signal },
      )) as { items?: { id?: string; resourceType?: string; data?: Record<string, unknown> }[] };
      const item = answer.items?.find((row) => row.id === id);
      if (item?.data) return { id, type: item.resourceType ?? "", attributes: item.data };
    }
    return (await readSnapshots()).find((snapshot) => snapshot.id === id);
  };
}

function printFixes(
  out: ReturnType<typeof createOutput>,
  fixes: readonly DriftFix[],
  resources: number,
  extra: (fix: DriftFix) => string[],
): void {
  if (out.json) {
    out.data(fixes);
    return;
  }
  if (fixes.length === 0) out.line(`No drift in ${resources} resource(s).`);
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
    for (const line of extra(fix)) out.line(`    ${line}`);
  }
}
