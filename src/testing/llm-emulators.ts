import type { TokenUsage } from "../llm/language-model.js";

/**
 * One scripted answer of an emulated provider. Set `error` for a failure: the emulator answers
 * with the status, headers and body the real vendor sends for it.
 */
export interface EmulatedReply {
  /** A text answer. @default "Hello from the emulator." */
  text?: string;
  /** A structured answer, delivered the way the vendor delivers structured output (JSON text or a forced tool's input). */
  object?: unknown;
  /** A refusal (OpenAI `message.refusal`, Anthropic `stop_reason: "refusal"`). */
  refusal?: string;
  /** Usage to report. @default about one token per four characters */
  usage?: TokenUsage;
  /** A failure: `unauthorized` (401, or Bedrock's 403), `rate-limited` (429), `overloaded` (Anthropic 529), `server` (500), `bad-request` (400). */
  error?: "unauthorized" | "rate-limited" | "overloaded" | "server" | "bad-request";
  /** The vendor error message, for `error` replies. */
  message?: string;
  /** Hold the answer back this long, in milliseconds (to test aborts). */
  delayMs?: number;
}

/** A request an emulator received. */
export interface CapturedRequest {
  method: string;
  /** The full URL, with the query string. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** The body exactly as sent. */
  rawBody: string;
}

/**
 * An emulated LLM provider API, reached through {@link LlmEmulator.fetch} (no server, no globals
 * patched); `emulatorHandlers` in `cloudsteward/testing/msw` mounts it as msw handlers.
 */
export interface LlmEmulator {
  /** The vendor whose wire format this emulates. */
  readonly name: string;
  /** A fetch that answers from this emulator as if it served `baseURL`; other URLs get a 404. */
  fetch(baseURL: string): typeof globalThis.fetch;
  /**
   * Answers one request as if the emulator served `baseURL`, or resolves to `undefined` when the
   * request is not a POST to this vendor's route under it (so a caller can try something else).
   */
  handle(request: Request, baseURL: string): Promise<Response | undefined>;
  /** Queues replies; each request takes the next one, and the default text answer when the queue is empty. */
  reply(...replies: EmulatedReply[]): void;
  /** Every request received, in order. */
  readonly requests: CapturedRequest[];
  /** Clears the queue and the captured requests. */
  reset(): void;
}

/** Options of {@link openaiChatEmulator}. */
export interface OpenAIChatEmulatorOptions {
  /** Answer 401 to requests without `Authorization: Bearer …` or `api-key`; local servers (Ollama) need none. @default true */
  requireAuth?: boolean;
}

/**
 * Emulates OpenAI Chat Completions (`POST …/chat/completions`), as served by OpenAI, Azure OpenAI
 * (deployment and v1 paths), Ollama, vLLM and LM Studio: strict json_schema output as JSON text,
 * tool calls, refusals, and OpenAI's error bodies (`{ error: { message, type, code } }`).
 * @example
 * const emulator = openaiChatEmulator();
 * const baseURL = "https://api.openai.com/v1";
 * const model = openai({ model: "gpt-4.1-mini", baseURL, apiKey: "test", fetch: emulator.fetch(baseURL) });
 * emulator.reply({ object: { summary: "…" } });
 */
