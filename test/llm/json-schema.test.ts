import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  restoreOptionalNulls,
  toJsonSchema,
  toStrictJsonSchema,
  toToolInputSchema,
} from "../../src/llm/json-schema.js";

const schema = z.object({
  summary: z.string().min(10).max(500),
  risk: z.enum(["low", "high"]),
  score: z.number().int().min(0).max(10),
  email: z.email().optional(),
  fix: z.object({ cli: z.string().optional(), terraform: z.string().nullable() }).optional(),
  steps: z
    .array(z.object({ text: z.string(), optionalNote: z.string().optional() }))
    .min(1)
    .max(5),
  kind: z.union([z.literal("a"), z.literal("b")]).optional(),
  label: z.string().default("none"),
});

describe("toJsonSchema", () => {
  it("converts zod 4 to plain JSON Schema without $schema, cached per schema", () => {
    const json = toJsonSchema(schema);
    expect(json.$schema).toBeUndefined();
    expect(json.type).toBe("object");
    expect(json.required).toEqual(["summary", "risk", "score", "steps"]);
    expect(toJsonSchema(schema)).toBe(json);
  });
});

describe("toStrictJsonSchema (OpenAI strict mode)", () => {
  const strict = toStrictJsonSchema(toJsonSchema(schema));

  it("requires every property, makes optional ones nullable and closes every object", () => {
    expect(strict).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: ["summary", "risk", "score", "email", "fix", "steps", "kind", "label"],
    });
    const properties = strict.properties as Record<string, Record<string, unknown>>;
    expect(properties.email).toEqual({ type: ["string", "null"] });
    expect(properties.label).toEqual({ type: ["string", "null"] });
    expect(properties.kind).toEqual({
      anyOf: [{ type: "string", const: "a" }, { type: "string", const: "b" }, { type: "null" }],
    });
    expect(properties.fix).toEqual({
      type: ["object", "null"],
      properties: { cli: { type: ["string", "null"] }, terraform: { type: ["string", "null"] } },
      required: ["cli", "terraform"],
      additionalProperties: false,
    });
    expect(properties.steps).toEqual({
      type: "array",
      items: {
        type: "object",
        properties: { text: { type: "string" }, optionalNote: { type: ["string", "null"] } },
        required: ["text", "optionalNote"],
        additionalProperties: false,
      },
    });
  });

  it("drops keywords outside the strict subset", () => {
    const text = JSON.stringify(strict);
    for (const keyword of [
      "minLength",
      "maxLength",
      "minimum",
      "maximum",
      "minItems",
      "maxItems",
      "format",
      "pattern",
      "default",
    ]) {
      expect(text).not.toContain(`"${keyword}"`);
    }
  });

  it("handles $defs/$ref for recursive schemas", () => {
    type Node = { name: string; children?: Node[] };
    const node: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string(), children: z.array(node).optional() }),
    );
    const json = toJsonSchema(z.object({ root: node }));
    const strictTree = toStrictJsonSchema(json);
    expect(JSON.stringify(strictTree)).toContain("$ref");
    const defs = strictTree.$defs as Record<string, Record<string, unknown>> | undefined;
    for (const definition of Object.values(defs ?? {})) {
      if (definition.type === "object") expect(definition.additionalProperties).toBe(false);
    }
    expect(
      restoreOptionalNulls({ root: { name: "a", children: [{ name: "b", children: null }] } }, json),
    ).toEqual({
      root: { name: "a", children: [{ name: "b" }] },
    });
  });
});

describe("restoreOptionalNulls", () => {
  it("drops nulls of optional properties but keeps nulls a schema allows", () => {
    const json = toJsonSchema(schema);
    const restored = restoreOptionalNulls(
      {
        summary: "Anyone can read the bucket.",
        risk: "low",
        score: 3,
        email: null,
        fix: { cli: null, terraform: null },
        steps: [{ text: "x", optionalNote: null }],
        kind: null,
        label: null,
      },
      json,
    );
    expect(restored).toEqual({
      summary: "Anyone can read the bucket.",
      risk: "low",
      score: 3,
      fix: { terraform: null },
      steps: [{ text: "x" }],
    });
    expect(schema.parse(restored).label).toBe("none");
  });
});

describe("toToolInputSchema (Anthropic input_schema, Bedrock inputSchema.json)", () => {
  it("keeps optional properties optional and closes objects", () => {
    const tool = toToolInputSchema(toJsonSchema(schema));
    expect(tool.required).toEqual(["summary", "risk", "score", "steps"]);
    expect(tool.additionalProperties).toBe(false);
    expect((tool.properties as Record<string, unknown>).summary).toEqual({
      type: "string",
      minLength: 10,
      maxLength: 500,
    });
  });
});
