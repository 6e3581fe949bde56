import { z } from "zod";
import type { AuditEvent } from "../../core/audit.js";
import { canonicalJson } from "../../core/canonical-json.js";
import type { Case, Explanation } from "../../core/case.js";
import { explanationSchema, findingIdsOf } from "../../core/case.js";
import { mapConcurrent } from "../../core/concurrency.js";
import {
  type CloudstewardError,
  ConfigurationError,
  isAbortError,
  isCloudstewardError,
  ModelOutputError,
} from "../../core/errors.js";
import { sha256Hex, stableHash } from "../../core/fingerprint.js";
import type { Stage, StageContext } from "../../core/stage.js";
import type { Store } from "../../core/store.js";
import { generateObject } from "../../llm/generate-object.js";
import type { LanguageModel, TokenUsage } from "../../llm/language-model.js";
import { definePrompt, untrustedBlock } from "../../llm/prompt.js";
import {
  describeGroundingIssues,
  type GroundingIssue,
  groundingCorpus,
  groundingIssues,
} from "../knowledge/grounding.js";
import {
  defaultKnowledge,
  type Facts,
  GENERIC_ARCHETYPE_ID,
  type KnowledgeBase,
  personalize,
  templateVariableNames,
} from "../knowledge/knowledge-base.js";
import type { OrganizationKnowledge } from "../knowledge/organization.js";
import { placeholdersIn } from "../knowledge/render.js";

/** The Store namespace of cached model explanations. */
export const EXPLAIN_CACHE_NAMESPACE = "explain-cache";

/** Options of {@link explain}. */
export interface ExplainOptions {
  /** Without a model, explanations come from the knowledge base alone. */
  model?: LanguageModel;
  /** The archetypes and their guidance. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
  /**
   * Caching of model explanations per group (archetype, resource type, environment, data
   * classification, severity, prompt version, model) in the run's Store; `false` asks the model for
   * every case.
   * @default { namespace: "explain-cache" } in `context.store`, without expiry
   */
  cache?: false | { store?: Store; namespace?: string; ttlMs?: number };
  /** Cases explained at once; model calls for one group are still made once. @default 4 */
  concurrency?: number;
  /**
   * Hosts (and their subdomains) a model may link to besides the links in the facts, e.g. your wiki.
   * Any other link, e-mail address, command, status claim or access-widening step the facts do not
   * hold makes the model's answer fall back to the knowledge base.
   * @default []
   */
  trustedHosts?: readonly string[];
  /**
   * The organization's runbooks and standards (`organizationKnowledge`): the passages that match a
   * case's archetype and rule are cited in `explanation.references` by file and heading.
   */
  organizationKnowledge?: OrganizationKnowledge;
}

/** What the model writes: the prose of an explanation, with `{{placeholders}}` for the case's values. */
export const modelExplanationSchema = z.object({
  headline: z.string().min(1).max(300),
  risk: z.string().min(1).max(1500),
  whyItMatters: z.string().min(1).max(2000),
  likelyIntent: z.string().min(1).max(600),
  remediationSteps: z.array(z.string().min(1).max(600)).min(1).max(2),
});

/** The model's explanation for a group, before personalization. */
export type ModelExplanation = z.infer<typeof modelExplanationSchema>;

/** The input of {@link explainPrompt}: the knowledge facts of a group and one sample case. */
export interface ExplainPromptInput {
  facts: Facts;
  sample: Case;
}

