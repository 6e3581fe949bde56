import type { Case } from "../../core/case.js";
import { createRunReport } from "../../core/report.js";
import { createStageContext } from "../../core/stage.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { explain, explainPrompt } from "../explain/explain.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { applyVerdict, verdictPrompt } from "../triage/verdict.js";
import { modelLabel } from "./tally.js";

/** What one configuration said about a case. */
export interface ComparedOutput {
  /** `model` when the model's explanation was delivered, `knowledge` when the knowledge base wrote it (no model, or a refused answer). */
  source: "model" | "knowledge";
  archetype: string;
  headline: string;
  remediationSteps: string[];
  /** The verdict applied (`none` without a model, or when the model failed or was refused). */
  verdict: "true_positive" | "likely_false_positive" | "none";
}

/** One recorded case where the two configurations differ. */
export interface ComparedCase {
  caseId: string;
  baseline: ComparedOutput;
  candidate: ComparedOutput;
  /** `source`, `archetype`, `headline`, `remediation`, `verdict`: what differs. */
  differences: string[];
}

/** The comparison of two models (or a model and the knowledge base) on recorded cases. */
export interface ModelComparison {
  baseline: { model: string; promptVersions: string };
  candidate: { model: string; promptVersions: string };
  cases: number;
  /** Cases with at least one difference, each with both outputs. */
  changed: ComparedCase[];
  /** How many cases differ on each aspect. */
  byDifference: Record<string, number>;
  /** Explanations whose model text was delivered (the rest fell back), per side. */
  modelWritten: { baseline: number; candidate: number };
}

/**
 * Runs recorded cases through the explain stage and the triage verdict with two configurations — a
 * baseline and a candidate model, either of which may be absent (the knowledge-base path) — and lists
 * what would change before a switch: which explanations fall back, which archetype, headline or steps
 * differ, and which verdicts flip. Nothing is delivered or stored; model explanations are not cached.
 * @example
 * const comparison = await compareModels(cases, { baseline: current, candidate: next });
 * for (const item of comparison.changed) console.log(item.caseId, item.differences);
 */
export async function compareModels(
  cases: readonly Case[],
  options: {
    baseline?: LanguageModel;
    candidate?: LanguageModel;
    knowledge?: KnowledgeBase;
    signal?: AbortSignal;
  },
): Promise<ModelComparison> {
  const baseline = await outputsOf(cases, options.baseline, options);
  const candidate = await outputsOf(cases, options.candidate, options);
  const changed: ComparedCase[] = [];
  const byDifference: Record<string, number> = {};
  for (const [index, item] of cases.entries()) {
    const before = baseline[index]!;
    const after = candidate[index]!;
    const differences = [
      ...(before.source === after.source ? [] : ["source"]),
      ...(before.archetype === after.archetype ? [] : ["archetype"]),
      ...(before.headline === after.headline ? [] : ["headline"]),
      ...(before.remediationSteps.join("\n") === after.remediationSteps.join("\n") ? [] : ["remediation"]),
      ...(before.verdict === after.verdict ? [] : ["verdict"]),
    ];
    for (const difference of differences) byDifference[difference] = (byDifference[difference] ?? 0) + 1;
    if (differences.length > 0)
      changed.push({ caseId: item.id, baseline: before, candidate: after, differences });
  }
  const side = (model: LanguageModel | undefined) => ({
    model: modelLabel(model, "knowledge"),
    promptVersions: model ? `${explainPrompt.id}, ${verdictPrompt.id}` : "knowledge",
  });
  const written = (outputs: ComparedOutput[]) => outputs.filter((output) => output.source === "model").length;
  return {
    baseline: side(options.baseline),
    candidate: side(options.candidate),
    cases: cases.length,
    changed,
    byDifference,
    modelWritten: { baseline: written(baseline), candidate: written(candidate) },
  };
}

// Internal helpers.

async function outputsOf(
  cases: readonly Case[],
  model: LanguageModel | undefined,
  options: { knowledge?: KnowledgeBase; signal?: AbortSignal },
): Promise<ComparedOutput[]> {
  const stage = explain({
    ...(model && { model }),
    ...(options.knowledge && { knowledge: options.knowledge }),
    cache: false,
  });
  const context = createStageContext({ stage: "explain", ...(options.signal && { signal: options.signal }) });
  const explained = new Map<string, Case>();
  async function* input() {
    yield* cases;
  }
  for await (const item of stage.run(input(), context)) explained.set(item.id, item);
  const report = createRunReport("compare");
  const signal = options.signal ?? new AbortController().signal;
  const outputs: ComparedOutput[] = [];
  for (const item of cases) {
    const explanation = explained.get(item.id)?.explanation;
    let verdict: ComparedOutput["verdict"] = "none";
    if (model) {
      const judged = await applyVerdict(item, { model, maxPriorityReduction: 20, signal, report });
      verdict = judged.item.verdict?.label ?? "none";
    }
    outputs.push({
      source: explanation?.source ?? "knowledge",
      archetype: explanation?.archetypeId ?? "generic",
      headline: explanation?.headline ?? "",
      remediationSteps: explanation?.remediationSteps ?? [],
      verdict,
    });
  }
  return outputs;
}
