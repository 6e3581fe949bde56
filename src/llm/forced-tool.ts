import type { FinishReason, ToolCall } from "./language-model.js";

/**
 * Reads an answer whose structured output came through a forced tool (Anthropic `tool_use`,
 * Bedrock `toolUse`): the first call of the tool named `formatName` is the object (and its JSON is
 * the text); other calls stay tool calls. Internal, shared by the providers that use the pattern.
 */
export function readForcedTool(
  text: string,
  uses: ToolCall[],
  formatName: string | undefined,
): { text: string; object?: unknown; toolCalls?: ToolCall[]; structured: boolean } {
  const index = formatName === undefined ? -1 : uses.findIndex((use) => use.toolName === formatName);
  const forced = index >= 0 ? uses[index] : undefined;
  const toolCalls = uses.filter((_, position) => position !== index);
  return {
    text: forced ? JSON.stringify(forced.input) : text,
    ...(forced ? { object: forced.input } : {}),
    ...(toolCalls.length ? { toolCalls } : {}),
    structured: forced !== undefined,
  };
}

/** Maps the stop reasons of Anthropic Messages and Bedrock Converse; a forced structured-output tool counts as a normal stop. */
export function mapStopReason(reason: string | null | undefined, structured: boolean): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return structured ? "stop" : "tool-calls";
    case "refusal":
      return "refusal";
    case "guardrail_intervened":
    case "content_filtered":
      return "content-filter";
    default:
      return "other";
  }
}
