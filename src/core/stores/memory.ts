import { isDeepStrictEqual } from "node:util";
import type { LogEntry, Store } from "../store.js";

/**
 * A Store held in this process's memory: for tests, examples and single-run CLIs. Values are
 * cloned on the way in and out, so callers cannot mutate stored state; nothing survives the process.
 * @example
 * const store = memoryStore();
 * await store.set("cursors", "wiz", { after: "abc" });
 */
export function memoryStore(): Store {
  const namespaces = new Map<string, Map<string, { value: unknown; expiresAt?: number }>>();
  const logs = new Map<string, LogEntry<unknown>[]>();
  // One promise chain per log: each append waits for the previous one, so `build` sees it.
  const appendTails = new Map<string, Promise<unknown>>();

  const entries = (namespace: string) => {
    let map = namespaces.get(namespace);
    if (!map) {
      map = new Map();
      namespaces.set(namespace, map);
    }
    return map;
  };

  const live = (namespace: string, key: string) => {
    const map = namespaces.get(namespace);
    const entry = map?.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      map?.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    specificationVersion: "v1",
    name: "memory",
    async get<T>(namespace: string, key: string) {
      const entry = live(namespace, key);
      return entry ? (structuredClone(entry.value) as T) : undefined;
    },
    async set(namespace, key, value, options = {}) {
      const expiresAt = options.ttlMs === undefined ? undefined : Date.now() + options.ttlMs;
      entries(namespace).set(key, { value: toStored(value), expiresAt });
    },
    async setIfAbsent(namespace, key, value) {
      if (live(namespace, key)) return false;
      entries(namespace).set(key, { value: toStored(value) });
      return true;
    },
    async compareAndSet(namespace, key, expected, next) {
      const current = live(namespace, key);
      if (expected === undefined ? current !== undefined : !current || !jsonEquals(current.value, expected)) {
        return false;
      }
      entries(namespace).set(key, { value: toStored(next) });
      return true;
    },
    async delete(namespace, key) {
      const existed = live(namespace, key) !== undefined;
      namespaces.get(namespace)?.delete(key);
      return existed;
    },
    async *list<T>(namespace: string, options: { prefix?: string } = {}) {
      const prefix = options.prefix ?? "";
      const keys = [...(namespaces.get(namespace)?.keys() ?? [])]
        .filter((key) => key.startsWith(prefix))
        .sort(compareKeys);
      for (const key of keys) {
        const entry = live(namespace, key);
        if (entry) yield { key, value: structuredClone(entry.value) as T };
      }
    },
    append<T>(log: string, build: (previous: LogEntry<T> | undefined) => T) {
      const run = async () => {
        const entries = (logs.get(log) ?? []) as LogEntry<T>[];
        const previous = entries.at(-1);
        const value = build(previous ? structuredClone(previous) : undefined);
        const entry: LogEntry<T> = { seq: entries.length + 1, value: toStored(value) };
        entries.push(entry);
        logs.set(log, entries);
        return structuredClone(entry);
      };
      const result = (appendTails.get(log) ?? Promise.resolve()).then(run);
      appendTails.set(
        log,
        result.catch(() => undefined),
      );
      return result;
    },
    async *read<T>(log: string, options: { fromSeq?: number } = {}) {
      const entries = logs.get(log) ?? [];
      const end = entries.length;
      for (let index = Math.max(1, options.fromSeq ?? 1) - 1; index < end; index++) {
        yield structuredClone(entries[index]) as LogEntry<T>;
      }
    },
    async close() {},
  };
}

/** JSON semantics for stored values: `undefined` properties vanish, dates become strings. */
function toStored<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function jsonEquals(stored: unknown, expected: unknown): boolean {
  return isDeepStrictEqual(stored, toStored(expected));
}

/** UTF-8 byte order, the order SQLite's BINARY and PostgreSQL's `COLLATE "C"` give, so every store lists alike. */
function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left), Buffer.from(right));
}
