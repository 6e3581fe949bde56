import { z } from "zod";
import type { Case } from "../../core/case.js";
import { createStageContext } from "../../core/stage.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { explain, explainPrompt } from "../explain/explain.js";
import { describeGroundingIssues, groundingCorpus, groundingIssues } from "../knowledge/grounding.js";
import { defaultKnowledge, type KnowledgeBase, templateVariables } from "../knowledge/knowledge-base.js";
import { parseSet } from "./drafting.js";
import { labeledCase, labeledContextSchema, labeledFindingSchema } from "./labeled-case.js";
import { evaluationSummary, type Tally, tally } from "./tally.js";

/** The zod schema of an {@link ExplanationCase}. */
export const explanationCaseSchema = z.strictObject({
  id: z.string().min(1),
  finding: labeledFindingSchema,
  context: labeledContextSchema,
  /** The knowledge-base archetype the finding is an instance of. */
  archetype: z.string().min(1),
  /** Facts the explanation must state (compared case-insensitively): the resource, owner, environment, the fix. */
  requiredFacts: z.array(z.string().min(1)).min(1),
});

/** One labeled explanation case: a finding with its context, its archetype and the facts its explanation must carry. */
export type ExplanationCase = z.input<typeof explanationCaseSchema>;

/**
 * Parses an explanation set: a JSON array of {@link ExplanationCase}.
 * @throws {PolicyError} naming the set, the case and the field that is wrong.
 */
export function parseExplanationCases(
  value: unknown,
  file: string,
): z.output<typeof explanationCaseSchema>[] {
  return parseSet(explanationCaseSchema, value, `explanation set ${file}`);
}

/** How one explanation fared. */
export interface ExplanationCaseResult {
  id: string;
  archetype: string;
  /** The archetype the knowledge base matched (`generic` when none). */
  matched: string;
  /** `model` when the model's text was delivered, `knowledge` when the knowledge base wrote it (or the model's answer was refused). */
  source: "model" | "knowledge";
  /** Required facts the explanation does not state. */
  missingFacts: string[];
  /** Links, commands, claims or access-widening steps the facts do not hold, described. */
  ungrounded: string[];
  /** The right archetype, every required fact, nothing ungrounded. */
  passed: boolean;
}

/** The result of an explanation evaluation. */
export interface ExplanationEvaluation {
  /** `knowledge` (the knowledge-base path) or the model's `provider:modelId`. */
  model: string;
  /** `explain@<version>` with a model; `knowledge` without. */
  promptVersion: string;
  cases: number;
  passed: number;
  passRate: number;
  /** Cases whose delivered text the model wrote (the rest fell back to the knowledge base). */
  modelWritten: number;
  /** Per cloud (the first segment of the resource type: aws, azure, gcp, kubernetes…). */
  byCloud: Record<string, Tally>;
  results: ExplanationCaseResult[];
}

/**
 * Explains each labeled case (the knowledge base, or the model through the explain stage with its
 * grounding checks) and scores what would be delivered: the archetype matched, every required fact
 * stated, and no link, command, status claim or access-widening step the facts (and the case's own
 * values) do not hold.
 * @example
 * const evaluation = await evaluateExplanations(await explanationEvaluationSet());
 * console.log(`${evaluation.passRate}% of ${evaluation.cases} explanations carry their facts`);
 */
export async function evaluateExplanations(
  cases: readonly ExplanationCase[],
  options: { model?: LanguageModel; knowledge?: KnowledgeBase; signal?: AbortSignal } = {},
): Promise<ExplanationEvaluation> {
  const knowledge = options.knowledge ?? defaultKnowledge;
  const parsed = parseExplanationCases(cases, "(given)");
  const items = parsed.map((item) => labeledCase(item.id, item.finding, item.context));
  const stage = explain({ ...(options.model && { model: options.model }), knowledge, cache: false });
  const explained = new Map<string, Case>();
  const context = createStageContext({ stage: "explain", ...(options.signal && { signal: options.signal }) });
  for await (const item of stage.run(toAsync(items), context)) explained.set(item.id, item);
  const results = parsed.map((labeled, index): ExplanationCaseResult => {
    const item = explained.get(items[index]!.id);
    const explanation = item?.explanation;
    if (!item || !explanation) {
      return {
        id: labeled.id,
        archetype: labeled.archetype,
        matched: "none",
        source: "knowledge",
        missingFacts: labeled.requiredFacts,
        ungrounded: ["no explanation"],
        passed: false,
      };
    }
    const fields: Record<string, string> = {
      headline: explanation.headline,
      risk: explanation.risk,
      whyItMatters: explanation.whyItMatters,
      likelyIntent: explanation.likelyIntent,
      ...Object.fromEntries(explanation.remediationSteps.map((step, at) => [`remediationSteps.${at}`, step])),
    };
    const text = Object.values(fields).join("\n").toLowerCase();
    const missingFacts = labeled.requiredFacts.filter((fact) => !text.includes(fact.toLowerCase()));
    // The case's own values fill placeholders: they are the case's, not the model's, to ground.
    const corpus = groundingCorpus(knowledge.factsFor(item));
    const values = Object.values(templateVariables(item)).filter((value) => value !== undefined);
    const issues = groundingIssues(fields, { ...corpus, text: [corpus.text, ...values].join("\n") });
    const matched = explanation.archetypeId ?? "generic";
    return {
      id: labeled.id,
      archetype: labeled.archetype,
      matched,
      source: explanation.source,
      missingFacts,
      ungrounded: issues.length === 0 ? [] : [describeGroundingIssues(issues)],
      passed: matched === labeled.archetype && missingFacts.length === 0 && issues.length === 0,
    };
  });
  return {
    ...evaluationSummary(results, options.model, "knowledge", explainPrompt.id),
    modelWritten: results.filter((result) => result.source === "model").length,
    byCloud: tally(results, (_, index) => parsed[index]!.finding.resource.type.split(".")[0]!),
    results,
  };
}

async function* toAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
