import { z } from "zod";
import type { Case, Priority, Verdict } from "../../core/case.js";
import { isAbortError } from "../../core/errors.js";
import type { RunReport } from "../../core/report.js";
import { generateObject } from "../../llm/generate-object.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { definePrompt, untrustedBlock } from "../../llm/prompt.js";
import { describeGroundingIssues, groundingIssues } from "../knowledge/grounding.js";
import { clampScore } from "./priority.js";

/** Options of the optional model verdict in {@link TriageOptions}. */
export interface VerdictOptions {
  /** The model asked whether each case is a likely false positive. */
  model: LanguageModel;
  /**
   * The most a "likely false positive" verdict may lower a case's priority (scaled by the model's
   * confidence). The model can never raise, suppress, close or resolve anything.
   * @default 20
   */
  maxPriorityReduction?: number;
  /** Only ask about cases this returns true for (e.g. to spend model calls on high severities). @default every case */
  when?: (item: Case) => boolean;
  /** Model calls in flight at once. @default 4 */
  concurrency?: number;
}

/** The only thing the model may answer: a label, a confidence and a rationale. */
export const verdictAnswerSchema = z.object({
  /** Whether the case is a real risk or likely benign. */
  label: z.enum(["true_positive", "likely_false_positive"]),
  /** 0 to 1. */
  confidence: z.number().min(0).max(1),
  /** Why, in a few sentences grounded in the facts shown. */
  rationale: z.string().min(1).max(2000),
});

/** The versioned prompt of the verdict. */
export const verdictPrompt = definePrompt({
  name: "triage-verdict",
  version: 1,
  system: [
    "You help a cloud security team triage findings from CNAPP tools.",
    "For the case below, judge whether it is a true positive (a real risk worth fixing) or likely a false positive (benign by design, test data, a scanner mistake).",
    "Answer only with the label, your confidence between 0 and 1, and a short rationale grounded in the facts shown.",
    "You cannot suppress, close, resolve, assign or change anything; a likely-false-positive verdict only lowers the case's priority a little, within a limit set by policy.",
  ].join(" "),
  render: (item: Case) =>
    `Judge this case.\n${untrustedBlock("case", {
      severity: item.severity,
      platforms: item.platforms,
      findings: item.findings.slice(0, 10).map((finding) => ({
        title: finding.title,
        description: finding.description,
        category: finding.category,
        severity: finding.severity,
        rule: { id: finding.rule.id, name: finding.rule.name },
        resource: {
          type: finding.resource.type,
          name: finding.resource.name,
          region: finding.resource.region,
          tags: finding.resource.tags,
        },
        vulnerability: finding.vulnerability,
      })),
      moreFindings: Math.max(0, item.findings.length - 10),
    })}`,
});

/**
 * Asks the model for a verdict and applies it: a likely false positive lowers the priority by
 * `round(maxPriorityReduction × confidence)` at most, with a reason; a true positive changes nothing.
 * Any model failure leaves the case as it was and adds a `fallback` warning.
 */
export async function applyVerdict(
  item: Case,
  options: { model: LanguageModel; maxPriorityReduction: number; signal: AbortSignal; report: RunReport },
): Promise<{ item: Case; warning?: string }> {
  let answer: z.output<typeof verdictAnswerSchema>;
  let modelId: string;
  try {
    const result = await generateObject(options.model, {
      schema: verdictAnswerSchema,
      schemaName: "triage_verdict",
      schemaDescription: "Whether a security case is a true positive or likely a false positive.",
      ...verdictPrompt.build(item),
      signal: options.signal,
      report: options.report,
    });
    answer = result.object;
    modelId = result.modelId;
  } catch (error) {
    if (isAbortError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return {
      item,
      warning: `triage: the verdict model failed for case ${item.id} (${message}); its priority stands unchanged.`,
    };
  }
  // The model judges, it does not decide or instruct: a rationale that claims a status or decision
  // (closed, approved, risk accepted…) or carries a link, address or command the platform's data does
  // not hold is not carried into the case, and its label does not lower the priority.
  const issues = groundingIssues({ rationale: answer.rationale }, verdictCorpus(item), {
    allowClaims: verdictClaims,
  });
  if (issues.length > 0) {
    return {
      item,
      warning: `triage: the verdict for case ${item.id} was rejected (${describeGroundingIssues(issues)}); its priority stands unchanged.`,
    };
  }
  const verdict: Verdict = { ...answer, model: modelId };
  if (verdict.label !== "likely_false_positive" || item.priority === undefined)
    return { item: { ...item, verdict } };
  const reduction = Math.min(
    item.priority.score,
    Math.round(options.maxPriorityReduction * verdict.confidence),
  );
  if (reduction === 0) return { item: { ...item, verdict } };
  const priority: Priority = {
    score: clampScore(item.priority.score - reduction),
    reasons: [
      ...item.priority.reasons,
      `model verdict: likely false positive, confidence ${verdict.confidence.toFixed(2)} (-${reduction})`,
    ],
  };
  return { item: { ...item, verdict, priority } };
}

// Internal helpers.

/** A verdict may say what its label says. */
const verdictClaims: readonly RegExp[] = [/false[\s-]+positive/i, /benign|intended/i];

/** The platform's data about a case (not the resource's own text), which a rationale may cite. */
function verdictCorpus(item: Case): { text: string; hosts: readonly string[] } {
  const text = item.findings
    .flatMap((finding) => [
      finding.rule.id,
      finding.rule.name,
      finding.rule.remediation ?? "",
      finding.source.url ?? "",
      finding.resource.type,
      finding.category,
      finding.vulnerability?.cve ?? "",
      finding.vulnerability?.packageName ?? "",
    ])
    .join("\n");
  return { text, hosts: [] };
}
