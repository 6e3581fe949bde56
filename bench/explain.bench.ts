/**
 * The knowledge base and the explain stage: `matchArchetype` cost per call (it runs per finding in
 * every adapter's `normalize`), explain throughput from the knowledge base alone, and the model
 * calls needed per finding on a 10,000-finding estate with the group cache (first and second run), and
 * matching throughput over the real rule names of the catalogs (test/__fixtures__/catalogs), warm (rule
 * texts repeat, as they do across a tenant's findings) and cold (every title distinct).
 * Per-call figures are CPU time, which a busy machine distorts less than wall clock.
 */
import { readFileSync } from "node:fs";
import { explain } from "../src/agents/explain/explain.js";
import type { MatchInput } from "../src/core/archetypes/match.js";
import { compileMatchers, matchArchetype } from "../src/core/archetypes/match.js";
import { archetypeMatchers } from "../src/core/archetypes/matchers.js";
import type { Case } from "../src/core/case.js";
import type { Category } from "../src/core/finding.js";
import { memoryStore } from "../src/core/memory-store.js";
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
    return [
      ...matchCost(cases),
      ...catalogThroughput(),
      ...(await knowledgeThroughput(cases)),
      ...(await modelCalls(cases)),
    ];
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

/** Findings per second through `matchArchetype` over the catalogs' 1,463 real rule names (target ≥ 20,000/s). */
function catalogThroughput(): BenchResult[] {
  const names = JSON.parse(
    readFileSync(new URL("../test/__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
  ) as {
    prowler: [string, string, string, string, Category][];
    vendor: [string, string, string, string, Category][];
  };
  const rules = [
    ...names.prowler.map(([, id, title, type, category]) => ["prowler", id, title, type, category] as const),
    ...names.vendor,
  ];
  const findings = 200_000;
  const inputs = (distinct: boolean): MatchInput[] =>
    Array.from({ length: findings }, (_, index) => {
      const [platform, id, title, type, category] = rules[index % rules.length] as readonly [
        string,
        string,
        string,
        string,
        Category,
      ];
      // Fresh strings per finding, as normalize builds them from parsed JSON.
      return {
        platform: `${platform} `.trim(),
        ruleId: `${id} `.trim(),
        ruleName: distinct ? `${title} #${index}` : `${title} `.trim(),
        title: distinct ? `${title} #${index}` : `${title} `.trim(),
        category,
        resourceType: `${type} `.trim(),
      };
    });
  const rows: BenchResult[] = [];
  for (const [label, distinct] of [
    ["warm: rule texts repeat", false],
    ["cold: every title distinct", true],
  ] as const) {
    const batch = inputs(distinct);
    // A fresh compile per run, so the warm run starts with empty caches too.
    const match = compileMatchers(archetypeMatchers);
    const before = process.cpuUsage();
    for (const input of batch) match(input);
    const used = process.cpuUsage(before);
    const perSecond = findings / ((used.user + used.system) / 1e6);
    rows.push({
      benchmark: "explain",
      metric: `matchArchetype over real catalog names (${label})`,
      value: Math.round(perSecond),
      unit: "findings/s (CPU)",
      target: ">= 20000",
      pass: perSecond >= 20_000,
      notes: `${findings.toLocaleString("en")} findings over ${rules.length.toLocaleString("en")} Prowler, Lacework, Wiz and Orca rule names`,
    });
  }
  return rows;
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
