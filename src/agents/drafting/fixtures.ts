import { compileRule, type PortableRule } from "./rule.js";
import type { Configuration, DraftFixtures } from "./templates.js";

/** How one fixture fared. */
export interface FixtureResult {
  /** What the fixture is meant to be. */
  expected: "violating" | "compliant";
  /** The fixture's index in its list. */
  index: number;
  /** Whether the rule flagged it; absent when the evaluation failed. */
  flagged?: boolean;
  passed: boolean;
  /** Why the evaluation failed, when it did. */
  error?: string;
}

/** A rule's result on its fixtures. */
export interface FixtureReport {
  /** True when every fixture passed and there is at least one of each kind. */
  passed: boolean;
  results: FixtureResult[];
  /** What keeps the rule from passing, for people (empty when it passes). */
  problems: string[];
}

/**
 * Runs a portable rule on its fixtures: each violating configuration must be flagged and each
 * compliant one must not. Fixtures are evaluated as resources of the rule's first type.
 * @throws {PolicyError} when the rule itself is invalid.
 * @example
 * const report = testRule(template.rule, template.fixtures);
 * if (!report.passed) console.log(report.problems.join("\n"));
 */
export function testRule(rule: PortableRule, fixtures: DraftFixtures): FixtureReport {
  const compiled = compileRule(rule);
  const type = rule.resourceTypes[0] ?? "";
  const run = (
    expected: FixtureResult["expected"],
    configuration: Configuration,
    index: number,
  ): FixtureResult => {
    try {
      const flagged = compiled.violates({ type, configuration });
      return { expected, index, flagged, passed: flagged === (expected === "violating") };
    } catch (error) {
      return { expected, index, passed: false, error: (error as Error).message };
    }
  };
  const results = [
    ...fixtures.violating.map((configuration, index) => run("violating", configuration, index)),
    ...fixtures.compliant.map((configuration, index) => run("compliant", configuration, index)),
  ];
  const problems = results
    .filter((result) => !result.passed)
    .map((result) =>
      result.error !== undefined
        ? `${result.expected} fixture ${result.index + 1}: ${result.error}`
        : `${result.expected} fixture ${result.index + 1} was ${result.flagged ? "flagged" : "not flagged"}`,
    );
  if (fixtures.violating.length === 0) problems.push("no violating fixture");
  if (fixtures.compliant.length === 0) problems.push("no compliant fixture");
  return { passed: problems.length === 0, results, problems };
}
