import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  type Fields,
  isConfiguration,
  isDetection,
  isIssue,
  isVulnerability,
  isWebhook,
} from "../../../src/adapters/wiz/fast-checks.js";
import {
  wizConfigurationFindingSchema,
  wizDetectionSchema,
  wizIssueSchema,
  wizVulnerabilityFindingSchema,
  wizWebhookIssueSchema,
} from "../../../src/adapters/wiz/schemas.js";

const fixture = (name: string): Fields =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), "utf8"));

const cases: [string, (record: Fields) => boolean, z.ZodType, string[]][] = [
  [
    "issue",
    isIssue,
    wizIssueSchema,
    ["issue-toxic-combination", "issue-informational-awkward", "issue-threat-detection"],
  ],
  ["configuration", isConfiguration, wizConfigurationFindingSchema, ["configuration-finding"]],
  ["vulnerability", isVulnerability, wizVulnerabilityFindingSchema, ["vulnerability-finding"]],
  ["webhook", isWebhook, wizWebhookIssueSchema, ["webhook-issue", "webhook-issue-quirks"]],
  ["detection", isDetection, wizDetectionSchema, ["detection-webhook", "detection-node"]],
];

/** Values that each schema field type accepts or rejects. */
const replacements: unknown[] = [undefined, null, "", "x", 0, 1.5, Number.NaN, true, [], ["a"], [1], {}];

/** Every record obtained by replacing (or deleting) one field, two levels deep, including the schema's fields that the fixture lacks. */
function* mutations(record: Fields, schema: z.ZodType): Generator<Fields> {
  const shape = (schema as unknown as { shape: Record<string, unknown> }).shape;
  const keys = new Set([...Object.keys(record), ...Object.keys(shape)]);
  for (const key of keys) {
    for (const value of replacements) {
      const copy: Fields = { ...record };
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      yield copy;
    }
    const nested = record[key];
    if (typeof nested === "object" && nested !== null && !Array.isArray(nested)) {
      const nestedKeys = new Set([...Object.keys(nested), ...innerKeys(shape[key])]);
      for (const inner of nestedKeys) {
        for (const value of replacements) {
          const child: Fields = { ...(nested as Fields) };
          if (value === undefined) delete child[inner];
          else child[inner] = value;
          yield { ...record, [key]: child };
        }
      }
    }
  }
}

function innerKeys(schema: unknown): string[] {
  // Unwrap `.nullish()` to reach the object's shape.
  let current = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  for (let depth = 0; depth < 3 && current && !current.shape; depth++) current = current.unwrap?.() as never;
  return current?.shape ? Object.keys(current.shape) : [];
}

describe("wiz fast checks", () => {
  it.each(cases)("the %s check accepts exactly what its schema accepts", (_, check, schema, names) => {
    let compared = 0;
    for (const name of names) {
      const record = fixture(name);
      expect(check(record)).toBe(true);
      for (const mutated of mutations(record, schema)) {
        const expected = schema.safeParse(mutated).success;
        if (check(mutated) !== expected) {
          throw new Error(`check says ${!expected}, schema says ${expected}: ${JSON.stringify(mutated)}`);
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
