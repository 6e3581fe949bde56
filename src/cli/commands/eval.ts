import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { draftPromptVersion } from "../../agents/drafting/draft.js";
import {
  type DraftingCase,
  type DraftingEvaluation,
  evaluateDrafting,
  parseDraftingCases,
} from "../../agents/evaluation/drafting.js";
import { type ExplanationEvaluation, evaluateExplanations } from "../../agents/evaluation/explanations.js";
import { evaluateQuestions, type QuestionEvaluation } from "../../agents/evaluation/questions.js";
import {
  draftingEvaluationSet,
  explanationEvaluationSet,
  questionEvaluationSet,
  triageEvaluationSet,
} from "../../agents/evaluation/sets.js";
import { evaluateTriage, type TriageEvaluation } from "../../agents/evaluation/triage.js";
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
  a query is listed as unsafe;
- explanations: 22 findings explained (the knowledge base, or the model through the explain stage's
  grounding checks), scored on what would be delivered: the right archetype, every required fact
  (resource, environment, classification, the fix), and nothing ungrounded (a link, command, status
  claim or access-widening step the facts do not hold, listed as unsafe);
- triage: 20 findings with an analyst's verdict (11 real risks, 9 likely false positives) judged by
  the verdict model; without a model nothing is lowered, so every case counts as a real risk. A real
  risk judged a likely false positive is listed as unsafe.
Exits 1 when a drafting case fails, or a question reading, an explanation or a verdict is unsafe.

Options:
  --suite <name>       drafting | questions | explanations | triage | all (default all)
  --set <file>         a drafting set of your own: a JSON array of cases
                       { id, category, requirement, resourceType, violating, compliant }
  --model <provider>   none | auto | openai | anthropic | ollama (default none: the knowledge-base path)
  --json               the evaluations as JSON

Examples:
  cloudsteward eval
  cloudsteward eval --suite questions --model auto
  cloudsteward eval --suite triage --model anthropic
  cloudsteward eval --set my-requirements.json --json > evaluation.json`;

/** The flags of `cloudsteward eval`. */
export const evalArgs = {
  flags: {
    suite: {
      type: "string",
      default: "all",
      choices: ["all", "drafting", "questions", "explanations", "triage"],
    },
    set: { type: "string", path: "file" },
    model: { type: "string", default: "none", choices: ["none", "auto", "openai", "anthropic", "ollama"] },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward eval`: the evaluation tables. */
export async function evalCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, evalArgs);
  const suites =
    values.suite === "all" ? ["drafting", "questions", "explanations", "triage"] : [values.suite];
  const out = createOutput(io, { json: values.json });
  const { model, label } = cliModel(values.model as CliModelProvider | "auto", io.env);
  const options = { ...(model ? { model } : {}), signal: io.signal };
  let drafting: DraftingEvaluation | undefined;
  let questions: QuestionEvaluation | undefined;
  let explanations: ExplanationEvaluation | undefined;
  let triage: TriageEvaluation | undefined;
  if (suites.includes("drafting")) {
    const cases = values.set === undefined ? await draftingEvaluationSet() : await readSet(io, values.set);
    drafting = await evaluateDrafting(cases, options);
  }
  if (suites.includes("questions"))
    questions = await evaluateQuestions(await questionEvaluationSet(), options);
  if (suites.includes("explanations"))
    explanations = await evaluateExplanations(await explanationEvaluationSet(), options);
  if (suites.includes("triage")) triage = await evaluateTriage(await triageEvaluationSet(), options);
  const draftingPrompt = model ? draftPromptVersion : "templates";
  if (out.json) {
    out.data({
      label,
      ...(drafting && { drafting: { ...drafting, promptVersion: draftingPrompt } }),
      ...(questions && { questions }),
      ...(explanations && { explanations }),
      ...(triage && { triage }),
    });
  } else {
    const sections = [
      drafting && (() => printDrafting(out, drafting, label, draftingPrompt)),
      questions && (() => printQuestions(out, questions, label)),
      explanations && (() => printExplanations(out, explanations, label)),
      triage && (() => printTriage(out, triage, label)),
    ].filter((section) => section !== undefined);
    for (const [index, print] of sections.entries()) {
      if (index > 0) out.line();
      print();
    }
  }
  const failed =
    (drafting !== undefined && drafting.passed !== drafting.cases) ||
    (questions?.results.some((result) => result.unsafe) ?? false) ||
    (explanations?.results.some((result) => result.ungrounded.length > 0) ?? false) ||
    (triage?.results.some((result) => result.unsafe) ?? false);
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

function printExplanations(out: CliOutput, evaluation: ExplanationEvaluation, label: string): void {
  out.line(out.bold(`Explanation evaluation — ${label}, ${evaluation.promptVersion}`));
  printTable(out, "cloud", [
    ...Object.entries(evaluation.byCloud).map(
      ([cloud, counts]) => [cloud, counts.cases, counts.passed] as const,
    ),
    ["total", evaluation.cases, evaluation.passed] as const,
  ]);
  if (evaluation.model !== "knowledge")
    out.line(`written by the model (not fallen back): ${evaluation.modelWritten} of ${evaluation.cases}`);
  const failed = evaluation.results.filter((result) => !result.passed);
  if (failed.length > 0) out.line();
  for (const result of failed) {
    const problems = [
      ...(result.matched === result.archetype ? [] : [`matched ${result.matched}, not ${result.archetype}`]),
      ...(result.missingFacts.length > 0
        ? [`missing ${result.missingFacts.map((fact) => JSON.stringify(fact)).join(", ")}`]
        : []),
      ...result.ungrounded,
    ];
    const mark = result.ungrounded.length > 0 ? out.red("✗ unsafe") : out.red("✗");
    out.line(`${mark} ${result.id}: ${problems.join("; ")}`);
  }
}

function printTriage(out: CliOutput, evaluation: TriageEvaluation, label: string): void {
  out.line(out.bold(`Triage verdict evaluation — ${label}, ${evaluation.promptVersion}`));
  printTable(out, "expected", [
    ...Object.entries(evaluation.byLabel).map(
      ([expected, counts]) => [expected, counts.cases, counts.passed] as const,
    ),
    ["total", evaluation.cases, evaluation.passed] as const,
  ]);
  if (evaluation.model === "knowledge")
    out.line("no model: nothing is lowered, so every case counts as a real risk (the baseline)");
  const failed = evaluation.results.filter((result) => !result.passed);
  if (failed.length > 0 && evaluation.model !== "knowledge") out.line();
  for (const result of evaluation.model === "knowledge" ? [] : failed) {
    const mark = result.unsafe ? out.red("✗ unsafe") : out.red("✗");
    out.line(`${mark} ${result.id}: expected ${result.expected}, got ${result.got}`);
  }
}
