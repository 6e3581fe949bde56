import type { Case, CaseContext, Environment, Mode } from "../../../src/core/case.js";
import type { Finding } from "../../../src/core/finding.js";
import { createRunReport } from "../../../src/core/report.js";
import {
  createStageContext,
  type Stage,
  type StageContext,
  type StageContextOptions,
} from "../../../src/core/stage.js";
import { type DeepPartial, fixtureDate, makeCase, makeFinding } from "../../../src/testing/factories.js";

export const examplePolicyPath = new URL("../../../examples/policy/policy.yaml", import.meta.url).pathname;

/** A stage context with a fixed clock, a fresh memory store and report. */
export function stageContext(overrides: StageContextOptions = {}): StageContext {
  return createStageContext({
    report: createRunReport("test-run", new Date(fixtureDate)),
    mode: "automated" as Mode,
    now: () => new Date(fixtureDate),
    ...overrides,
  });
}

/** Runs a stage over `items` and collects its output. */
export async function runStage<In, Out>(
  stage: Stage<In, Out>,
  items: In[],
  context: StageContext,
): Promise<Out[]> {
  const output: Out[] = [];
  async function* input() {
    yield* items;
  }
  for await (const item of stage.run(input(), context)) output.push(item);
  return output;
}

/** A case in an environment (as enrich would set it), from one finding with `overrides`. */
export function caseIn(
  environment: Environment | undefined,
  overrides: DeepPartial<Finding> = {},
  extra: { context?: CaseContext; priority?: number; id?: string } = {},
): Case {
  const finding = makeFinding(overrides);
  const item = makeCase({ findings: [finding], ...(extra.id ? { id: extra.id } : {}) });
  const context: CaseContext = { ...extra.context };
  if (environment) context.environment = { value: environment, source: "test" };
  return {
    ...item,
    context,
    ...(extra.priority === undefined ? {} : { priority: { score: extra.priority, reasons: [] } }),
  };
}
