import type { Case, Priority } from "../../core/case.js";
import type { Finding, Severity } from "../../core/finding.js";
import { createTagReader, type TagContext, type TagKeys, type TagReader } from "../enrich/normalize.js";

/** Points each risk factor adds to a case's priority (the total is capped at 100). */
export interface PriorityWeights {
  /** @default { critical: 40, high: 30, medium: 15, low: 5, info: 0 } */
  severity: Record<Severity, number>;
  /** An exposure finding, an internet-facing tag, or `context.internetExposed`. @default 20 */
  internetExposed: number;
  /** A CVE in CISA's Known Exploited Vulnerabilities catalogue. @default 20 */
  knownExploited: number;
  /** A public exploit exists. @default 15 */
  exploitAvailable: number;
  /** Multiplied by the highest EPSS probability (0–1) and rounded. @default 15 */
  epss: number;
  /** The resource is in production (tag or `context.environment`). @default 10 */
  production: number;
  /** @default { restricted: 10, confidential: 7, internal: 0, public: 0, unknown: 0 } */
  dataClassification: Record<"restricted" | "confidential" | "internal" | "public" | "unknown", number>;
}

/** Weights with every part optional, merged over {@link defaultPriorityWeights}. */
export type PriorityWeightsInput = Partial<Omit<PriorityWeights, "severity" | "dataClassification">> & {
  severity?: Partial<PriorityWeights["severity"]>;
  dataClassification?: Partial<PriorityWeights["dataClassification"]>;
};

/** The weights used when none are configured. */
export const defaultPriorityWeights: Readonly<PriorityWeights> = Object.freeze({
  severity: { critical: 40, high: 30, medium: 15, low: 5, info: 0 },
  internetExposed: 20,
  knownExploited: 20,
  exploitAvailable: 15,
  epss: 15,
  production: 10,
  dataClassification: { restricted: 10, confidential: 7, internal: 0, public: 0, unknown: 0 },
});

/** Options of {@link scorePriority}. */
export interface ScorePriorityOptions {
  weights?: PriorityWeightsInput;
  /** Tag keys for exposure, environment and data classification. @default defaultTagKeys */
  tagKeys?: Partial<TagKeys>;
}

/**
 * Scores a case 0–100 from severity, internet exposure, exploitability (KEV, exploit available, EPSS),
 * environment and data classification, each factor taken once (the worst finding), with the reasons,
 * e.g. `["critical severity (+40)", "exploit available (+15)"]`. Enrichment context, when present,
 * wins over tags.
 * @example
 * scorePriority({ findings }, { weights: { internetExposed: 30 } }); // { score: 70, reasons: [...] }
 */
export function scorePriority(
  item: Pick<Case, "findings" | "context">,
  options: ScorePriorityOptions = {},
): Priority {
  return scoreWith(item, resolveWeights(options.weights), createTagReader(options.tagKeys));
}

/** Merges partial weights over the defaults. */
export function resolveWeights(weights: PriorityWeightsInput = {}): PriorityWeights {
  return {
    ...defaultPriorityWeights,
    ...weights,
    severity: { ...defaultPriorityWeights.severity, ...weights.severity },
    dataClassification: { ...defaultPriorityWeights.dataClassification, ...weights.dataClassification },
  };
}

/** {@link scorePriority} with resolved weights and a compiled tag reader. */
export function scoreWith(
  item: Pick<Case, "findings" | "context">,
  weights: PriorityWeights,
  readTags: TagReader,
): Priority {
  return scoreInContexts(item.findings, [item.context], weights, readTags)[0]!;
}

/**
 * The priority of the same findings under each of `contexts`, reading each finding's tags once for
 * all of them: enrich scores a case before and after the context it found.
 */
export function scoreInContexts(
  findings: readonly Finding[],
  contexts: readonly Case["context"][],
  weights: PriorityWeights,
  readTags: TagReader,
): Priority[] {
  const folded = contexts.map(() => emptyFactors());
  let tags: TagContext = {};
  const current: TagReader = () => tags;
  for (const finding of findings) {
    tags = readTags(finding.resource.tags);
    contexts.forEach((context, index) => {
      addFactors(folded[index]!, factorsOf(finding, current, context), weights);
    });
  }
  return contexts.map((context, index) => scoreFactors(folded[index]!, weights, context));
}

