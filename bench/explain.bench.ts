/**
 * The knowledge base and the explain stage: `matchArchetype` cost per call (it runs per finding in
 * every adapter's `normalize`), explain throughput from the knowledge base alone, and the model
 * calls needed per finding on a 10,000-finding estate with the group cache (first and second run).
 * Per-call figures are CPU time, which a busy machine distorts less than wall clock.
 */
import { EventEmitter } from "eventemitter3";
import { explain } from "../src/agents/explain/explain.js";
import type { MatchInput } from "../src/core/archetypes/match.js";
import { matchArchetype } from "../src/core/archetypes/match.js";
import type { Case } from "../src/core/case.js";
import type { PipelineEvents } from "../src/core/events.js";
import { memoryStore } from "../src/core/memory-store.js";
import { createRunReport } from "../src/core/report.js";
import { createStageContext, type StageContext } from "../src/core/stage.js";
import type { Store } from "../src/core/store.js";
import { scriptedModel } from "../src/testing/scripted-model.js";
import { estateCases } from "../test/agents/explain/estate-cases.js";
import type { Benchmark, BenchResult } from "./harness.js";

const matchCalls = 500_000;

const benchmark: Benchmark = {
  name: "explain",
  async run() {
    const cases = estateCases();
    return [...matchCost(cases), ...(await knowledgeThroughput(cases)), ...(await modelCalls(cases))];
  },
};
export default benchmark;

function matchCost(cases: Case[]): BenchResult[] {
  // Fresh string copies per input, as normalize builds them from parsed JSON.
  const inputs: MatchInput[] = cases.slice(0, 5_000).map((item) => {
    const finding = item.findings[0] as Case["findings"][number];
    return {
      platform: finding.source.platform,
      ruleId: `${finding.rule.id} `.trim(),
      ruleName: `${finding.rule.name} `.trim(),
      title: `${finding.title} on ${finding.resource.name}`,
      category: finding.category,
      resourceType: `${finding.resource.type} `.trim(),
      cve: finding.vulnerability?.cve,
    };
  });
  for (let index = 0; index < 50_000; index++) matchArchetype(inputs[index % inputs.length] as MatchInput);
  const before = process.cpuUsage();
  let matched = 0;
  for (let index = 0; index < matchCalls; index++) {
    if (matchArchetype(inputs[index % inputs.length] as MatchInput)) matched++;
  }
  const used = process.cpuUsage(before);
  const perCall = (used.user + used.system) / matchCalls;
  return [
    {
      benchmark: "explain",
      metric: "matchArchetype cost per call",
      value: round(perCall, 2),
      unit: "µs (CPU)",
      target: "< 5",
      pass: perCall < 5,
      notes: `${matchCalls.toLocaleString("en")} calls over ${inputs.length.toLocaleString("en")} distinct estate inputs; ${round((100 * matched) / matchCalls, 1)}% matched`,
    },
  ];
}

async function knowledgeThroughput(cases: Case[]): Promise<BenchResult[]> {
  const context = stageContext(memoryStore());
  const before = performance.now();
  const out = await drain(explain(), cases, context);
  const seconds = (performance.now() - before) / 1000;
  return [
    {
      benchmark: "explain",
      metric: `knowledge-base explanations (${out.toLocaleString("en")} cases)`,
      value: Math.round(out / seconds),
      unit: "cases/s",
      notes: "no model; one finding per case",
    },
  ];
}

async function modelCalls(cases: Case[]): Promise<BenchResult[]> {
  const model = scriptedModel({
    defaultObject: {
      headline: "{{resource.name}} needs attention",
      risk: "{{resource.name}} is exposed.",
      whyItMatters: "It breaks {{rule.name}}.",
      likelyIntent: "Probably a shortcut.",
      remediationSteps: ["Fix {{resource.name}}."],
    },
  });
  const store = memoryStore();
  await drain(explain({ model }), cases, stageContext(store));
  const first = model.calls;
  await drain(explain({ model }), cases, stageContext(store));
  const second = model.calls - first;
  const share = (100 * first) / cases.length;
  return [
    {
      benchmark: "explain",
      metric: `model calls per finding, first run (${cases.length.toLocaleString("en")} findings)`,
      value: round(share, 2),
      unit: "%",
      target: "<= 3",
      pass: share <= 3,
      notes: `${first} calls, one per group (archetype, resource type, environment, classification, severity, prompt, model)`,
    },
    {
      benchmark: "explain",
      metric: "model calls, second run on the same store",
      value: second,
      unit: "calls",
      target: "0",
      pass: second === 0,
    },
  ];
}

function stageContext(store: Store): StageContext {
  return createStageContext({ stage: "explain", store });
}

async function drain(
  stage: ReturnType<typeof explain>,
  cases: Case[],
  context: StageContext,
): Promise<number> {
  async function* input() {
    yield* cases;
  }
  let count = 0;
  for await (const _ of stage.run(input(), context)) count++;
  return count;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
