import { describe, expect, it } from "vitest";
import { compareModels } from "../../../src/agents/evaluation/compare.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

const cases = ["alpha", "beta"].map((name, index) =>
  makeCase({
    findings: [makeFinding({ resource: { name }, source: { nativeId: `c-${index}` } })],
    groupKey: { rule: name },
  }),
);
const prose = {
  headline: "Bucket {{resource.name}} is open to the internet",
  risk: "Anyone can download what {{resource.name}} holds.",
  whyItMatters: "{{resource.name}} breaks {{rule.name}}.",
  likelyIntent: "Probably opened for a demo.",
  remediationSteps: ["Turn on Block Public Access for {{resource.name}}."],
};

describe("compareModels", () => {
  it("finds no difference between a configuration and itself", async () => {
    const comparison = await compareModels(cases, {});
    expect(comparison).toMatchObject({ cases: 2, changed: [], byDifference: {} });
    expect(comparison.baseline).toEqual({ model: "knowledge", promptVersions: "knowledge" });
  });

  it("lists what switching from the knowledge base to a model, or between models, would change", async () => {
    const current = scriptedModel({
      modelId: "current",
      responses: [
        {
          match: /triage-verdict|Judge this case/,
          object: { label: "true_positive", confidence: 0.9, rationale: "A real exposure." },
        },
      ],
      defaultObject: prose,
    });
    const next = scriptedModel({
      modelId: "next",
      responses: [
        // The next model calls beta benign and writes an ungrounded command, which is refused.
        {
          match: /Judge this case[\s\S]*beta/,
          object: { label: "likely_false_positive", confidence: 0.7, rationale: "Benign by design." },
        },
        {
          match: /Judge this case/,
          object: { label: "true_positive", confidence: 0.9, rationale: "A real exposure." },
        },
      ],
      defaultObject: {
        ...prose,
        remediationSteps: ["Run `aws s3api delete-bucket-policy --bucket {{resource.name}}`."],
      },
    });
    const fromKnowledge = await compareModels(cases, { candidate: current });
    expect(fromKnowledge.candidate).toEqual({
      model: "scripted:current",
      promptVersions: "explain@1, triage-verdict@1",
    });
    expect(fromKnowledge.modelWritten).toEqual({ baseline: 0, candidate: 2 });
    expect(fromKnowledge.changed.map((item) => item.differences)).toEqual([
      ["source", "headline", "verdict"],
      ["source", "headline", "verdict"],
    ]);

    const switched = await compareModels(cases, { baseline: current, candidate: next });
    expect(switched.modelWritten).toEqual({ baseline: 2, candidate: 0 });
    expect(switched.byDifference).toEqual({ source: 2, headline: 2, verdict: 1 });
    const beta = switched.changed.find((item) => item.caseId === cases[1]!.id)!;
    expect(beta.baseline.verdict).toBe("true_positive");
    expect(beta.candidate).toMatchObject({ source: "knowledge", verdict: "likely_false_positive" });
  });
});
