import type { EventEmitter } from "eventemitter3";
import { ConfigurationError } from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import { createHttpClient } from "../../core/http.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { LanguageModel, ModelWarning } from "../language-model.js";
import {
  type ChatCompletionBody,
  fromChatBody,
  openaiErrorDetail,
  toChatBody,
} from "../openai/chat-completions.js";
import { openaiQuotaCode, quotaAwareFetch } from "../quota.js";

/** Options of {@link azureOpenai}. */
export interface AzureOpenAIOptions {
  /** The deployment name (what you named the model deployment in Azure). */
  deployment: string;
  /** The resource name, giving `https://{resourceName}.openai.azure.com`. @default process.env.AZURE_OPENAI_RESOURCE_NAME */
  resourceName?: string;
  /** The full endpoint, e.g. `https://my-resource.openai.azure.com`; wins over `resourceName`. @default process.env.AZURE_OPENAI_ENDPOINT */
  endpoint?: string;
  /**
   * `v1` uses the v1 API (`/openai/v1/chat/completions`, deployment sent as `model`); a dated
   * version such as `2024-10-21` uses the classic deployment URL with `?api-version=`.
   * @default process.env.OPENAI_API_VERSION ?? "v1"
   */
  apiVersion?: string;
  /** The resource's API key, sent as `api-key`. @default process.env.AZURE_OPENAI_API_KEY */
  apiKey?: Secret;
  /** A Microsoft Entra ID token (scope `https://cognitiveservices.azure.com/.default`), or a function returning a fresh one; replaces `apiKey`. */
  azureAdToken?: Secret;
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
 * A model deployed on Azure OpenAI, through Chat Completions with strict JSON-Schema structured outputs.
 * @example
 * const model = azureOpenai({ resourceName: "acme-openai", deployment: "gpt-4o-mini" }); // AZURE_OPENAI_API_KEY
 * const classic = azureOpenai({ endpoint, deployment: "gpt-4o-mini", apiVersion: "2024-10-21" });
 */
export function azureOpenai(options: AzureOpenAIOptions): LanguageModel {
  const apiVersion = options.apiVersion ?? process.env.OPENAI_API_VERSION ?? "v1";
  const http = createHttpClient({
    integration: "azure-openai",
    fetch: quotaAwareFetch("azure-openai", openaiQuotaCode, options.fetch),
    headers: async (): Promise<Record<string, string>> => {
      if (options.azureAdToken !== undefined) {
        const token = await resolveSecret(options.azureAdToken, {
          option: "azureAdToken",
          integration: "azureOpenai",
        });
        return { authorization: `Bearer ${token}` };
      }
      return {
        "api-key": await resolveSecret(options.apiKey, {
          env: "AZURE_OPENAI_API_KEY",
          option: "apiKey",
          integration: "azureOpenai",
        }),
      };
    },
    retry: { limit: options.maxRetries ?? 2 },
    timeoutMs: options.timeoutMs ?? 120_000,
    events: options.events,
    authHint: "check AZURE_OPENAI_API_KEY (or the Entra ID token)",
    errorDetail: openaiErrorDetail,
  });

  return {
    specificationVersion: "v1",
    provider: "azure-openai",
    modelId: options.deployment,
    async generate(request) {
      const endpoint = resolveEndpoint(options);
      const url =
        apiVersion === "v1"
          ? `${endpoint}/openai/v1/chat/completions`
          : `${endpoint}/openai/deployments/${encodeURIComponent(options.deployment)}/chat/completions`;
      const warnings: ModelWarning[] = [];
      const body = toChatBody(
        request,
        {
          model: options.deployment,
          structuredOutputs: "json_schema",
          maxTokensField: "max_completion_tokens",
          strict: true,
        },
        warnings,
      );
      const response = await http.post<ChatCompletionBody>(url, {
        json: body,
        searchParams: apiVersion === "v1" ? undefined : { "api-version": apiVersion },
        signal: request.signal,
        idempotent: true,
      });
      return fromChatBody(response, request, warnings);
    },
  };
}

function resolveEndpoint(options: AzureOpenAIOptions): string {
  const resourceName = options.resourceName ?? optionOrEnv(undefined, "AZURE_OPENAI_RESOURCE_NAME");
  const endpoint =
    options.endpoint ??
    (options.resourceName ? undefined : optionOrEnv(undefined, "AZURE_OPENAI_ENDPOINT")) ??
    (resourceName ? `https://${resourceName}.openai.azure.com` : undefined);
  if (!endpoint) {
    throw new ConfigurationError(
      "azureOpenai: the endpoint is missing. Pass `endpoint` or `resourceName` to azureOpenai() or set AZURE_OPENAI_ENDPOINT.",
      { option: "endpoint", env: "AZURE_OPENAI_ENDPOINT" },
    );
  }
  // Accept the endpoint with or without the `/openai` suffix the portal sometimes shows.
  return endpoint.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
}
