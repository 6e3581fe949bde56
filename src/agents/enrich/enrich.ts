import type { Case, CaseContext, DataClassification, Environment, Priority } from "../../core/case.js";
import { mapConcurrent } from "../../core/concurrency.js";
import {
  type ContextField,
  type ContextProvider,
  contextFields,
  type ProvidedContext,
  type ProviderKind,
} from "../../core/context-provider.js";
import { ConfigurationError, isAbortError } from "../../core/errors.js";
import type { Finding, Resource } from "../../core/finding.js";
import { canonicalResourceKey, stableHash } from "../../core/fingerprint.js";
import type { Stage, StageContext } from "../../core/stage.js";
import { type PriorityWeightsInput, resolveWeights, scoreInContexts } from "../triage/priority.js";
import { estimateBlastRadius } from "./blast-radius.js";
import { fromTags } from "./from-tags.js";
import {
  type Criticality,
  createTagReader,
  normalizeCriticality,
  normalizeDataClassification,
  normalizeEnvironment,
  normalizeExposure,
  type TagKeys,
} from "./normalize.js";

/** Options of {@link enrich}. */
export interface EnrichOptions {
  /** Where context comes from. @default [fromTags()] */
  providers?: readonly ContextProvider[];
  /**
   * Which kind of provider wins a disagreement, highest first; kinds in a nested list share a rank,
   * and within a rank the provider listed first in `providers` wins. The losing values are kept in
   * `conflicts`.
   * @default ["function", "cmdb", ["csv", "map"], "tags"]
   */
  precedence?: readonly (ProviderKind | readonly ProviderKind[])[];
  /**
   * Cache provider answers in the run's Store too (namespace `enrich-cache`), so later runs and other
   * workers skip the lookup. Answers are always cached in memory for the run.
   * @default false
   */
  storeCache?: boolean | { ttlMs?: number };
  /** Distinct resources looked up per case, in finding order; context is case-level. @default 50 */
  maxResourcesPerCase?: number;
  /** Cases enriched at once (output order is kept). @default 4 */
  concurrency?: number;
  /** After this many failures in a row, a provider is skipped for the rest of the run (with a warning). @default 5 */
  failureThreshold?: number;
  /**
   * Recompute the priority with the new context (production, exposure, data classification), keeping
   * adjustments made since triage, such as a model verdict. Pass the same weights as to `triage`.
   * @default true
   */
  rescorePriority?: boolean;
  /** Weights for the rescore. @default defaultPriorityWeights */
  weights?: PriorityWeightsInput;
  /** Tag keys triage read context from, for the rescore. @default defaultTagKeys */
  tagKeys?: Partial<TagKeys>;
}

/**
 * The enrich stage: fills `case.context` with owner, team, environment, business criticality,
 * internet exposure, data classification and a blast-radius estimate, every value with its provenance
 * (`{ value, source, conflicts? }`). Providers answer per resource and are cached per resource; a
 * provider that fails for one resource adds a warning and the others still apply, so no case is lost.
 *
 * Across the resources of one case, `owner` and `team` come from the first resource that has them; the
 * environment, criticality, exposure, data classification and blast radius take the riskiest value.
 * @example
 * const stage = enrich({
 *   providers: [fromTags(), fromCsv("./cmdb.csv"), fromServiceNowCmdb({ instanceUrl: "https://acme.service-now.com" })],
 * });
 */