/** The versioned prompt the model explains a group of cases with. */
export const explainPrompt = definePrompt({
  name: "explain",
  version: 1,
  system: [
    "You explain cloud security findings to the engineers who own the affected resources.",
    "Write from the knowledge-base facts you are given; do not invent risks, steps, commands or compliance controls beyond them.",
    "Your text is reused for every resource in the same group, so never write a concrete resource name, id, account, region, owner, CVE or package: write placeholders instead, exactly as listed, e.g. {{resource.name}}.",
    "headline: one line naming {{resource.name}} and the exact misconfiguration. risk: what can go wrong, in plain words. whyItMatters: business terms, mentioning the environment and data classification when known, the policy {{rule.name}} and the frameworks listed. likelyIntent: the most likely reason the configuration exists. remediationSteps: one or two exact steps, taken from the facts.",
    "Be concise and concrete; no markdown.",
  ].join(" "),
  render: ({ facts, sample }: ExplainPromptInput) => {
    const first = sample.findings[0];
    return [
      "Knowledge-base facts for this group (trusted):",
      JSON.stringify(
        {
          archetype: facts.archetypeId,
          title: facts.entry.title,
          headline: facts.entry.headline,
          risk: facts.entry.risk,
          impact: facts.entry.impact,
          likelyIntents: facts.entry.intents,
          remediation: facts.entry.remediation,
          controls: facts.controls.map((control) => `${control.framework} ${control.control}`),
          resourceType: facts.resource.type,
          severity: facts.severity,
          environment: facts.environment,
          dataClassification: facts.dataClassification,
          internetExposed: facts.internetExposed ?? "unknown",
          allowedPlaceholders: templateVariableNames.map((name) => `{{${name}}}`),
        },
        null,
        2,
      ),
      "One finding of the group, as the security platform reported it (context only):",
      untrustedBlock("finding", {
        title: first?.title,
        description: first?.description,
        rule: first?.rule.name,
        platformRemediation: first?.rule.remediation,
        resourceType: first?.resource.type,
        tags: first?.resource.tags,
      }),
    ].join("\n");
  },
});

/**
 * The explain stage: fills `case.explanation` for the resource owner (the risk, why it matters,
 * the likely intent, one or two exact steps, fix snippets and controls), personalized with the
 * resource, owner, environment and data classification. Without a model the knowledge base writes
 * it; with a model, the model writes the prose from the same facts once per group (cached in the
 * Store) and each case is personalized deterministically. The model phrases, it does not decide:
 * remediation steps, snippets and links come from the facts, and an answer with a link, address,
 * command, status claim or access-widening step the facts do not hold falls back to the knowledge
 * base (the `ai-output` audit record's `data.rejected` says why). Any model failure falls back to the
 * knowledge base with a `fallback` warning. One bad case goes to the dead letters.
 * @example
 * const stage = explain({ model: openai({ model: "gpt-4.1-mini" }) });
 */