export function openaiChatEmulator(options: OpenAIChatEmulatorOptions = {}): LlmEmulator {
  const requireAuth = options.requireAuth ?? true;
  return createEmulator(
    "openai",
    (baseURL) => new RegExp(`^${escapeRegExp(trimSlash(baseURL))}(/.*)?/chat/completions(\\?.*)?$`),
    {
      authorized: (request) =>
        !requireAuth ||
        Boolean(request.headers.authorization?.startsWith("Bearer ") || request.headers["api-key"]),
      error(reply, request) {
        const key =
          request.headers.authorization?.slice("Bearer ".length) ?? request.headers["api-key"] ?? "";
        switch (reply.error) {
          case "unauthorized":
            return json(
              401,
              openaiError(
                reply.message ?? `Incorrect API key provided: ${key}.`,
                "invalid_request_error",
                "invalid_api_key",
              ),
            );
          case "rate-limited":
            return json(
              429,
              openaiError(
                reply.message ?? "Rate limit reached for requests",
                "requests",
                "rate_limit_exceeded",
              ),
              {
                "retry-after-ms": "5",
                "x-request-id": "req_emulated429",
              },
            );
          case "bad-request":
            return json(400, openaiError(reply.message ?? "Invalid request", "invalid_request_error", null));
          default:
            return json(500, openaiError(reply.message ?? "The server had an error", "server_error", null));
        }
      },
      success(reply, request) {
        const content =
          reply.object === undefined
            ? reply.refusal
              ? null
              : (reply.text ?? defaultText)
            : JSON.stringify(reply.object);
        const usage = reply.usage ?? estimateUsage(request.rawBody, content ?? "");
        return json(200, {
          id: "chatcmpl-emulated",
          object: "chat.completion",
          created: 1_724_142_000,
          model: String(request.body.model ?? "deployment"),
          choices: [
            {
              index: 0,
              finish_reason: "stop",
              logprobs: null,
              message: { role: "assistant", content, refusal: reply.refusal ?? null },
            },
          ],
          usage: {
            prompt_tokens: usage.inputTokens,
            completion_tokens: usage.outputTokens,
            total_tokens: usage.inputTokens + usage.outputTokens,
          },
        });
      },
    },
  );
}

/**
 * Emulates the Anthropic Messages API (`POST …/messages`): requires `x-api-key` and
 * `anthropic-version`, answers a forced tool with a `tool_use` block, and sends Anthropic's error
 * bodies (`{ type: "error", error: { type, message } }`), including 529 `overloaded_error`.
 */
