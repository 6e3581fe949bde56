import { resolveSecret, type Secret } from "../../core/secret.js";
import { mapStopReason, readForcedTool } from "../forced-tool.js";
import { toToolInputSchema } from "../json-schema.js";
import type {
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  ModelMessage,
  ModelWarning,
  TextPart,
  ToolCall,
  ToolCallPart,
} from "../language-model.js";
import { type ProviderOptions, providerClient } from "../provider.js";
import { anthropicQuotaCode } from "../quota.js";

/** Options of {@link anthropic}. */
export interface AnthropicOptions extends ProviderOptions {
  /** The model id, e.g. `claude-sonnet-4-5`. */
  model: string;
  /** The API key, or a function returning one (called before every request). @default process.env.ANTHROPIC_API_KEY */
  apiKey?: Secret;
  /** The API's base URL. @default process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com/v1" */
  baseURL?: string;
  /**
   * The `anthropic-version` header. `2023-06-01` accepts `temperature`; under `2026-10-21` sampling
   * parameters are rejected, so they are dropped with a warning.
   * @default "2023-06-01"
   */
  apiVersion?: string;
  /** `max_tokens` when a request sets no `maxOutputTokens` (Anthropic requires one). @default 4096 */
  defaultMaxTokens?: number;
  /** Retries after the first attempt, on 429, 529 (overloaded), 5xx and network errors. @default 2 */
  maxRetries?: number;
}

/**
 * A Claude model through the Anthropic Messages API. Structured output uses a forced tool
 * (`tool_choice: { type: "tool" }`), which works on every tool-capable model.
 * @example
 * const model = anthropic({ model: "claude-sonnet-4-5" }); // reads ANTHROPIC_API_KEY on the first call
 * const { object } = await generateObject(model, { schema, schemaName: "explanation", prompt });
 */
export function anthropic(options: AnthropicOptions): LanguageModel {
  const apiVersion = options.apiVersion ?? "2023-06-01";
  const http = providerClient(options, {
    integration: "anthropic",
    baseUrl: options.baseURL ?? process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com/v1",
    quotaCode: anthropicQuotaCode,
    headers: async () => ({
      "x-api-key": await resolveSecret(options.apiKey, {
        env: "ANTHROPIC_API_KEY",
        option: "apiKey",
        integration: "anthropic",
      }),
      "anthropic-version": apiVersion,
    }),
    authHint: "check ANTHROPIC_API_KEY",
    errorDetail: anthropicErrorDetail,
  });

  return {
    specificationVersion: "v1",
    provider: "anthropic",
    modelId: options.model,
    async generate(request) {
      const warnings: ModelWarning[] = [];
      const body = toMessagesBody(request, {
        model: options.model,
        maxTokens: options.defaultMaxTokens ?? 4096,
        samplingAllowed: apiVersion < "2026-10-21",
        warnings,
      });
      // 529 (overloaded) is a 5xx, so it is retried like any other.
      const response = await http.post<MessagesResponse>("/messages", { json: body, signal: request.signal });
      return fromMessagesResponse(response, request, warnings);
    },
  };
}

interface MessagesResponse {
  content?: (
    | { type: "text"; text: string }
    | { type: "tool_use"; id: string; name: string; input: unknown }
    | { type: string; [key: string]: unknown }
  )[];
  stop_reason?: string | null;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
  };
}

function toMessagesBody(
  request: GenerateRequest,
  settings: { model: string; maxTokens: number; samplingAllowed: boolean; warnings: ModelWarning[] },
): Record<string, unknown> {
  const format = request.responseFormat;
  const tools = [
    ...(request.tools ?? []).map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.inputSchema,
    })),
    ...(format
      ? [
          {
            name: format.name,
            description: format.description ?? `Return the answer as a "${format.name}" object.`,
            input_schema: toToolInputSchema(format.schema),
          },
        ]
      : []),
  ];
  const body: Record<string, unknown> = {
    model: settings.model,
    max_tokens: request.maxOutputTokens ?? settings.maxTokens,
    ...(request.system ? { system: request.system } : {}),
    messages: request.messages.map(toAnthropicMessage),
  };
  if (tools.length) body.tools = tools;
  if (format) body.tool_choice = { type: "tool", name: format.name };
  else if (request.toolChoice && request.tools?.length)
    body.tool_choice = toAnthropicToolChoice(request.toolChoice);
  if (request.temperature !== undefined) {
    if (settings.samplingAllowed) body.temperature = request.temperature;
    else
      settings.warnings.push({
        type: "unsupported",
        feature: "temperature",
        message: "anthropic: this API version rejects temperature; it was not sent.",
      });
  }
  return body;
}

function toAnthropicMessage(message: ModelMessage): Record<string, unknown> {
  if (message.role === "tool") {
    return {
      role: "user",
      content: message.content.map((part) => ({
        type: "tool_result",
        tool_use_id: part.toolCallId,
        content: typeof part.output === "string" ? part.output : JSON.stringify(part.output),
        ...(part.isError ? { is_error: true } : {}),
      })),
    };
  }
  if (typeof message.content === "string") return { role: message.role, content: message.content };
  return {
    role: message.role,
    content: (message.content as (TextPart | ToolCallPart)[]).flatMap((part): Record<string, unknown>[] => {
      if (part.type === "text") return part.text ? [{ type: "text", text: part.text }] : [];
      return [{ type: "tool_use", id: part.toolCallId, name: part.toolName, input: part.input }];
    }),
  };
}

function toAnthropicToolChoice(choice: NonNullable<GenerateRequest["toolChoice"]>): unknown {
  if (choice === "required") return { type: "any" };
  if (typeof choice === "string") return { type: choice };
  return { type: "tool", name: choice.toolName };
}

function fromMessagesResponse(
  body: MessagesResponse,
  request: GenerateRequest,
  warnings: ModelWarning[],
): GenerateResult {
  let text = "";
  const uses: ToolCall[] = [];
  for (const block of body.content ?? []) {
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "tool_use") {
      const use = block as { id: string; name: string; input: unknown };
      uses.push({ toolCallId: use.id, toolName: use.name, input: use.input });
    }
  }
  const { structured, ...answer } = readForcedTool(text, uses, request.responseFormat?.name);
  const refused = body.stop_reason === "refusal";
  const usage = body.usage ?? {};
  return {
    ...answer,
    ...(refused ? { refusal: text || "The model declined to answer." } : {}),
    usage: {
      inputTokens:
        (usage.input_tokens ?? 0) +
        (usage.cache_creation_input_tokens ?? 0) +
        (usage.cache_read_input_tokens ?? 0),
      outputTokens: usage.output_tokens ?? 0,
    },
    finishReason: mapStopReason(body.stop_reason, structured),
    warnings,
    raw: body,
  };
}

/** Anthropic error bodies: `{ type: "error", error: { type, message } }`; branch on `type`, not the wording. */
function anthropicErrorDetail(body: unknown): string | undefined {
  const error = (body as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error !== "object" || error === null) return undefined;
  const message = typeof error.message === "string" ? error.message : "";
  return typeof error.type === "string" ? `${error.type}: ${message}` : message || undefined;
}
