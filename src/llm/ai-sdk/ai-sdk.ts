import type {
  LanguageModelV2,
  LanguageModelV2CallOptions,
  LanguageModelV2CallWarning,
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  SharedV3Warning,
} from "@ai-sdk/provider";
import type { EventEmitter } from "eventemitter3";
import {
  AuthenticationError,
  BadRequestError,
  type CloudstewardError,
  ConfigurationError,
  InvalidResponseError,
  isAbortError,
  isCloudstewardError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UpstreamError,
} from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import { parseRetryAfter } from "../../core/http.js";
import { sleep } from "../../core/rate-limiter.js";
import { parseJsonText } from "../generate-object.js";
import type {
  FinishReason,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  ModelMessage,
  ModelWarning,
  TextPart,
  ToolCall,
  ToolCallPart,
} from "../language-model.js";

/**
 * A Vercel AI SDK language model: `LanguageModelV2` (AI SDK 5), `LanguageModelV3` (AI SDK 6) or
 * `LanguageModelV4` (AI SDK 7, whose generate call and result have the V3 shape). Declared
 * structurally, so cloudsteward's types do not depend on `@ai-sdk/provider`.
 */
export interface AiSdkLanguageModel {
  readonly specificationVersion: "v2" | "v3" | "v4";
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: never): PromiseLike<unknown>;
}

/** Options of {@link aiSdk}. */
export interface AiSdkOptions {
  /** Retries after the first attempt, for errors the AI SDK marks retryable (429, 5xx). @default 2 */
  maxRetries?: number;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** Strings to scrub from every error (the provider's API key): the bridge never sees the provider's headers. */
  secrets?: () => readonly (string | undefined)[];
}

/**
 * Wraps any Vercel AI SDK model (from `@ai-sdk/openai`, `@ai-sdk/google`, `@ai-sdk/mistral`, …) as
 * a cloudsteward LanguageModel by calling its `doGenerate` directly; the `ai` package is not
 * needed at run time. Errors become cloudsteward's typed errors, and retryable ones are retried.
 * @example
 * import { google } from "@ai-sdk/google";
 * const model = aiSdk(google("gemini-2.5-flash"));
 * const { object } = await generateObject(model, { schema, schemaName: "explanation", prompt });
 */
export function aiSdk(languageModel: AiSdkLanguageModel, options: AiSdkOptions = {}): LanguageModel {
  const model = languageModel as unknown as LanguageModelV2 | LanguageModelV3;
  const version = (model as { specificationVersion?: unknown }).specificationVersion;
  if ((version !== "v2" && version !== "v3" && version !== "v4") || typeof model.doGenerate !== "function") {
    throw new ConfigurationError(
      `aiSdk: expected an AI SDK language model with specificationVersion "v2", "v3" or "v4" and a doGenerate method, got ${JSON.stringify(version)}.`,
      { option: "model" },
    );
  }
  const integration = `ai-sdk:${model.provider}`;
  const maxRetries = options.maxRetries ?? 2;

  return {
    specificationVersion: "v1",
    provider: model.provider,
    modelId: model.modelId,
    async generate(request) {
      const callOptions = toCallOptions(request);
      for (let attempt = 0; ; attempt++) {
        request.signal?.throwIfAborted();
        try {
          const result =
            version === "v2"
              ? fromV2(await (model as LanguageModelV2).doGenerate(callOptions))
              : fromV3(await (model as LanguageModelV3).doGenerate(callOptions));
          return withObject(result, request);
        } catch (error) {
          if (isAbortError(error) && request.signal?.aborted) throw request.signal.reason;
          const failure = toCloudstewardError(error, integration, model.modelId, options.secrets?.() ?? []);
          if (!failure.isRetryable || attempt >= maxRetries) throw failure;
          const delayMs = retryDelay(error, attempt);
          options.events?.emit("request-retried", {
            integration,
            attempt: attempt + 1,
            error: failure,
            delayMs,
          });
          await sleep(delayMs, request.signal);
        }
      }
    },
  };
}

type CallOptions = LanguageModelV3CallOptions & LanguageModelV2CallOptions;

function toCallOptions(request: GenerateRequest): CallOptions {
  const prompt = [
    ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
    ...request.messages.map(toPromptMessage),
  ];
  return {
    prompt,
    ...(request.responseFormat
      ? {
          responseFormat: {
            type: "json",
            schema: request.responseFormat.schema,
            name: request.responseFormat.name,
            ...(request.responseFormat.description
              ? { description: request.responseFormat.description }
              : {}),
          },
        }
      : {}),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            type: "function" as const,
            name: tool.name,
            ...(tool.description ? { description: tool.description } : {}),
            inputSchema: tool.inputSchema,
          })),
        }
      : {}),
    ...(request.toolChoice
      ? {
          toolChoice:
            typeof request.toolChoice === "string"
              ? { type: request.toolChoice }
              : { type: "tool" as const, toolName: request.toolChoice.toolName },
        }
      : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
    ...(request.signal ? { abortSignal: request.signal } : {}),
  } as CallOptions;
}