export function anthropicEmulator(): LlmEmulator {
  return createEmulator(
    "anthropic",
    (baseURL) => new RegExp(`^${escapeRegExp(trimSlash(baseURL))}/messages$`),
    {
      authorized: (request) => Boolean(request.headers["x-api-key"] && request.headers["anthropic-version"]),
      validate: (request) =>
        typeof request.body.max_tokens === "number" ? undefined : "max_tokens: Field required",
      error(reply, request) {
        const body = (type: string, message: string) => ({
          type: "error",
          error: { type, message },
          request_id: "req_emulated",
        });
        switch (reply.error) {
          case "unauthorized":
            return json(
              401,
              body(
                "authentication_error",
                reply.message ?? `invalid x-api-key ${request.headers["x-api-key"] ?? ""}`,
              ),
            );
          case "rate-limited":
            return json(
              429,
              body(
                "rate_limit_error",
                reply.message ?? "Number of request tokens has exceeded your per-minute rate limit",
              ),
              {
                "retry-after": "0",
              },
            );
          case "overloaded":
            return json(529, body("overloaded_error", reply.message ?? "Overloaded"));
          case "bad-request":
            return json(400, body("invalid_request_error", reply.message ?? "Invalid request"));
          default:
            return json(500, body("api_error", reply.message ?? "Internal server error"));
        }
      },
      success(reply, request) {
        const toolChoice = request.body.tool_choice as { type?: string; name?: string } | undefined;
        const forced = toolChoice?.type === "tool" ? toolChoice.name : undefined;
        const structured = reply.object !== undefined && forced;
        const content = structured
          ? [{ type: "tool_use", id: "toolu_emulated", name: forced, input: reply.object }]
          : [
              {
                type: "text",
                text:
                  reply.object === undefined
                    ? (reply.refusal ?? reply.text ?? defaultText)
                    : JSON.stringify(reply.object),
              },
            ];
        const usage = reply.usage ?? estimateUsage(request.rawBody, JSON.stringify(content));
        return json(200, {
          id: "msg_emulated",
          type: "message",
          role: "assistant",
          model: String(request.body.model),
          content,
          stop_reason: reply.refusal ? "refusal" : structured ? "tool_use" : "end_turn",
          stop_sequence: null,
          usage: {
            input_tokens: usage.inputTokens,
            output_tokens: usage.outputTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        });
      },
    },
  );
}

/**
 * Emulates the Bedrock Runtime Converse API (`POST …/model/{modelId}/converse`): requires a SigV4
 * `authorization` (or a Bedrock API key), answers a forced tool with a `toolUse` block, and sends
 * Bedrock's errors (`{ message }` with `x-amzn-ErrorType`; bad credentials are a 403).
 */
export function bedrockEmulator(): LlmEmulator {
  return createEmulator(
    "bedrock",
    (baseURL) => new RegExp(`^${escapeRegExp(trimSlash(baseURL))}/model/[^/]+/converse$`),
    {
      authorized: (request) =>
        Boolean(
          (request.headers.authorization?.startsWith("AWS4-HMAC-SHA256 Credential=") &&
            request.headers["x-amz-date"]) ||
            request.headers.authorization?.startsWith("Bearer "),
        ),
      validate: (request) => (Array.isArray(request.body.messages) ? undefined : "messages: Field required"),
      error(reply) {
        const failure = (status: number, type: string, message: string) =>
          json(
            status,
            { message },
            { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
          );
        switch (reply.error) {
          case "unauthorized":
            return failure(
              403,
              "UnrecognizedClientException",
              reply.message ?? "The security token included in the request is invalid.",
            );
          case "rate-limited":
            return failure(
              429,
              "ThrottlingException",
              reply.message ?? "Too many requests, please wait before trying again.",
            );
          case "bad-request":
            return failure(400, "ValidationException", reply.message ?? "Malformed input request");
          default:
            return failure(500, "InternalServerException", reply.message ?? "Internal server error");
        }
      },
      success(reply, request) {
        const toolConfig = request.body.toolConfig as
          | { toolChoice?: { tool?: { name?: string } } }
          | undefined;
        const forced = toolConfig?.toolChoice?.tool?.name;
        const structured = reply.object !== undefined && forced;
        const content = structured
          ? [{ toolUse: { toolUseId: "tooluse_emulated", name: forced, input: reply.object } }]
          : [
              {
                text: reply.object === undefined ? (reply.text ?? defaultText) : JSON.stringify(reply.object),
              },
            ];
        const usage = reply.usage ?? estimateUsage(request.rawBody, JSON.stringify(content));
        return json(200, {
          output: { message: { role: "assistant", content } },
          stopReason: structured ? "tool_use" : "end_turn",
          usage: {
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            totalTokens: usage.inputTokens + usage.outputTokens,
          },
          metrics: { latencyMs: 12 },
        });
      },
    },
  );
}

const defaultText = "Hello from the emulator.";

interface EmulatorBehaviour {
  authorized(request: CapturedRequest): boolean;
  validate?(request: CapturedRequest): string | undefined;
  error(reply: EmulatedReply, request: CapturedRequest): Response;
  success(reply: EmulatedReply, request: CapturedRequest): Response;
}

function createEmulator(
  name: string,
  route: (baseURL: string) => RegExp,
  behaviour: EmulatorBehaviour,
): LlmEmulator {
  const queue: EmulatedReply[] = [];
  const requests: CapturedRequest[] = [];

  const handle = async (request: Request, baseURL: string): Promise<Response | undefined> => {
    const url = new URL(request.url);
    // Matched like an msw route: the URL without its query string or fragment.
    if (request.method !== "POST" || !route(baseURL).test(`${url.origin}${url.pathname}`)) return undefined;
    const rawBody = await request.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      // validated below
    }
    const captured: CapturedRequest = {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers.entries()),
      body,
      rawBody,
    };
    requests.push(captured);
    const reply = queue.shift() ?? {};
    if (reply.delayMs) await abortableDelay(reply.delayMs, request.signal);
    if (reply.error) return behaviour.error(reply, captured);
    if (!behaviour.authorized(captured)) return behaviour.error({ error: "unauthorized" }, captured);
    const invalid =
      rawBody && Object.keys(body).length ? behaviour.validate?.(captured) : "the body is not JSON";
    if (invalid) return behaviour.error({ error: "bad-request", message: invalid }, captured);
    return behaviour.success(reply, captured);
  };

  return {
    name,
    handle,
    fetch(baseURL) {
      return async (input, init) => {
        const request = new Request(input, init);
        request.signal.throwIfAborted();
        const aborted = new Promise<never>((_resolve, reject) =>
          request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true }),
        );
        const response = await Promise.race([handle(request, baseURL), aborted]);
        return (
          response ?? new Response(`no ${name} route for ${request.method} ${request.url}`, { status: 404 })
        );
      };
    },
    reply: (...replies) => {
      queue.push(...replies);
    },
    requests,
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
  };
}

function openaiError(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

function estimateUsage(prompt: string, answer: string): TokenUsage {
  return { inputTokens: Math.ceil(prompt.length / 4), outputTokens: Math.ceil(answer.length / 4) };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
