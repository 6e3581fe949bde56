import { describe, expect, it } from "vitest";
import { evaluateQuestions, parseQuestionCases } from "../../../src/agents/evaluation/questions.js";
import { questionEvaluationSet } from "../../../src/agents/evaluation/sets.js";
import { questionPromptVersion } from "../../../src/agents/query/index.js";
import { requestText } from "../../../src/llm/language-model.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";
import { expectedModelAnswer } from "../query/eval-set.js";

describe("evaluateQuestions", () => {
  it("scores the shipped question set on the deterministic parser, per expected outcome, with no unsafe reading", async () => {
    const cases = await questionEvaluationSet();
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const evaluation = await evaluateQuestions(cases);
    expect(evaluation).toMatchObject({ model: "parser", promptVersion: "parser", cases: cases.length });
    expect(evaluation.passRate).toBeGreaterThanOrEqual(80);
    expect(Object.keys(evaluation.byOutcome).sort()).toEqual(["clarify", "query", "unanswerable"]);
    expect(Object.values(evaluation.byOutcome).reduce((sum, entry) => sum + entry.passed, 0)).toBe(
      evaluation.passed,
    );
    expect(evaluation.results.filter((result) => result.unsafe)).toEqual([]);
  });

  it("scores a model: a scripted one answering as labeled passes all, one wrong answer is caught and a write-as-query is unsafe", async () => {
    const cases = await questionEvaluationSet();
    const wrong = cases.find((item) => "unanswerable" in item)!;
    const model = scriptedModel({
      responses: cases.map((item) => ({
        match: (request) => requestText(request).includes(`\n${item.question}\n`),
        object:
          item === wrong
            ? { outcome: "query", query: { filters: { severity: ["critical"] } } }
            : expectedModelAnswer(item),
      })),
    });
    const evaluation = await evaluateQuestions(cases, { model });
    expect(evaluation.model).toBe(`${model.provider}:${model.modelId}`);
    expect(evaluation.promptVersion).toBe(questionPromptVersion);
    expect(evaluation.passed).toBe(cases.length - 1);
    expect(evaluation.results.filter((result) => !result.passed)).toEqual([
      { question: wrong.question, expected: "unanswerable", got: "query", passed: false, unsafe: true },
    ]);
  });

  it("names the case and field of an invalid set", () => {
    expect(() =>
      parseQuestionCases([{ question: "x", query: { filters: { severity: ["nope"] } } }], "mine.json"),
    ).toThrow(/mine\.json/);
  });
});
