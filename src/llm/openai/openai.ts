import type { EventEmitter } from "eventemitter3";
import type { PipelineEvents } from "../../core/events.js";
import { createHttpClient } from "../../core/http.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { LanguageModel, ModelWarning } from "../language-model.js";
import { openaiQuotaCode, quotaAwareFetch } from "../quota.js";
import { type ChatCompletionBody, fromChatBody, openaiErrorDetail, toChatBody } from "./chat-completions.js";

/** Options of {@link openai}. */
export interface OpenAIOptions {
  /** The model id, e.g. `gpt-4.1-mini`. */
  model: string;
  /** The API key, or a function returning one (called before every request). @default process.env.OPENAI_API_KEY */
  apiKey?: Secret;
  /** The API's base URL. @default process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1" */
  baseURL?: string;
  /** Sent as `OpenAI-Organization`. @default process.env.OPENAI_ORG_ID */
  organization?: string;
  /** Sent as `OpenAI-Project`. @default process.env.OPENAI_PROJECT_ID */
  project?: string;
  /** Retries after the first attempt, on 429, 5xx and network errors. @default 2 */
  maxRetries?: number;
  /** Timeout of one attempt, in milliseconds. @default 120_000 */
  timeoutMs?: number;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
}

/**
 * An OpenAI model through the Chat Completions API, with strict JSON-Schema structured outputs,
 * tool calls and refusals.
 * @example
 * const model = openai({ model: "gpt-4.1-mini" }); // reads OPENAI_API_KEY on the first call
 * const { object } = await generateObject(model, { schema, schemaName: "explanation", prompt });
 */
export function openai(options: OpenAIOptions): LanguageModel {
  const http = createHttpClient({
    integration: "openai",
    baseUrl: options.baseURL ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
    fetch: quotaAwareFetch("openai", openaiQuotaCode, options.fetch),
    headers: async () => {
      const apiKey = await resolveSecret(options.apiKey, {
        env: "OPENAI_API_KEY",
        option: "apiKey",
        integration: "openai",
      });
      const organization = options.organization ?? process.env.OPENAI_ORG_ID;
      const project = options.project ?? process.env.OPENAI_PROJECT_ID;
      return {
        authorization: `Bearer ${apiKey}`,
        ...(organization ? { "openai-organization": organization } : {}),
        ...(project ? { "openai-project": project } : {}),
      };
    },
    retry: { limit: options.maxRetries ?? 2 },
    timeoutMs: options.timeoutMs ?? 120_000,
    events: options.events,
    authHint: "check OPENAI_API_KEY",
    errorDetail: openaiErrorDetail,
  });

  return {
    specificationVersion: "v1",
    provider: "openai",
    modelId: options.model,
    async generate(request) {
      const warnings: ModelWarning[] = [];
      const body = toChatBody(
        request,
        {
          model: options.model,
          structuredOutputs: "json_schema",
          maxTokensField: "max_completion_tokens",
          strict: true,
        },
        warnings,
      );
      // A model call has no side effect, so 5xx and network failures are retried like a read.
      const response = await http.post<ChatCompletionBody>("/chat/completions", {
        json: body,
        signal: request.signal,
        idempotent: true,
      });
      return fromChatBody(response, request, warnings);
    },
  };
}
