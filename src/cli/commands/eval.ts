import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { draftPromptVersion } from "../../agents/drafting/draft.js";
import {
  type DraftingEvaluation,
  evaluateDrafting,
  parseDraftingCases,
} from "../../agents/evaluation/drafting.js";
import { type CliIo, type CliOutput, createOutput, exitCodes } from "../io.js";
import { type CliModelProvider, cliModel } from "../model.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Where `cloudsteward eval` looks for the drafting set when `--set` is not given (a checkout of the repository). */
export const defaultDraftingSet = "test/agents/drafting/evaluation-set.json";

/** Help text of `cloudsteward eval`. */
export const evalHelp = `cloudsteward eval [options]

Runs the drafting evaluation set end to end and prints a table per category: each requirement is
drafted (templates, or the model) and the draft's rule is judged on the set's own fixtures, not the
draft's. Reports the pass rate (end to end) and the ready rate (drafts passing their own fixtures),
then the cases that failed and why. Exits 1 when any case fails.

Options:
  --set <file>         a JSON array of cases { id, category, requirement, resourceType, violating, compliant }
                       (default ${defaultDraftingSet}, in a checkout of the repository)
  --model <provider>   none | auto | openai | anthropic | ollama (default none: the template path)
  --json               the whole evaluation as JSON

Examples:
  cloudsteward eval
  cloudsteward eval --set my-requirements.json --json > evaluation.json`;

/** The flags of `cloudsteward eval`. */
export const evalArgs = {
  flags: {
    set: { type: "string", path: "file" },
    model: { type: "string", default: "none", choices: ["none", "auto", "openai", "anthropic", "ollama"] },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward eval`: the drafting evaluation table. */
export async function evalCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, evalArgs);
  const path = resolve(io.cwd, values.set ?? defaultDraftingSet);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw usageError(
      values.set === undefined
        ? `No evaluation set at ${defaultDraftingSet}: run eval in a checkout of cloudsteward, or pass --set <file>.`
        : `Cannot read the evaluation set ${values.set}.`,
    );
  }
  const cases = parseDraftingCases(text, path);
  const out = createOutput(io, { json: values.json });
  const { model, label } = cliModel(values.model as CliModelProvider | "auto", io.env);
  const evaluation = await evaluateDrafting(cases, { ...(model ? { model } : {}), signal: io.signal });
  if (out.json) out.data({ ...evaluation, label, promptVersion: model ? draftPromptVersion : undefined });
  else printEvaluation(out, evaluation, label, model ? draftPromptVersion : "templates");
  return evaluation.passed === evaluation.cases ? exitCodes.ok : exitCodes.failure;
}

// Internal helpers.

function printEvaluation(
  out: CliOutput,
  evaluation: DraftingEvaluation,
  label: string,
  prompt: string,
): void {
  out.line(out.bold(`Drafting evaluation — ${label}, ${prompt}`));
  const rows = [
    ...Object.entries(evaluation.byCategory).map(
      ([category, counts]) => [category, counts.cases, counts.passed] as const,
    ),
    ["total", evaluation.cases, evaluation.passed] as const,
  ];
  const width = Math.max(...rows.map(([name]) => name.length), "category".length);
  out.line(`${"category".padEnd(width)}  cases  passed  rate`);
  for (const [name, cases, passed] of rows) {
    const rate = cases === 0 ? 0 : (passed / cases) * 100;
    out.line(
      `${name.padEnd(width)}  ${String(cases).padStart(5)}  ${String(passed).padStart(6)}  ${rate.toFixed(1).padStart(5)}%`,
    );
  }
  out.line(`ready (passing their own fixtures): ${evaluation.readyRate}%`);
  const failed = evaluation.results.filter((result) => !result.passed);
  if (failed.length > 0) out.line();
  for (const result of failed) {
    out.line(
      `${out.red("✗")} ${result.id} (${result.category})${result.ruleId ? ` rule ${result.ruleId}` : ""}: ${result.problems.join("; ")}`,
    );
  }
}
