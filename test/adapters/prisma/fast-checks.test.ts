import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { type Fields, isAlert, isWebhookAlert } from "../../../src/adapters/prisma/fast-checks.js";
import { prismaAlertSchema, prismaWebhookAlertSchema } from "../../../src/adapters/prisma/schemas.js";
import { oneFieldMutations, readFixtures } from "../helpers.js";

const { json: fixture } = readFixtures(import.meta.url);
const webhookAlerts = fixture("webhook-alerts") as unknown as Fields[];

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

const cases: [string, (record: Fields) => boolean, z.ZodType, Fields[]][] = [
  [
    "alert",
    isAlert,
    prismaAlertSchema,
    ["alert-config", "alert-informational-awkward", "alert-vulnerability", "alert-anomaly"].map((name) =>
      fixture(name),
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
        for (const variant of oneFieldMutations(record, schema, values)) {
          const expected = schema.safeParse(variant).success;
          expect(check(variant), JSON.stringify(variant).slice(0, 300)).toBe(expected);
          if (!expected) rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(20);
    },
  );
});
