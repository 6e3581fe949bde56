import { describe } from "vitest";
import { normalize } from "../../../src/adapters/lacework/index.js";
import { testRealFixtures } from "../real-fixtures.js";

const fetchedAt = "2026-01-01T00:00:00.000Z";

describe("lacework on real-shaped records (test/adapters/lacework/__fixtures__/real, PROVENANCE.md)", () => {
  testRealFixtures("lacework", import.meta.url, (record, onWarning) =>
    normalize(record, { fetchedAt, onWarning }),
  );
});
