import { type DraftingCase, parseDraftingCases } from "./drafting.js";
import { parseQuestionCases, type QuestionCase } from "./questions.js";

let drafting: Promise<DraftingCase[]> | undefined;
let questions: Promise<QuestionCase[]> | undefined;

/**
 * The drafting evaluation set shipped with the package (40 requirements with fixtures, storage to
 * data classification), read on first use. The tests read the same file.
 * @example
 * const evaluation = await evaluateDrafting(await draftingEvaluationSet());
 */
export function draftingEvaluationSet(): Promise<DraftingCase[]> {
  drafting ??= import("./sets/drafting.json", { with: { type: "json" } }).then((module) =>
    parseDraftingCases(JSON.stringify(module.default), "sets/drafting.json"),
  );
  return drafting;
}

/**
 * The posture-question set shipped with the package (issue #18's questions with the query,
 * clarification or refusal each should get), read on first use. The query agent's tests read the same file.
 * @example
 * const evaluation = await evaluateQuestions(await questionEvaluationSet());
 */
export function questionEvaluationSet(): Promise<QuestionCase[]> {
  questions ??= import("./sets/questions.json", { with: { type: "json" } }).then((module) =>
    parseQuestionCases(module.default, "sets/questions.json"),
  );
  return questions;
}