/**
 * The risk factors of one finding, or of a set of findings once folded with {@link addFactors}: what
 * triage keeps per finding instead of the finding itself.
 */
export interface PriorityFactors {
  severity: Severity;
  exposed: boolean;
  production: boolean;
  knownExploited: boolean;
  exploitAvailable: boolean;
  epss: number;
  classification: keyof PriorityWeights["dataClassification"];
}

/** Factors of no finding at all. */
export function emptyFactors(): PriorityFactors {
  return {
    severity: "info",
    exposed: false,
    production: false,
    knownExploited: false,
    exploitAvailable: false,
    epss: 0,
    classification: "unknown",
  };
}

/** The factors one finding contributes; tags are skipped for what the enrichment context already says. */
export function factorsOf(finding: Finding, readTags: TagReader, context?: Case["context"]): PriorityFactors {
  const factors = emptyFactors();
  factors.severity = finding.severity;
  if (finding.category === "exposure") factors.exposed = true;
  const vulnerability = finding.vulnerability;
  if (vulnerability) {
    if (vulnerability.knownExploited) factors.knownExploited = true;
    if (vulnerability.exploitAvailable) factors.exploitAvailable = true;
    factors.epss = vulnerability.epss ?? 0;
  }
  const tags = readTags(finding.resource.tags);
  if (context?.internetExposed === undefined && tags.internetExposed?.value) factors.exposed = true;
  if (context?.environment === undefined && tags.environment?.value === "production")
    factors.production = true;
  const tagged = tags.dataClassification?.value;
  if (context?.dataClassification === undefined && tagged !== undefined) factors.classification = tagged;
  return factors;
}

/** Folds `next` into `into`, keeping the worst of each factor (ties keep the earlier finding's). */
export function addFactors(into: PriorityFactors, next: PriorityFactors, weights: PriorityWeights): void {
  if (weights.severity[next.severity] > weights.severity[into.severity]) into.severity = next.severity;
  if (next.exposed) into.exposed = true;
  if (next.production) into.production = true;
  if (next.knownExploited) into.knownExploited = true;
  if (next.exploitAvailable) into.exploitAvailable = true;
  if (next.epss > into.epss) into.epss = next.epss;
  if (weights.dataClassification[next.classification] > weights.dataClassification[into.classification])
    into.classification = next.classification;
}

/** The priority of folded factors, with the enrichment context winning over tags. */
export function scoreFactors(
  factors: PriorityFactors,
  weights: PriorityWeights,
  context?: Case["context"],
): Priority {
  const { severity, knownExploited, exploitAvailable, epss } = factors;
  let { exposed, production, classification } = factors;
  if (context?.internetExposed?.value) exposed = true;
  if (context?.environment?.value === "production") production = true;
  if (context?.dataClassification) classification = context.dataClassification.value;

  const reasons: string[] = [];
  let score = 0;
  const add = (points: number, reason: string) => {
    if (points === 0) return;
    score += points;
    reasons.push(`${reason} (${points > 0 ? "+" : ""}${points})`);
  };
  add(weights.severity[severity], `${severity} severity`);
  if (exposed) add(weights.internetExposed, "internet exposed");
  if (knownExploited) add(weights.knownExploited, "known exploited (CISA KEV)");
  if (exploitAvailable) add(weights.exploitAvailable, "exploit available");
  if (epss > 0) add(Math.round(weights.epss * epss), `EPSS ${epss.toFixed(2)}`);
  if (production) add(weights.production, "production environment");
  add(weights.dataClassification[classification], `${classification} data`);
  return { score: clampScore(score), reasons };
}

/** Keeps a score within 0–100. */
export function clampScore(score: number): number {
  return Math.max(0, Math.min(100, Math.round(score)));
}
