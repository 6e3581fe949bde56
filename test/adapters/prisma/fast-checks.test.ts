import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { type Fields, isAlert, isWebhookAlert } from "../../../src/adapters/prisma/fast-checks.js";
import { prismaAlertSchema, prismaWebhookAlertSchema } from "../../../src/adapters/prisma/schemas.js";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), "utf8"));
const webhookAlerts = fixture("webhook-alerts") as Fields[];

/** Values that each schema field type accepts or rejects; `undefined` deletes the field. */
const values: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "1735689600000",
  0,
  1.5,
  Number.NaN,
  Infinity,
  true,
  [],
  ["a"],
  {},
];

/** Every record with one field (top level, or one level down) replaced or deleted, including the schema's fields the record lacks. */
function* variants(record: Fields, schema: z.ZodType): Generator<Fields> {
  const shape = (schema as unknown as { shape: Record<string, unknown> }).shape;
  for (const key of new Set([...Object.keys(record), ...Object.keys(shape)])) {
    for (const value of values) yield withField(record, key, value);
    const nested = record[key];
    if (typeof nested !== "object" || nested === null || Array.isArray(nested)) continue;
    const nestedShape = (shape[key] as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
    for (const inner of new Set([...Object.keys(nested), ...Object.keys(nestedShape)])) {
      for (const value of values) yield { ...record, [key]: withField(nested as Fields, inner, value) };
    }
  }
}

function withField(record: Fields, key: string, value: unknown): Fields {
  const copy: Fields = { ...record };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

const cases: [string, (record: Fields) => boolean, z.ZodType, Fields[]][] = [
  [
    "alert",
    isAlert,
    prismaAlertSchema,
    ["alert-config", "alert-informational-awkward", "alert-vulnerability", "alert-anomaly"].map(
      (name) => fixture(name) as Fields,
    ),
  ],
  ["webhook alert", isWebhookAlert, prismaWebhookAlertSchema, webhookAlerts],
];

describe("prisma fast checks agree with the zod schemas", () => {
  it.each(cases)(
    "%s: accepts the fixtures and agrees on every one-field mutation",
    (_kind, check, schema, records) => {
      let rejected = 0;
      for (const record of records) {
        expect(check(record)).toBe(true);
        for (const variant of variants(record, schema)) {
          const expected = schema.safeParse(variant).success;
          expect(check(variant), JSON.stringify(variant).slice(0, 300)).toBe(expected);
          if (!expected) rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(20);
    },
  );
});
