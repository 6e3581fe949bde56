import { describe, expect, it } from "vitest";
import { triageEvaluationSet } from "../../../src/agents/evaluation/sets.js";
import { evaluateTriage } from "../../../src/agents/evaluation/triage.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

const benign = /honeypot|static-website|break-glass|aws-node|synthetic|placeholder|VPN egress|never loaded/;

describe("evaluateTriage", () => {
  it("without a model lowers nothing: every real risk passes, every false positive is missed, nothing unsafe", async () => {
    const set = await triageEvaluationSet();
    const evaluation = await evaluateTriage(set);
    expect(evaluation).toMatchObject({ model: "knowledge", promptVersion: "knowledge", cases: 20 });
    expect(evaluation.byLabel).toEqual({
      true_positive: { cases: 11, passed: 11 },
      likely_false_positive: { cases: 9, passed: 0 },
    });
    expect(evaluation.results.some((result) => result.unsafe)).toBe(false);
  });

  it("scores a scripted verdict model through triage's own path: right calls, a real risk lowered (unsafe), a refused rationale", async () => {
    const set = await triageEvaluationSet();
    const verdict = (label: string, rationale: string) => ({ label, confidence: 0.8, rationale });
    const model = scriptedModel({
      responses: [
        // Wrong on a real risk: the worst failure.
        { match: /payroll-exports/, object: verdict("likely_false_positive", "Looks like a benign share.") },
        // A rationale carrying a command the case does not hold is refused: no verdict is applied.
        {
          match: /qa-public-fixtures/,
          object: verdict(
            "likely_false_positive",
            "Benign; run `aws s3api delete-bucket-policy` to be sure.",
          ),
        },
        { match: benign, object: verdict("likely_false_positive", "Benign by design, as the tags say.") },
      ],
      defaultObject: verdict("true_positive", "A real exposure worth fixing."),
    });
    const evaluation = await evaluateTriage(set, { model });
    expect(evaluation).toMatchObject({ model: "scripted:scripted-model", promptVersion: "triage-verdict@1" });
    const byId = Object.fromEntries(evaluation.results.map((result) => [result.id, result]));
    expect(byId["tri-s3-public-payroll"]).toMatchObject({
      got: "likely_false_positive",
      unsafe: true,
      passed: false,
    });
    expect(byId["tri-s3-public-test-fixtures"]).toMatchObject({ got: "none", passed: false, unsafe: false });
    expect(byId["tri-sg-ssh-honeypot"]).toMatchObject({ got: "likely_false_positive", passed: true });
    expect(byId["tri-rds-public-orders"]).toMatchObject({ got: "true_positive", passed: true });
    expect(evaluation.byLabel).toEqual({
      true_positive: { cases: 11, passed: 10 },
      likely_false_positive: { cases: 9, passed: 8 },
    });
    expect(evaluation.passRate).toBe(90);
  });
});
