import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BudgetExceededError, isCloudstewardError, RateLimitError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { createRunReport } from "../../src/core/report.js";
import { createBudget } from "../../src/llm/budget.js";
import { cachedModel, cacheKey } from "../../src/llm/cache.js";
import { limitConcurrency } from "../../src/llm/concurrency.js";
import { fallbackModel, routedModel } from "../../src/llm/fallback.js";
import { generateObject } from "../../src/llm/generate-object.js";
import type { GenerateRequest, LanguageModel } from "../../src/llm/language-model.js";
import { costOf, priceOf } from "../../src/llm/pricing.js";
import { untrustedBlock } from "../../src/llm/prompt.js";
import { scriptedModel } from "../../src/testing/scripted-model.js";

const schema = z.object({ summary: z.string() });
const ask = (model: LanguageModel, prompt = "Explain") =>
  generateObject(model, { schema, schemaName: "e", prompt });
const usage = { inputTokens: 600, outputTokens: 400 };

describe("createBudget", () => {
  it("refuses calls once the token budget is spent, counts refusals and warns the report once", async () => {
    const report = createRunReport("run");
    const budget = createBudget({ maxTokens: 1500, report });
    const inner = scriptedModel({ responses: [{ object: { summary: "s" }, usage }] });
    const model = budget.wrap(inner);
    await ask(model);
    expect(budget.exhausted).toBe(false);
    await ask(model); // starts under budget, ends over it
    expect(budget.exhausted).toBe(true);
    const error = await ask(model).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(isCloudstewardError(error, "BUDGET_EXCEEDED")).toBe(true);
    await expect(ask(model)).rejects.toMatchObject({ limit: "tokens" });
    expect(inner.calls).toBe(2);
    expect(budget.refused).toBe(2);
    expect(budget.spent).toEqual({ calls: 2, inputTokens: 1200, outputTokens: 800, cost: 0 });
    expect(report.warnings.filter((warning) => warning.type === "budget-exhausted")).toHaveLength(1);
  });

  it("enforces a cost budget with the price table", async () => {
    const budget = createBudget({ maxCost: 0.001, pricing: { "m-1": { input: 1, output: 1 } } });
    const model = budget.wrap(
      scriptedModel({ modelId: "m-1", responses: [{ object: { summary: "s" }, usage }] }),
    );
    await ask(model);
    expect(budget.spent.cost).toBeCloseTo(0.001, 10);
    await expect(ask(model)).rejects.toMatchObject({ code: "BUDGET_EXCEEDED", limit: "cost" });
  });
});

