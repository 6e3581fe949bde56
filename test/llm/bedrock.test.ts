import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { bedrock } from "../../src/llm/bedrock/index.js";
import { generateObject } from "../../src/llm/generate-object.js";
import { bedrockEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";
import { testLanguageModel } from "../../src/testing/vitest/language-model-suite.js";

testLanguageModel({
  name: "bedrock",
  emulator: bedrockEmulator(),
  baseURL: "https://bedrock-runtime.us-east-1.amazonaws.com",
  create: ({ baseURL, fetch, apiKey, events }) =>
    bedrock({
      events,
      model: "anthropic.claude-3-5-haiku-20241022-v1:0",
      region: "us-east-1",
      baseURL,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: apiKey },
      fetch,
    }),
});

const emulator = bedrockEmulator();
const server = setupServer(...emulatorHandlers(emulator, "https://bedrock-runtime.eu-west-1.amazonaws.com"));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

const modelId = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";
const credentials = {
  accessKeyId: "AKIAEXAMPLE",
  secretAccessKey: "secret-example-key",
  sessionToken: "session-x",
};

describe("bedrock", () => {
  it("calls Converse with a SigV4 signature and a forced tool for structured output", async () => {
    emulator.reply({ object: { summary: "s" } });
    const model = bedrock({ model: modelId, region: "eu-west-1", credentials });
    const { object } = await generateObject(model, {
      schema: z.object({ summary: z.string() }),
      schemaName: "explanation",
      system: "Explain.",
      prompt: "Finding",
      maxOutputTokens: 500,
      temperature: 0,
    });
    expect(object).toEqual({ summary: "s" });
    const request = emulator.requests[0];
    expect(request?.url).toBe(
      "https://bedrock-runtime.eu-west-1.amazonaws.com/model/eu.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse",
    );
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers["x-amz-security-token"]).toBe("session-x");
    expect(request?.body).toEqual({
      system: [{ text: "Explain." }],
      messages: [{ role: "user", content: [{ text: "Finding" }] }],
      inferenceConfig: { maxTokens: 500, temperature: 0 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: "explanation",
              description: 'Return the answer as a "explanation" object.',
              inputSchema: {
                json: {
                  type: "object",
                  properties: { summary: { type: "string" } },
                  required: ["summary"],
                  additionalProperties: false,
                },
              },
            },
          },
        ],
        toolChoice: { tool: { name: "explanation" } },
      },
    });
  });

  it("uses a Bedrock API key as a bearer token", async () => {
    await bedrock({ model: modelId, region: "eu-west-1", apiKey: "bedrock-api-key" }).generate({
      messages: [{ role: "user", content: "x" }],
    });
    expect(emulator.requests[0]?.headers.authorization).toBe("Bearer bedrock-api-key");
  });

  it("reads credentials and region from the environment at request time", async () => {
    const names = [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_BEARER_TOKEN_BEDROCK",
    ];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    try {
      const model = bedrock({ model: modelId });
      await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
        code: "CONFIGURATION",
        env: "AWS_REGION",
      });
      process.env.AWS_REGION = "eu-west-1";
      await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
        code: "CONFIGURATION",
        env: "AWS_ACCESS_KEY_ID",
      });
      process.env.AWS_ACCESS_KEY_ID = "AKIAENV";
      process.env.AWS_SECRET_ACCESS_KEY = "env-secret";
      await model.generate({ messages: [{ role: "user", content: "x" }] });
      expect(emulator.requests[0]?.headers.authorization).toContain("Credential=AKIAENV/");
      expect(emulator.requests[0]?.headers["x-amz-security-token"]).toBeUndefined();
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it("maps ThrottlingException after retries to RateLimitError and ValidationException to BadRequestError", async () => {
    emulator.reply({ error: "rate-limited" }, { error: "rate-limited" });
    const model = bedrock({ model: modelId, region: "eu-west-1", credentials, maxRetries: 1 });
    await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      code: "RATE_LIMITED",
      status: 429,
    });
    emulator.reply({ error: "bad-request", message: "The model returned the following errors: malformed" });
    await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("malformed"),
    });
  });

  it("maps tool calls and results to toolUse and toolResult blocks", async () => {
    await bedrock({ model: modelId, region: "eu-west-1", credentials }).generate({
      messages: [
        { role: "user", content: "Look it up" },
        {
          role: "assistant",
          content: [{ type: "tool-call", toolCallId: "t1", toolName: "lookup", input: { id: 1 } }],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "t1", toolName: "lookup", output: { ok: true } }],
        },
      ],
      tools: [{ name: "lookup", inputSchema: { type: "object", properties: {} } }],
      toolChoice: "auto",
    });
    const body = emulator.requests[0]?.body;
    expect(body?.messages).toEqual([
      { role: "user", content: [{ text: "Look it up" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "lookup", input: { id: 1 } } }] },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "t1", content: [{ json: { ok: true } }], status: "success" } }],
      },
    ]);
    expect(body?.toolConfig).toMatchObject({ toolChoice: { auto: {} } });
  });
});
