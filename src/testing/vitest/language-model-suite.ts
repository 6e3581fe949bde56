import { EventEmitter } from "eventemitter3";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isCloudstewardError } from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import { generateObject } from "../../llm/generate-object.js";
import type { LanguageModel } from "../../llm/language-model.js";
import type { LlmEmulator } from "../llm-emulators.js";

/** What the suite hands to `create`. */
export interface LanguageModelTestContext {
  /** Where the emulator answers. */
  baseURL: string;
  /** A fetch answering from the emulator (`emulator.fetch(baseURL)`); pass it to the provider. */
  fetch: typeof globalThis.fetch;
  /** The credential to configure; the suite checks it never appears in an error or event. */
  apiKey: string;
  /** Where the provider should emit `request-retried` events. */
  events: EventEmitter<PipelineEvents>;
}

/** Options of {@link testLanguageModel}. */
export interface TestLanguageModelOptions {
  /** The suite's title, e.g. `"openai"`. */
  name: string;
  /** The emulated vendor API the provider talks to, e.g. `openaiChatEmulator()`. */
  emulator: LlmEmulator;
  /** The base URL the provider is configured with. @default "https://llm.test/v1" */
  baseURL?: string;
  /** Creates the provider under test, wired to the emulator. */
  create: (context: LanguageModelTestContext) => LanguageModel;
  /** The provider emits `request-retried` on the `events` it was given. @default true */
  retryEvents?: boolean;
}

/**
 * A vitest suite every LanguageModel provider passes against an emulation of its vendor's API:
 * text generation, structured output round-trip through `generateObject`, usage reported, 429
 * retried, 401 → `AuthenticationError` without the key in it, and abort rejecting.
 * @example
 * testLanguageModel({
 *   name: "openai",
 *   emulator: openaiChatEmulator(),
 *   create: ({ baseURL, fetch, apiKey }) => openai({ model: "gpt-4.1-mini", baseURL, apiKey, fetch }),
 * });
 */
export function testLanguageModel(options: TestLanguageModelOptions): void {
  const { emulator } = options;
  const baseURL = options.baseURL ?? "https://llm.test/v1";
  const apiKey = "cs-test-key-7f3a9c21e4b0d8a6";
  let events = new EventEmitter<PipelineEvents>();
  const create = () => options.create({ baseURL, fetch: emulator.fetch(baseURL), apiKey, events });
  const user = (content: string) => [{ role: "user" as const, content }];

  describe(`LanguageModel conformance: ${options.name}`, () => {
    beforeEach(() => {
      emulator.reset();
      events = new EventEmitter<PipelineEvents>();
    });

    it("declares its specification version, provider and model id", () => {
      const model = create();
      expect(model.specificationVersion).toBe("v1");
      expect(model.provider).toMatch(/\S/);
      expect(model.modelId).toMatch(/\S/);
    });

    it("generates text and sends the system prompt and the message", async () => {
      emulator.reply({ text: "The bucket is public." });
      const result = await create().generate({
        system: "You explain findings.",
        messages: user("What is wrong?"),
      });
      expect(result.text).toBe("The bucket is public.");
      expect(result.finishReason).toBe("stop");
      expect(result.warnings).toBeInstanceOf(Array);
      expect(emulator.requests).toHaveLength(1);
      expect(emulator.requests[0]?.rawBody).toContain("You explain findings.");
      expect(emulator.requests[0]?.rawBody).toContain("What is wrong?");
    });

    it("round-trips structured output through generateObject", async () => {
      const schema = z.object({
        summary: z.string(),
        risk: z.enum(["low", "high"]),
        steps: z.array(z.string()),
      });
      const answer = { summary: "Anyone can read the bucket.", risk: "high", steps: ["Block public access"] };
      emulator.reply({ object: answer });
      const result = await generateObject(create(), {
        schema,
        schemaName: "explanation",
        system: "You explain findings.",
        prompt: "Explain.",
        promptVersion: "explain@1",
      });
      expect(result.object).toEqual(answer);
      expect(result.repaired).toBe(false);
      expect(result.promptVersion).toBe("explain@1");
      expect(emulator.requests).toHaveLength(1);
      expect(emulator.requests[0]?.rawBody).toContain("explanation");
      expect(emulator.requests[0]?.rawBody).toContain("steps");
    });

    it("reports token usage", async () => {
      emulator.reply({ text: "ok", usage: { inputTokens: 321, outputTokens: 54 } });
      const result = await create().generate({ messages: user("Hi") });
      expect(result.usage).toEqual({ inputTokens: 321, outputTokens: 54 });
    });

    it("retries a 429 and then succeeds, with a request-retried event free of the key", async () => {
      const retried: unknown[] = [];
      events.on("request-retried", (event) => retried.push(event));
      emulator.reply({ error: "rate-limited" }, { text: "after the retry" });
      const result = await create().generate({ messages: user("Hi") });
      expect(result.text).toBe("after the retry");
      expect(emulator.requests).toHaveLength(2);
      if (options.retryEvents !== false) {
        expect(retried).toHaveLength(1);
        expect(retried[0]).toMatchObject({ attempt: 1, error: { code: "RATE_LIMITED" } });
      }
      expect(JSON.stringify(retried)).not.toContain(apiKey);
    });

    it("maps bad credentials to AuthenticationError without the key in it", async () => {
      emulator.reply({ error: "unauthorized" });
      const error = await create()
        .generate({ messages: user("Hi") })
        .catch((caught: unknown) => caught);
      expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
      const everything = JSON.stringify({ ...(error as object), message: (error as Error).message });
      expect(everything).not.toContain(apiKey);
      expect(emulator.requests).toHaveLength(1);
    });

    it("rejects with the signal's reason when aborted before the call", async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        create().generate({ messages: user("Hi"), signal: controller.signal }),
      ).rejects.toMatchObject({
        name: "AbortError",
      });
      expect(emulator.requests).toHaveLength(0);
    });

    it("rejects with the signal's reason when aborted in flight", async () => {
      emulator.reply({ text: "too late", delayMs: 30_000 });
      const controller = new AbortController();
      const pending = create().generate({ messages: user("Hi"), signal: controller.signal });
      await until(() => emulator.requests.length === 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    });
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error("testLanguageModel: the provider never sent its request");
}
