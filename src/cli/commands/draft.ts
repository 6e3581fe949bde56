import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { DraftPlatform } from "../../agents/drafting/compile/index.js";
import { deployDraft } from "../../agents/drafting/deploy.js";
import { type Draft, draftPolicy } from "../../agents/drafting/draft.js";
import { exportDraft } from "../../agents/drafting/export.js";
import {
  type DraftImpact,
  type ExistingFinding,
  type ImpactResource,
  replayDraft,
} from "../../agents/drafting/impact.js";
import { configurationFor } from "../../agents/drafting/templates.js";
import { saveDraft } from "../../agents/drafting/versions.js";
import { generateEstate } from "../../testing/estate.js";
import { openContext } from "../context.js";
import { demoPolicy } from "../demo-policy.js";
import { type CliIo, type CliOutput, createOutput, exitCodes } from "../io.js";
import { type CliModelProvider, cliModel } from "../model.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward draft`. */
export const draftHelp = `cloudsteward draft "<requirement>" [options]

Drafts a policy from a plain requirement: a portable rule tested against positive and negative
fixture configurations, the Wiz (Rego), Prisma Cloud (RQL), Lacework (LQL) and Orca (Sonar)
policies compiled from it, the governance routing rule for its findings, and its impact on the
sandbox estate (resources flagged by account, environment and owner, findings it duplicates, tickets
and approvals it would add). Without a model the requirement is matched to a template of the
knowledge base's archetypes; with one, the model proposes the rule and fixtures. A draft that fails
its own fixtures is printed as NOT READY and the command exits 1. Nothing is deployed unless you
pass --deploy: then the draft's version is saved in the configured Store and, once a principal
approved the deployment in the approval queue, its policy is created (disabled) in the platform
through the configured source, which must have allowWrite: true (Wiz: a cloud configuration rule;
Prisma Cloud: a config policy; Lacework: a saved query and its policy; Orca: a Sonar rule). Exit 1
until the policy is written.

Options:
  --model <provider>   none | auto | openai | anthropic | ollama (default none: templates only)
  --seed <n>           sandbox estate seed (default 1)
  --size <n>           sandbox findings per platform (default 200)
  --out <dir>          also write the draft as files for review in git: <dir>/<rule id>/rule.json,
                       rule.cel, wiz.rego, prisma.rql, lacework.lql, orca.sonar, governance.json, README.md
  --deploy <platform>  wiz | orca | prisma | lacework: ask for (then perform) the deployment
  --as <principal>     who asks for the deployment (never its approver)
  --config <file>      the config with the Store, the policy and the source (default ./cloudsteward.yaml)
  --json               the draft and its impact as JSON

Examples:
  cloudsteward draft "no storage bucket may be public"
  cloudsteward draft "SSH must not be open to the internet" --json | jq '.draft.policies[].text'
  cloudsteward draft "EBS volumes must be encrypted" --out policies/drafts
  cloudsteward draft "no storage bucket may be public" --deploy wiz --as alice
  OPENAI_API_KEY=… cloudsteward draft "encrypt all PII at rest with KMS" --model auto`;

