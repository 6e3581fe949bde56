import { z } from "zod";
import { type Finding, findingSchema, platformSchema, type Severity, severitySchema } from "./finding.js";

/** The three rollout phases (docs/governance.md). */
export const modeSchema = z.enum(["read-only", "assisted", "automated"]);
export type Mode = z.infer<typeof modeSchema>;

/** A value with where it came from, and any disagreeing values other sources gave. */
export function provenancedSchema<T extends z.ZodType>(value: T) {
  return z.object({
    value,
    /** The provider that supplied it, e.g. `tag:owner`, `cmdb:servicenow`, `default`. */
    source: z.string(),
    conflicts: z.array(z.object({ value, source: z.string() })).optional(),
  });
}

export const environmentSchema = z.enum(["production", "staging", "development", "test", "unknown"]);
export type Environment = z.infer<typeof environmentSchema>;

export const dataClassificationSchema = z.enum([
  "restricted",
  "confidential",
  "internal",
  "public",
  "unknown",
]);
export type DataClassification = z.infer<typeof dataClassificationSchema>;

/** Owner and business context added by `enrich`. Every value keeps its provenance. */
export const caseContextSchema = z.object({
  owner: provenancedSchema(z.string()).optional(),
  team: provenancedSchema(z.string()).optional(),
  environment: provenancedSchema(environmentSchema).optional(),
  criticality: provenancedSchema(z.enum(["critical", "high", "medium", "low"])).optional(),
  internetExposed: provenancedSchema(z.boolean()).optional(),
  dataClassification: provenancedSchema(dataClassificationSchema).optional(),
  blastRadius: provenancedSchema(
    z.object({ score: z.number().min(0).max(10), reasons: z.array(z.string()) }),
  ).optional(),
});
export type CaseContext = z.infer<typeof caseContextSchema>;

/** How urgent a case is, with the reasons (triage). */
export const prioritySchema = z.object({
  score: z.number().min(0).max(100),
  reasons: z.array(z.string()),
});
export type Priority = z.infer<typeof prioritySchema>;

/** A fix snippet: CLI, Terraform, policy JSON… */
export const snippetSchema = z.object({
  language: z.string(),
  label: z.string(),
  code: z.string(),
});
export type Snippet = z.infer<typeof snippetSchema>;

/** The owner-facing explanation (explain). The same schema whether a model or the knowledge base wrote it. */
export const explanationSchema = z.object({
  source: z.enum(["model", "knowledge"]),
  /** The knowledge-base archetype, when one matched. */
  archetypeId: z.string().optional(),
  /** One line for a ticket summary or a message headline. */
  headline: z.string(),
  /** What the risk is, in plain words. */
  risk: z.string(),
  /** Why it matters: business terms, the policy and the frameworks. */
  whyItMatters: z.string(),
  /** The likely intent behind the configuration. */
  likelyIntent: z.string(),
  /** One or two exact remediation steps. */
  remediationSteps: z.array(z.string()).min(1),
  /**
   * Where the remediation steps come from: the knowledge base, the platform's own remediation text (no
   * archetype matched), or the rule's name alone (no archetype and no platform text).
   */
  remediationSource: z.enum(["knowledge", "platform", "rule"]).optional(),
  snippets: z.array(snippetSchema),
  controls: z.array(z.object({ framework: z.string(), control: z.string() })),
  consoleUrl: z.string().optional(),
  /** Model id and prompt version when a model wrote it. */
  model: z.string().optional(),
  promptVersion: z.string().optional(),
  /** The organization's runbook passages that apply, by file and heading (`explain({ organizationKnowledge })`). */
  references: z.array(z.object({ path: z.string(), heading: z.string() })).optional(),
});
export type Explanation = z.infer<typeof explanationSchema>;

/** A model's opinion on whether a case is real. It may lower priority within policy bounds, never more. */
export const verdictSchema = z.object({
  label: z.enum(["true_positive", "likely_false_positive"]),
  confidence: z.number().min(0).max(1),
  rationale: z.string(),
  model: z.string(),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** An exception that withheld findings from a case ({@link Case}`.exceptions`). */
export const caseExceptionSchema = z.object({
  /** The exception's id (`exc_…`). */
  id: z.string(),
  kind: z.enum(["exception", "risk-acceptance"]),
  /** Until when it withholds them (ISO-8601); they count again from then. */
  expiresAt: z.string(),
  /** The findings of the group it withheld in this run. */
  findingIds: z.array(z.string()).min(1),
});
export type CaseException = z.infer<typeof caseExceptionSchema>;

/**
 * The unit of work: one or more related findings handled together (one explanation, one ticket).
 *
 * Memory model: a case holds its findings in full up to triage's `sampleSize` (default 100). A bigger
 * case keeps a bounded sample in `findings` (the first findings in case order) and carries the totals
 * beside it: `findingCount`, every id in `findingIds` and `resourceCount`. Triage computes severity,
 * platforms and priority from every finding, not from the sample. Read the totals with
 * {@link findingCountOf} and {@link findingIdsOf}, which work for both shapes.
 */
export const caseSchema = z.object({
  /** Stable: derived from the grouping key, so the same group gets the same id across runs. */
  id: z.string(),
  /** The grouping key's parts, e.g. `{ rule: "wiz:…", owner: "team-a" }`. */
  groupKey: z.record(z.string(), z.string()),
  /** The findings in case order (by dedupKey, platform, id): all of them, or a sample when `findingCount` is set. */
  findings: z.array(findingSchema).min(1),
  /** How many findings the case has, when `findings` holds only a sample of them. */
  findingCount: z.number().int().min(1).optional(),
  /** Every finding id in case order, when `findings` holds only a sample. */
  findingIds: z.array(z.string()).min(1).optional(),
  /** Distinct resources (by `resource.id`) across every finding, when `findings` holds only a sample. */
  resourceCount: z.number().int().min(1).optional(),
  platforms: z.array(platformSchema),
  /** The highest severity among the findings. */
  severity: severitySchema,
  priority: prioritySchema.optional(),
  context: caseContextSchema.optional(),
  explanation: explanationSchema.optional(),
  verdict: verdictSchema.optional(),
  /**
   * Provenance of what is not in the case: the approved exceptions that withheld findings of this
   * case's group in this run (`applyExceptions` before `triage`), each with the findings it withheld.
   * Absent when none did.
   */
  exceptions: z.array(caseExceptionSchema).optional(),
});
export type Case = z.infer<typeof caseSchema>;

/** The highest severity of a set of findings. */
export function maxSeverity(findings: readonly Pick<Finding, "severity">[]): Severity {
  let best: Severity = "info";
  for (const { severity } of findings) {
    if (severitySchema.options.indexOf(severity) < severitySchema.options.indexOf(best)) best = severity;
  }
  return best;
}

/**
 * How many findings a case has: `findingCount` when `findings` is a sample, else `findings.length`.
 * @example
 * findingCountOf(item); // 12_480 for a big case whose `findings` holds 100
 */
export function findingCountOf(item: Pick<Case, "findings" | "findingCount">): number {
  return item.findingCount ?? item.findings.length;
}

/**
 * Every finding id of a case, in case order, whether `findings` holds them all or a sample.
 * @example
 * findingIdsOf(item); // ["wiz:issue-1", "prisma:alert-7", …]
 */
export function findingIdsOf(item: Pick<Case, "findings" | "findingIds">): string[] {
  return item.findingIds ?? item.findings.map((finding) => finding.id);
}
