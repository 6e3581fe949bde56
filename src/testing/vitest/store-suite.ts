import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { LogEntry, Store } from "../../core/store.js";

/** How {@link testStore} creates and disposes of the store under test. */
export interface TestStoreOptions {
  /** The suite's title, e.g. `"sqlite"`. */
  name: string;
  /**
   * Opens a store. Every test uses its own namespaces and logs, so stores may share one location
   * (one database for the whole suite) or get a fresh one each time.
   */
  create: () => Promise<Store> | Store;
  /** Called once after every test, e.g. to remove temporary files or stop a database. */
  cleanup?: () => Promise<void> | void;
  /**
   * For durable stores: opens another store on the location the last `create()` used. The suite
   * checks that state written before `close()` is there after reopening.
   */
  reopen?: () => Promise<Store> | Store;
  /**
   * True when two stores opened on one location may be used at once (two processes on one SQLite
   * file, two workers on one PostgreSQL database); the races then also run across the two.
   * Requires `reopen`.
   * @default false
   */
  sharedLocation?: boolean;
  /** How many concurrent callers the race tests use. @default 20 */
  concurrency?: number;
}

/**
 * A vitest suite every {@link Store} implementation passes: reads and writes, key order, TTL,
 * exactly-once `setIfAbsent` and `compareAndSet` under concurrent callers, gap-free chained
 * `append`, JSON round-trips, `close()` twice, and (for durable stores) state surviving a reopen.
 * @example
 * testStore({ name: "memory", create: () => memoryStore() });
 */