export function enrich(options: EnrichOptions = {}): Stage<Case, Case> {
  const providers = options.providers ?? [fromTags()];
  const ranks = rankProviders(providers, options.precedence ?? defaultPrecedence);
  const maxResources = options.maxResourcesPerCase ?? 50;
  const failureThreshold = options.failureThreshold ?? 5;
  const storeCache =
    options.storeCache === undefined || options.storeCache === false
      ? undefined
      : { ttlMs: (options.storeCache === true ? undefined : options.storeCache.ttlMs) ?? 3_600_000 };
  const rescore = options.rescorePriority !== false;
  const weights = resolveWeights(options.weights);
  const readTags = createTagReader(options.tagKeys);

  return {
    name: "enrich",
    async *run(cases, context) {
      const run = createRunState(context);

      /** One provider's answer for one resource, through the caches; a failure is recorded, not thrown. */
      const ask = async (
        provider: ContextProvider,
        item: Case,
        resource: Resource,
        findings: Finding[],
      ): Promise<ProvidedContext | undefined> => {
        const health = run.health(provider);
        if (health.disabled) return undefined;
        const request = { resource, findings, case: item, signal: context.signal };
        try {
          let answer: Promise<ProvidedContext | undefined>;
          if (provider.cacheable === false) answer = Promise.resolve(provider.lookup(request));
          else {
            const key = `${provider.name}\u0000${canonicalResourceKey(resource)}`;
            let cached = run.memory.get(key);
            if (cached === undefined) {
              cached = lookupThroughStore(provider, request, key, context, storeCache);
              run.memory.set(key, cached);
              cached.catch(() => run.memory.delete(key));
            }
            answer = cached;
          }
          const value = await answer;
          health.consecutive = 0;
          return value;
        } catch (error) {
          if (context.signal.aborted || isAbortError(error)) throw error;
          run.fail(provider, resource, error, failureThreshold);
          return undefined;
        }
      };

      const enrichOne = async (item: Case): Promise<Case> => {
        const { resources, skipped } = distinctResources(item.findings, maxResources);
        if (skipped > 0) run.skip(item, skipped);
        const resolved = await Promise.all(
          resources.map(async ({ resource, findings }) => {
            const answers = await Promise.all(
              providers.map((provider) => ask(provider, item, resource, findings)),
            );
            const fields = resolveFields(answers, providers, ranks, (field, source) =>
              run.unreadable(item, field, source),
            );
            if (
              fields.internetExposed === undefined &&
              findings.some((finding) => finding.category === "exposure")
            )
              fields.internetExposed = { value: true, source: "finding:exposure" };
            const blast = estimateBlastRadius({
              resource,
              findings,
              internetExposed: fields.internetExposed?.value,
            });
            return { fields, blast };
          }),
        );
        const produced = aggregate(resolved.map((entry) => entry.fields));
        const widest = resolved.reduce<(typeof resolved)[number] | undefined>(
          (best, entry) => (best === undefined || entry.blast.score > best.blast.score ? entry : best),
          undefined,
        );
        if (widest) produced.blastRadius = { value: widest.blast, source: "estimate" };
        const enriched: Case = { ...item, context: { ...item.context, ...produced } };
        if (rescore && item.priority) {
          // Add what the context changed, keeping adjustments made after triage (e.g. a model verdict).
          const [before, after] = scoreInContexts(
            item.findings,
            [item.context, enriched.context],
            weights,
            readTags,
          ) as [Priority, Priority];
          const extra = item.priority.reasons.filter((reason) => !before.reasons.includes(reason));
          enriched.priority = {
            score: Math.max(0, Math.min(100, item.priority.score + after.score - before.score)),
            reasons: [...after.reasons, ...extra],
          };
        }
        return enriched;
      };

      try {
        for await (const item of mapConcurrent(cases, options.concurrency ?? 4, enrichOne)) {
          context.signal.throwIfAborted();
          yield item;
        }
      } finally {
        run.summarize();
      }
    },
  };
}

// Internal helpers.

const defaultPrecedence: readonly (ProviderKind | readonly ProviderKind[])[] = [
  "function",
  "cmdb",
  ["csv", "map"],
  "tags",
];

type ResolvedFields = Omit<CaseContext, "blastRadius">;
type Provenanced<T> = { value: T; source: string; conflicts?: { value: T; source: string }[] };

/** Rank per provider index: lower wins. */
function rankProviders(
  providers: readonly ContextProvider[],
  precedence: readonly (ProviderKind | readonly ProviderKind[])[],
): number[] {
  return providers.map((provider) => {
    const rank = precedence.findIndex((entry) =>
      typeof entry === "string" ? entry === provider.kind : entry.includes(provider.kind),
    );
    if (rank === -1) {
      throw new ConfigurationError(
        `enrich: provider "${provider.name}" is of kind "${provider.kind}", which \`precedence\` does not list. Add it to \`precedence\`.`,
        { option: "precedence" },
      );
    }
    return rank;
  });
}

