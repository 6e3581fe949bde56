import { enrich } from "../../agents/enrich/enrich.js";
import { applyExceptions } from "../../agents/exceptions/match.js";
import { explain } from "../../agents/explain/explain.js";
import { triage } from "../../agents/triage/triage.js";
import type { Case } from "../../core/case.js";
import type { Finding } from "../../core/finding.js";
import { pipeline } from "../../core/pipeline.js";
import type { Stage } from "../../core/stage.js";
import { withheldFindings } from "../../core/withheld.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward explain`. */
export const explainHelp = `cloudsteward explain <finding-id> [options]

Fetches one finding from the configured sources (by cloudsteward id or native id) and explains it
for its owner: the risk, why it matters, the likely intent, the fix and a snippet.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --json           print the case (with its explanation) as JSON

Examples:
  cloudsteward explain wiz:abc123        # a cloudsteward id
  cloudsteward explain abc123            # the platform's own id
  cloudsteward explain wiz:abc123 --json | jq .explanation.remediationSteps`;

/** The flags of `cloudsteward explain`. */
export const explainArgs = {
  flags: { config: { type: "string", path: "file" }, json: { type: "boolean", default: false } },
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward explain <finding-id>`: one finding, explained. */
export async function explainCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, explainArgs);
  const [id] = positionals;
  if (!id) throw usageError("explain needs a finding id, e.g. `cloudsteward explain wiz:abc123`.");
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config, { showEndpoints: true });
  try {
    let finding: Finding | undefined;
    for (const source of Object.values(context.sources)) {
      if (!source.capabilities.getFinding || !source.getFinding) continue;
      finding = await source.getFinding(id, io.signal ? { signal: io.signal } : {});
      if (finding) break;
    }
    if (!finding) {
      io.stderr.write(
        `cloudsteward explain: no finding "${id}" in ${Object.keys(context.sources).join(", ")}.\n`,
      );
      return exitCodes.failure;
    }
    const cases: Case[] = [];
    const keep: Stage<Case, Case> = {
      name: "keep",
      async *run(input) {
        for await (const item of input) {
          cases.push(item);
          yield item;
        }
      },
    };
    const report = await pipeline({
      source: single(finding),
      stages: [
        applyExceptions(),
        triage(),
        enrich(),
        explain(context.model.model ? { model: context.model.model } : {}),
        keep,
      ] as Stage<never, unknown>[],
      store: context.store,
    }).start(io.signal ? { signal: io.signal } : {});
    const item = cases[0];
    const explanation = item?.explanation;
    const withheld = withheldFindings(report)[0];
    if (withheld) {
      const { exception } = withheld;
      io.stderr.write(
        `cloudsteward explain: "${id}" is covered by the approved ${exception.kind} ${exception.id} until ${exception.expiresAt}, so there is nothing to explain before then.\n`,
      );
      return exitCodes.failure;
    }
    if (!item || !explanation) {
      io.stderr.write(
        `cloudsteward explain: "${id}" is suppressed by a rule, so there is nothing to explain.\n`,
      );
      return exitCodes.failure;
    }
    if (out.json) {
      out.data(item);
      return exitCodes.ok;
    }
    out.line(out.bold(explanation.headline));
    out.line(
      `${finding.severity} · ${finding.resource.type} · ${item.context?.environment?.value ?? "unknown"} · owner ${item.context?.owner?.value ?? "unknown"} · by ${context.model.label}`,
    );
    out.line();
    out.line(`${out.bold("Risk:")} ${explanation.risk}`);
    out.line(`${out.bold("Why it matters:")} ${explanation.whyItMatters}`);
    out.line(`${out.bold("Likely intent:")} ${explanation.likelyIntent}`);
    out.line(out.bold("Fix:"));
    for (const [index, step] of explanation.remediationSteps.entries()) out.line(`  ${index + 1}. ${step}`);
    for (const snippet of explanation.snippets.slice(0, 2)) {
      out.line();
      out.line(out.dim(`# ${snippet.label} (${snippet.language})`));
      out.line(snippet.code);
    }
    if (explanation.controls.length > 0) {
      out.line();
      out.line(
        `Controls: ${explanation.controls.map((control) => `${control.framework} ${control.control}`).join(", ")}`,
      );
    }
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

// Internal helpers.

async function* single(finding: Finding): AsyncIterable<Finding> {
  yield finding;
}
