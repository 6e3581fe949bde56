import { BudgetExceededError } from "../core/errors.js";
import type { RunReport } from "../core/report.js";
import type { LanguageModel, TokenUsage } from "./language-model.js";
import { costOf, type PriceTable } from "./pricing.js";

/** Options of {@link createBudget}. */
export interface BudgetOptions {
  /** Input plus output tokens the run may spend. Unlimited when unset. */
  maxTokens?: number;
  /** Money the run may spend, in the price table's currency. Unlimited when unset. */
  maxCost?: number;
  /** The price table for `maxCost`. @default defaultPriceTable */
  pricing?: PriceTable;
  /** A run report: gets a `budget-exhausted` warning (once) when the budget runs out. */
  report?: RunReport;
}

/** What a budget has spent so far. */
export interface BudgetSpent extends TokenUsage {
  calls: number;
  cost: number;
}

/** A per-run model budget. Wrap every model of the run with {@link Budget.wrap}. */
export interface Budget {
  readonly maxTokens?: number;
  readonly maxCost?: number;
  /** Calls, tokens and cost spent through wrapped models. */
  readonly spent: Readonly<BudgetSpent>;
  /** True once a limit is reached; every further call is refused. */
  readonly exhausted: boolean;
  /** How many calls were refused (each one an AI stage falling back to the knowledge base). */
  readonly refused: number;
  /** A model that counts its usage against this budget and throws `BudgetExceededError` once it is spent. */
  wrap(model: LanguageModel): LanguageModel;
}

/**
 * Creates a run budget. A call that starts before the budget is spent completes (a call cannot be
 * priced in advance); every call after that throws {@link BudgetExceededError}, so AI stages fall
 * back to the knowledge base, and `refused` counts how many did.
 * @example
 * const budget = createBudget({ maxTokens: 200_000, maxCost: 2, report });
 * const model = budget.wrap(openai({ model: "gpt-4.1-mini" }));
 * // … run the pipeline with `model` …
 * console.log(budget.spent, budget.refused);
 */
export function createBudget(options: BudgetOptions = {}): Budget {
  const spent: BudgetSpent = { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 };
  let refused = 0;
  let warned = false;

  const limitReached = (): "tokens" | "cost" | undefined => {
    if (options.maxTokens !== undefined && spent.inputTokens + spent.outputTokens >= options.maxTokens)
      return "tokens";
    if (options.maxCost !== undefined && spent.cost >= options.maxCost) return "cost";
    return undefined;
  };

  return {
    maxTokens: options.maxTokens,
    maxCost: options.maxCost,
    spent,
    get exhausted() {
      return limitReached() !== undefined;
    },
    get refused() {
      return refused;
    },
    wrap(model) {
      return {
        specificationVersion: "v1",
        provider: model.provider,
        modelId: model.modelId,
        async generate(request) {
          const limit = limitReached();
          if (limit) {
            refused++;
            const message =
              limit === "tokens"
                ? `The run's model budget of ${options.maxTokens} tokens is spent (${spent.inputTokens + spent.outputTokens} used); falling back to the knowledge base. Raise maxTokens in createBudget() to use the model for more items.`
                : `The run's model budget of ${options.maxCost} is spent (${spent.cost.toFixed(4)} used); falling back to the knowledge base. Raise maxCost in createBudget() to use the model for more items.`;
            if (options.report && !warned) {
              warned = true;
              options.report.warnings.push({
                type: "budget-exhausted",
                source: "llm",
                message,
                details: { limit },
              });
            }
            throw new BudgetExceededError(message, { limit });
          }
          const result = await model.generate(request);
          spent.calls++;
          spent.inputTokens += result.usage.inputTokens;
          spent.outputTokens += result.usage.outputTokens;
          spent.cost += costOf(result.usage, result.model ?? model, options.pricing);
          return result;
        },
      };
    },
  };
}
