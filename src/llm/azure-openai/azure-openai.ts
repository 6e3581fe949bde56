import { ConfigurationError } from "../../core/errors.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { LanguageModel, ModelWarning } from "../language-model.js";
import {
  type ChatCompletionBody,
  fromChatBody,
  openaiErrorDetail,
  toChatBody,
} from "../openai/chat-completions.js";
import { type ProviderOptions, providerClient } from "../provider.js";
import { openaiQuotaCode } from "../quota.js";

/** Options of {@link azureOpenai}. */
export interface AzureOpenAIOptions extends ProviderOptions {
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
}

/**
 * A model deployed on Azure OpenAI, through Chat Completions with strict JSON-Schema structured outputs.
 * @example
 * const model = azureOpenai({ resourceName: "acme-openai", deployment: "gpt-4o-mini" }); // AZURE_OPENAI_API_KEY
 * const classic = azureOpenai({ endpoint, deployment: "gpt-4o-mini", apiVersion: "2024-10-21" });
 */
export function azureOpenai(options: AzureOpenAIOptions): LanguageModel {
  const apiVersion = options.apiVersion ?? process.env.OPENAI_API_VERSION ?? "v1";
  const http = providerClient(options, {
    integration: "azure-openai",
    quotaCode: openaiQuotaCode,
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
