import { APICallError, type LanguageModelV2, type LanguageModelV3 } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { aiSdk } from "../../src/llm/ai-sdk/index.js";
import { generateObject } from "../../src/llm/generate-object.js";
import { openaiChatEmulator } from "../../src/testing/llm-emulators.js";
import { testLanguageModel } from "../../src/testing/vitest/language-model-suite.js";

/** A minimal hand-written AI SDK V3 provider over Chat Completions, to run the conformance suite over HTTP. */
function chatModelV3(options: {
  baseURL: string;
  apiKey: string;
  fetch: typeof globalThis.fetch;
}): LanguageModelV3 {
  return {
    specificationVersion: "v3",
    provider: "test.chat",
    modelId: "gpt-4.1-mini",
    supportedUrls: {},
    async doGenerate(call) {
      const url = `${options.baseURL}/chat/completions`;
      const body = {
        model: "gpt-4.1-mini",
        messages: call.prompt.map((message) => ({
          role: message.role,
          content:
            typeof message.content === "string"
              ? message.content
              : message.content.map((part) => ("text" in part ? part.text : "")).join(""),
        })),
        ...(call.responseFormat?.type === "json"
          ? {
              response_format: {
                type: "json_schema",
                json_schema: { name: call.responseFormat.name, schema: call.responseFormat.schema },
              },
            }
          : {}),
      };
      const response = await options.fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: call.abortSignal,
      });
      const text = await response.text();
      if (!response.ok) {
        throw new APICallError({
          message: text,
          url,
          requestBodyValues: body,
          statusCode: response.status,
          responseHeaders: Object.fromEntries(response.headers.entries()),
          responseBody: text,
          isRetryable: response.status === 429 || response.status >= 500,
        });
      }
      const parsed = JSON.parse(text);
      return {
        content: [{ type: "text", text: parsed.choices[0].message.content }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: {
          inputTokens: {
            total: parsed.usage.prompt_tokens,
            noCache: undefined,
            cacheRead: undefined,
            cacheWrite: undefined,
          },
          outputTokens: { total: parsed.usage.completion_tokens, text: undefined, reasoning: undefined },
        },
        warnings: [],
      };
    },
    doStream: () => Promise.reject(new Error("not used")),
  };
}

testLanguageModel({
  name: "ai-sdk (V3 over HTTP)",
  emulator: openaiChatEmulator(),
  create: ({ baseURL, fetch, apiKey, events }) => aiSdk(chatModelV3({ baseURL, fetch, apiKey }), { events }),
});

const v3Result = (text: string) => ({
  content: [{ type: "text" as const, text }],
  finishReason: { unified: "stop" as const, raw: "stop" },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 5, text: 5, reasoning: 0 },
  },
  warnings: [{ type: "unsupported" as const, feature: "temperature", details: "ignored by this model" }],
});

