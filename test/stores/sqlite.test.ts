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

  it("returns appended entries that read as stored, isolated from build and from each other", async () => {
    const store = sqliteStore({ path: join(directory, "isolated.db") });
    // Appended in one tick: one batch, each build handed the entry built just before.
    const [first, second, third] = await Promise.all([
      store.append<{ list: number[] }>("log", () => ({ list: [1] })),
      store.append<{ list: number[] }>("log", (previous) => {
        previous?.value.list.push(42);
        return { list: [2, ...(previous?.value.list ?? [])] };
      }),
      store.append<{ list: number[]; at?: Date }>("log", () => ({ list: [3], at: new Date(0) })),
    ]);
    expect(second!.value).toStrictEqual({ list: [2, 1, 42] });
    first!.value.list.push(99);
    expect(first!.value).toStrictEqual({ list: [1, 99] });
    expect({ ...third! }).toStrictEqual({ seq: 3, value: { list: [3], at: "1970-01-01T00:00:00.000Z" } });
    third!.value = { list: [] };
    expect(JSON.stringify(third)).toBe('{"seq":3,"value":{"list":[]}}');
    const read = [];
    for await (const entry of store.read<unknown>("log")) read.push(entry);
    expect(read).toStrictEqual([
      { seq: 1, value: { list: [1] } },
      { seq: 2, value: { list: [2, 1, 42] } },
      { seq: 3, value: { list: [3], at: "1970-01-01T00:00:00.000Z" } },
    ]);
    await store.close();
  });
});
