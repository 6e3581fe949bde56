import { describe, expect, it, vi } from "vitest";
import { isCloudstewardError } from "../../src/core/errors.js";
import { sqliteStore } from "../../src/stores/sqlite.js";

vi.mock("better-sqlite3", () => {
  throw new Error("Cannot find package 'better-sqlite3'");
});

describe("sqliteStore without better-sqlite3", () => {
  it("creates the store, then fails its first call with a ConfigurationError saying what to install", async () => {
    const store = sqliteStore({ path: ":memory:" });
    const error = await store.get("ns", "key").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect((error as Error).message).toContain("npm install better-sqlite3@12");
    await expect(store.append("log", () => 1)).rejects.toThrow("npm install better-sqlite3@12");
    await store.close();
  });
});