function createRunState(context: StageContext) {
  const memory = new Map<string, Promise<ProvidedContext | undefined>>();
  const healthByProvider = new Map<string, { consecutive: number; total: number; disabled: boolean }>();
  const skippedCases: string[] = [];
  let skippedResources = 0;
  const unreadable = new Map<string, { cases: Set<string>; sources: Set<string> }>();
  return {
    memory,
    unreadable(item: Case, field: ContextField, source: string) {
      let entry = unreadable.get(field);
      if (!entry) {
        entry = { cases: new Set(), sources: new Set() };
        unreadable.set(field, entry);
      }
      entry.cases.add(item.id);
      if (entry.sources.size < 20) entry.sources.add(source);
    },
    health(provider: ContextProvider) {
      let health = healthByProvider.get(provider.name);
      if (!health) {
        health = { consecutive: 0, total: 0, disabled: false };
        healthByProvider.set(provider.name, health);
      }
      return health;
    },
    fail(provider: ContextProvider, resource: Resource, error: unknown, threshold: number) {
      const health = this.health(provider);
      health.consecutive++;
      health.total++;
      const message = error instanceof Error ? error.message : String(error);
      if (health.total === 1) {
        context.warn({
          type: "other",
          source: "enrich",
          feature: `provider.${provider.name}`,
          message: `enrich: provider ${provider.name} failed for resource ${resource.id} (${message}); the other providers still applied.`,
          details: {
            provider: provider.name,
            resourceId: resource.id,
            code: (error as { code?: unknown }).code,
          },
        });
      }
      if (!health.disabled && health.consecutive >= threshold) {
        health.disabled = true;
        context.warn({
          type: "other",
          source: "enrich",
          feature: `provider.${provider.name}`,
          message: `enrich: provider ${provider.name} failed ${health.consecutive} times in a row; it is skipped for the rest of this run. Last error: ${message}`,
          details: { provider: provider.name, failures: health.total },
        });
      }
    },
    skip(item: Case, count: number) {
      skippedCases.push(item.id);
      skippedResources += count;
    },
    summarize() {
      for (const [field, entry] of unreadable) {
        const guarded = guardedValue[field as keyof typeof guardedValue];
        context.warn({
          type: "other",
          source: "enrich",
          feature: `enrich.unreadable.${field}`,
          message: `enrich: ${entry.cases.size} case(s) had a ${field} value that could not be read (from ${[...entry.sources].join(", ")}); it counts as ${field === "environment" ? "unknown, which routes as the policy's unknownEnvironment (production by default)" : guarded}, the most guarded value. Fix the values or map them in the provider.`,
          details: {
            field,
            treatedAs: guarded,
            cases: [...entry.cases].slice(0, 20),
            sources: [...entry.sources],
          },
        });
      }
      if (skippedCases.length > 0) {
        context.warn({
          type: "other",
          source: "enrich",
          feature: "maxResourcesPerCase",
          message: `enrich: ${skippedCases.length} case${skippedCases.length === 1 ? "" : "s"} had more resources than maxResourcesPerCase; ${skippedResources} resources were not looked up, so their context may be incomplete. Raise maxResourcesPerCase or group more finely.`,
          details: { cases: skippedCases.slice(0, 20), resources: skippedResources },
        });
      }
      for (const [name, health] of healthByProvider) {
        if (health.total > 1 && !health.disabled) {
          context.warn({
            type: "other",
            source: "enrich",
            feature: `provider.${name}`,
            message: `enrich: provider ${name} failed for ${health.total} resources in this run; their context came from the other providers.`,
            details: { provider: name, failures: health.total },
          });
        }
      }
    },
  };
}

async function lookupThroughStore(
  provider: ContextProvider,
  request: Parameters<ContextProvider["lookup"]>[0],
  key: string,
  context: StageContext,
  storeCache: { ttlMs: number } | undefined,
): Promise<ProvidedContext | undefined> {
  if (storeCache === undefined) return provider.lookup(request);
  const storeKey = `${provider.name}:${stableHash(key)}`;
  const hit = await context.store.get<{ answer: ProvidedContext | null }>("enrich-cache", storeKey);
  if (hit !== undefined) return hit.answer ?? undefined;
  const answer = await provider.lookup(request);
  await context.store.set("enrich-cache", storeKey, { answer: answer ?? null }, { ttlMs: storeCache.ttlMs });
  return answer;
}

/** The case's first `max` distinct resources (by canonical key), in finding order, with their findings. */
function distinctResources(
  findings: readonly Finding[],
  max: number,
): { resources: { resource: Resource; findings: Finding[] }[]; skipped: number } {
  const byKey = new Map<string, { resource: Resource; findings: Finding[] }>();
  const skipped = new Set<string>();
  for (const finding of findings) {
    const key = canonicalResourceKey(finding.resource);
    const entry = byKey.get(key);
    if (entry) entry.findings.push(finding);
    else if (byKey.size < max) byKey.set(key, { resource: finding.resource, findings: [finding] });
    else skipped.add(key);
  }
  return { resources: [...byKey.values()], skipped: skipped.size };
}

