import { ConfigurationError, isAbortError } from "../core/errors.js";
import { addUsage, type GenerateResult, type LanguageModel } from "./language-model.js";

/** Options of {@link fallbackModel}. */
export interface FallbackModelOptions {
  /** Whether an error of one model should move on to the next. @default every error except an abort */
  shouldFallback?: (error: unknown) => boolean;
}

/**
 * Tries models in order until one answers: a primary, then cheaper or local ones. The result names
 * the model that answered and carries a warning for each model that failed; when all fail, the last
 * error is thrown (the knowledge base is the caller's last resort).
 * @example
 * const model = fallbackModel([openai({ model: "gpt-4.1-mini" }), openaiCompatible({ model: "llama3.1:8b" })]);
 */
export function fallbackModel(models: LanguageModel[], options: FallbackModelOptions = {}): LanguageModel {
  const [first] = models;
  if (!first) throw new ConfigurationError("fallbackModel: pass at least one model.", { option: "models" });
  const shouldFallback = options.shouldFallback ?? ((error: unknown) => !isAbortError(error));
  return {
    specificationVersion: "v1",
    provider: "fallback",
    modelId: models.map((model) => `${model.provider}:${model.modelId}`).join(","),
    async generate(request) {
      const failures: string[] = [];
      for (const [index, model] of models.entries()) {
        try {
          const result = await model.generate(request);
          return {
            ...result,
            model: result.model ?? { provider: model.provider, modelId: model.modelId },
            warnings: [
              ...failures.map((message) => ({ type: "other" as const, feature: "fallback", message })),
              ...result.warnings,
            ],
          };
        } catch (error) {
          if (request.signal?.aborted) throw request.signal.reason;
          if (index === models.length - 1 || !shouldFallback(error)) throw error;
          const reason = (error as { code?: string }).code ?? (error as Error).name ?? "error";
          failures.push(
            `${model.provider}:${model.modelId} failed (${reason}); fell back to the next model.`,
          );
        }
      }
      throw new ConfigurationError("fallbackModel: no model answered.", { option: "models" });
    },
  };
}

/** Options of {@link routedModel}. */
export interface RoutedModelOptions {
  /** The cheap model asked first. */
  small: LanguageModel;
  /** The model asked when `escalate` says so. */
  large: LanguageModel;
  /**
   * Whether the small model's answer is not good enough (low confidence, refusal, truncation).
   * @default escalate on a refusal, a truncated answer, or structured output that did not parse
   */
  escalate?: (result: GenerateResult) => boolean | Promise<boolean>;
}

/**
 * "Small model first, escalate on low confidence": asks `small`, and asks `large` when `escalate`
 * says the answer is not good enough. The usage of both calls is reported.
 * @example
 * const model = routedModel({
 *   small: openai({ model: "gpt-4.1-nano" }),
 *   large: openai({ model: "gpt-4.1" }),
 *   escalate: (result) => (result.object as { confidence?: number } | undefined)?.confidence !== undefined
 *     && (result.object as { confidence: number }).confidence < 0.6,
 * });
 */
export function routedModel(options: RoutedModelOptions): LanguageModel {
  const { small, large } = options;
  const escalate = options.escalate ?? defaultEscalate;
  return {
    specificationVersion: "v1",
    provider: "routed",
    modelId: `${small.provider}:${small.modelId}>${large.provider}:${large.modelId}`,
    async generate(request) {
      const first = await small.generate(request);
      if (!(await escalate(first)))
        return { ...first, model: first.model ?? { provider: small.provider, modelId: small.modelId } };
      const second = await large.generate(request);
      return {
        ...second,
        usage: addUsage(first.usage, second.usage),
        model: second.model ?? { provider: large.provider, modelId: large.modelId },
        warnings: [
          {
            type: "other",
            feature: "routing",
            message: `${small.provider}:${small.modelId} escalated to ${large.provider}:${large.modelId}.`,
          },
          ...second.warnings,
        ],
      };
    },
  };
}

function defaultEscalate(result: GenerateResult): boolean {
  return (
    result.refusal !== undefined ||
    result.finishReason === "length" ||
    result.finishReason === "content-filter" ||
    (result.object === undefined && result.toolCalls === undefined && result.text.trim() === "")
  );
}
