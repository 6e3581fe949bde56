import { isCloudstewardError } from "../../core/errors.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { GenerateRequest, LanguageModel, ModelWarning } from "../language-model.js";
import {
  type ChatCompletionBody,
  fromChatBody,
  openaiErrorDetail,
  type StructuredOutputMode,
  toChatBody,
} from "../openai/chat-completions.js";
import { type ProviderOptions, providerClient } from "../provider.js";

/** Options of {@link openaiCompatible}. */
export interface OpenAICompatibleOptions extends ProviderOptions {
  /** The model name as the server knows it, e.g. `llama3.1:8b` (Ollama) or `Qwen/Qwen2.5-7B-Instruct` (vLLM). */
  model: string;
  /**
   * The server's OpenAI-compatible base URL: Ollama `http://localhost:11434/v1`, vLLM
   * `http://localhost:8000/v1`, LM Studio `http://localhost:1234/v1`.
   * @default process.env.OLLAMA_HOST ? `${OLLAMA_HOST}/v1` : "http://localhost:11434/v1"
   */
  baseURL?: string;
  /** A bearer token, for servers started with one (vLLM `--api-key`); most local servers need none. */
  apiKey?: Secret;
  /**
   * How to ask for structured output. `auto` tries `json_schema`, and on a 400 saying it is
   * unsupported falls back to JSON mode (`json_object`), then to prompt-only JSON, remembering the
   * answer for this model instance and reporting the mode used in a warning.
   * @default "auto"
   */
  structuredOutputs?: "json_schema" | "json_object" | "prompt" | "auto";
  /** Send OpenAI's strict schema subset with `strict: true` (LM Studio and recent vLLM honour it). @default false */
  strictSchema?: boolean;
  /** The provider name in results, reports and errors. @default "openai-compatible" */
  name?: string;
  /** Timeout of one attempt, in milliseconds (local models can be slow). @default 300_000 */
  timeoutMs?: number;
}

/**
 * A model on an OpenAI-compatible server: Ollama, vLLM, LM Studio and the like. Sends only the
 * widely supported fields (`max_tokens`, not `max_completion_tokens`) and degrades structured
 * output gracefully when the server lacks `json_schema`.
 * @example
 * const model = openaiCompatible({ baseURL: "http://localhost:11434/v1", model: "llama3.1:8b" });
 * const { object, warnings } = await generateObject(model, { schema, schemaName: "explanation", prompt });
 */
export function openaiCompatible(options: OpenAICompatibleOptions): LanguageModel {
  const name = options.name ?? "openai-compatible";
  const configured = options.structuredOutputs ?? "auto";
  // Remembered per instance: once a server has rejected a mode, later calls start from the one that worked.
  let mode: StructuredOutputMode = configured === "auto" ? "json_schema" : configured;
  const rejected: StructuredOutputMode[] = [];
  const http = providerClient(options, {
    integration: name,
    baseUrl: options.baseURL ?? defaultBaseURL(),
    headers: async (): Promise<Record<string, string>> =>
      options.apiKey === undefined
        ? {}
        : {
            authorization: `Bearer ${await resolveSecret(options.apiKey, { option: "apiKey", integration: name })}`,
          },
    timeoutMs: 300_000,
    authHint: "check the apiKey the server was started with",
    errorDetail: openaiErrorDetail,
  });

  const send = async (request: GenerateRequest, current: StructuredOutputMode) => {
    const body = toChatBody(request, {
      model: options.model,
      structuredOutputs: current,
      maxTokensField: "max_tokens",
      strict: options.strictSchema ?? false,
    });
    return http.post<ChatCompletionBody>("/chat/completions", { json: body, signal: request.signal });
  };

  return {
    specificationVersion: "v1",
    provider: name,
    modelId: options.model,
    async generate(request) {
      if (!request.responseFormat) return fromChatBody(await send(request, mode), request);
      for (;;) {
        const current = mode;
        try {
          const response = await send(request, current);
          return fromChatBody(response, request, fallbackWarnings(name, options.model, rejected, current));
        } catch (error) {
          const next = configured === "auto" ? downgrade(current) : undefined;
          if (!next || !saysUnsupported(error)) throw error;
          if (mode === current) {
            rejected.push(current);
            mode = next;
          }
        }
      }
    },
  };
}

function downgrade(mode: StructuredOutputMode): StructuredOutputMode | undefined {
  return mode === "json_schema" ? "json_object" : mode === "json_object" ? "prompt" : undefined;
}

/** A 400/422 whose message points at the structured-output request, not at the prompt. */
function saysUnsupported(error: unknown): boolean {
  if (!isCloudstewardError(error, "BAD_REQUEST")) return false;
  const text = `${error.message} ${(error as { body?: string }).body ?? ""}`;
  return /response_format|json_schema|json_object|structured output|not supported|unsupported|unknown (field|parameter)|extra (inputs|fields)/i.test(
    text,
  );
}

function fallbackWarnings(
  name: string,
  model: string,
  rejected: StructuredOutputMode[],
  used: StructuredOutputMode,
): ModelWarning[] {
  if (rejected.length === 0) return [];
  const how =
    used === "json_object" ? "JSON mode (json_object) with the schema in the prompt" : "prompt-only JSON";
  return [
    {
      type: "compatibility",
      feature: "responseFormat",
      message: `${name}: ${model} rejected ${rejected.join(" and ")} structured output; used ${how}. The answer is still validated against the schema.`,
    },
  ];
}

function defaultBaseURL(): string {
  const host = process.env.OLLAMA_HOST;
  if (!host) return "http://localhost:11434/v1";
  const withScheme = /^https?:\/\//.test(host) ? host : `http://${host}`;
  return `${withScheme.replace(/\/+$/, "")}/v1`;
}
