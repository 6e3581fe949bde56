/**
 * The `LanguageModel` contract every provider subpath (`cloudsteward/llm/openai`, `/anthropic`,
 * `/azure-openai`, `/openai-compatible`, `/bedrock`, `/ai-sdk`) fulfils, and what composes models:
 * `generateObject` (zod-validated structured output with one repair), a Store-backed cache, budgets,
 * fallback chains and routing, a concurrency limit, versioned prompts with fenced untrusted data, and
 * the price table.
 * @module cloudsteward/llm
 */
export { type Budget, type BudgetOptions, type BudgetSpent, createBudget } from "./budget.js";
export { type CachedModelOptions, cachedModel, cacheKey } from "./cache.js";
export { limitConcurrency } from "./concurrency.js";
export {
  type FallbackModelOptions,
  fallbackModel,
  type RoutedModelOptions,
  routedModel,
} from "./fallback.js";
export {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  generateObject,
  parseJsonText,
} from "./generate-object.js";
export { toJsonSchema } from "./json-schema.js";
export * from "./language-model.js";
export {
  costOf,
  defaultPriceTable,
  type ModelPrice,
  type PricedModel,
  type PriceTable,
  priceOf,
} from "./pricing.js";
export {
  definePrompt,
  type Prompt,
  type PromptDefinition,
  type UntrustedBlockOptions,
  untrustedBlock,
  untrustedDataInstruction,
} from "./prompt.js";
