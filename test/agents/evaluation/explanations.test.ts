import { describe, expect, it } from "vitest";
import { evaluateExplanations } from "../../../src/agents/evaluation/explanations.js";
import { explanationEvaluationSet } from "../../../src/agents/evaluation/sets.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

describe("evaluateExplanations", () => {
  it("scores the knowledge-base path on the shipped set: facts present, nothing ungrounded, one archetype the knowledge base misses", async () => {
    const set = await explanationEvaluationSet();
    expect(set.length).toBeGreaterThanOrEqual(20);
    const evaluation = await evaluateExplanations(set);
    expect(evaluation).toMatchObject({ model: "knowledge", promptVersion: "knowledge", cases: set.length });
    expect(evaluation.results.flatMap((result) => result.ungrounded)).toEqual([]);
    expect(evaluation.modelWritten).toBe(0);
    // A rule named "…default Compute Engine service account" is not matched to the archetype: a real gap.
    expect(evaluation.results.filter((result) => !result.passed)).toEqual([
      expect.objectContaining({
        id: "expl-gcp-default-sa",
        matched: "generic",
        missingFacts: ["dedicated service account"],
      }),
    ]);
    expect(evaluation.byCloud.aws).toEqual({ cases: 14, passed: 14 });
  });

  it("scores what a scripted model would deliver: its text when grounded, the fallback when not, and the facts it leaves out", async () => {
    const set = await explanationEvaluationSet();
    const pick = (id: string) => set.find((item) => item.id === id)!;
    const cases = [pick("expl-s3-public-read-prod"), pick("expl-sg-ssh-open"), pick("expl-rds-public")];
    const model = scriptedModel({
      responses: [
        {
          match: /aws-s3-public-read/,
          object: {
            headline: "Bucket {{resource.name}} is readable by anyone",
            risk: "Anyone on the internet can download what {{resource.name}} holds.",
            whyItMatters: "{{resource.name}} is in {{environment}} and holds {{dataClassification}} data.",
            likelyIntent: "Probably opened to share files.",
            remediationSteps: ["Turn on Block Public Access for {{resource.name}}."],
          },
        },
        {
          // An ungrounded command that widens access: the stage refuses it and the knowledge base writes instead.
          match: /aws-sg-ssh-open/,
          object: {
            headline: "Security group {{resource.name}} lets anyone reach SSH",
            risk: "Port 22 is reachable from the internet.",
            whyItMatters: "Brute force and exploits reach {{resource.name}} in {{environment}}.",
            likelyIntent: "Opened for a quick debugging session.",
            remediationSteps: [
              "Run `aws ec2 authorize-security-group-ingress --group-id {{resource.id}} --cidr 0.0.0.0/0`.",
            ],
          },
        },
        {
          // Grounded, but silent on the data the database holds.
          match: /aws-rds-public/,
          object: {
            headline: "Database {{resource.name}} accepts connections from the internet",
            risk: "Anyone can try passwords against {{resource.name}}.",
            whyItMatters: "A reachable database is a common breach path.",
            likelyIntent: "Opened for a migration.",
            remediationSteps: ["Make {{resource.name}} private."],
          },
        },
      ],
    });
    const evaluation = await evaluateExplanations(cases, { model });
    expect(evaluation).toMatchObject({
      model: "scripted:scripted-model",
      promptVersion: "explain@1",
      cases: 3,
    });
    expect(evaluation.results.map((result) => [result.id, result.source, result.passed])).toEqual([
      ["expl-s3-public-read-prod", "model", true],
      ["expl-sg-ssh-open", "knowledge", true],
      ["expl-rds-public", "model", false],
    ]);
    expect(evaluation.results[2]!.missingFacts).toEqual(["restricted"]);
    expect(evaluation.modelWritten).toBe(2);
    expect(evaluation.passRate).toBe(66.7);
  });
});
