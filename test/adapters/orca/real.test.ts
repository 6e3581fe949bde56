import { describe } from "vitest";
import { normalize } from "../../../src/adapters/orca/index.js";
import { testRealFixtures } from "../real-fixtures.js";

const fetchedAt = "2026-01-01T00:00:00.000Z";

describe("orca on real-shaped records (test/adapters/orca/__fixtures__/real, PROVENANCE.md)", () => {
  testRealFixtures("orca", import.meta.url, (record, onWarning) =>
    normalize(record, { fetchedAt, onWarning }),
  );
});
