/**
 * The evaluation set of posture questions (issue #18): each question with the query it should become,
 * or the clarifying question / refusal it should get. One copy, shipped with the package
 * (src/agents/evaluation/sets/questions.json, which `cloudsteward eval` runs); the offline parser's test
 * and the `query` benchmark read it from there.
 */

import {
  isExactReading,
  parseQuestionCases,
  type QuestionCase,
} from "../../../src/agents/evaluation/questions.js";
import questions from "../../../src/agents/evaluation/sets/questions.json" with { type: "json" };

/** One question and what it should become. */
export type EvalCase = QuestionCase;

export const evalSet: EvalCase[] = parseQuestionCases(questions, "sets/questions.json");

/** True when a reading of `item.question` is exactly what the eval set expects (same query, or same outcome). */
export const isExact = isExactReading;

/** The model's answer an eval case expects, in the shape `parseQuestion` asks a model for. */
export function expectedModelAnswer(item: EvalCase): Record<string, unknown> {
  if ("query" in item) return { outcome: "query", query: item.query };
  if ("clarify" in item) return { outcome: "clarify", clarifyingQuestion: "Could you be more precise?" };
  return { outcome: "unanswerable", reason: "Not a read-only posture question." };
}
