import {
  approvedBaselines,
  type BaselineDraft,
  baselinesFromSnapshot,
  baselinesFromTerraform,
  knowledgeBaselines,
  type ResourceSnapshot,
} from "../../agents/drift/baseline.js";
import { changeSignals, type Drift, detectDrift } from "../../agents/drift/detect.js";
import { type DriftFix, driftFixesNamespace } from "../../agents/drift/remediate.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";

/** Help text of `cloudsteward drift`. */
export const driftHelp = `cloudsteward drift <baseline|detect|history|fixes> [options]

  baseline --approved-by <name> [--terraform <file>] [--snapshot <file>] [--knowledge] [--comment <text>]
                         approve baselines into the store, each a new version with its approver:
                         from \`terraform show -json\` output (a state or a saved plan), from a snapshot
                         of the estate (a JSON array of { id, type, attributes }), and from the
                         knowledge base's secure settings
  detect --snapshot <file> [--findings <file>] [--fail-on-drift]
                         the drift of the resources in a snapshot file against the approved
                         baselines, each attribute with its before and after values; --findings (a
                         JSON array of normalized findings) attributes it from the platforms' change
                         signals (who, when, console or IaC); --fail-on-drift exits 1 when any is found
  history <scope>        every approved version of a baseline (resource:<id> or type:<type>)
  fixes                  the drift fixes the drift job keeps, with their decision and state

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --json           JSON output

Examples:
  terraform show -json > state.json && cloudsteward drift baseline --terraform state.json --approved-by alice
  cloudsteward drift baseline --knowledge --approved-by alice --comment "secure defaults"
  cloudsteward drift detect --snapshot inventory.json --findings findings.json --fail-on-drift
  cloudsteward drift history resource:arn:aws:s3:::acme-logs`;

/** The flags and subcommands of `cloudsteward drift`. */
export const driftArgs = {
  flags: {
    config: { type: "string", path: "file" },
    "approved-by": { type: "string" },
    terraform: { type: "string", path: "file" },
    snapshot: { type: "string", path: "file" },
    findings: { type: "string", path: "file" },
    knowledge: { type: "boolean", default: false },
    comment: { type: "string" },
    "fail-on-drift": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
  subcommands: ["baseline", "detect", "history", "fixes"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward drift`: approve baselines, detect drift, read baseline history and drift fixes. */
export async function driftCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, driftArgs);
  const verb = subcommandOf(positionals[0], driftArgs.subcommands);
  const out = createOutput(io, { json: values.json });
  if (
    verb === "baseline" &&
    (!values["approved-by"] || !(values.terraform || values.snapshot || values.knowledge))
  ) {
    throw usageError(
      "drift baseline needs --approved-by <name> and at least one of --terraform, --snapshot, --knowledge.",
    );
  }
  if (verb === "detect" && !values.snapshot) throw usageError("drift detect needs --snapshot <file>.");
  if (verb === "history" && !positionals[1])
    throw usageError("drift history needs a scope: resource:<id> or type:<type>.");
  const context = await openContext(io, values.config);
  const baselines = approvedBaselines(context.store);
  try {
    if (verb === "baseline") {
      const drafts: BaselineDraft[] = [];
      if (values.terraform) drafts.push(...baselinesFromTerraform(await readJson(io, values.terraform)));
      if (values.snapshot)
        drafts.push(
          ...baselinesFromSnapshot(snapshotsOf(await readJson(io, values.snapshot), values.snapshot)),
        );
      if (values.knowledge) drafts.push(...knowledgeBaselines());
      const written = await baselines.approve(drafts, {
        approvedBy: values["approved-by"] as string,
        ...(values.comment ? { comment: values.comment } : {}),
      });
      if (out.json) out.data(written);
      else {
        out.line(
          `Approved ${written.length} new baseline version(s) of ${drafts.length} read (the rest were unchanged).`,
        );
        for (const baseline of written)
          out.line(out.dim(`  ${baseline.scope}  v${baseline.version}  ${baseline.source}`));
      }
      return exitCodes.ok;
    }
    if (verb === "detect") {
      const snapshots = snapshotsOf(await readJson(io, values.snapshot as string), values.snapshot as string);
      const findings = values.findings ? ((await readJson(io, values.findings)) as Finding[]) : [];
      const drifts = detectDrift(snapshots, await baselines.index(), { signals: changeSignals(findings) });
      if (out.json) out.data(drifts);
      else {
        out.line(
          drifts.length === 0
            ? `No drift in ${snapshots.length} resource(s).`
            : `${drifts.length} drifted attribute(s):`,
        );
        for (const drift of drifts) out.line(driftLine(drift, out.dim));
      }
      return values["fail-on-drift"] && drifts.length > 0 ? exitCodes.failure : exitCodes.ok;
    }
    if (verb === "history") {
      const versions = await baselines.history(positionals[1] as string);
      if (out.json) out.data(versions);
      else {
        if (versions.length === 0) out.line(`No approved baseline for ${positionals[1]}.`);
        for (const version of versions) {
          out.line(
            `v${version.version}  ${version.approvedAt}  approved by ${version.approvedBy}  (${version.source}${version.comment ? `: ${version.comment}` : ""})`,
          );
        }
      }
      return exitCodes.ok;
    }
    const fixes: DriftFix[] = [];
    for await (const { value } of context.store.list<DriftFix>(driftFixesNamespace)) fixes.push(value);
    if (out.json) out.data(fixes);
    else {
      if (fixes.length === 0) out.line("No drift fixes in the store.");
      for (const fix of fixes) {
        out.line(
          `${fix.state.padEnd(11)} ${fix.decision.padEnd(9)} ${fix.drift.resourceId} ${fix.drift.path}${fix.playbook ? `  (${fix.playbook})` : ""}`,
        );
        out.line(out.dim(`    ${fix.reason}${fix.approvalId ? `; approval ${fix.approvalId}` : ""}`));
      }
    }
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

// Internal helpers.

function driftLine(drift: Drift, dim: (text: string) => string): string {
  const show = (value: unknown) => (value === undefined ? "absent" : JSON.stringify(value));
  const by = drift.change
    ? `${drift.change.actor ?? "unknown"}${drift.change.via ? ` via ${drift.change.via}` : ""}${drift.change.at ? ` at ${drift.change.at}` : ""}`
    : "author not reported";
  return `  ${drift.resourceId}  ${drift.path}: ${show(drift.before)} → ${show(drift.after)}\n${dim(`    ${by}; baseline ${drift.baseline.scope} v${drift.baseline.version}${drift.baseline.iac ? ` (Terraform ${drift.baseline.iac.address})` : ""}`)}`;
}

/** A JSON file, resolved against the working directory. @throws ConfigurationError when it is not JSON. */
export async function readJson(io: CliIo, file: string): Promise<unknown> {
  const { readFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  const text = await readFile(resolve(io.cwd, file), "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${file} is not JSON: ${(error as Error).message}`, {
      option: file,
      cause: error,
    });
  }
}

function snapshotsOf(value: unknown, file: string): ResourceSnapshot[] {
  const valid =
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === "object" &&
        item !== null &&
        typeof item.id === "string" &&
        typeof item.type === "string" &&
        typeof item.attributes === "object" &&
        item.attributes !== null,
    );
  if (!valid) {
    throw new ConfigurationError(
      `${file} must be a JSON array of resource snapshots ({ id, type, attributes }).`,
      {
        option: "snapshot",
      },
    );
  }
  return value as ResourceSnapshot[];
}
