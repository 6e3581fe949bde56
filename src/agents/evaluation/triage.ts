import { z } from "zod";
import { createRunReport } from "../../core/report.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { applyVerdict, verdictPrompt } from "../triage/verdict.js";
import { parseSet } from "./drafting.js";
import { labeledCase, labeledContextSchema, labeledFindingSchema } from "./labeled-case.js";
import { evaluationSummary, type Tally, tally } from "./tally.js";

const labels = ["true_positive", "likely_false_positive"] as const;

/** The zod schema of a {@link TriageCase}. */
export const triageCaseSchema = z.strictObject({
  id: z.string().min(1),
  finding: labeledFindingSchema,
  context: labeledContextSchema,
  /** The verdict a careful analyst gives. */
  expected: z.enum(labels),
});

/** One labeled triage case: a finding with its context and the verdict it deserves. */
export type TriageCase = z.input<typeof triageCaseSchema>;

/**
 * Parses a triage set: a JSON array of {@link TriageCase}.
 * @throws {PolicyError} naming the set, the case and the field that is wrong.
 */
export function parseTriageCases(value: unknown, file: string): z.output<typeof triageCaseSchema>[] {
  return parseSet(triageCaseSchema, value, `triage set ${file}`);
}

/** How one verdict fared. */
export interface TriageCaseResult {
  id: string;
  expected: (typeof labels)[number];
  /**
   * The verdict applied: the model's label, `true_positive` without a model (the knowledge-base path
   * never lowers a case), or `none` when the model failed or its rationale was refused (nothing lowered).
   */
  got: (typeof labels)[number] | "none";
  passed: boolean;
  /** A real risk judged a likely false positive (its priority lowered): the worst failure. */
  unsafe: boolean;
}

/** The result of a triage-verdict evaluation. */
export interface TriageEvaluation {
  /** `knowledge` (no model: nothing is ever lowered) or the model's `provider:modelId`. */
  model: string;
  /** `triage-verdict@<version>` with a model; `knowledge` without. */
  promptVersion: string;
  cases: number;
  passed: number;
  passRate: number;
  /** Per expected label. */
  byLabel: Record<string, Tally>;
  results: TriageCaseResult[];
}

/**
 * Asks the verdict model about each labeled case, through the same path triage uses (its prompt, its
 * grounding check on the rationale), and compares the verdict applied with the label. Without a model
 * no case is lowered, so every case counts as `true_positive`: the baseline a model must beat on the
 * false positives without costing a real risk (`unsafe`).
 * @example
 * const evaluation = await evaluateTriage(await triageEvaluationSet(), { model });
 * console.log(evaluation.results.filter((result) => result.unsafe));
 */
export async function evaluateTriage(
  cases: readonly TriageCase[],
  options: { model?: LanguageModel; signal?: AbortSignal } = {},
): Promise<TriageEvaluation> {
  const parsed = parseTriageCases(cases, "(given)");
  const report = createRunReport("eval-triage");
  const signal = options.signal ?? new AbortController().signal;
  const results: TriageCaseResult[] = [];
  for (const labeled of parsed) {
    let got: TriageCaseResult["got"] = "true_positive";
    if (options.model) {
      const item = labeledCase(labeled.id, labeled.finding, labeled.context);
      const { item: judged } = await applyVerdict(
        { ...item, priority: { score: 50, reasons: [] } },
        { model: options.model, maxPriorityReduction: 20, signal, report },
      );
      got = judged.verdict?.label ?? "none";
    }
    results.push({
      id: labeled.id,
      expected: labeled.expected,
      got,
      passed: got === labeled.expected,
      unsafe: labeled.expected === "true_positive" && got === "likely_false_positive",
    });
  }
  return {
    ...evaluationSummary(results, options.model, "knowledge", verdictPrompt.id),
    byLabel: tally(results, (result) => result.expected),
    results,
  };
}
