/**
 * The core of cloudsteward: the Finding, Case and Action models, the pipeline and its stages,
 * typed errors, the HTTP client, redaction and OCSF export. Adapters, model providers and sinks are
 * separate subpaths (`cloudsteward/adapters/wiz`, `cloudsteward/llm/openai`, `cloudsteward/sinks/jira`…),
 * so you pay only for what you import.
 * @module cloudsteward
 */

export * from "./agents/approvals/index.js";
export * from "./agents/decide/index.js";
export * from "./agents/enrich/index.js";
export {
  EXPLAIN_CACHE_NAMESPACE,
  type ExplainOptions,
  type ExplainPromptInput,
  explain,
  explainPrompt,
  explanationFromFacts,
  type ModelExplanation,
  modelExplanationSchema,
} from "./agents/explain/index.js";
export * from "./agents/gate/index.js";
export {
  type ArchetypeMatcher,
  type ArchetypeMatchFn,
  archetypeIds,
  archetypeMatchers,
  compileMatchers,
  createKnowledgeBase,
  defaultEntries,
  defaultKnowledge,
  explanationArchetypeFor,
  type Facts,
  GENERIC_ARCHETYPE_ID,
  type KnowledgeBase,
  type KnowledgeEntry,
  type KnowledgeEntryInput,
  knowledgeEntrySchema,
  type MatchInput,
  matchArchetype,
} from "./agents/knowledge/index.js";
export * from "./agents/policy/index.js";
export * from "./agents/replay/index.js";
export * from "./agents/triage/index.js";
export * from "./core/action.js";
export * from "./core/case.js";
export { mapConcurrent } from "./core/concurrency.js";
export * from "./core/errors.js";
export type { Delivery, PipelineEventName, PipelineEvents } from "./core/events.js";
export * from "./core/finding.js";
export { canonicalResourceKey, dedupKey, type ResourceIdentity, stableHash } from "./core/fingerprint.js";
export * from "./core/governance.js";
export { memoryStore } from "./core/memory-store.js";
export {
  type OcsfActivityId,
  type OcsfComplianceFinding,
  type OcsfComplianceStatusId,
  type OcsfDetectionFinding,
  type OcsfFinding,
  type OcsfFindingBase,
  type OcsfKeyValue,
  type OcsfSeverityId,
  type OcsfStatusId,
  type OcsfVulnerability,
  type OcsfVulnerabilityFinding,
  ocsfCategoryUid,
  ocsfClassUid,
  ocsfVersion,
  type ToOcsfOptions,
  toOcsf,
} from "./core/ocsf.js";
export {
  type DeepReadonly,
  type Page,
  type PageInfo,
  type PaginateOptions,
  paginate,
  pinQuery,
} from "./core/paginate.js";
export {
  isAction,
  type PipelineOptions,
  type PipelineRun,
  type PipelineSource,
  type PipelineStartOptions,
  pipeline,
} from "./core/pipeline.js";
export {
  createRedactor,
  type PseudonymizeOptions,
  type RedactOptions,
  type Redactor,
  type RedactorOptions,
  redact,
  redactUrl,
  shannonEntropy,
} from "./core/redact.js";
export * from "./core/report.js";
export { optionOrEnv, resolveSecret, type Secret, type SecretSource } from "./core/secret.js";
export type { Sink, SinkCallOptions } from "./core/sink.js";
export type * from "./core/source.js";
export type { Stage, StageContext } from "./core/stage.js";
export type { LogEntry, Store } from "./core/store.js";
export { type Budget, type BudgetOptions, type BudgetSpent, createBudget } from "./llm/budget.js";
export { type CachedModelOptions, cachedModel, cacheKey } from "./llm/cache.js";
export { limitConcurrency } from "./llm/concurrency.js";
export {
  type FallbackModelOptions,
  fallbackModel,
  type RoutedModelOptions,
  routedModel,
} from "./llm/fallback.js";
export {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  generateObject,
  parseJsonText,
} from "./llm/generate-object.js";
export {
  fitsStrictMode,
  restoreOptionalNulls,
  toJsonSchema,
  toStrictJsonSchema,
  toToolInputSchema,
} from "./llm/json-schema.js";
export * from "./llm/language-model.js";
export * from "./llm/pricing.js";
export {
  definePrompt,
  type Prompt,
  type PromptDefinition,
  type UntrustedBlockOptions,
  untrustedBlock,
  untrustedDataInstruction,
} from "./llm/prompt.js";
export {
  createWebhookHandler,
  type WebhookBatch,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRouteOptions,
  type WebhookSourceOptions,
  webhookSeenNamespace,
} from "./server/webhook-handler.js";