function toPromptMessage(message: ModelMessage): CallOptions["prompt"][number] {
  if (message.role === "tool") {
    return {
      role: "tool",
      content: message.content.map((part) => ({
        type: "tool-result" as const,
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        output:
          typeof part.output === "string"
            ? { type: part.isError ? ("error-text" as const) : ("text" as const), value: part.output }
            : {
                type: part.isError ? ("error-json" as const) : ("json" as const),
                value: part.output as never,
              },
      })),
    };
  }
  const parts: (TextPart | ToolCallPart)[] =
    typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
  if (message.role === "user") {
    return {
      role: "user",
      content: parts.flatMap((part) =>
        part.type === "text" ? [{ type: "text" as const, text: part.text }] : [],
      ),
    };
  }
  return {
    role: "assistant",
    content: parts.map((part) =>
      part.type === "text"
        ? { type: "text" as const, text: part.text }
        : {
            type: "tool-call" as const,
            toolCallId: part.toolCallId,
            toolName: part.toolName,
            input: part.input,
          },
    ),
  };
}

type Content = LanguageModelV3Content | Awaited<ReturnType<LanguageModelV2["doGenerate"]>>["content"][number];

function fromV3(result: Awaited<ReturnType<LanguageModelV3["doGenerate"]>>): GenerateResult {
  return {
    ...fromContent(result.content),
    usage: {
      inputTokens: result.usage.inputTokens.total ?? 0,
      outputTokens: result.usage.outputTokens.total ?? 0,
    },
    finishReason: mapFinishReason(result.finishReason.unified),
    warnings: result.warnings.map(fromV3Warning),
    raw: result.response?.body,
  };
}

function fromV2(result: Awaited<ReturnType<LanguageModelV2["doGenerate"]>>): GenerateResult {
  return {
    ...fromContent(result.content),
    usage: { inputTokens: result.usage.inputTokens ?? 0, outputTokens: result.usage.outputTokens ?? 0 },
    finishReason: mapFinishReason(result.finishReason),
    warnings: result.warnings.map(fromV2Warning),
    raw: result.response?.body,
  };
}

function fromContent(content: Content[]): { text: string; toolCalls?: ToolCall[] } {
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const part of content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "tool-call") {
      // Tool input arrives as a JSON string in V2 and V3.
      const input =
        typeof part.input === "string" ? (parseJsonText(part.input)?.value ?? part.input) : part.input;
      toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input });
    }
  }
  return { text, ...(toolCalls.length ? { toolCalls } : {}) };
}

function withObject(result: GenerateResult, request: GenerateRequest): GenerateResult {
  if (!request.responseFormat) return result;
  const parsed = parseJsonText(result.text);
  return parsed ? { ...result, object: parsed.value } : result;
}

function mapFinishReason(reason: string): FinishReason {
  switch (reason) {
    case "stop":
    case "length":
    case "tool-calls":
    case "content-filter":
    case "error":
      return reason;
    default:
      return "other";
  }
}

function fromV3Warning(warning: SharedV3Warning): ModelWarning {
  if (warning.type === "other") return { type: "other", message: warning.message };
  return {
    type: warning.type,
    feature: warning.feature,
    message:
      warning.details ??
      `${warning.feature} is ${warning.type === "unsupported" ? "not supported" : "emulated"} by this model`,
  };
}

function fromV2Warning(warning: LanguageModelV2CallWarning): ModelWarning {
  if (warning.type === "other") return { type: "other", message: warning.message };
  const feature =
    warning.type === "unsupported-setting" ? String(warning.setting) : `tool.${warning.tool.type}`;
  return {
    type: "unsupported",
    feature,
    message: warning.details ?? `${feature} is not supported by this model`,
  };
}

interface ApiCallErrorLike {
  name: string;
  message: string;
  url: string;
  statusCode?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  isRetryable: boolean;
}

/** APICallError is recognised by shape and name (the AI SDK brands it with a symbol), so no runtime import is needed. */
function isApiCallError(error: unknown): error is ApiCallErrorLike {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { name?: unknown }).name === "AI_APICallError" &&
    typeof (error as { isRetryable?: unknown }).isRetryable === "boolean"
  );
}

function toCloudstewardError(
  error: unknown,
  integration: string,
  modelId: string,
  secrets: readonly (string | undefined)[],
): CloudstewardError {
  if (isCloudstewardError(error)) return error;
  if (!isApiCallError(error)) {
    const name = (error as { name?: unknown } | null)?.name;
    if (typeof name === "string" && name.startsWith("AI_")) {
      return new InvalidResponseError(`${integration}: ${modelId} failed: ${(error as Error).message}`, {
        integration,
        cause: error,
        secrets,
      });
    }
    throw error;
  }
  const status = error.statusCode;
  const where = `${integration}: ${modelId} call failed${status ? ` with ${status}` : ""}`;
  if (status === 401 || status === 403) {
    // Auth failures may echo the credential, which the bridge knows only if `secrets` lists it: keep no vendor text.
    const details = { integration, status, method: "POST", url: error.url, secrets };
    return status === 401
      ? new AuthenticationError(`${where} — check the provider's API key`, details)
      : new PermissionDeniedError(`${where} — check the key's permissions`, details);
  }
  const details = {
    integration,
    status,
    method: "POST",
    url: error.url,
    body: error.responseBody,
    cause: error,
    secrets,
  };
  const message = `${where}: ${error.message.slice(0, 300)}`;
  if (status === 404) return new NotFoundError(message, details);
  if (status === 429) {
    return new RateLimitError(message, {
      ...details,
      retryAfterMs: parseRetryAfter(new Headers(error.responseHeaders)),
    });
  }
  if (status === 400 || status === 422) return new BadRequestError(message, details);
  return new UpstreamError(message, { ...details, isRetryable: error.isRetryable });
}

function retryDelay(error: unknown, attempt: number): number {
  const hinted = isApiCallError(error) ? parseRetryAfter(new Headers(error.responseHeaders)) : undefined;
  return Math.min(60_000, hinted ?? Math.random() * 500 * 2 ** attempt);
}
