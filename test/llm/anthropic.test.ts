import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { anthropic } from "../../src/llm/anthropic/index.js";
import { generateObject } from "../../src/llm/generate-object.js";
import { anthropicEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";
import { testLanguageModel } from "../../src/testing/vitest/language-model-suite.js";

testLanguageModel({
  name: "anthropic",
  emulator: anthropicEmulator(),
  create: ({ baseURL, fetch, apiKey, events }) =>
    anthropic({ model: "claude-sonnet-4-5", baseURL, apiKey, fetch, events }),
});

const emulator = anthropicEmulator();
const server = setupServer(...emulatorHandlers(emulator, "https://api.anthropic.com/v1"));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  emulator.reset();
  server.resetHandlers();
});
afterAll(() => server.close());

describe("anthropic", () => {
  const schema = z.object({ summary: z.string(), ownerHint: z.string().optional() });

  it("asks for structured output with a forced tool and reads the tool_use input", async () => {
    emulator.reply({ object: { summary: "Anyone can read it." } });
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test" });
    const result = await generateObject(model, {
      schema,
      schemaName: "explanation",
      system: "Explain.",
      prompt: "Finding",
      temperature: 0.2,
    });
    expect(result.object).toEqual({ summary: "Anyone can read it." });
    expect(result.finishReason).toBe("stop");
    const request = emulator.requests[0];
    expect(request?.url).toBe("https://api.anthropic.com/v1/messages");
    expect(request?.headers["x-api-key"]).toBe("sk-ant-test");
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: "Explain.",
      messages: [{ role: "user", content: "Finding" }],
      tools: [
        {
          name: "explanation",
          description: 'Return the answer as a "explanation" object.',
          input_schema: {
            type: "object",
            properties: { summary: { type: "string" }, ownerHint: { type: "string" } },
            required: ["summary"],
            additionalProperties: false,
          },
        },
      ],
      tool_choice: { type: "tool", name: "explanation" },
      temperature: 0.2,
    });
  });

  it("retries 529 overloaded_error", async () => {
    emulator.reply({ error: "overloaded" }, { text: "back" });
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test" });
    const result = await model.generate({ messages: [{ role: "user", content: "x" }] });
    expect(result.text).toBe("back");
    expect(emulator.requests).toHaveLength(2);
  });

  it("gives up on a persistent 529 with a retryable UpstreamError naming the error type", async () => {
    emulator.reply({ error: "overloaded" }, { error: "overloaded" });
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test", maxRetries: 1 });
    await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      code: "UPSTREAM",
      status: 529,
      isRetryable: true,
      message: expect.stringContaining("overloaded_error"),
    });
  });

  it("drops temperature with a warning under API version 2026-10-21", async () => {
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test", apiVersion: "2026-10-21" });
    const result = await model.generate({ messages: [{ role: "user", content: "x" }], temperature: 0.3 });
    expect(emulator.requests[0]?.body.temperature).toBeUndefined();
    expect(emulator.requests[0]?.headers["anthropic-version"]).toBe("2026-10-21");
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: "unsupported", feature: "temperature" }),
    ]);
  });

  it("maps tool calls and tool results to tool_use and tool_result blocks", async () => {
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test" });
    await model.generate({
      messages: [
        { role: "user", content: [{ type: "text", text: "Look it up" }] },
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "toolu_1", toolName: "lookup", input: { id: 1 } }],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "toolu_1", toolName: "lookup", output: "gone", isError: true },
          ],
        },
      ],
      tools: [{ name: "lookup", inputSchema: { type: "object", properties: {} } }],
      toolChoice: "required",
    });
    const body = emulator.requests[0]?.body;
    expect(body?.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Look it up" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "lookup", input: { id: 1 } }] },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "gone", is_error: true }],
      },
    ]);
    expect(body?.tool_choice).toEqual({ type: "any" });
  });

  it("reports a refusal", async () => {
    emulator.reply({ refusal: "I won't do that." });
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test" });
    const result = await model.generate({ messages: [{ role: "user", content: "x" }] });
    expect(result.finishReason).toBe("refusal");
    expect(result.refusal).toBe("I won't do that.");
  });

  it("does not retry a spend-limit 429", async () => {
    let calls = 0;
    server.use(
      http.post("https://api.anthropic.com/v1/messages", () => {
        calls++;
        return HttpResponse.json(
          {
            type: "error",
            error: {
              type: "rate_limit_error",
              message: "Spend limit reached",
              details: { error_code: "enforced_spend_limit_reached" },
            },
          },
          { status: 429, headers: { "retry-after": "0" } },
        );
      }),
    );
    const model = anthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-test" });
    await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      code: "RATE_LIMITED",
      isRetryable: false,
      message: expect.stringContaining("enforced_spend_limit_reached"),
    });
    expect(calls).toBe(1);
  });
});
