import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { draftPromptVersion } from "../../agents/drafting/draft.js";
import {
  type DraftingCase,
  type DraftingEvaluation,
  evaluateDrafting,
  parseDraftingCases,
} from "../../agents/evaluation/drafting.js";
import { evaluateQuestions, type QuestionEvaluation } from "../../agents/evaluation/questions.js";
import { draftingEvaluationSet, questionEvaluationSet } from "../../agents/evaluation/sets.js";
import { type CliIo, type CliOutput, createOutput, exitCodes } from "../io.js";
import { type CliModelProvider, cliModel } from "../model.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward eval`. */
export const evalHelp = `cloudsteward eval [options]

Runs the labeled evaluation sets shipped with cloudsteward against the knowledge-base path (no model)
or a model, and prints a table per set with the model and prompt version:
- drafting: 40 requirements; each is drafted (templates, or the model) and the draft's rule is judged
  on the set's own fixtures, not the draft's. Pass rate (end to end), ready rate (drafts passing their
  own fixtures), and the cases that failed and why;
- questions: posture questions read into queries (the deterministic parser, or the model), scored
  exactly per expected outcome (query, clarify, unanswerable); a change asked as a question that became
  a query is listed as unsafe.
Exits 1 when a drafting case fails or a question reading is unsafe.

Options:
  --suite <name>       drafting | questions | all (default all)
  --set <file>         a drafting set of your own: a JSON array of cases
                       { id, category, requirement, resourceType, violating, compliant }
  --model <provider>   none | auto | openai | anthropic | ollama (default none: the knowledge-base path)
  --json               the evaluations as JSON

Examples:
  cloudsteward eval
  cloudsteward eval --suite questions --model auto
  cloudsteward eval --set my-requirements.json --json > evaluation.json`;

/** The flags of `cloudsteward eval`. */
export const evalArgs = {
  flags: {
    suite: { type: "string", default: "all", choices: ["all", "drafting", "questions"] },
    set: { type: "string", path: "file" },
    model: { type: "string", default: "none", choices: ["none", "auto", "openai", "anthropic", "ollama"] },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward eval`: the evaluation tables. */
export async function evalCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, evalArgs);
  const suites = values.suite === "all" ? ["drafting", "questions"] : [values.suite];
  const out = createOutput(io, { json: values.json });
  const { model, label } = cliModel(values.model as CliModelProvider | "auto", io.env);
  const options = { ...(model ? { model } : {}), signal: io.signal };
  let drafting: DraftingEvaluation | undefined;
  let questions: QuestionEvaluation | undefined;
  if (suites.includes("drafting")) {
    const cases = values.set === undefined ? await draftingEvaluationSet() : await readSet(io, values.set);
    drafting = await evaluateDrafting(cases, options);
  }
  if (suites.includes("questions"))
    questions = await evaluateQuestions(await questionEvaluationSet(), options);
  const draftingPrompt = model ? draftPromptVersion : "templates";
  if (out.json) {
    out.data({
      label,
      ...(drafting && { drafting: { ...drafting, promptVersion: draftingPrompt } }),
      ...(questions && { questions }),
    });
  } else {
    if (drafting) printDrafting(out, drafting, label, draftingPrompt);
    if (drafting && questions) out.line();
    if (questions) printQuestions(out, questions, label);
  }
  const failed =
    (drafting !== undefined && drafting.passed !== drafting.cases) ||
    (questions?.results.some((result) => result.unsafe) ?? false);
  return failed ? exitCodes.failure : exitCodes.ok;
}

// Internal helpers.

async function readSet(io: CliIo, file: string): Promise<DraftingCase[]> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw usageError(`Cannot read the evaluation set ${file}.`);
  }
  return parseDraftingCases(text, path);
}

function printTable(out: CliOutput, header: string, rows: (readonly [string, number, number])[]): void {
  const width = Math.max(...rows.map(([name]) => name.length), header.length);
  out.line(`${header.padEnd(width)}  cases  passed  rate`);
  for (const [name, cases, passed] of rows) {
    const rate = cases === 0 ? 0 : (passed / cases) * 100;
    out.line(
      `${name.padEnd(width)}  ${String(cases).padStart(5)}  ${String(passed).padStart(6)}  ${rate.toFixed(1).padStart(5)}%`,
    );
  }
}

function printDrafting(out: CliOutput, evaluation: DraftingEvaluation, label: string, prompt: string): void {
  out.line(out.bold(`Drafting evaluation — ${label}, ${prompt}`));
  printTable(out, "category", [
    ...Object.entries(evaluation.byCategory).map(
      ([category, counts]) => [category, counts.cases, counts.passed] as const,
    ),
    ["total", evaluation.cases, evaluation.passed] as const,
  ]);
  out.line(`ready (passing their own fixtures): ${evaluation.readyRate}%`);
  const failed = evaluation.results.filter((result) => !result.passed);
  if (failed.length > 0) out.line();
  for (const result of failed) {
    out.line(
      `${out.red("✗")} ${result.id} (${result.category})${result.ruleId ? ` rule ${result.ruleId}` : ""}: ${result.problems.join("; ")}`,
    );
  }
}

function printQuestions(out: CliOutput, evaluation: QuestionEvaluation, label: string): void {
  out.line(out.bold(`Question evaluation — ${label}, ${evaluation.promptVersion}`));
  printTable(out, "expected", [
    ...Object.entries(evaluation.byOutcome).map(
      ([outcome, counts]) => [outcome, counts.cases, counts.passed] as const,
    ),
    ["total", evaluation.cases, evaluation.passed] as const,
  ]);
  const failed = evaluation.results.filter((result) => !result.passed);
  if (failed.length > 0) out.line();
  for (const result of failed) {
    const mark = result.unsafe ? out.red("✗ unsafe") : out.red("✗");
    out.line(`${mark} ${JSON.stringify(result.question)}: expected ${result.expected}, got ${result.got}`);
  }
}
