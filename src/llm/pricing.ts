import type { RunReport } from "../core/report.js";
import type { TokenUsage } from "./language-model.js";

/** The price of one model, in currency units (USD by default) per million tokens. */
export interface ModelPrice {
  /** Price per million input (prompt) tokens. */
  input: number;
  /** Price per million output (completion) tokens. */
  output: number;
}

/**
 * Prices by model id. Keys are matched exactly first (`provider:modelId`, then `modelId`), then as
 * the longest key that prefixes the model id, so `gpt-4.1-mini` also prices `gpt-4.1-mini-2025-04-14`.
 */
export type PriceTable = Record<string, ModelPrice>;

/**
 * List prices (USD per million tokens) of common models, as published by the vendors when this
 * table was written. Vendors change prices: pass your own table where money matters.
 */
export const defaultPriceTable: PriceTable = {
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "claude-opus-4": { input: 15, output: 75 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  "anthropic.claude-sonnet-4": { input: 3, output: 15 },
  "anthropic.claude-haiku-4-5": { input: 1, output: 5 },
};

/** Which model a usage belongs to. */
export interface PricedModel {
  provider: string;
  modelId: string;
}

/**
 * The cost of `usage` on `model` according to `table`; 0 for a model the table does not know
 * (local models are free; add an entry to price a hosted one).
 * @example
 * costOf({ inputTokens: 1000, outputTokens: 200 }, { provider: "openai", modelId: "gpt-4.1-mini" }); // 0.00072
 */
export function costOf(usage: TokenUsage, model: PricedModel, table: PriceTable = defaultPriceTable): number {
  const price = priceOf(model, table);
  if (!price) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/** The price entry for a model, or undefined when the table does not know it. */
export function priceOf(model: PricedModel, table: PriceTable = defaultPriceTable): ModelPrice | undefined {
  const exact = table[`${model.provider}:${model.modelId}`] ?? table[model.modelId];
  if (exact) return exact;
  // Cross-region Bedrock inference profiles prefix the model id with a geography (`us.`, `eu.`, `global.`).
  const id = model.modelId.replace(/^(us|eu|apac|global|us-gov)\./, "");
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (id.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** Adds calls, tokens and cost to a run report's `usage`. */
export function recordUsage(report: RunReport, usage: TokenUsage, cost: number, calls = 1): void {
  report.usage.calls += calls;
  report.usage.inputTokens += usage.inputTokens;
  report.usage.outputTokens += usage.outputTokens;
  report.usage.cost += cost;
}
