import { describe, expect, it } from "vitest";
import { testRule } from "../../../src/agents/drafting/fixtures.js";
import { draftTemplates } from "../../../src/agents/drafting/templates.js";
import { defaultKnowledge } from "../../../src/agents/knowledge/index.js";

describe("draftTemplates", () => {
  it("pass their own fixtures, every one of them", () => {
    const failing = draftTemplates
      .map((template) => ({ id: template.rule.id, report: testRule(template.rule, template.fixtures) }))
      .filter(({ report }) => !report.passed)
      .map(({ id, report }) => `${id}: ${report.problems.join("; ")}`);
    expect(failing).toEqual([]);
    expect(draftTemplates.length).toBeGreaterThanOrEqual(40);
  });

  it("name archetypes the knowledge base knows, and unique rule ids", () => {
    const unknown = draftTemplates.filter(
      (template) => defaultKnowledge.get(template.archetype) === undefined,
    );
    expect(unknown.map((template) => template.archetype)).toEqual([]);
    const ids = draftTemplates.map((template) => template.rule.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("reports a fixture the rule gets wrong", () => {
    const template = draftTemplates[0];
    if (template === undefined) throw new Error("no templates");
    const report = testRule(template.rule, { violating: template.fixtures.compliant, compliant: [] });
    expect(report.passed).toBe(false);
    expect(report.problems).toEqual(["violating fixture 1 was not flagged", "no compliant fixture"]);
  });
});