/** The flags of `cloudsteward draft`. */
export const draftArgs = {
  positionals: true,
  flags: {
    model: { type: "string", default: "none", choices: ["none", "auto", "openai", "anthropic", "ollama"] },
    seed: { type: "string", default: "1" },
    size: { type: "string", default: "200" },
    out: { type: "string", path: "directory" },
    deploy: { type: "string", choices: ["wiz", "prisma", "lacework", "orca"] },
    as: { type: "string" },
    config: { type: "string", path: "file" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward draft`: a tested rule, four platform policies, a governance rule and its impact on the sandbox estate. */
export async function draftCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, draftArgs);
  if (positionals.length !== 1) {
    throw usageError(
      positionals.length === 0
        ? 'draft needs a requirement, e.g. cloudsteward draft "no storage bucket may be public".'
        : `draft takes one requirement in quotes; got ${positionals.length} words.`,
    );
  }
  const seed = Number(values.seed);
  const size = Number(values.size);
  if (!Number.isInteger(seed) || !Number.isInteger(size) || size < 1) {
    throw usageError("--seed and --size must be whole numbers (size at least 1)");
  }
  const out = createOutput(io, { json: values.json });
  const { model, label } = cliModel(values.model as CliModelProvider | "auto", io.env);
  const draft = await draftPolicy(positionals[0] ?? "", { ...(model ? { model } : {}), signal: io.signal });
  const estate = sandboxImpactInput(seed, size);
  const impact = await replayDraft(draft, {
    resources: estate.resources,
    findings: estate.findings,
    policy: demoPolicy(),
    now: () => estate.now,
  });
  if (out.json) out.data({ model: label, draft, impact });
  else printDraft(out, draft, impact, label);
  if (values.out !== undefined) {
    const directory = resolve(io.cwd, values.out);
    const files = exportDraft(draft);
    for (const file of files) {
      const path = join(directory, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
    }
    out.note(`Wrote ${files.length} files to ${join(directory, draft.rule.id)}`);
  }
  if (values.deploy !== undefined && draft.ready)
    return deploy(draft, values.deploy as DraftPlatform, values, io, out);
  return draft.ready ? exitCodes.ok : exitCodes.failure;
}

/**
 * `--deploy <platform>`: saves the draft's version in the configured Store and creates its policy in
 * the platform through the configured source once approved (`deployDraft`); exit 1 until it is written.
 */
async function deploy(
  draft: Draft,
  platform: DraftPlatform,
  values: { as?: string; config?: string },
  io: CliIo,
  out: CliOutput,
): Promise<number> {
  if (values.as === undefined)
    throw usageError("--deploy needs --as <principal>: who asks for the deployment.");
  const context = await openContext(io, values.config, { showEndpoints: true });
  try {
    const source = context.sources[platform];
    if (source === undefined) throw usageError(`--deploy ${platform}: the config has no ${platform} source.`);
    const { version, created } = await saveDraft(draft, {
      store: context.store,
      by: values.as,
      audit: context.audit,
    });
    out.note(
      `${created ? "Saved" : "Unchanged:"} ${version.ruleId} version ${version.version} (${version.digest})`,
    );
    const results = await deployDraft(version, {
      platform,
      source,
      store: context.store,
      approvals: context.approvals,
      requester: values.as,
      audit: context.audit,
      signal: io.signal,
    });
    for (const result of results) {
      const detail =
        result.outcome === "held"
          ? `: approve it with cloudsteward approvals approve ${result.approvalId} --as <principal>, then deploy again`
          : `${result.ref ? ` (${result.ref})` : ""}${result.message ? `: ${result.message}` : ""}`;
      out.note(
        `deploy ${version.ruleId} v${version.version} to ${platform} [${result.index}]: ${result.outcome}${detail}`,
      );
    }
    const done = results.every((result) => result.outcome === "written" || result.outcome === "existing");
    return done ? exitCodes.ok : exitCodes.failure;
  } finally {
    await context.close();
  }
}

/** The sandbox estate as the impact replay reads it: configurations from the archetypes reported on each resource. */
export function sandboxImpactInput(
  seed: number,
  size: number,
): { resources: ImpactResource[]; findings: ExistingFinding[]; now: Date } {
  const estate = generateEstate({ seed, size });
  const archetypes = new Map<string, string[]>();
  for (const finding of estate.findings) {
    if (finding.status === "resolved") continue;
    archetypes.set(finding.resourceId, [...(archetypes.get(finding.resourceId) ?? []), finding.archetype]);
  }
  const accounts = new Map(estate.accounts.map((account) => [account.id, account]));
  const owners = new Map(estate.owners.map((owner) => [owner.id, owner]));
  const resources = estate.resources.map((resource): ImpactResource => {
    const account = accounts.get(resource.accountId);
    const owner = resource.ownerId === undefined ? undefined : owners.get(resource.ownerId);
    return {
      id: resource.id,
      type: resource.type,
      name: resource.name,
      accountId: resource.accountId,
      ...(account ? { accountName: account.name, environment: account.environment } : {}),
      ...(owner ? { owner: owner.team } : {}),
      ...(resource.region === undefined ? {} : { region: resource.region }),
      tags: resource.tags,
      configuration: {
        ...configurationFor(resource.type, archetypes.get(resource.id) ?? []),
        tags: resource.tags,
      },
    };
  });
  const findings = estate.findings
    .filter((finding) => finding.status !== "resolved")
    .map((finding) => ({ id: finding.id, resourceId: finding.resourceId, archetype: finding.archetype }));
  return { resources, findings, now: new Date(estate.now) };
}

// Internal helpers.

function printDraft(out: CliOutput, draft: Draft, impact: DraftImpact, model: string): void {
  const status = draft.ready ? out.green("READY") : out.red("NOT READY");
  out.line(`${out.bold(draft.rule.title)}  ${status}`);
  out.line(
    out.dim(
      `from ${draft.source === "template" ? `the template of ${draft.archetype}` : model}; rule ${draft.rule.id}, ${draft.rule.severity}, on ${draft.rule.resourceTypes.join(", ")}`,
    ),
  );
  out.line();
  out.line(out.bold("Portable rule (flags a resource when)"));
  out.line(JSON.stringify(draft.rule.when, null, 2));
  out.line(out.dim(`CEL: ${draft.cel}`));
  out.line();
  const passed = draft.test.results.filter((result) => result.passed).length;
  out.line(out.bold(`Fixtures: ${passed}/${draft.test.results.length} pass`));
  for (const problem of draft.test.problems) out.line(`  ${out.red("✗")} ${problem}`);
  out.line();
  for (const policy of draft.policies) {
    out.line(out.bold(`${policy.platform} (${policy.language}) — ${policy.resourceTypes.join(", ")}`));
    out.line(policy.text.trimEnd());
    out.line();
  }
  for (const missing of draft.uncompiled)
    out.line(`${out.yellow(missing.platform)}: not compiled — ${missing.reason}`);
  out.line(out.bold("Governance rule"));
  out.line(JSON.stringify(draft.governance, null, 2));
  out.line();
  out.line(out.bold("Impact on the sandbox estate"));
  out.line(
    `${impact.flagged} of ${impact.inScope} ${draft.rule.resourceTypes.join("/")} resources flagged (${impact.evaluated} read, ${impact.evaluationMs.toFixed(0)} ms)`,
  );
  const top = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([name, count]) => `${name} ${count}`)
      .join(", ") || "none";
  out.line(`  by account:     ${top(impact.byAccount)}`);
  out.line(`  by environment: ${top(impact.byEnvironment)}`);
  out.line(`  by owner:       ${top(impact.byOwner)}`);
  out.line(
    `  duplicates ${impact.duplicates.length} current finding${impact.duplicates.length === 1 ? "" : "s"} of ${draft.archetype ?? "its archetype"}`,
  );
  out.line(
    `  governance: ${impact.governance.ticketsOpened} tickets, ${impact.governance.actionsAdded} actions, ${impact.governance.approvalsNeeded} approvals added`,
  );
  for (const error of impact.errors) out.line(`  ${out.yellow("!")} ${error.resourceId}: ${error.message}`);
}
