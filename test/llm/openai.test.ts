import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { generateObject } from "../../src/llm/generate-object.js";
import { openai } from "../../src/llm/openai/index.js";
import { openaiChatEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";
import { testLanguageModel } from "../../src/testing/vitest/language-model-suite.js";

testLanguageModel({
  name: "openai",
  emulator: openaiChatEmulator(),
  create: ({ baseURL, fetch, apiKey, events }) =>
    openai({ model: "gpt-4.1-mini", baseURL, apiKey, fetch, events }),
});

const emulator = openaiChatEmulator();
const server = setupServer(...emulatorHandlers(emulator, "https://api.openai.com/v1"));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  emulator.reset();
  server.resetHandlers();
});
afterAll(() => server.close());

describe("openai", () => {
  const schema = z.object({
    summary: z.string(),
    ownerHint: z.string().optional(),
    tags: z.array(z.string()).max(3),
  });

  it("sends Chat Completions with a strict json_schema response_format", async () => {
    emulator.reply({ object: { summary: "s", ownerHint: null, tags: [] } });
    const model = openai({ model: "gpt-4.1-mini", apiKey: "sk-test", organization: "org-1" });
    const { object } = await generateObject(model, {
      schema,
      schemaName: "explanation",
      system: "Explain.",
      prompt: "Finding",
      temperature: 0.2,
      maxOutputTokens: 800,
    });
    expect(object).toEqual({ summary: "s", tags: [] });
    const request = emulator.requests[0];
    expect(request?.url).toBe("https://api.openai.com/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.headers["openai-organization"]).toBe("org-1");
    expect(request?.body).toEqual({
      model: "gpt-4.1-mini",
      messages: [
        { role: "system", content: "Explain." },
        { role: "user", content: "Finding" },
      ],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "explanation",
          strict: true,
          schema: {
            type: "object",
            properties: {
              summary: { type: "string" },
              ownerHint: { type: ["string", "null"] },
              tags: { type: "array", items: { type: "string" } },
            },
            required: ["summary", "ownerHint", "tags"],
            additionalProperties: false,
          },
        },
      },
      temperature: 0.2,
      max_completion_tokens: 800,
    });
  });

  it("sends a schema with records without strict, with a warning, and still validates", async () => {
    emulator.reply({ object: { summary: "s", tags: { env: "prod" } } });
    const model = openai({ model: "gpt-4.1-mini", apiKey: "sk-test" });
    const result = await generateObject(model, {
      schema: z.object({ summary: z.string(), tags: z.record(z.string(), z.string()) }),
      schemaName: "tagged",
      prompt: "x",
    });
    expect(result.object).toEqual({ summary: "s", tags: { env: "prod" } });
    expect(result.warnings).toEqual([expect.objectContaining({ feature: "responseFormat.strict" })]);
    const format = emulator.requests[0]?.body.response_format as { json_schema: Record<string, unknown> };
    expect(format.json_schema.strict).toBeUndefined();
    expect(format.json_schema.schema).toMatchObject({
      properties: { tags: { additionalProperties: { type: "string" } } },
    });
  });

  it("reads OPENAI_API_KEY at request time, not at creation", async () => {
    const previous = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const model = openai({ model: "gpt-4.1-mini" });
      await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
        code: "CONFIGURATION",
        message: expect.stringContaining("OPENAI_API_KEY"),
      });
      process.env.OPENAI_API_KEY = "sk-from-env";
      await model.generate({ messages: [{ role: "user", content: "x" }] });
      expect(emulator.requests[0]?.headers.authorization).toBe("Bearer sk-from-env");
    } finally {
      if (previous === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previous;
    }
  });

  it("maps tool calls, tool results and refusals", async () => {
    emulator.reply({ refusal: "I can't help with that." });
    const model = openai({ model: "gpt-4.1-mini", apiKey: "sk-test" });
    const refused = await model.generate({
      messages: [
        { role: "user", content: "Look it up" },
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "call_1", toolName: "lookup", input: { id: 1 } }],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "call_1", toolName: "lookup", output: { ok: true } }],
        },
      ],
      tools: [
        {
          name: "lookup",
          description: "Find",
          inputSchema: { type: "object", properties: { id: { type: "number" } } },
        },
      ],
      toolChoice: { type: "tool", toolName: "lookup" },
    });
    expect(refused.refusal).toBe("I can't help with that.");
    expect(refused.finishReason).toBe("refusal");
    const body = emulator.requests[0]?.body;
    expect(body?.messages).toEqual([
      { role: "user", content: "Look it up" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"id":1}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"ok":true}' },
    ]);
    expect(body?.tool_choice).toEqual({ type: "function", function: { name: "lookup" } });
    expect(body?.tools).toEqual([
      {
        type: "function",
        function: {
          name: "lookup",
          description: "Find",
          parameters: { type: "object", properties: { id: { type: "number" } } },
        },
      },
    ]);
  });

  it("turns an error body into a BadRequestError with the vendor message", async () => {
    emulator.reply({ error: "bad-request", message: "Invalid schema for response_format 'explanation'" });
    const model = openai({ model: "gpt-4.1-mini", apiKey: "sk-test" });
    await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      status: 400,
      message: expect.stringContaining("Invalid schema for response_format"),
    });
    expect(emulator.requests).toHaveLength(1);
  });

  it("retries a 500, since a model call has no side effect", async () => {
    emulator.reply({ error: "server" }, { text: "fine" });
    const model = openai({ model: "gpt-4.1-mini", apiKey: "sk-test" });
    const result = await model.generate({ messages: [{ role: "user", content: "x" }] });
    expect(result.text).toBe("fine");
    expect(emulator.requests).toHaveLength(2);
  });

  it("does not retry a 429 insufficient_quota (billing), unlike a rate limit", async () => {
    let calls = 0;
    server.use(
      http.post("https://api.openai.com/v1/chat/completions", () => {
        calls++;
        return HttpResponse.json(
          {
            error: {
              message: "You exceeded your current quota",
              type: "insufficient_quota",
              param: null,
              code: "insufficient_quota",
            },
          },
          { status: 429, headers: { "retry-after": "0" } },
        );
      }),
    );
    const model = openai({ model: "gpt-4.1-mini", apiKey: "sk-test" });
    const error = await model
      .generate({ messages: [{ role: "user", content: "x" }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "RATE_LIMITED",
      status: 429,
      isRetryable: false,
      integration: "openai",
    });
    expect((error as Error).message).toContain("insufficient_quota");
    expect(calls).toBe(1);
  });

  it("embeds through the Embeddings API only when an embedding model is configured", async () => {
    let body: unknown;
    server.use(
      http.post("https://api.openai.com/v1/embeddings", async ({ request }) => {
        body = await request.json();
        // The API may answer out of order; `index` says which value each vector is for.
        return HttpResponse.json({
          object: "list",
          data: [
            { object: "embedding", index: 1, embedding: [0, 1] },
            { object: "embedding", index: 0, embedding: [1, 0] },
          ],
          model: "text-embedding-3-small",
          usage: { prompt_tokens: 4, total_tokens: 4 },
        });
      }),
    );
    expect(openai({ model: "gpt-4.1-mini", apiKey: "sk-test" }).embed).toBeUndefined();
    const model = openai({
      model: "gpt-4.1-mini",
      apiKey: "sk-test",
      embeddingModel: "text-embedding-3-small",
    });
    const result = await model.embed?.({ values: ["ssh", "bucket"] });
    expect(body).toEqual({ model: "text-embedding-3-small", input: ["ssh", "bucket"] });
    expect(result).toEqual({
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      usage: { inputTokens: 4 },
    });
  });
});
