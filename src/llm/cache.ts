import { stableHash } from "../core/fingerprint.js";
import type { Store } from "../core/store.js";
import type { GenerateRequest, GenerateResult, LanguageModel } from "./language-model.js";

/** Options of {@link cachedModel}. */
export interface CachedModelOptions {
  /** How long an answer stays cached, in milliseconds. Forever when unset. */
  ttlMs?: number;
  /** The Store namespace. @default "llm-cache" */
  namespace?: string;
}

/** What the cache keeps of an answer (never the raw provider body). */
type CachedResult = Omit<GenerateResult, "raw">;

/**
 * A content-addressed response cache in a Store: the same model, system prompt, messages, schema,
 * tools and settings give the same key, and a cached answer makes no model call. The random id of
 * `untrustedBlock` fences is ignored in the key, so re-running a prompt over the same data hits.
 * A cached answer reports zero usage: nothing was spent.
 * @example
 * const model = cachedModel(openai({ model: "gpt-4.1-mini" }), sqliteStore({ path: "cloudsteward.db" }));
 */
export function cachedModel(
  model: LanguageModel,
  store: Store,
  options: CachedModelOptions = {},
): LanguageModel {
  const namespace = options.namespace ?? "llm-cache";
  return {
    specificationVersion: "v1",
    provider: model.provider,
    modelId: model.modelId,
    async generate(request) {
      const key = cacheKey(model, request);
      const hit = await store.get<CachedResult>(namespace, key);
      if (hit) return { ...hit, usage: { inputTokens: 0, outputTokens: 0 } };
      const result = await model.generate(request);
      if (result.finishReason !== "error") {
        const { raw: _raw, ...kept } = result;
        await store.set<CachedResult>(
          namespace,
          key,
          kept,
          options.ttlMs === undefined ? undefined : { ttlMs: options.ttlMs },
        );
      }
      return result;
    },
    // Embeddings pass through uncached (organization knowledge keeps its own index).
    ...(model.embed ? { embed: model.embed.bind(model) } : {}),
  };
}

/** The cache key of a request to a model: a stable hash of everything that shapes the answer. */
export function cacheKey(
  model: Pick<LanguageModel, "provider" | "modelId">,
  request: GenerateRequest,
): string {
  return stableHash(
    model.provider,
    model.modelId,
    withoutNonces(request.system ?? ""),
    withoutNonces(JSON.stringify(request.messages)),
    JSON.stringify(request.responseFormat ?? null),
    JSON.stringify({
      tools: request.tools ?? null,
      toolChoice: request.toolChoice ?? null,
      temperature: request.temperature ?? null,
      maxOutputTokens: request.maxOutputTokens ?? null,
    }),
  );
}

function withoutNonces(text: string): string {
  return text.replace(/(<\/?untrusted-data id=\\?")[0-9a-f]+(\\?")/g, "$1*$2");
}
