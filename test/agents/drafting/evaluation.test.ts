import { describe, expect, it } from "vitest";
import { matchTemplate } from "../../../src/agents/drafting/draft.js";
import { evaluateDrafting } from "../../../src/agents/evaluation/drafting.js";
import { draftingEvaluationSet as shippedSet } from "../../../src/agents/evaluation/sets.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

/** The drafting evaluation set shipped with the package: 40 requirements with fixtures written apart from the templates' (docs/evaluation.md). */
const draftingEvaluationSet = await shippedSet();
const escapeRegExp = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("the drafting evaluation set", () => {
  it("has at least 40 requirements across the seven areas, each with fixtures of both kinds", () => {
    expect(draftingEvaluationSet.length).toBeGreaterThanOrEqual(40);
    expect(new Set(draftingEvaluationSet.map((item) => item.category))).toEqual(
      new Set(["storage", "iam", "network", "encryption", "logging", "kubernetes", "data-classification"]),
    );
    for (const item of draftingEvaluationSet) {
      expect(item.violating.length, item.id).toBeGreaterThan(0);
      expect(item.compliant.length, item.id).toBeGreaterThan(0);
    }
  });

  it("is met end to end by the template path: every requirement drafted, passing the set's own fixtures", async () => {
    const evaluation = await evaluateDrafting(draftingEvaluationSet);
    const failing = evaluation.results
      .filter((result) => !result.passed)
      .map((result) => `${result.id}: ${result.problems.join("; ")}`);
    expect(failing).toEqual([]);
    expect(evaluation).toMatchObject({
      model: "templates",
      cases: 40,
      passed: 40,
      passRate: 100,
      readyRate: 100,
    });
    expect(evaluation.results.every((result) => result.platforms === 4)).toBe(true);
  });

  it("judges a model's draft on the set's fixtures, so a self-consistent wrong rule does not pass", async () => {
    const wrong = {
      rule: {
        id: "privileged-wrong",
        title: "Privileged containers",
        resourceTypes: ["kubernetes.pod"],
        severity: "high",
        when: {
          path: "spec.containers",
          some: { path: "securityContext.privileged", op: "eq", value: false },
        },
      },
      fixtures: {
        violating: [{ spec: { containers: [{ securityContext: { privileged: false } }] } }],
        compliant: [{ spec: { containers: [{ securityContext: { privileged: true } }] } }],
      },
    };
    const model = scriptedModel({
      responses: draftingEvaluationSet.map((item) => {
        const template = matchTemplate(item.requirement);
        return {
          match: new RegExp(escapeRegExp(item.requirement)),
          object: item.id === "k1" ? wrong : { rule: template?.rule, fixtures: template?.fixtures },
        };
      }),
    });
    const evaluation = await evaluateDrafting(draftingEvaluationSet, { model });
    expect(evaluation.model).toBe("scripted:scripted-model");
    expect(evaluation.readyRate).toBe(100);
    expect(evaluation.passed).toBe(39);
    expect(evaluation.passRate).toBe(97.5);
    expect(evaluation.byCategory.kubernetes).toEqual({ cases: 3, passed: 2 });
    expect(evaluation.results.find((result) => result.id === "k1")?.problems).toEqual([
      "violating fixture 1 was not flagged",
      "compliant fixture 1 was flagged",
    ]);
  });
});
