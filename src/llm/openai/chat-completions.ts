import { parseJsonText } from "../generate-object.js";
import { fitsStrictMode, toStrictJsonSchema } from "../json-schema.js";
import type {
  FinishReason,
  GenerateRequest,
  GenerateResult,
  ModelMessage,
  ModelWarning,
  ToolCall,
  ToolChoice,
} from "../language-model.js";

/**
 * How a Chat Completions request asks for structured output: `json_schema` (strict schema,
 * OpenAI and most servers), `json_object` (JSON mode; the schema goes into the prompt) or `prompt`
 * (no response_format; the schema goes into the prompt).
 */
export type StructuredOutputMode = "json_schema" | "json_object" | "prompt";

/** Wire-format choices that differ between OpenAI-style servers. */
export interface ChatRequestSettings {
  model: string;
  structuredOutputs: StructuredOutputMode;
  /** `max_completion_tokens` (OpenAI, Azure) or `max_tokens` (Ollama, vLLM, LM Studio). */
  maxTokensField: "max_completion_tokens" | "max_tokens";
  /** Send `strict: true` with json_schema. */
  strict: boolean;
}

/** The Chat Completions request body for a request; compatibility notes go to `warnings` (internal, shared by OpenAI, Azure and compatible servers). */
export function toChatBody(
  request: GenerateRequest,
  settings: ChatRequestSettings,
  warnings: ModelWarning[] = [],
): Record<string, unknown> {
  const format = request.responseFormat;
  let system = request.system;
  let responseFormat: unknown;
  if (format && settings.structuredOutputs === "json_schema") {
    const strict = settings.strict && fitsStrictMode(format.schema);
    if (settings.strict && !strict) {
      warnings.push({
        type: "compatibility",
        feature: "responseFormat.strict",
        message: `The "${format.name}" schema has open-ended objects (records), which strict mode cannot express; it was sent without strict, and the answer is validated locally.`,
      });
    }
    responseFormat = {
      type: "json_schema",
      json_schema: {
        name: format.name,
        ...(format.description ? { description: format.description } : {}),
        schema: strict ? toStrictJsonSchema(format.schema) : format.schema,
        ...(strict ? { strict: true } : {}),
      },
    };
  } else if (format) {
    if (settings.structuredOutputs === "json_object") responseFormat = { type: "json_object" };
    system = [system, schemaInstruction(format.name, format.schema)].filter(Boolean).join("\n\n");
  }
  const body: Record<string, unknown> = {
    model: settings.model,
    messages: [
      ...(system ? [{ role: "system", content: system }] : []),
      ...request.messages.flatMap(toChatMessages),
    ],
  };
  if (responseFormat) body.response_format = responseFormat;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.inputSchema,
      },
    }));
    if (request.toolChoice) body.tool_choice = toChatToolChoice(request.toolChoice);
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxOutputTokens !== undefined) body[settings.maxTokensField] = request.maxOutputTokens;
  return body;
}

/** Chat Completions response body (the fields we read). */
export interface ChatCompletionBody {
  choices?: {
    finish_reason?: string | null;
    message?: {
      content?: string | null;
      refusal?: string | null;
      tool_calls?: { id: string; type?: string; function: { name: string; arguments: string } }[];
    };
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** Maps a Chat Completions response to a GenerateResult (internal). */
export function fromChatBody(
  body: ChatCompletionBody,
  request: GenerateRequest,
  warnings: ModelWarning[] = [],
): GenerateResult {
  const choice = body.choices?.[0];
  const message = choice?.message;
  const text = message?.content ?? "";
  const toolCalls: ToolCall[] | undefined = message?.tool_calls?.map((call) => ({
    toolCallId: call.id,
    toolName: call.function.name,
    input: parseJsonText(call.function.arguments)?.value ?? call.function.arguments,
  }));
  const refusal = message?.refusal ?? undefined;
  const parsed = request.responseFormat && !refusal ? parseJsonText(text) : undefined;
  return {
    text,
    ...(parsed ? { object: parsed.value } : {}),
    ...(toolCalls?.length ? { toolCalls } : {}),
    ...(refusal ? { refusal } : {}),
    usage: { inputTokens: body.usage?.prompt_tokens ?? 0, outputTokens: body.usage?.completion_tokens ?? 0 },
    finishReason: refusal ? "refusal" : mapFinishReason(choice?.finish_reason),
    warnings,
    raw: body,
  };
}

/** Pulls `error.message` (and `error.code`) out of an OpenAI-style error body. */
export function openaiErrorDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: { message?: unknown; code?: unknown } | string }).error;
  if (typeof error === "string") return error;
  if (!error || typeof error.message !== "string") return undefined;
  return typeof error.code === "string" ? `${error.message} (${error.code})` : error.message;
}

/** The instruction that asks for schema-following JSON when the server cannot enforce the schema. */
export function schemaInstruction(name: string, schema: unknown): string {
  return `Answer with only a JSON object named "${name}" that follows this JSON Schema, with no text around it:\n${JSON.stringify(schema)}`;
}

function toChatMessages(message: ModelMessage): Record<string, unknown>[] {
  if (message.role === "tool") {
    return message.content.map((part) => ({
      role: "tool",
      tool_call_id: part.toolCallId,
      content: typeof part.output === "string" ? part.output : JSON.stringify(part.output),
    }));
  }
  if (typeof message.content === "string") return [{ role: message.role, content: message.content }];
  const text = message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n");
  if (message.role === "user") return [{ role: "user", content: text }];
  const toolCalls = message.content.flatMap((part) =>
    part.type === "tool-call"
      ? [
          {
            id: part.toolCallId,
            type: "function",
            function: { name: part.toolName, arguments: JSON.stringify(part.input) },
          },
        ]
      : [],
  );
  return [
    { role: "assistant", content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
  ];
}

function toChatToolChoice(choice: ToolChoice): unknown {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.toolName } };
}

function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    default:
      return "other";
  }
}
