import { describe, expect, it } from "vitest";
import { memoryStore } from "../../src/core/memory-store.js";
import { testStore } from "../../src/testing/vitest/store-suite.js";

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

  it("compareAndSet matches the stored value by JSON value, whatever the key order or undefined properties", async () => {
    const store = memoryStore();
    await store.set("ns", "key", { a: 1, b: { c: [1, 2] }, at: new Date("2026-01-02T03:04:05.000Z") });
    expect(
      await store.compareAndSet(
        "ns",
        "key",
        { b: { c: [1, 2] }, a: 1, at: "2026-01-02T03:04:05.000Z", x: undefined },
        { a: 2 },
      ),
    ).toBe(true);
    expect(await store.compareAndSet("ns", "key", { a: 1 }, { a: 3 })).toBe(false);
    expect(await store.get("ns", "key")).toStrictEqual({ a: 2 });
  });

  it("isolates log entries from the caller and from build", async () => {
    const store = memoryStore();
    const first = await store.append<{ list: number[] }>("log", () => ({ list: [1] }));
    first.value.list.push(99);
    await store.append<{ list: number[] }>("log", (previous) => {
      previous?.value.list.push(42);
      return { list: [2] };
    });
    const read = [];
    for await (const entry of store.read<{ list: number[] }>("log")) read.push(entry);
    expect(read).toStrictEqual([
      { seq: 1, value: { list: [1] } },
      { seq: 2, value: { list: [2] } },
    ]);
  });
});
