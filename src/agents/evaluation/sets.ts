import { type DraftingCase, parseDraftingCases } from "./drafting.js";
import { type ExplanationCase, parseExplanationCases } from "./explanations.js";
import { parseQuestionCases, type QuestionCase } from "./questions.js";
import { parseTriageCases, type TriageCase } from "./triage.js";

let drafting: Promise<DraftingCase[]> | undefined;
let questions: Promise<QuestionCase[]> | undefined;
let explanations: Promise<ExplanationCase[]> | undefined;
let triage: Promise<TriageCase[]> | undefined;

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

/**
 * The explanation set shipped with the package (22 findings across AWS, Azure, GCP and Kubernetes,
 * each with its context, its knowledge-base archetype and the facts its explanation must state), read
 * on first use.
 * @example
 * const evaluation = await evaluateExplanations(await explanationEvaluationSet());
 */
export function explanationEvaluationSet(): Promise<ExplanationCase[]> {
  explanations ??= import("./sets/explanations.json", { with: { type: "json" } }).then((module) =>
    parseExplanationCases(module.default, "sets/explanations.json"),
  );
  return explanations;
}

/**
 * The triage set shipped with the package (20 findings, 11 real risks and 9 likely false positives
 * — a static website, a honeypot, a break-glass role, a CNI daemonset… — each with the verdict an
 * analyst gives), read on first use.
 * @example
 * const evaluation = await evaluateTriage(await triageEvaluationSet(), { model });
 */
export function triageEvaluationSet(): Promise<TriageCase[]> {
  triage ??= import("./sets/triage.json", { with: { type: "json" } }).then((module) =>
    parseTriageCases(module.default, "sets/triage.json"),
  );
  return triage;
}