export function testStore(options: TestStoreOptions): void {
  const concurrency = options.concurrency ?? 20;
  const opened: Store[] = [];
  const open = async (factory: () => Promise<Store> | Store) => {
    const store = await factory();
    opened.push(store);
    return store;
  };
  const create = () => open(options.create);

  describe(`Store conformance: ${options.name}`, () => {
    afterAll(async () => {
      for (const store of opened) await store.close();
      await options.cleanup?.();
    });

    it("declares its specification version and a name", async () => {
      const store = await create();
      expect(store.specificationVersion).toBe("v1");
      expect(store.name).toMatch(/\S/);
    });

    it("gets what was set, overwrites, and returns undefined for a missing key", async () => {
      const store = await create();
      const namespace = unique("ns");
      expect(await store.get(namespace, "missing")).toBeUndefined();
      await store.set(namespace, "a", { state: "open", count: 1 });
      expect(await store.get(namespace, "a")).toEqual({ state: "open", count: 1 });
      await store.set(namespace, "a", { state: "closed" });
      expect(await store.get(namespace, "a")).toEqual({ state: "closed" });
    });

    it("keeps namespaces apart", async () => {
      const store = await create();
      const [first, second] = [unique("ns"), unique("ns")];
      await store.set(first, "key", 1);
      await store.set(second, "key", 2);
      expect(await store.get(first, "key")).toBe(1);
      expect(await store.get(second, "key")).toBe(2);
    });

    it("returns copies, so callers cannot mutate stored state", async () => {
      const store = await create();
      const namespace = unique("ns");
      const value = { list: [1, 2], nested: { flag: true } };
      await store.set(namespace, "key", value);
      value.list.push(3);
      const read = await store.get<typeof value>(namespace, "key");
      expect(read).toEqual({ list: [1, 2], nested: { flag: true } });
      read!.nested.flag = false;
      expect(await store.get(namespace, "key")).toEqual({ list: [1, 2], nested: { flag: true } });
      for await (const entry of store.list<typeof value>(namespace)) entry.value.list.length = 0;
      expect(await store.get(namespace, "key")).toEqual({ list: [1, 2], nested: { flag: true } });

      const log = unique("log");
      const appended = await store.append<{ items: number[] }>(log, () => ({ items: [1] }));
      appended.value.items.push(2);
      for await (const entry of store.read<{ items: number[] }>(log)) entry.value.items.push(3);
      const next = await store.append<{ items: number[] }>(log, (previous) => {
        previous!.value.items.push(4);
        return { items: [] };
      });
      expect(next.seq).toBe(2);
      expect((await collect(store.read(log)))[0]).toEqual({ seq: 1, value: { items: [1] } });
    });

    it("deletes and says whether a live value existed", async () => {
      const store = await create();
      const namespace = unique("ns");
      await store.set(namespace, "key", "value");
      expect(await store.delete(namespace, "key")).toBe(true);
      expect(await store.get(namespace, "key")).toBeUndefined();
      expect(await store.delete(namespace, "key")).toBe(false);
    });

    it("lists live entries in key order, filtered by prefix", async () => {
      const store = await create();
      const namespace = unique("ns");
      for (const key of ["case:b", "case:a", "ticket:1", "case:c", "case:a:1"]) {
        await store.set(namespace, key, { key });
      }
      await store.delete(namespace, "case:c");
      const all = await collect(store.list<{ key: string }>(namespace));
      expect(all.map((entry) => entry.key)).toEqual(["case:a", "case:a:1", "case:b", "ticket:1"]);
      expect(all.every((entry) => entry.value.key === entry.key)).toBe(true);
      const cases = await collect(store.list(namespace, { prefix: "case:a" }));
      expect(cases.map((entry) => entry.key)).toEqual(["case:a", "case:a:1"]);
      expect(await collect(store.list(unique("empty")))).toEqual([]);
    });

    it("treats prefix characters literally (no wildcards)", async () => {
      const store = await create();
      const namespace = unique("ns");
      for (const key of ["a%b", "axb", "a_c", "abc"]) await store.set(namespace, key, key);
      const percent = await collect(store.list(namespace, { prefix: "a%" }));
      expect(percent.map((entry) => entry.key)).toEqual(["a%b"]);
      const underscore = await collect(store.list(namespace, { prefix: "a_" }));
      expect(underscore.map((entry) => entry.key)).toEqual(["a_c"]);
    });

    it("expires values written with a TTL", async () => {
      const store = await create();
      const namespace = unique("ns");
      await store.set(namespace, "short", "gone soon", { ttlMs: 40 });
      await store.set(namespace, "long", "stays", { ttlMs: 600_000 });
      await store.set(namespace, "forever", "stays");
      await sleep(120);
      expect(await store.get(namespace, "short")).toBeUndefined();
      expect(await store.get(namespace, "long")).toBe("stays");
      const keys = (await collect(store.list(namespace))).map((entry) => entry.key);
      expect(keys).toEqual(["forever", "long"]);
      expect(await store.delete(namespace, "short")).toBe(false);
      expect(await store.setIfAbsent(namespace, "short", "again")).toBe(true);
      expect(await store.get(namespace, "short")).toBe("again");
    });

    it("setIfAbsent writes only when no live value exists", async () => {
      const store = await create();
      const namespace = unique("ns");
      expect(await store.setIfAbsent(namespace, "key", { owner: "first" })).toBe(true);
      expect(await store.setIfAbsent(namespace, "key", { owner: "second" })).toBe(false);
      expect(await store.get(namespace, "key")).toEqual({ owner: "first" });
    });

    it(`setIfAbsent succeeds exactly once among ${concurrency} concurrent callers`, async () => {
      const stores = await racers();
      const namespace = unique("ns");
      const results = await Promise.all(
        range(concurrency).map((index) =>
          stores[index % stores.length]!.setIfAbsent(namespace, "ticket", { winner: index }),
        ),
      );
      const winners = results.flatMap((won, index) => (won ? [index] : []));
      expect(winners).toHaveLength(1);
      expect(await stores[0]!.get(namespace, "ticket")).toEqual({ winner: winners[0] });
    });

    it("compareAndSet replaces only a value equal to the expected one (compared as JSON)", async () => {
      const store = await create();
      const namespace = unique("ns");
      expect(await store.compareAndSet(namespace, "approval", { state: "requested" }, { state: "x" })).toBe(
        false,
      );
      expect(
        await store.compareAndSet(namespace, "approval", undefined, { state: "requested", by: "a" }),
      ).toBe(true);
      expect(await store.compareAndSet(namespace, "approval", undefined, { state: "requested" })).toBe(false);
      expect(
        await store.compareAndSet(namespace, "approval", { state: "approved", by: "a" }, { state: "x" }),
      ).toBe(false);
      // Same value, keys in another order: still equal.
      expect(
        await store.compareAndSet(
          namespace,
          "approval",
          { by: "a", state: "requested" },
          { state: "approved" },
        ),
      ).toBe(true);
      expect(await store.get(namespace, "approval")).toEqual({ state: "approved" });
    });

    it("compareAndSet treats an expired value as absent", async () => {
      const store = await create();
      const namespace = unique("ns");
      await store.set(namespace, "lease", { holder: "a" }, { ttlMs: 30 });
      await sleep(100);
      expect(await store.compareAndSet(namespace, "lease", { holder: "a" }, { holder: "b" })).toBe(false);
      expect(await store.compareAndSet(namespace, "lease", undefined, { holder: "b" })).toBe(true);
      expect(await store.get(namespace, "lease")).toEqual({ holder: "b" });
    });

    it(`compareAndSet lets exactly one of ${concurrency} concurrent transitions win`, async () => {
      const stores = await racers();
      const namespace = unique("ns");
      await stores[0]!.set(namespace, "approval", { state: "requested" });
      const results = await Promise.all(
        range(concurrency).map((index) =>
          stores[index % stores.length]!.compareAndSet(
            namespace,
            "approval",
            { state: "requested" },
            { state: "approved", by: `reviewer-${index}` },
          ),
        ),
      );
      const winners = results.flatMap((won, index) => (won ? [index] : []));
      expect(winners).toHaveLength(1);
      expect(await stores[0]!.get(namespace, "approval")).toEqual({
        state: "approved",
        by: `reviewer-${winners[0]}`,
      });
    });

    it("append numbers entries from 1 and hands build the previous entry", async () => {
      const store = await create();
      const log = unique("log");
      const seen: (LogEntry<{ n: number }> | undefined)[] = [];
      for (let index = 0; index < 3; index++) {
        const entry = await store.append<{ n: number }>(log, (previous) => {
          seen.push(previous);
          return { n: (previous?.value.n ?? 0) + 10 };
        });
        expect(entry).toEqual({ seq: index + 1, value: { n: (index + 1) * 10 } });
      }
      expect(seen).toEqual([undefined, { seq: 1, value: { n: 10 } }, { seq: 2, value: { n: 20 } }]);
    });

    it(`append forms one unbroken chain under ${concurrency} concurrent writers`, async () => {
      const stores = await racers();
      const log = unique("log");
      const entries = await Promise.all(
        range(concurrency).map((index) =>
          stores[index % stores.length]!.append<{ writer: number; previousSeq: number }>(log, (previous) => ({
            writer: index,
            previousSeq: previous?.seq ?? 0,
          })),
        ),
      );
      expect(entries.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(range(concurrency, 1));
      const read = await collect(stores[0]!.read<{ writer: number; previousSeq: number }>(log));
      expect(read.map((entry) => entry.seq)).toEqual(range(concurrency, 1));
      expect(read.every((entry) => entry.value.previousSeq === entry.seq - 1)).toBe(true);
      expect(new Set(read.map((entry) => entry.value.writer)).size).toBe(concurrency);
    });

    it("a failing build appends nothing and does not block later appends", async () => {
      const store = await create();
      const log = unique("log");
      await store.append(log, () => "first");
      await expect(
        store.append(log, () => {
          throw new Error("build failed");
        }),
      ).rejects.toThrow("build failed");
      const next = await store.append<string>(log, (previous) => `after ${previous?.value}`);
      expect(next).toEqual({ seq: 2, value: "after first" });
    });

    it("reads a log in order from a sequence number, and keeps logs apart", async () => {
      const store = await create();
      const [log, other] = [unique("log"), unique("log")];
      for (const value of ["a", "b", "c", "d"]) await store.append(log, () => value);
      await store.append(other, () => "other");
      expect(await collect(store.read(log))).toEqual([
        { seq: 1, value: "a" },
        { seq: 2, value: "b" },
        { seq: 3, value: "c" },
        { seq: 4, value: "d" },
      ]);
      expect(await collect(store.read(log, { fromSeq: 3 }))).toEqual([
        { seq: 3, value: "c" },
        { seq: 4, value: "d" },
      ]);
      expect(await collect(store.read(log, { fromSeq: 9 }))).toEqual([]);
      expect(await collect(store.read(unique("log")))).toEqual([]);
      expect(await collect(store.read(other))).toEqual([{ seq: 1, value: "other" }]);
    });

    it("round-trips JSON values: nested, unicode, large, and every JSON type", async () => {
      const store = await create();
      const namespace = unique("ns");
      const values: Record<string, unknown> = {
        nested: { a: [1, { b: [true, false, null] }], c: { d: { e: { f: "deep" } } } },
        unicode: { text: 'héllo wörld — 日本語 🔐 עברית \u2028 \t\n"quoted" \\slash', κλειδί: "ü" },
        numbers: [0, -1, 2.75, 1e21, -2.5e-7, Number.MAX_SAFE_INTEGER],
        large: { blob: "x".repeat(1_000_000), items: range(5_000).map((n) => ({ n, label: `item ${n}` })) },
        emptyObject: {},
        emptyArray: [],
        string: "plain",
        number: 42,
        boolean: false,
        null: null,
      };
      for (const [key, value] of Object.entries(values)) await store.set(namespace, key, value);
      for (const [key, value] of Object.entries(values))
        expect(await store.get(namespace, key)).toEqual(value);
      const log = unique("log");
      await store.append(log, () => values.unicode);
      expect((await collect(store.read(log)))[0]?.value).toEqual(values.unicode);
    });

    it("close() is safe to call twice", async () => {
      const store = await create();
      await store.set(unique("ns"), "key", "value");
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    if (options.reopen) {
      const reopen = options.reopen;
      it("keeps values and logs across close and reopen", async () => {
        const store = await create();
        const [namespace, log] = [unique("ns"), unique("log")];
        await store.set(namespace, "kept", { state: "approved" });
        await store.set(namespace, "deleted", 1);
        await store.delete(namespace, "deleted");
        await store.setIfAbsent(namespace, "once", "first");
        await store.compareAndSet(namespace, "kept", { state: "approved" }, { state: "delivered" });
        await store.set(namespace, "cached", "value", { ttlMs: 600_000 });
        for (const value of ["one", "two"]) await store.append(log, () => value);
        await store.close();

        const reopened = await open(reopen);
        expect(await reopened.get(namespace, "kept")).toEqual({ state: "delivered" });
        expect(await reopened.get(namespace, "deleted")).toBeUndefined();
        expect(await reopened.get(namespace, "cached")).toBe("value");
        expect(await reopened.setIfAbsent(namespace, "once", "second")).toBe(false);
        const next = await reopened.append<string>(log, (previous) => `three after ${previous?.seq}`);
        expect(next).toEqual({ seq: 3, value: "three after 2" });
        expect((await collect(reopened.read(log))).map((entry) => entry.value)).toEqual([
          "one",
          "two",
          "three after 2",
        ]);
      });
    }
  });

  // Two stores on one location when the store supports it, so races also cross connections.
  async function racers(): Promise<Store[]> {
    const first = await create();
    if (!options.sharedLocation || !options.reopen) return [first];
    return [first, await open(options.reopen)];
  }
}

function unique(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function range(length: number, start = 0): number[] {
  return Array.from({ length }, (_, index) => start + index);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
