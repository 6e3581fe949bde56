import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import { deriveActions } from "../../agents/decide/decide.js";
import { definePolicy } from "../../agents/policy/define.js";
import { loadPolicyFile } from "../../agents/policy/load.js";
import type { Policy, PolicyInput } from "../../agents/policy/schema.js";
import { type TriageOptions, triage } from "../../agents/triage/triage.js";
import type { Action, ActionKind, RiskLevel } from "../../core/action.js";
import type { Case, CaseContext, DataClassification, Environment, Mode } from "../../core/case.js";
import type { PipelineEvents } from "../../core/events.js";
import type { Finding } from "../../core/finding.js";
import { memoryStore } from "../../core/memory-store.js";
import { createRunReport, type RunReport } from "../../core/report.js";
import type { StageContext } from "../../core/stage.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { type DeepPartial, fixtureDate, makeCase, makeFinding } from "../factories.js";

/** Context a fixture's cases get, as `enrich` would have found it (plain values; provenance `fixture`). */
export interface RuleFixtureContext {
  owner?: string;
  team?: string;
  environment?: Environment;
  criticality?: "critical" | "high" | "medium" | "low";
  internetExposed?: boolean;
  dataClassification?: DataClassification;
}

/** One action a fixture expects; only the fields given are compared. */
export interface ExpectedAction {
  kind: ActionKind;
  sink?: string;
  /** The routing rule id that must have produced it. */
  rule?: string;
  risk?: RiskLevel;
  requiresApproval?: boolean;
  /** Days from the harness's `now` to the due date. */
  dueInDays?: number;
}

/** What a fixture expects; only the expectations given are checked. */
export interface RuleExpectation {
  /** `true`: triage suppresses every finding (no case); `false`: at least one case remains. */
  suppressed?: boolean;
  /** How triage groups the findings: the number of cases, and entries the first case's group key holds. */
  group?: { cases?: number; key?: Record<string, string> };
  /** Exactly these actions (in any order) across the fixture's cases; `[]` means none. */
  actions?: ExpectedAction[];
  /** The first case's triage priority is at least this. */
  priorityAtLeast?: number;
}

/** A declarative rule test: findings (run through triage) or a ready case, and what must happen. */
export interface RuleFixture {
  name: string;
  /** One finding, built with `makeFinding(overrides)`. */
  finding?: DeepPartial<Finding>;
  /** Several findings, each built with `makeFinding(overrides)`. */
  findings?: DeepPartial<Finding>[];
  /** A case built with `makeCase(overrides)`, skipping triage. */
  case?: DeepPartial<Case> & { findings?: Finding[] };
  /** Context applied to every case, as enrich would. */
  context?: RuleFixtureContext;
  /** The run's mode. @default the policy's mode */
  mode?: Mode;
  expect: RuleExpectation;
}

/** Options of {@link testRules} and {@link evaluateFixture}. */
export interface TestRulesOptions {
  /** The policy under test, or the path of a YAML/JSON policy file. */
  policy: Policy | PolicyInput | string;
  fixtures?: RuleFixture[];
  /** Triage options (suppressions, grouping, weights) the findings go through. @default {} */
  triage?: TriageOptions;
  /** A (scripted) model for the stages that need one: the triage verdict. */
  model?: LanguageModel;
  /** The run's clock and the origin of `dueInDays`. @default fixtureDate */
  now?: Date;
}

/** What running one fixture produced. */
export interface RuleFixtureResult {
  cases: Case[];
  actions: Action[];
  /** Findings triage suppressed. */
  suppressed: number;
  report: RunReport;
  /** The origin of `dueInDays`. */
  now: Date;
}

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
 * Runs one fixture: its findings through triage (or its case as is), its context applied, then the
 * policy's decisions with the approval requirement of the fixture's mode.
 * @example
 * const result = await evaluateFixture({ policy }, { name: "x", finding: { severity: "high" }, expect: {} });
 */
export async function evaluateFixture(
  options: TestRulesOptions,
  fixture: RuleFixture,
): Promise<RuleFixtureResult> {
  const policy =
    typeof options.policy === "string" ? await loadPolicyFile(options.policy) : definePolicy(options.policy);
  const now = options.now ?? new Date(fixtureDate);
  const report = createRunReport(`rules:${fixture.name}`, now);
  let cases: Case[];
  let suppressed = 0;
  if (fixture.case) {
    cases = [makeCase(fixture.case)];
  } else {
    const findings = [...(fixture.finding ? [fixture.finding] : []), ...(fixture.findings ?? [])].map(
      (overrides) => makeFinding(overrides),
    );
    const stage = triage({
      ...options.triage,
      ...(options.model ? { verdict: { ...options.triage?.verdict, model: options.model } } : {}),
    });
    cases = [];
    for await (const item of stage.run(
      iterate(findings),
      stageContext(report, now, fixture.mode ?? policy.mode),
    )) {
      cases.push(item);
    }
    const included = new Set(cases.flatMap((item) => item.findings.map((finding) => finding.id)));
    suppressed = findings.filter((finding) => !included.has(finding.id)).length;
  }
  if (fixture.context) {
    const context = toCaseContext(fixture.context);
    cases = cases.map((item) => ({ ...item, context: { ...item.context, ...context } }));
  }
  const mode = fixture.mode ?? policy.mode;
  const actions = cases.flatMap((item) =>
    deriveActions(policy, item, { mode }).map((derived) => derived.action),
  );
  return { cases, actions, suppressed, report, now };
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

function toCaseContext(context: RuleFixtureContext): CaseContext {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) result[key] = { value, source: "fixture" };
  }
  return result as CaseContext;
}

function stageContext(report: RunReport, now: Date, mode: Mode): StageContext {
  return {
    signal: new AbortController().signal,
    events: new EventEmitter<PipelineEvents>(),
    report,
    store: memoryStore(),
    mode,
    now: () => now,
  };
}

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
