import { ConfigurationError } from "../core/errors.js";
import type { EmbedRequest, LanguageModel } from "./language-model.js";

/**
 * Limits how many calls to a model run at once (to stay under a provider's concurrency or
 * tokens-per-minute limit); further calls wait their turn in order. An aborted waiting call
 * leaves the queue and rejects with the signal's reason.
 * @example
 * const model = limitConcurrency(openai({ model: "gpt-4.1-mini" }), 4);
 */
export function limitConcurrency(model: LanguageModel, limit: number): LanguageModel {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ConfigurationError(`limitConcurrency: limit must be a positive integer, got ${limit}.`, {
      option: "limit",
    });
  }
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  const acquire = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      signal?.throwIfAborted();
      if (active < limit) {
        active++;
        resolve();
        return;
      }
      const turn = () => {
        signal?.removeEventListener("abort", onAbort);
        active++;
        resolve();
      };
      const onAbort = () => {
        const index = waiting.indexOf(turn);
        if (index >= 0) waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiting.push(turn);
    });

  const embedInner = model.embed?.bind(model);
  return {
    specificationVersion: "v1",
    provider: model.provider,
    modelId: model.modelId,
    async generate(request) {
      await acquire(request.signal);
      try {
        return await model.generate(request);
      } finally {
        release();
      }
    },
    ...(embedInner
      ? {
          async embed(request: EmbedRequest) {
            await acquire(request.signal);
            try {
              return await embedInner(request);
            } finally {
              release();
            }
          },
        }
      : {}),
  };
}
