import { resolveSecret, type Secret } from "../../core/secret.js";
import type { EmbedRequest, LanguageModel, ModelWarning } from "../language-model.js";
import { type ProviderOptions, providerClient } from "../provider.js";
import { openaiQuotaCode } from "../quota.js";
import { type ChatCompletionBody, fromChatBody, openaiErrorDetail, toChatBody } from "./chat-completions.js";

/** Options of {@link openai}. */
export interface OpenAIOptions extends ProviderOptions {
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
  /**
   * An embedding model, e.g. `text-embedding-3-small`; with it the model has `embed` (the Embeddings API),
   * which organization knowledge uses for vector search. @default none (no `embed`)
   */
  embeddingModel?: string;
}

/**
 * An OpenAI model through the Chat Completions API, with strict JSON-Schema structured outputs,
 * tool calls and refusals.
 * @example
 * const model = openai({ model: "gpt-4.1-mini" }); // reads OPENAI_API_KEY on the first call
 * const { object } = await generateObject(model, { schema, schemaName: "explanation", prompt });
 */
export function openai(options: OpenAIOptions): LanguageModel {
  const http = providerClient(options, {
    integration: "openai",
    baseUrl: options.baseURL ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
    quotaCode: openaiQuotaCode,
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
      const response = await http.post<ChatCompletionBody>("/chat/completions", {
        json: body,
        signal: request.signal,
      });
      return fromChatBody(response, request, warnings);
    },
    ...(options.embeddingModel === undefined
      ? {}
      : {
          async embed(request: EmbedRequest) {
            const response = await http.post<EmbeddingsBody>("/embeddings", {
              json: { model: options.embeddingModel, input: request.values },
              signal: request.signal,
            });
            const embeddings = [...response.data]
              .sort((a, b) => a.index - b.index)
              .map((entry) => entry.embedding);
            return { embeddings, usage: { inputTokens: response.usage?.prompt_tokens ?? 0 } };
          },
        }),
  };
}

/** The Embeddings API's answer (the fields read). */
interface EmbeddingsBody {
  data: { index: number; embedding: number[] }[];
  usage?: { prompt_tokens?: number };
}
