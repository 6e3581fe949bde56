import { createServer } from "node:net";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliModel, preflightModel } from "../../src/cli/model.js";
import { openaiChatEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";

const baseURL = "http://llm.test/v1";
const emulator = openaiChatEmulator();
const server = setupServer(...emulatorHandlers(emulator, baseURL));

beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => server.close());

/** A port on 127.0.0.1 nothing listens on: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const address = listener.address();
  await new Promise((resolve) => listener.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

describe("preflightModel", () => {
  it("keeps a model that answers its one check call", async () => {
    const before = emulator.requests.length;
    const chosen = cliModel("openai", { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: baseURL });
    const checked = await preflightModel(chosen);
    expect(checked).toBe(chosen);
    expect(checked.problem).toBeUndefined();
    expect(emulator.requests.length - before).toBe(1);
    expect(emulator.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 1 });
  });

  it("switches to the knowledge base when the connection is refused, and says so in the label", async () => {
    const port = await closedPort();
    const chosen = cliModel("ollama", { OLLAMA_HOST: `http://127.0.0.1:${port}` });
    const checked = await preflightModel(chosen);
    expect(checked.model).toBeUndefined();
    expect(checked.label).toMatch(/^knowledge base \(model unreachable: .+\)$/);
    expect(checked.problem).toMatch(/^ollama llama3\.1:8b unreachable: /);
  });

  it("switches to the knowledge base when the provider refuses the key, naming the failure", async () => {
    emulator.reply({ error: "unauthorized", message: "Incorrect API key provided" });
    const checked = await preflightModel(
      cliModel("openai", { OPENAI_API_KEY: "sk-wrong", OPENAI_BASE_URL: baseURL }),
    );
    expect(checked.model).toBeUndefined();
    expect(checked.label).toMatch(/^knowledge base \(model failed: .*Incorrect API key/);
    expect(checked.problem).toMatch(/^openai gpt-4\.1-mini failed its check call: /);
  });

  it("leaves the knowledge base alone", async () => {
    const chosen = cliModel("none", {});
    expect(await preflightModel(chosen)).toBe(chosen);
  });
});