export function explain(options: ExplainOptions = {}): Stage<Case, Case> {
  const knowledge = options.knowledge ?? defaultKnowledge;
  const { model } = options;
  const cacheOptions = options.cache === false ? undefined : (options.cache ?? {});
  const namespace = cacheOptions?.namespace ?? EXPLAIN_CACHE_NAMESPACE;
  const concurrency = options.concurrency ?? 4;
  const trustedHosts = options.trustedHosts ?? [];
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigurationError(`explain: \`concurrency\` must be a positive integer, got ${concurrency}.`, {
      option: "concurrency",
    });
  }

  return {
    name: "explain",
    async *run(cases, context) {
      const store = cacheOptions?.store ?? context.store;
      const groups = new Map<string, Promise<GroupResult>>();
      const references = new Map<string, Promise<Explanation["references"]>>();
      let fallbacks = 0;

      /** The runbook passages for a case's archetype and rule, searched once per run. */
      const referencesFor = (facts: Facts, organization: OrganizationKnowledge) => {
        const key = `${facts.archetypeId}\u0000${facts.policy.id}`;
        let found = references.get(key);
        if (!found) {
          found = organization.search(`${facts.title} ${facts.policy.name}`, { signal: context.signal }).then(
            (matches) => matches.map(({ path, heading }) => ({ path, heading })),
            (error: unknown) => {
              if (isAbortError(error)) throw error;
              context.warn({
                type: "fallback",
                source: "explain",
                message: `explain: the organization knowledge could not be searched (${error instanceof Error ? error.message : String(error)}); explanations cite no runbook.`,
              });
              return [];
            },
          );
          references.set(key, found);
        }
        return found;
      };

      const modelTemplate = (facts: Facts, item: Case, llm: LanguageModel): Promise<GroupResult> => {
        const key = groupKey(facts, llm);
        let pending = groups.get(key);
        if (!pending) {
          pending = writeGroup(
            llm,
            facts,
            item,
            key,
            context,
            cacheOptions ? { store, namespace, ttlMs: cacheOptions.ttlMs } : undefined,
            trustedHosts,
          );
          groups.set(key, pending);
        }
        return pending;
      };

      const explainOne = async (item: Case): Promise<Explained | undefined> => {
        let explanation: Explanation;
        let call: GroupResult["call"];
        let rejection: GroupResult["rejection"];
        try {
          const facts = knowledge.factsFor(item);
          if (model) {
            const group = await modelTemplate(facts, item, model);
            // The call's usage is recorded with the first case that used it, once.
            call = group.call;
            group.call = undefined;
            rejection = group.rejection;
            if (group.template) {
              explanation = explanationFromModel(facts, group.template);
            } else {
              fallbacks++;
              if (group.error) {
                context.warn({
                  type: "fallback",
                  source: "explain",
                  message: `explain: the model could not explain case ${item.id} (${group.error.message}); the knowledge base wrote it.`,
                  details: { caseId: item.id, archetypeId: facts.archetypeId, code: group.error.code },
                });
                group.error = undefined;
              }
              explanation = explanationFromFacts(facts);
            }
          } else {
            explanation = explanationFromFacts(facts);
          }
          if (options.organizationKnowledge) {
            const cited = await referencesFor(facts, options.organizationKnowledge);
            if (cited && cited.length > 0) explanation = { ...explanation, references: cited };
          }
          return { item: { ...item, explanation: validate(explanation, item.id) }, call, rejection };
        } catch (error) {
          if (context.signal.aborted) throw error;
          context.fail(isAbortError(error) ? error : typed(error, item.id), { itemId: item.id, item });
          return undefined;
        }
      };

      for await (const result of mapConcurrent(cases, concurrency, explainOne)) {
        const explanation = result?.item.explanation;
        if (!result || !explanation) continue;
        await context.audit(aiOutputEvent(result.item, explanation, result.call, result.rejection));
        context.events.emit("case-explained", { caseId: result.item.id, source: explanation.source });
        yield result.item;
      }

      if (fallbacks > 0) {
        context.warn({
          type: "fallback",
          source: "explain",
          message: `explain: ${fallbacks} case(s) were explained by the knowledge base because the model failed for their group.`,
          details: { fallbacks },
        });
      }
    },
  };
}

/**
 * An explanation written from knowledge-base facts alone: deterministic, grounded, personalized.
 * @example
 * const explanation = explanationFromFacts(defaultKnowledge.factsFor(item));
 */
export function explanationFromFacts(facts: Facts): Explanation {
  return {
    source: "knowledge",
    archetypeId: facts.specific ? facts.archetypeId : undefined,
    headline: withResourceCount(facts.headline, facts),
    risk: facts.risk,
    whyItMatters: [facts.impact, contextSentence(facts), policySentence(facts)].filter(Boolean).join(" "),
    likelyIntent: intentSentence(facts),
    remediationSteps: facts.remediationSteps.slice(0, 2),
    remediationSource: facts.remediationSource,
    snippets: facts.snippets,
    controls: facts.controls,
    consoleUrl: facts.consoleUrl,
  };
}

// Internal helpers.

interface GroupResult {
  template?: ModelExplanation & { model: string; promptVersion: string };
  /** What the model call cost, when it was made in this run (not read from the cache). */
  call?: { inputDigest: string; usage: TokenUsage; cost: number; repaired: boolean };
  /** The failure, reported once (then cleared) as a warning. */
  error?: CloudstewardError;
  /** Why the model's answer was rejected as ungrounded; recorded in every case's `ai-output` record. */
  rejection?: { reason: string; issues: GroundingIssue[] };
}

type CachedTemplate = NonNullable<GroupResult["template"]>;

/** One explained case, with the model call made for it (when it was the first of its group). */
interface Explained {
  item: Case;
  call: GroupResult["call"];
  rejection: GroupResult["rejection"];
}

/**
 * The `ai-output` audit record of one explained case: who wrote it (model and prompt version, or the
 * knowledge base), digests of what the model read and of what the case now says, and token usage.
 */
