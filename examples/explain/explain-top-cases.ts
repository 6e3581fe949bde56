/**
 * Shared by the explain examples: reads findings, groups them into cases, adds context and explains
 * the top cases with `model` (or with the knowledge base alone when `model` is undefined).
 */
import { wiz } from "../../src/adapters/wiz/index.js";
import { enrich } from "../../src/agents/enrich/index.js";
import { explain } from "../../src/agents/explain/index.js";
import { triage } from "../../src/agents/triage/index.js";
import type { Case } from "../../src/core/case.js";
import { pipeline } from "../../src/core/pipeline.js";
import type { Stage } from "../../src/core/stage.js";
import type { LanguageModel } from "../../src/llm/language-model.js";
import type { ExampleContext } from "../run.js";

/** Explains the `top` highest-priority cases and prints them. */
export async function explainTopCases(
  context: ExampleContext,
  model: LanguageModel | undefined,
  top = 2,
): Promise<void> {
  console.log(
    model
      ? `Explaining with ${model.provider} ${model.modelId}.`
      : "No API key set: explaining with the knowledge base alone (no model call).",
  );
  const cases: Case[] = [];
  const keep: Stage<Case, Case> = {
    name: "keep",
    async *run(input) {
      for await (const item of input) {
        if (cases.length < top) cases.push(item);
        yield item;
      }
    },
  };
  // Explain only the top cases: triage emits cases by priority, so a small stage in front of explain caps the model calls.
  const firstCases: Stage<Case, Case> = {
    name: "first",
    async *run(input) {
      let taken = 0;
      for await (const item of input) if (taken++ < top) yield item;
    },
  };
  const report = await pipeline({
    source: wiz(context.wiz),
    stages: [triage(), firstCases, enrich(), explain(model ? { model } : {}), keep] as Stage<
      never,
      unknown
    >[],
  }).start();
  for (const item of cases) {
    const explanation = item.explanation;
    if (!explanation) continue;
    console.log(`\n${explanation.headline}  [${explanation.source}]`);
    console.log(`  Risk: ${explanation.risk}`);
    console.log(`  Fix: ${explanation.remediationSteps.join(" Then: ")}`);
    if (explanation.snippets[0])
      console.log(
        `  ${explanation.snippets[0].label}:\n${explanation.snippets[0].code.replace(/^/gm, "    ")}`,
      );
  }
  console.log(
    `\nModel calls: ${report.usage.calls}, tokens ${report.usage.inputTokens}+${report.usage.outputTokens}, cost $${report.usage.cost.toFixed(4)}`,
  );
  for (const warning of report.warnings) console.log(`warning: ${warning.message}`);
}