describe("pricing", () => {
  it("prices by exact id, by longest prefix, and Bedrock geography prefixes; unknown models cost 0", () => {
    expect(
      costOf(
        { inputTokens: 1_000_000, outputTokens: 1_000_000 },
        { provider: "openai", modelId: "gpt-4.1-mini" },
      ),
    ).toBe(2);
    expect(priceOf({ provider: "openai", modelId: "gpt-4.1-mini-2025-04-14" })).toEqual({
      input: 0.4,
      output: 1.6,
    });
    expect(priceOf({ provider: "bedrock", modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" })).toEqual(
      { input: 3, output: 15 },
    );
    expect(costOf(usage, { provider: "openai-compatible", modelId: "llama3.1:8b" })).toBe(0);
  });
});

describe("cachedModel", () => {
  it("answers an identical request from the Store without a model call, with zero usage", async () => {
    const store = memoryStore();
    const inner = scriptedModel({ defaultObject: { summary: "s" } });
    const model = cachedModel(inner, store);
    const data = { title: "Public bucket" };
    const first = await ask(model, `Explain:\n${untrustedBlock("finding", data)}`);
    const second = await ask(model, `Explain:\n${untrustedBlock("finding", data)}`);
    expect(inner.calls).toBe(1);
    expect(second.object).toEqual(first.object);
    expect(second.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    await ask(model, `Explain:\n${untrustedBlock("finding", { title: "Other bucket" })}`);
    expect(inner.calls).toBe(2);
  });

  it("keys on model, system, messages, schema and settings", () => {
    const request: GenerateRequest = { system: "s", messages: [{ role: "user", content: "x" }] };
    const base = cacheKey({ provider: "p", modelId: "m" }, request);
    expect(cacheKey({ provider: "p", modelId: "m" }, { ...request })).toBe(base);
    expect(cacheKey({ provider: "p", modelId: "m2" }, request)).not.toBe(base);
    expect(cacheKey({ provider: "p", modelId: "m" }, { ...request, system: "t" })).not.toBe(base);
    expect(cacheKey({ provider: "p", modelId: "m" }, { ...request, temperature: 1 })).not.toBe(base);
    expect(
      cacheKey(
        { provider: "p", modelId: "m" },
        { ...request, responseFormat: { type: "json", name: "e", schema: {} } },
      ),
    ).not.toBe(base);
  });
});

describe("embeddings through the wrappers", () => {
  it("cachedModel and limitConcurrency pass embed on (uncached); a model without embed stays without", async () => {
    const inner = scriptedModel({ embed: (value) => [value.length, 1] });
    for (const model of [cachedModel(inner, memoryStore()), limitConcurrency(inner, 1)]) {
      expect(await model.embed?.({ values: ["ssh", "bucket"] })).toEqual({
        embeddings: [
          [3, 1],
          [6, 1],
        ],
      });
    }
    const plain = scriptedModel({});
    expect(cachedModel(plain, memoryStore()).embed).toBeUndefined();
    expect(limitConcurrency(plain, 1).embed).toBeUndefined();
  });
});

describe("fallbackModel", () => {
  it("moves to the next model on failure, naming the one that answered", async () => {
    const primary = scriptedModel({
      provider: "openai",
      modelId: "gpt-4.1-mini",
      responses: [
        {
          error: new RateLimitError("limited", {
            integration: "openai",
            status: 429,
            method: "POST",
            url: "u",
          }),
        },
      ],
    });
    const secondary = scriptedModel({
      provider: "openai-compatible",
      modelId: "llama",
      defaultObject: { summary: "local" },
    });
    const result = await ask(fallbackModel([primary, secondary]));
    expect(result.object).toEqual({ summary: "local" });
    expect(result.provider).toBe("openai-compatible");
    expect(result.modelId).toBe("llama");
    expect(result.warnings[0]?.message).toContain("RATE_LIMITED");
    expect(primary.calls).toBe(1);
  });

  it("throws the last error when every model fails, and never falls back on an abort", async () => {
    const failing = (message: string) => scriptedModel({ responses: [{ error: new Error(message) }] });
    await expect(ask(fallbackModel([failing("first"), failing("second")]))).rejects.toThrow("second");
    const controller = new AbortController();
    const aborting: LanguageModel = {
      specificationVersion: "v1",
      provider: "a",
      modelId: "a",
      generate: async () => {
        controller.abort();
        throw controller.signal.reason;
      },
    };
    const never = scriptedModel({ defaultObject: { summary: "no" } });
    await expect(
      fallbackModel([aborting, never]).generate({ messages: [], signal: controller.signal }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(never.calls).toBe(0);
  });
});

describe("routedModel", () => {
  it("escalates to the large model when asked, summing usage", async () => {
    const small = scriptedModel({
      modelId: "small",
      responses: [{ object: { summary: "meh", confidence: 0.2 }, usage }],
    });
    const large = scriptedModel({ modelId: "large", responses: [{ object: { summary: "good" }, usage }] });
    const model = routedModel({
      small,
      large,
      escalate: (result) => ((result.object as { confidence?: number }).confidence ?? 1) < 0.5,
    });
    const result = await ask(model);
    expect(result.object).toEqual({ summary: "good" });
    expect(result.modelId).toBe("large");
    expect(result.usage).toEqual({ inputTokens: 1200, outputTokens: 800 });
  });

  it("keeps the small model's answer when it is good enough", async () => {
    const small = scriptedModel({ modelId: "small", defaultObject: { summary: "fine" } });
    const large = scriptedModel({ modelId: "large", defaultObject: { summary: "unused" } });
    const result = await ask(routedModel({ small, large }));
    expect(result.modelId).toBe("small");
    expect(large.calls).toBe(0);
  });
});

describe("limitConcurrency", () => {
  it("never runs more than the limit at once and serves waiters in order", async () => {
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const slow: LanguageModel = {
      specificationVersion: "v1",
      provider: "p",
      modelId: "m",
      async generate(request) {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        order.push(Number(request.system));
        return { text: "", usage: { inputTokens: 0, outputTokens: 0 }, finishReason: "stop", warnings: [] };
      },
    };
    const model = limitConcurrency(slow, 2);
    await Promise.all(
      Array.from({ length: 6 }, (_, index) => model.generate({ system: String(index), messages: [] })),
    );
    expect(peak).toBe(2);
    expect(order).toHaveLength(6);
  });

  it("lets an aborted waiter leave the queue", async () => {
    let release: () => void = () => {};
    const blocking: LanguageModel = {
      specificationVersion: "v1",
      provider: "p",
      modelId: "m",
      generate: () =>
        new Promise((resolve) => {
          release = () =>
            resolve({
              text: "",
              usage: { inputTokens: 0, outputTokens: 0 },
              finishReason: "stop",
              warnings: [],
            });
        }),
    };
    const model = limitConcurrency(blocking, 1);
    const first = model.generate({ messages: [] });
    const controller = new AbortController();
    const second = model.generate({ messages: [], signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: "AbortError" });
    release();
    await expect(first).resolves.toMatchObject({ finishReason: "stop" });
    expect(() => limitConcurrency(blocking, 0)).toThrow(/positive integer/);
  });
});
