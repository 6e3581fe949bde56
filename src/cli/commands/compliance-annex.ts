import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { policyAnnexes } from "../../agents/compliance/annex.js";
import type { Finding } from "../../core/finding.js";
import type { FindingSource } from "../../core/source.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";

/** Help text of `cloudsteward compliance annex`. */
export const complianceAnnexHelp = `cloudsteward compliance annex [options]

Reads the findings of the configured sources and finds the resource types and services that appear
for the first time (the types already seen are kept in the configured store, so a type is new once).
For each new type it drafts a Markdown annex for the policy owner: the catalog's Prowler checks for
the type, the framework requirements that cite them, what the knowledge base explains and what it
does not.

Options:
  --config <file>       the config file (default ./cloudsteward.yaml)
  --framework <key>     a bundled framework to list requirements of (repeatable; default all bundled)
  --out <dir>           write each annex to <dir>/annex-<resource type>.md instead of printing it
  --baseline            record the types in the estate without drafting (the first run over an estate)
  --json                print the new types and annexes as JSON

Examples:
  cloudsteward compliance annex --baseline
  cloudsteward compliance annex --framework soc2 --framework pci-dss-4.0 --out annexes/`;

/** The flags of `cloudsteward compliance annex`. */
export const complianceAnnexArgs = {
  flags: {
    config: { type: "string", path: "file" },
    framework: { type: "string", multiple: true },
    out: { type: "string", path: "directory" },
    baseline: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward compliance annex`: policy annexes for resource types seen for the first time. */
export async function complianceAnnexCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, complianceAnnexArgs);
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config, { showEndpoints: true });
  try {
    const call = io.signal ? { signal: io.signal } : {};
    const result = await policyAnnexes({
      findings: allFindings(Object.values(context.sources), call),
      store: context.store,
      baseline: values.baseline,
      ...(values.framework ? { frameworks: values.framework } : {}),
    });
    if (values.out) {
      const dir = resolve(io.cwd, values.out);
      await mkdir(dir, { recursive: true });
      for (const annex of result.annexes)
        await writeFile(join(dir, `annex-${annex.resourceType}.md`), annex.markdown);
    }
    if (out.json) {
      out.data(result);
      return exitCodes.ok;
    }
    if (result.newTypes.length === 0) {
      out.line("No resource type appears for the first time.");
      return exitCodes.ok;
    }
    out.line(
      `${result.newTypes.length} new resource type(s): ${result.newTypes.join(", ")}` +
        (result.newServices.length > 0 ? `; new service(s): ${result.newServices.join(", ")}` : ""),
    );
    if (values.baseline) out.line("Recorded as the baseline; no annexes drafted.");
    for (const annex of result.annexes) {
      if (values.out) {
        out.line(
          `  ${join(values.out, `annex-${annex.resourceType}.md`)}: ${annex.checks.length} checks, ${annex.requirements.length} requirements, ${annex.gaps.length} gaps`,
        );
        continue;
      }
      out.line();
      out.line(annex.markdown.trimEnd());
    }
    for (const warning of result.warnings) io.stderr.write(`cloudsteward compliance annex: ${warning}\n`);
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

// Internal helpers.

async function* allFindings(
  sources: readonly FindingSource[],
  call: { signal?: AbortSignal },
): AsyncIterable<Finding> {
  for (const source of sources) yield* source.findings({}, call);
}
