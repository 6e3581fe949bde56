import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/prisma/index.js";
import { normalizationErrors } from "../helpers.js";
import { testRealFixtures } from "../real-fixtures.js";

const fetchedAt = "2026-01-01T00:00:00.000Z";
const real = new URL("./__fixtures__/real/", import.meta.url);

describe("prisma on real-shaped records (test/adapters/prisma/__fixtures__/real, PROVENANCE.md)", () => {
  testRealFixtures("prisma", import.meta.url, (record, onWarning) =>
    normalize(record, { fetchedAt, onWarning }),
  );

  it("dead-letters only the records that have no alert id (Elastic's riskDetail and bare resource lines)", () => {
    const records = JSON.parse(
      readFileSync(new URL("./__fixtures__/real/elastic-alerts-without-id.json", import.meta.url), "utf8"),
    ) as unknown[];
    const normalizationError = normalizationErrors(normalize, { fetchedAt });
    for (const record of records) expect(normalizationError(record).message).toMatch(/prisma: /);
  });

  it("reads the documented cloud types, and an unknown one as other with a warning naming the field", () => {
    const [alert] = JSON.parse(readFileSync(new URL("elastic-alerts.json", real), "utf8")) as Record<
      string,
      unknown
    >[];
    const withCloud = (cloudType: string) => {
      const warnings: string[] = [];
      const record = { ...alert, resource: { ...(alert!.resource as object), cloudType } };
      const finding = normalize(record, {
        fetchedAt,
        onWarning: (warning) => warnings.push(warning.feature!),
      });
      return [finding.resource.cloud, warnings] as const;
    };
    expect(withCloud("alibaba_cloud")).toEqual(["alibaba", []]);
    expect(withCloud("oci")).toEqual(["oci", []]);
    expect(withCloud("ibm")).toEqual(["other", ["resource.cloudType"]]);
  });
});
