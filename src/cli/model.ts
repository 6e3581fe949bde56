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

/** Environment variables, as `CliIo.env` holds them. */
type CliIoEnv = Record<string, string | undefined>;
