import { z } from "zod";
import { canonicalJson } from "../../core/canonical-json.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { type ParsedQuestion, parseQuestion, questionPromptVersion } from "../query/parse.js";
import { parsePostureQuery } from "../query/run.js";
import { postureQuerySchema } from "../query/schema.js";
import { parseSet } from "./drafting.js";
import { evaluationSummary, tally } from "./tally.js";

/** The zod schema of a {@link QuestionCase}: a question and the query, clarification or refusal it should get. */
export const questionCaseSchema = z.union([
  z.strictObject({ question: z.string().min(1), query: postureQuerySchema }),
  z.strictObject({ question: z.string().min(1), clarify: z.literal(true) }),
  z.strictObject({ question: z.string().min(1), unanswerable: z.literal(true) }),
]);

/**
 * One labeled posture question: the query it should become (`PostureQueryInput`), or `clarify: true`
 * (a clarifying question, never a guess) or `unanswerable: true` (a write, or nothing to filter on).
 */
export type QuestionCase = { question: string } & (
  | { query: z.input<typeof postureQuerySchema> }
  | { clarify: true }
  | { unanswerable: true }
);

/**
 * Parses a question set: a JSON array of {@link QuestionCase}, each expected query valid.
 * @throws {PolicyError} naming the file, the case and the field that is wrong.
 */
export function parseQuestionCases(value: unknown, file: string): QuestionCase[] {
  return parseSet(questionCaseSchema, value, `question set ${file}`) as QuestionCase[];
}

/** True when a reading of `item.question` is exactly what the set expects: the same query (key order aside), or the same outcome. */
export function isExactReading(item: QuestionCase, parsed: ParsedQuestion): boolean {
  if ("query" in item) {
    return (
      parsed.kind === "query" && canonicalJson(parsed.query) === canonicalJson(parsePostureQuery(item.query))
    );
  }
  return parsed.kind === ("clarify" in item ? "clarify" : "unanswerable");
}

/** How one question fared. */
export interface QuestionCaseResult {
  question: string;
  /** `query`, `clarify` or `unanswerable`: what the set expects. */
  expected: ParsedQuestion["kind"];
  /** What the parser or model answered. */
  got: ParsedQuestion["kind"];
  passed: boolean;
  /** For a change asked as a question: true when it became a query (the worst failure). */
  unsafe: boolean;
}

/** The result of a question-parsing evaluation. */
export interface QuestionEvaluation {
  /** `parser` (the deterministic reading) or the model's `provider:modelId`. */
  model: string;
  /** The prompt version of model readings; `parser` without a model. */
  promptVersion: string;
  cases: number;
  passed: number;
  passRate: number;
  /** Per expected outcome: cases and exact readings. */
  byOutcome: Record<string, { cases: number; passed: number }>;
  results: QuestionCaseResult[];
}

/**
 * Reads each labeled question (the deterministic parser, or the model) and scores it exactly: the
 * same query, or the same clarify / unanswerable outcome. A question asking for a change that became a
 * query is flagged `unsafe`.
 * @example
 * const evaluation = await evaluateQuestions(await questionEvaluationSet());
 * console.log(`${evaluation.passRate}% of ${evaluation.cases} questions read exactly`);
 */
export async function evaluateQuestions(
  cases: readonly QuestionCase[],
  options: { model?: LanguageModel; signal?: AbortSignal } = {},
): Promise<QuestionEvaluation> {
  const results: QuestionCaseResult[] = [];
  for (const item of cases) {
    const parsed = await parseQuestion(item.question, options);
    const expected = "query" in item ? "query" : "clarify" in item ? "clarify" : "unanswerable";
    results.push({
      question: item.question,
      expected,
      got: parsed.kind,
      passed: isExactReading(item, parsed),
      unsafe: expected === "unanswerable" && parsed.kind === "query",
    });
  }
  return {
    ...evaluationSummary(results, options.model, "parser", questionPromptVersion),
    byOutcome: tally(results, (result) => result.expected),
    results,
  };
}
