/**
 * The LanguageModel contract: the one interface every model provider implements (OpenAI,
 * Anthropic, Azure OpenAI, OpenAI-compatible servers, Bedrock, an AI SDK model, the scripted test
 * model). Stages never talk to a vendor API directly; they call `generateObject(model, …)`.
 */

/** A JSON Schema object (draft 2020-12 subset), as produced by `z.toJSONSchema`. */
export type JSONSchema = { [keyword: string]: unknown };

/** Plain text inside a message. */
export interface TextPart {
  type: "text";
  text: string;
}

/** A tool call the assistant made. `input` is already a parsed JSON value. */
export interface ToolCallPart {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/** The result of a tool call, sent back to the model. */
export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  toolName: string;
  /** Any JSON value; strings are sent as text, other values as JSON. */
  output: unknown;
  /** True when the tool failed and `output` describes the failure. */
  isError?: boolean;
}

/** A message from the user (untrusted data belongs here, fenced with `untrustedBlock`). */
export interface UserMessage {
  role: "user";
  content: string | TextPart[];
}

/** A previous answer of the model (used for the repair turn and for tool loops). */
export interface AssistantMessage {
  role: "assistant";
  content: string | (TextPart | ToolCallPart)[];
}

/** Tool results, answering the tool calls of the previous assistant message. */
export interface ToolMessage {
  role: "tool";
  content: ToolResultPart[];
}

/** One message of a conversation. The system prompt is separate: {@link GenerateRequest.system}. */
export type ModelMessage = UserMessage | AssistantMessage | ToolMessage;

/** A function the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the tool's input; its root must be an object. */
  inputSchema: JSONSchema;
}

/** Whether and which tool the model must call. */
export type ToolChoice = "auto" | "none" | "required" | { type: "tool"; toolName: string };

/** Ask for JSON output that follows `schema`; each provider maps it to its own structured-output feature. */
export interface ResponseFormat {
  type: "json";
  /** A plain JSON Schema; providers adapt it to their strict mode. */
  schema: JSONSchema;
  /** A short name, `[a-zA-Z0-9_-]`, at most 64 characters. */
  name: string;
  description?: string;
}

/** One call to a model. */
export interface GenerateRequest {
  /** The system prompt: instructions only, never untrusted data. */
  system?: string;
  messages: ModelMessage[];
  /** Constrain the answer to JSON following a schema. */
  responseFormat?: ResponseFormat;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Sampling temperature; providers that do not accept it drop it with a warning. */
  temperature?: number;
  /** Upper bound on generated tokens. */
  maxOutputTokens?: number;
  /** Aborting rejects the call with the signal's reason. */
  signal?: AbortSignal;
}

/** A tool call in a result. */
export interface ToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/** Tokens used by one call (or several, summed). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Why the model stopped. */
export type FinishReason =
  | "stop"
  | "length"
  | "tool-calls"
  | "content-filter"
  | "refusal"
  | "error"
  | "other";

/** Something the provider could not honour exactly; the call still succeeded. */
export interface ModelWarning {
  type: "unsupported" | "compatibility" | "other";
  /** The request feature concerned, e.g. `temperature` or `responseFormat`. */
  feature?: string;
  message: string;
}

/** What a model call returns. */
export interface GenerateResult {
  /** The answer's text (for structured output, the JSON text). */
  text: string;
  /** The parsed JSON value, when the provider returned structured output (e.g. a forced tool's input). */
  object?: unknown;
  toolCalls?: ToolCall[];
  usage: TokenUsage;
  finishReason: FinishReason;
  /** The model's refusal message, when it declined to answer. */
  refusal?: string;
  warnings: ModelWarning[];
  /** The provider's raw response body, for debugging. */
  raw?: unknown;
  /** The model that actually answered, when a wrapper (fallback, routing) chose among several. */
  model?: { provider: string; modelId: string };
}

/** Texts to embed ({@link LanguageModel.embed}). */
export interface EmbedRequest {
  /** The texts, at most a few hundred per call. */
  values: string[];
  /** Aborting rejects the call with the signal's reason. */
  signal?: AbortSignal;
}

/** Embeddings, one per value, in the order given. */
export interface EmbedResult {
  embeddings: number[][];
  usage?: { inputTokens: number };
}

/** A language model. Implementations are plain objects returned by a factory such as `openai(options)`. */
export interface LanguageModel {
  readonly specificationVersion: "v1";
  /** The provider, e.g. `openai`, `anthropic`, `bedrock`. */
  readonly provider: string;
  /** The model id (or deployment) as the provider names it. */
  readonly modelId: string;
  /** Runs one call. Throws the typed errors of `src/core/errors.ts`; an abort rejects with the signal's reason. */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /**
   * Embeds texts as vectors, for semantic search (organization knowledge). Optional: present only when
   * the provider was configured with an embedding model (`openai({ embeddingModel })`); wrappers such as
   * `cachedModel` (uncached) and `limitConcurrency` pass it on; `fallbackModel`, `routedModel` and budgets
   * do not (their models may embed in different spaces), so search through them is full-text.
   */
  embed?(request: EmbedRequest): Promise<EmbedResult>;
}

/** All text of a request (system prompt and messages), as one string: what scripted matchers and caches look at. */
export function requestText(request: GenerateRequest): string {
  const parts: string[] = [];
  if (request.system) parts.push(request.system);
  for (const message of request.messages) parts.push(messageText(message));
  return parts.join("\n\n");
}

/** The text of one message; tool calls and results are rendered as JSON. */
export function messageText(message: ModelMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .map((part) => {
      if (part.type === "text") return part.text;
      if (part.type === "tool-call") return JSON.stringify(part.input);
      return typeof part.output === "string" ? part.output : JSON.stringify(part.output);
    })
    .join("\n");
}

/** Adds two usages. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}
