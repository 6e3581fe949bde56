import { describe, expect, it } from "vitest";
import type { Action, ActionKind, RiskLevel } from "../../core/action.js";
import {
  evaluateFixture,
  type RuleExpectation,
  type RuleFixture,
  type RuleFixtureResult,
  type TestRulesOptions,
} from "../rules.js";

/**
 * Registers one vitest test per fixture under `describe("rules: …")`: each runs triage → decide and
 * checks suppression, grouping, routing, SLA and approval requirements with {@link expectDecision}.
 * @example
 * testRules({
 *   policy: "examples/policy/policy.yaml",
 *   triage: { suppressions },
 *   fixtures: [{ name: "public prod bucket → ticket", finding: { severity: "critical" }, context: { environment: "production" },
 *     expect: { actions: [{ kind: "ticket", sink: "jira", dueInDays: 7 }, { kind: "notify", sink: "slack" }] } }],
 * });
 */
export function testRules(options: TestRulesOptions & { fixtures: RuleFixture[] }): void {
  const label = typeof options.policy === "string" ? options.policy : "policy";
  describe(`rules: ${label}`, () => {
    for (const fixture of options.fixtures) {
      it(fixture.name, async () => {
        expectDecision(await evaluateFixture(options, fixture), fixture.expect);
      });
    }
  });
}

/**
 * Asserts a fixture's result against its expectation with vitest's `expect`, so a failure shows a
 * diff of the decided actions (kind, sink, rule, risk, approval, days to due).
 * @example
 * expectDecision(await evaluateFixture({ policy }, fixture), { actions: [{ kind: "ticket", requiresApproval: true }] });
 */
export function expectDecision(result: RuleFixtureResult, expectation: RuleExpectation): void {
  if (expectation.suppressed !== undefined) {
    expect(
      result.cases.length === 0,
      expectation.suppressed ? "every finding suppressed" : "not suppressed",
    ).toBe(expectation.suppressed);
  }
  if (expectation.group?.cases !== undefined)
    expect(result.cases, "cases").toHaveLength(expectation.group.cases);
  if (expectation.group?.key !== undefined) {
    expect(result.cases[0]?.groupKey, "the first case's group key").toMatchObject(expectation.group.key);
  }
  if (expectation.priorityAtLeast !== undefined) {
    expect(result.cases[0]?.priority?.score ?? 0, "priority").toBeGreaterThanOrEqual(
      expectation.priorityAtLeast,
    );
  }
  if (expectation.actions !== undefined) {
    const expected = sortByKindAndSink(expectation.actions);
    const actual = sortByKindAndSink(result.actions.map((action) => describeAction(action, result.now)));
    // Compare only the fields each expectation names; extra or missing actions still show in the diff.
    const comparable = actual.map((description, index) =>
      pick(description, Object.keys(expected[index] ?? { kind: true, sink: true })),
    );
    expect(comparable, "actions").toEqual(expected);
  }
}

// Internal helpers.

interface ActionDescription {
  kind: ActionKind;
  sink?: string;
  rule?: string;
  risk?: RiskLevel;
  requiresApproval?: boolean;
  dueInDays?: number;
}

function describeAction(action: Action, now: Date): ActionDescription {
  const description: ActionDescription = {
    kind: action.kind,
    sink: action.sink,
    rule: action.rule,
    risk: action.risk,
    requiresApproval: action.requiresApproval,
  };
  if (action.dueDate) {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    description.dueInDays = Math.round((Date.parse(`${action.dueDate}T00:00:00Z`) - today) / 86_400_000);
  }
  return description;
}

function pick<T extends object>(value: T, keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => keys.includes(key))) as Partial<T>;
}

function sortByKindAndSink<T extends { kind?: string; sink?: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => `${a.kind}/${a.sink ?? ""}`.localeCompare(`${b.kind}/${b.sink ?? ""}`));
}
