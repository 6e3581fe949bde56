import { describe, expect, it } from "vitest";
import { memoryStore } from "../../../src/core/stores/memory.js";
import { testStore } from "../../../src/testing/store-suite.js";

testStore({ name: "memory", create: () => memoryStore() });

describe("memoryStore", () => {
  it("keeps each store's state to itself", async () => {
    const [first, second] = [memoryStore(), memoryStore()];
    await first.set("ns", "key", "value");
    await first.append("log", () => "entry");
    expect(await second.get("ns", "key")).toBeUndefined();
    expect(await second.append("log", () => "own")).toEqual({ seq: 1, value: "own" });
  });

  it("stores values with JSON semantics: undefined properties vanish, dates become strings", async () => {
    const store = memoryStore();
    await store.set("ns", "key", { at: new Date("2026-01-02T03:04:05.000Z"), gone: undefined });
    expect(await store.get("ns", "key")).toStrictEqual({ at: "2026-01-02T03:04:05.000Z" });
  });
});
