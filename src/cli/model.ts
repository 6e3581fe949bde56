import { isAbortError, isCloudstewardError } from "../core/errors.js";
import { anthropic } from "../llm/anthropic/anthropic.js";
import type { LanguageModel } from "../llm/language-model.js";
import { openai } from "../llm/openai/openai.js";
import { openaiCompatible } from "../llm/openai-compatible/openai-compatible.js";

/** The model providers the CLI can configure; `none` explains with the knowledge base alone. */
export type CliModelProvider = "openai" | "anthropic" | "ollama" | "none";

/** A model the CLI picked, with a label for output and reports. */
export interface CliModel {
  model?: LanguageModel;
  /** e.g. `openai gpt-4.1-mini` or `knowledge base (no model)`. */
  label: string;
}

/** Default model ids per provider. */
export const defaultModelIds: Record<Exclude<CliModelProvider, "none">, string> = {
  openai: "gpt-4.1-mini",
  anthropic: "claude-haiku-4-5",
  ollama: "llama3.1:8b",
};

/**
 * The model for a provider, reading keys (and `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL`) from `env`. `auto` picks the first of `OPENAI_API_KEY`,
 * `ANTHROPIC_API_KEY` and `OLLAMA_HOST` that is set, and the knowledge base when none is.
 */
export function cliModel(provider: CliModelProvider | "auto", env: CliIoEnv, modelId?: string): CliModel {
  const chosen =
    provider !== "auto"
      ? provider
      : env.OPENAI_API_KEY
        ? "openai"
        : env.ANTHROPIC_API_KEY
          ? "anthropic"
          : env.OLLAMA_HOST
            ? "ollama"
            : "none";
  if (chosen === "none") return { label: "knowledge base (no model)" };
  const id = modelId ?? env.CLOUDSTEWARD_MODEL ?? defaultModelIds[chosen];
  if (chosen === "openai") {
    const baseURL = env.OPENAI_BASE_URL;
    return {
      model: openai({ model: id, apiKey: env.OPENAI_API_KEY, ...(baseURL ? { baseURL } : {}) }),
      label: `openai ${id}`,
    };
  }
  if (chosen === "anthropic") {
    const baseURL = env.ANTHROPIC_BASE_URL;
    return {
      model: anthropic({ model: id, apiKey: env.ANTHROPIC_API_KEY, ...(baseURL ? { baseURL } : {}) }),
      label: `anthropic ${id}`,
    };
  }
  const host = (env.OLLAMA_HOST ?? "http://localhost:11434").replace(/\/+$/, "");
  const baseURL = `${/^https?:\/\//.test(host) ? host : `http://${host}`}/v1`;
  return { model: openaiCompatible({ model: id, baseURL, name: "ollama" }), label: `ollama ${id}` };
}

/** What {@link preflightModel} found: the model to use, and why it was dropped when it was. */
export interface CheckedModel extends CliModel {
  /** Why the configured model is not used (unreachable, or it refused the call). */
  problem?: string;
}

/**
 * Checks the chosen model with one tiny call (one output token) before a run, so a broken set-up
 * shows at once instead of as one slow fallback per case: when the call fails (connection refused,
 * no answer within `timeoutMs`, refused credentials, unknown model), the run explains with the
 * knowledge base and the label says why, e.g. `knowledge base (model unreachable: …)`. The knowledge
 * base is returned as is.
 * @example
 * const checked = await preflightModel(context.model, { signal });
 * if (checked.problem) console.error(`warning: ${checked.problem}`);
 */
export async function preflightModel(
  chosen: CliModel,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<CheckedModel> {
  const model = chosen.model;
  if (!model) return chosen;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 20_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    await model.generate({
      messages: [{ role: "user", content: "Reply with OK." }],
      maxOutputTokens: 1,
      signal,
    });
    return chosen;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const unreachable =
      timeout.aborted ||
      isAbortError(error) ||
      isCloudstewardError(error, "CONNECTION") ||
      isCloudstewardError(error, "TIMEOUT");
    const reason = timeout.aborted
      ? `no answer within ${Math.round((options.timeoutMs ?? 20_000) / 1000)} s`
      : error instanceof Error
        ? error.message
        : String(error);
    const problem = `${chosen.label} ${unreachable ? "unreachable" : "failed its check call"}: ${reason}`;
    return { label: `knowledge base (model ${unreachable ? "unreachable" : "failed"}: ${reason})`, problem };
  }
}

/** Environment variables, as `CliIo.env` holds them. */
type CliIoEnv = Record<string, string | undefined>;
