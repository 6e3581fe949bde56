import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../src/core/errors.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { testStore } from "../../src/testing/vitest/store-suite.js";

const directory = mkdtempSync(join(tmpdir(), "cloudsteward-sqlite-"));
const path = join(directory, "nested", "state.db");

testStore({
  name: "sqlite",
  create: () => sqliteStore({ path }),
  reopen: () => sqliteStore({ path }),
  sharedLocation: true,
  cleanup: () => rmSync(directory, { recursive: true, force: true }),
});

describe("sqliteStore", () => {
  it("turns a write lock held too long by another connection into a retryable TimeoutError", async () => {
    const file = join(directory, "locked.db");
    const store = sqliteStore({ path: file, busyTimeoutMs: 20 });
    await store.set("ns", "key", 1);
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    try {
      for (const write of [() => store.set("ns", "key", 2), () => store.append("log", () => "entry")]) {
        const error = await write().catch((caught: unknown) => caught);
        expect(isCloudstewardError(error, "TIMEOUT")).toBe(true);
        expect((error as { isRetryable: boolean }).isRetryable).toBe(true);
      }
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    await store.set("ns", "key", 3);
    expect(await store.get("ns", "key")).toBe(3);
    await store.close();
  });
});
