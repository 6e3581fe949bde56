import type {
  EmbedRequest,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  TokenUsage,
  ToolCall,
} from "../llm/language-model.js";
import { requestText } from "../llm/language-model.js";

/** One scripted answer. */
export interface ScriptedResponse {
  /**
   * Which requests this answer serves: a RegExp tested on the request's text (system prompt and
   * messages), or a predicate. Without `match`, it serves any request.
   */
  match?: RegExp | ((request: GenerateRequest) => boolean);
  /** The structured answer; returned as `object` and as its JSON `text`. */
  object?: unknown;
  /** A text answer (e.g. malformed JSON, to test the repair path). */
  text?: string;
  /** Tool calls to return. */
  toolCalls?: ToolCall[];
  /** Make the call fail with this error. */
  error?: unknown;
  /** Make the model refuse with this message. */
  refusal?: string;
  /** Usage reported for this answer. @default about one token per four characters */
  usage?: TokenUsage;
  /** @default "stop" (or "tool-calls" when `toolCalls` is set) */
  finishReason?: FinishReason;
  /** Serve this answer once, then move on to the next match. @default false */
  once?: boolean;
}

/** Options of {@link scriptedModel}. */
export interface ScriptedModelOptions {
  /** Answers, tried in order; the first whose `match` accepts the request is used. */
  responses?: ScriptedResponse[];
  /** The object returned when no response matches. Without it, an unmatched request throws. */
  defaultObject?: unknown;
  /** @default "scripted" */
  provider?: string;
  /** @default "scripted-model" */
  modelId?: string;
  /** Gives the model `embed`, answering each text with this function's vector. @default none (no `embed`) */
  embed?: (value: string) => number[];
}

/** A scripted model, with what it was asked. */
export interface ScriptedModel extends LanguageModel {
  /** Every request, in order (assert prompts, fencing and redaction on them). */
  readonly requests: GenerateRequest[];
  /** Number of calls made. */
  readonly calls: number;
  /** Tokens reported across all calls. */
  readonly usage: TokenUsage;
}

/**
 * A deterministic LanguageModel for tests and examples: answers come from a script, and every
 * request is recorded.
 * @example
 * const model = scriptedModel({
 *   responses: [{ match: /public bucket/, object: { summary: "Anyone can read this bucket." } }],
 * });
 * const { object } = await generateObject(model, { schema, schemaName: "explanation", prompt: "…public bucket…" });
 * expect(model.requests[0]?.messages[0]?.content).toContain("<untrusted-data");
 */
export function scriptedModel(options: ScriptedModelOptions = {}): ScriptedModel {
  const remaining = [...(options.responses ?? [])];
  const requests: GenerateRequest[] = [];
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const provider = options.provider ?? "scripted";
  const modelId = options.modelId ?? "scripted-model";

  return {
    specificationVersion: "v1",
    provider,
    modelId,
    requests,
    get calls() {
      return requests.length;
    },
    usage,
    async generate(request) {
      request.signal?.throwIfAborted();
      requests.push(request);
      const prompt = requestText(request);
      const index = remaining.findIndex((response) => matches(response, request, prompt));
      const response = index >= 0 ? remaining[index] : undefined;
      if (response?.once) remaining.splice(index, 1);
      if (!response && options.defaultObject === undefined) {
        throw new Error(
          `scriptedModel: no scripted response matches this request and no defaultObject is set. Request text starts: ${JSON.stringify(prompt.slice(0, 200))}`,
        );
      }
      if (response?.error !== undefined) throw response.error;
      const result = toResult(response ?? { object: options.defaultObject }, prompt);
      usage.inputTokens += result.usage.inputTokens;
      usage.outputTokens += result.usage.outputTokens;
      return result;
    },
    ...(options.embed === undefined
      ? {}
      : {
          async embed(request: EmbedRequest) {
            request.signal?.throwIfAborted();
            return { embeddings: request.values.map((value) => options.embed?.(value) ?? []) };
          },
        }),
  };
}

function matches(response: ScriptedResponse, request: GenerateRequest, prompt: string): boolean {
  if (response.match === undefined) return true;
  if (response.match instanceof RegExp) {
    response.match.lastIndex = 0;
    return response.match.test(prompt);
  }
  return response.match(request);
}

function toResult(response: ScriptedResponse, prompt: string): GenerateResult {
  const text = response.text ?? (response.object === undefined ? "" : JSON.stringify(response.object));
  return {
    text,
    object: response.text === undefined ? response.object : undefined,
    toolCalls: response.toolCalls,
    refusal: response.refusal,
    usage: response.usage ?? {
      inputTokens: Math.ceil(prompt.length / 4),
      outputTokens: Math.ceil(text.length / 4),
    },
    finishReason:
      response.finishReason ?? (response.toolCalls ? "tool-calls" : response.refusal ? "refusal" : "stop"),
    warnings: [],
  };
}
