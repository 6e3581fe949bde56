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
import { oneFieldMutations, readFixtures } from "../helpers.js";

const { json: fixture } = readFixtures(import.meta.url);

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

describe("wiz fast checks", () => {
  it.each(cases)("the %s check accepts exactly what its schema accepts", (_, check, schema, names) => {
    let compared = 0;
    for (const name of names) {
      const record = fixture(name);
      expect(check(record)).toBe(true);
      for (const mutated of oneFieldMutations(record, schema, replacements)) {
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
