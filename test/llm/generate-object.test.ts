import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isCloudstewardError, ModelOutputError } from "../../src/core/errors.js";
import { createRunReport } from "../../src/core/report.js";
import { generateObject, parseJsonText } from "../../src/llm/generate-object.js";
import { scriptedModel } from "../../src/testing/scripted-model.js";

const explanationSchema = z.object({
  summary: z.string().min(1),
  risk: z.enum(["low", "medium", "high", "critical"]),
  ownerHint: z.string().optional(),
});

describe("generateObject", () => {
  it("returns the validated object with usage, model and prompt version", async () => {
    const model = scriptedModel({
      responses: [{ match: /public bucket/, object: { summary: "Anyone can read it.", risk: "high" } }],
    });
    const result = await generateObject(model, {
      schema: explanationSchema,
      schemaName: "explanation",
      system: "You explain findings.",
      prompt: "A public bucket",
      promptVersion: "explain@1",
      temperature: 0.2,
      maxOutputTokens: 500,
    });
    expect(result.object).toEqual({ summary: "Anyone can read it.", risk: "high" });
    expect(result.promptVersion).toBe("explain@1");
    expect(result.modelId).toBe("scripted-model");
    expect(result.provider).toBe("scripted");
    expect(result.repaired).toBe(false);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.text).toBe(JSON.stringify({ summary: "Anyone can read it.", risk: "high" }));
    const request = model.requests[0];
    expect(request?.system).toBe("You explain findings.");
    expect(request?.messages).toEqual([{ role: "user", content: "A public bucket" }]);
    expect(request?.temperature).toBe(0.2);
    expect(request?.maxOutputTokens).toBe(500);
    expect(request?.responseFormat?.name).toBe("explanation");
    expect(request?.responseFormat?.schema).toMatchObject({ type: "object", required: ["summary", "risk"] });
  });

  it("parses JSON from text, including code fences, and drops nulls of optional fields", async () => {
    const model = scriptedModel({
      responses: [{ text: '```json\n{"summary":"s","risk":"low","ownerHint":null}\n```' }],
    });
    const { object } = await generateObject(model, {
      schema: explanationSchema,
      schemaName: "e",
      prompt: "x",
    });
    expect(object).toEqual({ summary: "s", risk: "low" });
  });

  it("repairs once, sending the validation errors back", async () => {
    const model = scriptedModel({
      responses: [
        { once: true, object: { summary: "s", risk: "severe" } },
        { object: { summary: "s", risk: "critical" } },
      ],
    });
    const result = await generateObject(model, {
      schema: explanationSchema,
      schemaName: "explanation",
      prompt: "x",
    });
    expect(result.object.risk).toBe("critical");
    expect(result.repaired).toBe(true);
    expect(model.calls).toBe(2);
    const repair = model.requests[1]?.messages;
    expect(repair?.[1]).toEqual({
      role: "assistant",
      content: JSON.stringify({ summary: "s", risk: "severe" }),
    });
    expect(repair?.[2]?.role).toBe("user");
    expect(String(repair?.[2]?.content)).toContain("risk:");
    expect(result.usage.inputTokens).toBe(model.usage.inputTokens);
  });

  it("throws ModelOutputError with the raw text and usage after one failed repair", async () => {
    const model = scriptedModel({ responses: [{ text: "not json at all" }] });
    const report = createRunReport("run-1");
    const error = await generateObject(model, {
      schema: explanationSchema,
      schemaName: "explanation",
      prompt: "x",
      report,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelOutputError);
    expect(isCloudstewardError(error, "MODEL_OUTPUT")).toBe(true);
    const modelError = error as ModelOutputError;
    expect(modelError.text).toBe("not json at all");
    expect(modelError.repaired).toBe(true);
    expect(modelError.usage).toEqual(model.usage);
    expect(modelError.message).toContain("explanation");
    expect(model.calls).toBe(2);
    expect(report.usage.calls).toBe(2);
    expect(report.usage.inputTokens).toBe(model.usage.inputTokens);
  });

  it("does not retry a refusal", async () => {
    const model = scriptedModel({ responses: [{ refusal: "I can't help with that." }] });
    const error = await generateObject(model, {
      schema: explanationSchema,
      schemaName: "e",
      prompt: "x",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelOutputError);
    expect((error as ModelOutputError).text).toBe("I can't help with that.");
    expect(model.calls).toBe(1);
  });

  it("adds calls, tokens and cost to a run report", async () => {
    const model = scriptedModel({
      modelId: "gpt-4.1-mini",
      provider: "openai",
      defaultObject: { summary: "s", risk: "low" },
    });
    const report = createRunReport("run-2");
    const result = await generateObject(model, {
      schema: explanationSchema,
      schemaName: "e",
      prompt: "x".repeat(4000),
      report,
    });
    expect(report.usage.calls).toBe(1);
    expect(report.usage.inputTokens).toBe(1000);
    expect(result.cost).toBeCloseTo((1000 * 0.4 + result.usage.outputTokens * 1.6) / 1e6, 10);
    expect(report.usage.cost).toBe(result.cost);
  });

  it("rejects a non-object root schema with a ConfigurationError", async () => {
    const model = scriptedModel({ defaultObject: {} });
    await expect(
      generateObject(model, { schema: z.string(), schemaName: "s", prompt: "x" }),
    ).rejects.toMatchObject({
      code: "CONFIGURATION",
    });
    expect(model.calls).toBe(0);
  });

  it("rejects with the signal's reason when aborted", async () => {
    const model = scriptedModel({ defaultObject: { summary: "s", risk: "low" } });
    const controller = new AbortController();
    controller.abort();
    await expect(
      generateObject(model, {
        schema: explanationSchema,
        schemaName: "e",
        prompt: "x",
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("parseJsonText", () => {
  it("reads plain, fenced and prose-wrapped JSON", () => {
    expect(parseJsonText('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonText('```\n{"a":1}\n```')).toEqual({ value: { a: 1 } });
    expect(parseJsonText('Here you go: {"a":1} hope it helps')).toEqual({ value: { a: 1 } });
    expect(parseJsonText("nope")).toBeUndefined();
  });
});

describe("scriptedModel", () => {
  it("throws a helpful error when nothing matches", async () => {
    const model = scriptedModel({ responses: [{ match: /never/, object: {} }] });
    await expect(model.generate({ messages: [{ role: "user", content: "hello" }] })).rejects.toThrow(
      /no scripted response/,
    );
  });

  it("matches with a predicate and throws a scripted error", async () => {
    const failure = new Error("boom");
    const model = scriptedModel({
      responses: [{ match: (request) => request.system === "s", error: failure }],
    });
    await expect(model.generate({ system: "s", messages: [] })).rejects.toBe(failure);
  });
});
