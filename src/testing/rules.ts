import { deriveActions } from "../agents/decide/decide.js";
import { definePolicy } from "../agents/policy/define.js";
import { loadPolicyFile } from "../agents/policy/load.js";
import type { Policy, PolicyInput } from "../agents/policy/schema.js";
import { type TriageOptions, triage } from "../agents/triage/triage.js";
import type { Action, ActionKind, RiskLevel } from "../core/action.js";
import {
  type Case,
  type CaseContext,
  type DataClassification,
  type Environment,
  findingIdsOf,
  type Mode,
} from "../core/case.js";
import type { Finding } from "../core/finding.js";
import { createRunReport, type RunReport } from "../core/report.js";
import { createStageContext, type StageContext } from "../core/stage.js";
import type { LanguageModel } from "../llm/language-model.js";
import { type DeepPartial, fixtureDate, makeCase, makeFinding } from "./factories.js";

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

/** Options of {@link evaluateFixture} (and of `testRules` in `cloudsteward/testing/vitest`). */
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
 * Runs one fixture: its findings through triage (or its case as is), its context applied, then the
 * policy's decisions with the approval requirement of the fixture's mode. Runner-free: assert on the
 * result with any test runner (`testRules` and `expectDecision` in `cloudsteward/testing/vitest` do it
 * with vitest).
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
    const included = new Set(cases.flatMap((item) => findingIdsOf(item)));
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

// Internal helpers.

function toCaseContext(context: RuleFixtureContext): CaseContext {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) result[key] = { value, source: "fixture" };
  }
  return result as CaseContext;
}

function stageContext(report: RunReport, now: Date, mode: Mode): StageContext {
  return createStageContext({ report, mode, now: () => now });
}

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