function aiOutputEvent(
  item: Case,
  explanation: Explanation,
  call: GroupResult["call"],
  rejection: GroupResult["rejection"],
): AuditEvent {
  return {
    type: "ai-output",
    actor: "cloudsteward/explain",
    caseId: item.id,
    findingIds: findingIdsOf(item),
    data: {
      source: explanation.source,
      archetypeId: explanation.archetypeId ?? null,
      model: explanation.model ?? null,
      promptVersion: explanation.promptVersion ?? null,
      headline: explanation.headline,
      outputDigest: sha256Hex(canonicalJson(explanation)),
      inputDigest: call?.inputDigest ?? null,
      usage: call ? { ...call.usage, cost: call.cost, repaired: call.repaired } : null,
      ...(rejection && { rejected: { reason: rejection.reason, issues: rejection.issues } }),
    },
  };
}

/** The cache key of a group: cases that share it get the same model text, personalized. */
function groupKey(facts: Facts, model: LanguageModel): string {
  // Generic and per-CVE explanations depend on the rule itself, not only on the archetype.
  const archetype =
    facts.archetypeId === GENERIC_ARCHETYPE_ID
      ? `generic:${facts.policy.platforms.join(",")}:${facts.policy.id}`
      : facts.matchedId?.startsWith("cve:")
        ? `${facts.archetypeId}:${facts.matchedId}`
        : facts.archetypeId;
  return stableHash(
    archetype,
    facts.resource.type,
    facts.environment,
    facts.dataClassification,
    facts.severity,
    explainPrompt.id,
    `${model.provider}:${model.modelId}`,
  );
}

async function writeGroup(
  model: LanguageModel,
  facts: Facts,
  sample: Case,
  key: string,
  context: StageContext,
  cache: { store: Store; namespace: string; ttlMs?: number } | undefined,
  trustedHosts: readonly string[],
): Promise<GroupResult> {
  const corpus = groundingCorpus(facts, { hosts: trustedHosts });
  if (cache) {
    const cached = await cache.store.get<CachedTemplate>(cache.namespace, key);
    // A cached answer is grounded again: the facts or the checks may have changed since it was stored.
    if (
      cached &&
      modelExplanationSchema.safeParse(cached).success &&
      groundingIssues(modelFields(cached), corpus).length === 0
    )
      return { template: cached };
  }
  let call: GroupResult["call"];
  try {
    const prompt = explainPrompt.build({ facts, sample });
    const result = await generateObject(model, {
      schema: modelExplanationSchema,
      schemaName: "explanation",
      schemaDescription: "A plain-language explanation of a cloud security finding for the resource owner.",
      ...prompt,
      signal: context.signal,
      report: context.report,
    });
    const modelName = `${result.provider}:${result.modelId}`;
    call = {
      inputDigest: sha256Hex(canonicalJson(prompt)),
      usage: result.usage,
      cost: result.cost,
      repaired: result.repaired,
    };
    // The model phrases, it does not decide: links, addresses, commands, claims and access-widening
    // steps must come from the trusted facts, or the knowledge base answers instead.
    const issues = groundingIssues(modelFields(result.object), corpus);
    if (issues.length > 0) {
      const reason = `not grounded in the facts: ${describeGroundingIssues(issues)}`;
      return {
        call,
        rejection: { reason, issues },
        error: new ModelOutputError(`${modelName}'s explanation was rejected (${reason}).`, {
          model: modelName,
          issues: issues.map((issue) => ({
            path: issue.field.split("."),
            message: `${issue.kind}: ${issue.value}`,
          })),
        }),
      };
    }
    checkPlaceholders(result.object, modelName);
    const template: CachedTemplate = {
      ...result.object,
      model: modelName,
      promptVersion: result.promptVersion ?? explainPrompt.id,
    };
    if (cache)
      await cache.store.set(cache.namespace, key, template, cache.ttlMs ? { ttlMs: cache.ttlMs } : undefined);
    return { template, call };
  } catch (error) {
    if (context.signal.aborted || isAbortError(error)) throw error;
    return {
      call,
      error: isCloudstewardError(error)
        ? error
        : new ModelOutputError(
            `${model.provider}:${model.modelId} failed while explaining (${error instanceof Error ? error.message : String(error)}).`,
            { model: `${model.provider}:${model.modelId}`, cause: error },
          ),
    };
  }
}

