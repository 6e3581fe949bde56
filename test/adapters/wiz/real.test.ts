import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/wiz/index.js";
import { formatScore, scoreRealFixtures } from "../real-fixtures.js";

const fetchedAt = "2026-01-01T00:00:00.000Z";

describe("wiz on real-shaped records (test/adapters/wiz/__fixtures__/real, PROVENANCE.md)", () => {
  const score = scoreRealFixtures(import.meta.url, (record, onWarning) =>
    normalize(record, { fetchedAt, onWarning }),
  );

  it("normalizes every record, and at least 97% of the checked fields are right", () => {
    console.log(formatScore("wiz", score));
    expect(score.thrown).toEqual([]);
    const wrong = Object.values(score.fields).flatMap((field) => field.wrong);
    expect(score.accuracy, wrong.join("\n")).toBeGreaterThanOrEqual(0.97);
  });
});
