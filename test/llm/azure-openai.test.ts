import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { azureOpenai } from "../../src/llm/azure-openai/index.js";
import { openaiChatEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";
import { testLanguageModel } from "../../src/testing/vitest/language-model-suite.js";

testLanguageModel({
  name: "azure-openai",
  emulator: openaiChatEmulator(),
  baseURL: "https://acme.openai.azure.com",
  create: ({ baseURL, fetch, apiKey, events }) =>
    azureOpenai({ endpoint: baseURL, deployment: "gpt-4o-mini", apiKey, fetch, events }),
});

const emulator = openaiChatEmulator();
const server = setupServer(...emulatorHandlers(emulator, "https://acme.openai.azure.com"));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

describe("azureOpenai", () => {
  const messages = [{ role: "user" as const, content: "x" }];

  it("uses the v1 path with the deployment as model and the api-key header", async () => {
    await azureOpenai({ resourceName: "acme", deployment: "explainer", apiKey: "azure-key" }).generate({
      messages,
    });
    const request = emulator.requests[0];
    expect(request?.url).toBe("https://acme.openai.azure.com/openai/v1/chat/completions");
    expect(request?.headers["api-key"]).toBe("azure-key");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body.model).toBe("explainer");
  });

  it("uses the deployment URL with api-version for a dated version", async () => {
    const model = azureOpenai({
      endpoint: "https://acme.openai.azure.com/openai/",
      deployment: "explainer",
      apiVersion: "2024-10-21",
      azureAdToken: async () => "entra-token",
    });
    await model.generate({ messages });
    const request = emulator.requests[0];
    expect(request?.url).toBe(
      "https://acme.openai.azure.com/openai/deployments/explainer/chat/completions?api-version=2024-10-21",
    );
    expect(request?.headers.authorization).toBe("Bearer entra-token");
    expect(request?.headers["api-key"]).toBeUndefined();
  });

  it("reads the endpoint and key from the environment at request time", async () => {
    const saved = { endpoint: process.env.AZURE_OPENAI_ENDPOINT, key: process.env.AZURE_OPENAI_API_KEY };
    delete process.env.AZURE_OPENAI_ENDPOINT;
    delete process.env.AZURE_OPENAI_API_KEY;
    try {
      const model = azureOpenai({ deployment: "explainer" });
      await expect(model.generate({ messages })).rejects.toMatchObject({
        code: "CONFIGURATION",
        env: "AZURE_OPENAI_ENDPOINT",
      });
      process.env.AZURE_OPENAI_ENDPOINT = "https://acme.openai.azure.com";
      await expect(model.generate({ messages })).rejects.toMatchObject({
        code: "CONFIGURATION",
        env: "AZURE_OPENAI_API_KEY",
      });
      process.env.AZURE_OPENAI_API_KEY = "env-key";
      await model.generate({ messages });
      expect(emulator.requests[0]?.headers["api-key"]).toBe("env-key");
    } finally {
      for (const [name, value] of [
        ["AZURE_OPENAI_ENDPOINT", saved.endpoint],
        ["AZURE_OPENAI_API_KEY", saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
