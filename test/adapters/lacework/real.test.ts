import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/lacework/index.js";
import { formatScore, scoreRealFixtures } from "../real-fixtures.js";

const fetchedAt = "2026-01-01T00:00:00.000Z";
const real = new URL("./__fixtures__/real/", import.meta.url);

describe("lacework on real-shaped records (test/adapters/lacework/__fixtures__/real, PROVENANCE.md)", () => {
  const score = scoreRealFixtures(import.meta.url, (record, onWarning) =>
    normalize(record, { fetchedAt, onWarning }),
  );

  it("normalizes every record, and at least 97% of the checked fields are right", () => {
    console.log(formatScore("lacework", score));
    expect(score.thrown).toEqual([]);
    const wrong = Object.values(score.fields).flatMap((field) => field.wrong);
    expect(score.accuracy, wrong.join("\n")).toBeGreaterThanOrEqual(0.97);
  });

  it("warns, naming the field, for every value it had to replace", () => {
    const warnings = Object.values(score.warnings).flat();
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ type: "fallback", source: "lacework" });
      expect(warning.message).toContain(`: ${warning.feature} `);
    }
  });

  it("names every fixture file in PROVENANCE.md", () => {
    const provenance = readFileSync(new URL("PROVENANCE.md", real), "utf8");
    for (const file of readdirSync(real).filter(
      (name) => name.endsWith(".json") && name !== "expected.json",
    )) {
      expect(provenance).toContain(file);
    }
  });
});
