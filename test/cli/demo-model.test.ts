import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openaiChatEmulator } from "../../src/testing/llm-emulators.js";
import { emulatorHandlers } from "../../src/testing/msw/emulator-handlers.js";
import { runCli } from "./helpers.js";

const baseURL = "http://llm.test/v1";
const emulator = openaiChatEmulator();
// Only the model host is intercepted; the sandbox on 127.0.0.1 is reached for real.
const server = setupServer(...emulatorHandlers(emulator, baseURL));
let dir: string;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "bypass" });
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-demo-model-"));
});

afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("demo with a model key in the environment", () => {
  it("explains with the model, reports calls and cost, and never sends the key in a body", async () => {
    const explanation = {
      headline: "{{resource.name}} needs attention",
      risk: "Scripted risk from the emulated model.",
      whyItMatters: "Scripted reason.",
      likelyIntent: "Scripted intent.",
      remediationSteps: ["Scripted step."],
    };
    emulator.reply(
      ...Array.from({ length: 200 }, () => ({
        object: explanation,
        usage: { inputTokens: 900, outputTokens: 120 },
      })),
    );
    const result = await runCli(["demo", "--size", "60", "--out", ".", "--json"], {
      cwd: dir,
      env: { OPENAI_API_KEY: "sk-test-demo-key-123", OPENAI_BASE_URL: baseURL },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.modelCalls).toBeGreaterThan(0);
    // One check call before the run (preflightModel), then the run's own calls.
    expect(summary.modelCalls).toBe(emulator.requests.length - 1);
    expect(summary.cost).toBeGreaterThan(0);
    for (const request of emulator.requests)
      expect(JSON.stringify(request.body)).not.toContain("sk-test-demo-key-123");
    const html = await readFile(join(dir, "cloudsteward-report", "index.html"), "utf8");
    expect(html).toContain("explanations by openai gpt-4.1-mini");
    expect(html).toContain("Scripted risk from the emulated model.");
  });

  it("checks an unreachable model once and explains with the knowledge base, saying so in the report", async () => {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const address = listener.address();
    await new Promise((resolve) => listener.close(resolve));
    const port = typeof address === "object" && address ? address.port : 0;
    const result = await runCli(["demo", "--size", "40", "--out", "unreachable", "--json"], {
      cwd: dir,
      env: { OLLAMA_HOST: `http://127.0.0.1:${port}` },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: ollama llama3\.1:8b unreachable: .+\. The demo explains with the knowledge base\.\n$/,
    );
    expect(JSON.parse(result.stdout).modelCalls).toBe(0);
    const html = await readFile(join(dir, "unreachable", "cloudsteward-report", "index.html"), "utf8");
    expect(html).toContain("explanations by knowledge base (model unreachable: ");
  });
});
