import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { generateObject } from "../../src/llm/generate-object.js";
import { openaiCompatible } from "../../src/llm/openai-compatible/index.js";
import { openaiChatEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";
import { testLanguageModel } from "../../src/testing/vitest/language-model-suite.js";

testLanguageModel({
  name: "openai-compatible",
  emulator: openaiChatEmulator(),
  baseURL: "http://127.0.0.1:11434/v1",
  create: ({ baseURL, fetch, apiKey, events }) =>
    openaiCompatible({ baseURL, model: "llama3.1:8b", apiKey, fetch, events }),
});

const base = "http://127.0.0.1:8000/v1";
const emulator = openaiChatEmulator({ requireAuth: false });
const server = setupServer(...emulatorHandlers(emulator, base));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

const schema = z.object({ summary: z.string() });
const ask = (model: ReturnType<typeof openaiCompatible>) =>
  generateObject(model, { schema, schemaName: "explanation", system: "Explain.", prompt: "Finding" });

describe("openaiCompatible", () => {
  it("sends json_schema without strict, and max_tokens instead of max_completion_tokens", async () => {
    emulator.reply({ text: "hi" }, { object: { summary: "s" } });
    const model = openaiCompatible({ baseURL: base, model: "qwen" });
    await model.generate({ messages: [{ role: "user", content: "x" }], maxOutputTokens: 100 });
    await ask(model);
    expect(emulator.requests[0]?.body.max_tokens).toBe(100);
    expect(emulator.requests[0]?.body.max_completion_tokens).toBeUndefined();
    expect(emulator.requests[0]?.headers.authorization).toBeUndefined();
    expect(emulator.requests[1]?.body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "explanation",
        schema: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] },
      },
    });
  });

  it("falls back json_schema → json_object on an 'unsupported' 400, warns, and remembers it", async () => {
    emulator.reply(
      { error: "bad-request", message: "response_format type json_schema is not supported" },
      { object: { summary: "via JSON mode" } },
      { object: { summary: "again" } },
    );
    const model = openaiCompatible({ baseURL: base, model: "old-server-model" });
    const first = await ask(model);
    expect(first.object).toEqual({ summary: "via JSON mode" });
    expect(first.warnings).toEqual([
      expect.objectContaining({
        type: "compatibility",
        feature: "responseFormat",
        message: expect.stringContaining("JSON mode"),
      }),
    ]);
    expect(emulator.requests[1]?.body.response_format).toEqual({ type: "json_object" });
    const system = (emulator.requests[1]?.body.messages as { content: string }[] | undefined)?.[0]?.content;
    expect(system).toContain("Explain.");
    expect(system).toContain('"summary"');

    const second = await ask(model);
    expect(second.object).toEqual({ summary: "again" });
    expect(emulator.requests).toHaveLength(3);
    expect(emulator.requests[2]?.body.response_format).toEqual({ type: "json_object" });
  });

  it("falls back all the way to prompt-only JSON", async () => {
    emulator.reply(
      { error: "bad-request", message: "Unknown parameter: response_format.json_schema" },
      { error: "bad-request", message: "json_object response_format is not supported by this model" },
      { text: '```json\n{"summary":"from the prompt"}\n```' },
    );
    const result = await ask(openaiCompatible({ baseURL: base, model: "tiny" }));
    expect(result.object).toEqual({ summary: "from the prompt" });
    expect(emulator.requests[2]?.body.response_format).toBeUndefined();
    expect(result.warnings[0]?.message).toContain("prompt-only JSON");
  });

  it("does not fall back on an unrelated 400, nor when a mode is pinned", async () => {
    emulator.reply({ error: "bad-request", message: "messages: context length exceeded" });
    await expect(ask(openaiCompatible({ baseURL: base, model: "m" }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(emulator.requests).toHaveLength(1);
    emulator.reset();
    emulator.reply({ error: "bad-request", message: "response_format json_schema is not supported" });
    await expect(
      ask(openaiCompatible({ baseURL: base, model: "m", structuredOutputs: "json_schema" })),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(emulator.requests).toHaveLength(1);
  });

  it("uses OLLAMA_HOST when no baseURL is given", async () => {
    const saved = process.env.OLLAMA_HOST;
    process.env.OLLAMA_HOST = "127.0.0.1:8000";
    try {
      await openaiCompatible({ model: "llama3.1" }).generate({ messages: [{ role: "user", content: "x" }] });
      expect(emulator.requests[0]?.url).toBe("http://127.0.0.1:8000/v1/chat/completions");
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
    }
  });
});
