import { describe, expect, it } from "vitest";
import { parseOffline, parsePostureQuery, parseQuestion } from "../../../src/agents/query/index.js";
import { requestText } from "../../../src/llm/language-model.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";
import { evalSet, expectedModelAnswer, isExact } from "./eval-set.js";

describe("the evaluation set", () => {
  it("has at least 60 questions, every expected query valid, every outcome represented", () => {
    expect(evalSet.length).toBeGreaterThanOrEqual(60);
    for (const item of evalSet)
      if ("query" in item) expect(() => parsePostureQuery(item.query)).not.toThrow();
    expect(evalSet.some((item) => "clarify" in item)).toBe(true);
    expect(evalSet.some((item) => "unanswerable" in item)).toBe(true);
  });

  it("the offline parser reads at least 80% of it exactly", () => {
    const exact = evalSet.filter((item) => isExact(item, parseOffline(item.question)));
    expect(exact.length / evalSet.length).toBeGreaterThanOrEqual(0.8);
  });

  it("no question that asks for a change becomes a query", () => {
    for (const item of evalSet.filter((entry) => "unanswerable" in entry))
      expect(parseOffline(item.question).kind).not.toBe("query");
  });

  it("the model path turns each scripted answer into the expected reading", async () => {
    const model = scriptedModel({
      responses: evalSet.map((item) => ({
        // The question is fenced on lines of its own: match the whole line.
        match: (request) => requestText(request).includes(`\n${item.question}\n`),
        object: expectedModelAnswer(item),
      })),
    });
    for (const item of evalSet)
      expect(isExact(item, await parseQuestion(item.question, { model }))).toBe(true);
    expect(model.calls).toBe(evalSet.length);
  });
});