describe("aiSdk", () => {
  it("calls a V3 model's doGenerate with the normalized prompt and response format", async () => {
    const mock = new MockLanguageModelV3({
      provider: "mock.chat",
      modelId: "mock-1",
      doGenerate: v3Result('{"summary":"s"}'),
    });
    const result = await generateObject(aiSdk(mock), {
      schema: z.object({ summary: z.string() }),
      schemaName: "explanation",
      system: "Explain.",
      prompt: "Finding",
      temperature: 0.1,
      maxOutputTokens: 300,
    });
    expect(result.object).toEqual({ summary: "s" });
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
    expect(result.provider).toBe("mock.chat");
    expect(result.warnings).toEqual([
      { type: "unsupported", feature: "temperature", message: "ignored by this model" },
    ]);
    const call = mock.doGenerateCalls[0];
    expect(call?.prompt).toEqual([
      { role: "system", content: "Explain." },
      { role: "user", content: [{ type: "text", text: "Finding" }] },
    ]);
    expect(call?.responseFormat).toMatchObject({
      type: "json",
      name: "explanation",
      schema: { type: "object" },
    });
    expect(call?.temperature).toBe(0.1);
    expect(call?.maxOutputTokens).toBe(300);
  });

  it("maps tool calls (JSON-string input) and tool messages", async () => {
    const mock = new MockLanguageModelV3({
      doGenerate: {
        ...v3Result(""),
        content: [{ type: "tool-call", toolCallId: "c1", toolName: "lookup", input: '{"id":7}' }],
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        warnings: [],
      },
    });
    const result = await aiSdk(mock).generate({
      messages: [
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "c0", toolName: "lookup", input: { id: 1 } }],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "c0", toolName: "lookup", output: { ok: true } }],
        },
      ],
      tools: [{ name: "lookup", inputSchema: { type: "object" } }],
      toolChoice: { type: "tool", toolName: "lookup" },
    });
    expect(result.toolCalls).toEqual([{ toolCallId: "c1", toolName: "lookup", input: { id: 7 } }]);
    expect(result.finishReason).toBe("tool-calls");
    const call = mock.doGenerateCalls[0];
    expect(call?.prompt[1]).toEqual({
      role: "tool",
      content: [
        {
          type: "tool-result",
          toolCallId: "c0",
          toolName: "lookup",
          output: { type: "json", value: { ok: true } },
        },
      ],
    });
    expect(call?.toolChoice).toEqual({ type: "tool", toolName: "lookup" });
    expect(call?.tools).toEqual([{ type: "function", name: "lookup", inputSchema: { type: "object" } }]);
  });

  it("accepts a V2 model (numbers for usage, string finish reason, V2 warnings)", async () => {
    const calls: unknown[] = [];
    const v2: LanguageModelV2 = {
      specificationVersion: "v2",
      provider: "legacy.chat",
      modelId: "legacy-1",
      supportedUrls: {},
      async doGenerate(options) {
        calls.push(options);
        return {
          content: [{ type: "text", text: "hello" }],
          finishReason: "length",
          usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
          warnings: [{ type: "unsupported-setting", setting: "temperature" }],
        };
      },
      doStream: () => Promise.reject(new Error("not used")),
    };
    const result = await aiSdk(v2).generate({ messages: [{ role: "user", content: "hi" }] });
    expect(result).toMatchObject({
      text: "hello",
      finishReason: "length",
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    expect(result.warnings[0]).toMatchObject({ type: "unsupported", feature: "temperature" });
    expect(calls).toHaveLength(1);
  });

  it("retries a retryable APICallError and maps a 401 to AuthenticationError", async () => {
    const failure = (statusCode: number) =>
      new APICallError({
        message: "nope",
        url: "https://api.example.com/v1/chat?key=sk-secret-abcdefghijklmnop",
        requestBodyValues: {},
        statusCode,
        responseHeaders: { "retry-after-ms": "1" },
        responseBody: '{"error":"nope"}',
      });
    let attempts = 0;
    const flaky = new MockLanguageModelV3({
      doGenerate: async () => {
        attempts++;
        if (attempts === 1) throw failure(503);
        return v3Result("ok");
      },
    });
    expect((await aiSdk(flaky).generate({ messages: [] })).text).toBe("ok");
    expect(attempts).toBe(2);

    const denied = new MockLanguageModelV3({
      doGenerate: async () => {
        throw failure(401);
      },
    });
    const error = await aiSdk(denied)
      .generate({ messages: [] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "AUTHENTICATION", status: 401 });
    expect((error as { url: string }).url).not.toContain("sk-secret-abcdefghijklmnop");
  });

  it("accepts a V4 model, whose result has the V3 shape", async () => {
    const v4 = {
      specificationVersion: "v4" as const,
      provider: "next.chat",
      modelId: "next-1",
      doGenerate: async () => v3Result("from v4"),
    };
    const result = await aiSdk(v4).generate({ messages: [{ role: "user", content: "hi" }] });
    expect(result).toMatchObject({
      text: "from v4",
      usage: { inputTokens: 10, outputTokens: 5 },
      finishReason: "stop",
    });
  });

  it("rejects something that is not an AI SDK model", () => {
    expect(() => aiSdk({ specificationVersion: "v1" } as unknown as LanguageModelV3)).toThrow(
      /specificationVersion/,
    );
  });
});