/** The text fields of a model answer by name (`remediationSteps.0`), for the grounding check. */
function modelFields(text: ModelExplanation): Record<string, string> {
  const fields: Record<string, string> = {
    headline: text.headline,
    risk: text.risk,
    whyItMatters: text.whyItMatters,
    likelyIntent: text.likelyIntent,
  };
  text.remediationSteps.forEach((step, index) => {
    fields[`remediationSteps.${index}`] = step;
  });
  return fields;
}

/** Rejects model text that names placeholders we cannot fill, or never names the resource. */
function checkPlaceholders(text: ModelExplanation, modelName: string): void {
  const known = new Set(templateVariableNames);
  const fields = [text.headline, text.risk, text.whyItMatters, text.likelyIntent, ...text.remediationSteps];
  const unknown = fields.flatMap(placeholdersIn).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ModelOutputError(
      `${modelName} used unknown placeholders (${[...new Set(unknown)].map((name) => `{{${name}}}`).join(", ")}).`,
      { model: modelName, issues: [{ path: [], message: "unknown placeholder" }] },
    );
  }
  if (![text.headline, text.risk].some((field) => placeholdersIn(field).includes("resource.name"))) {
    throw new ModelOutputError(
      `${modelName} did not name the resource with {{resource.name}} in the headline or risk.`,
      {
        model: modelName,
        issues: [{ path: ["headline"], message: "missing {{resource.name}}" }],
      },
    );
  }
}

function explanationFromModel(facts: Facts, template: CachedTemplate): Explanation {
  const text = (value: string) => personalize(value, facts.variables);
  return {
    source: "model",
    archetypeId: facts.specific ? facts.archetypeId : undefined,
    headline: withResourceCount(text(template.headline), facts),
    risk: text(template.risk),
    whyItMatters: text(template.whyItMatters),
    likelyIntent: text(template.likelyIntent),
    // The steps a person acts on are the knowledge base's (or the platform's), never the model's: the
    // model's own steps only had to pass the grounding check.
    remediationSteps: facts.remediationSteps.slice(0, 2),
    remediationSource: facts.remediationSource,
    snippets: facts.snippets,
    controls: facts.controls,
    consoleUrl: facts.consoleUrl,
    model: template.model,
    promptVersion: template.promptVersion,
  };
}

function withResourceCount(headline: string, facts: Facts): string {
  const others = facts.resourceCount - 1;
  return others > 0 ? `${headline} (and ${others} more resource${others === 1 ? "" : "s"})` : headline;
}

function contextSentence(facts: Facts): string {
  const parts: string[] = [];
  if (facts.environment !== "unknown") parts.push(`is in ${facts.environment}`);
  if (facts.dataClassification !== "unknown") parts.push(`holds ${facts.dataClassification} data`);
  if (facts.internetExposed) parts.push("is reachable from the internet");
  if (facts.owner) parts.push(`is owned by ${facts.owner}`);
  if (parts.length === 0) return "";
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
  return `${facts.resource.name} ${list}.`;
}

function policySentence(facts: Facts): string {
  const byFramework = new Map<string, string[]>();
  for (const control of facts.controls) {
    byFramework.set(control.framework, [...(byFramework.get(control.framework) ?? []), control.control]);
  }
  const mapped = [...byFramework].map(([framework, ids]) => `${framework} ${ids.join(", ")}`).join("; ");
  return `It breaks the policy “${facts.policy.name}”${mapped ? ` and maps to ${mapped}` : ""}.`;
}

function intentSentence(facts: Facts): string {
  const [first, second] = facts.intents;
  return `${first}.${second ? ` Less likely: ${lowerFirst(second)}.` : ""}`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}

function validate(explanation: Explanation, caseId: string): Explanation {
  const result = explanationSchema.safeParse(explanation);
  if (result.success) return result.data;
  throw new ConfigurationError(
    `explain: the explanation of case ${caseId} is invalid (${result.error.issues[0]?.message}); check the knowledge entry "${explanation.archetypeId ?? GENERIC_ARCHETYPE_ID}".`,
    { cause: result.error },
  );
}

function typed(error: unknown, caseId: string): CloudstewardError {
  if (isCloudstewardError(error)) return error;
  return new ConfigurationError(
    `explain: case ${caseId} could not be explained (${error instanceof Error ? error.message : String(error)}); check the case and the knowledge base.`,
    { cause: error },
  );
}