/** Per field: the value of the best-ranked provider, the disagreeing values in `conflicts`. */
function resolveFields(
  answers: readonly (ProvidedContext | undefined)[],
  providers: readonly ContextProvider[],
  ranks: readonly number[],
  onUnreadable?: (field: ContextField, source: string, value: string) => void,
): ResolvedFields {
  const order = providers.map((_, index) => index).sort((a, b) => ranks[a]! - ranks[b]! || a - b);
  const result: Record<string, Provenanced<unknown>> = {};
  for (const field of contextFields) {
    const candidates: { value: string | boolean; source: string }[] = [];
    for (const index of order) {
      const raw = answers[index]?.[field];
      if (raw === undefined || raw === null) continue;
      const [value, source] =
        typeof raw === "object" ? [raw.value, raw.source] : [raw, providers[index]!.name];
      const normalized = normalizeField(field, value);
      if (normalized !== undefined) candidates.push({ value: normalized, source });
      else if (field in guardedValue && typeof value === "string" && value.trim() !== "") {
        // Fail closed: a value that cannot be read counts as the most guarded one, and says so.
        const guarded = guardedValue[field as keyof typeof guardedValue];
        const shown = JSON.stringify(value.trim().slice(0, 60));
        candidates.push({
          value: guarded,
          source: `${source} (unreadable: ${shown}, treated as ${guarded})`,
        });
        onUnreadable?.(field, source, value.trim());
      }
    }
    const [winner, ...rest] = candidates;
    if (winner === undefined) continue;
    const conflicts = rest.filter((candidate) => candidate.value !== winner.value);
    result[field] = conflicts.length > 0 ? { ...winner, conflicts } : winner;
  }
  return result as ResolvedFields;
}

/**
 * What an unreadable value counts as: the environment is `unknown` (routed as the policy's
 * `unknownEnvironment`, production by default), the rest their most sensitive value.
 */
const guardedValue = {
  environment: "unknown",
  criticality: "critical",
  internetExposed: true,
  dataClassification: "restricted",
} as const;

function normalizeField(field: ContextField, value: unknown): string | boolean | undefined {
  if (typeof value === "boolean") return field === "internetExposed" ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  switch (field) {
    case "environment":
      return normalizeEnvironment(value);
    case "criticality":
      return normalizeCriticality(value);
    case "dataClassification":
      return normalizeDataClassification(value);
    case "internetExposed":
      return normalizeExposure(value);
    default:
      return value.trim();
  }
}

// An unreadable environment is as guarded as production (it routes as the policy's unknownEnvironment).
const environmentRisk: readonly Environment[] = ["production", "unknown", "staging", "test", "development"];
const criticalityRisk: readonly Criticality[] = ["critical", "high", "medium", "low"];
const classificationRisk: readonly DataClassification[] = [
  "restricted",
  "confidential",
  "internal",
  "public",
  "unknown",
];

/** Combines per-resource context into the case's: first owner/team, riskiest everything else. */
function aggregate(perResource: readonly ResolvedFields[]): CaseContext {
  const result: CaseContext = {};
  const first = <K extends keyof ResolvedFields>(field: K) =>
    perResource.find((entry) => entry[field])?.[field];
  const riskiest = <K extends "environment" | "criticality" | "dataClassification" | "internetExposed">(
    field: K,
    rank: (value: NonNullable<ResolvedFields[K]>["value"]) => number,
  ): ResolvedFields[K] => {
    let best: ResolvedFields[K] | undefined;
    for (const entry of perResource) {
      const candidate = entry[field];
      if (candidate && (best === undefined || rank(candidate.value) < rank(best!.value))) best = candidate;
    }
    return best;
  };
  const owner = first("owner");
  if (owner) result.owner = owner;
  const team = first("team");
  if (team) result.team = team;
  const environment = riskiest("environment", (value) => environmentRisk.indexOf(value));
  if (environment) result.environment = environment;
  const criticality = riskiest("criticality", (value) => criticalityRisk.indexOf(value));
  if (criticality) result.criticality = criticality;
  const exposed = riskiest("internetExposed", (value) => (value ? 0 : 1));
  if (exposed) result.internetExposed = exposed;
  const classification = riskiest("dataClassification", (value) => classificationRisk.indexOf(value));
  if (classification) result.dataClassification = classification;
  return result;
}
