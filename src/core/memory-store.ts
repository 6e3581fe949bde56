import { isDeepStrictEqual } from "node:util";
import type { LogEntry, Store } from "./store.js";

/**
 * A Store held in this process's memory: for tests, examples and single-run CLIs. Values are
 * cloned on the way in and out, so callers cannot mutate stored state; nothing survives the process.
 * @example
 * const store = memoryStore();
 * await store.set("cursors", "wiz", { after: "abc" });
 */
export function memoryStore(): Store {
  // Values are kept as their JSON text: one `JSON.stringify` on the way in (no parse, and one
  // string on the heap instead of a deep object graph), one `JSON.parse` on the way out.
  const namespaces = new Map<string, Map<string, { text: string | undefined; expiresAt?: number }>>();
  const logs = new Map<string, { seq: number; text: string | undefined }[]>();
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
      return entry ? (fromText(entry.text) as T) : undefined;
    },
    async set(namespace, key, value, options = {}) {
      const expiresAt = options.ttlMs === undefined ? undefined : Date.now() + options.ttlMs;
      entries(namespace).set(key, { text: toText(value), expiresAt });
    },
    async setIfAbsent(namespace, key, value) {
      if (live(namespace, key)) return false;
      entries(namespace).set(key, { text: toText(value) });
      return true;
    },
    async compareAndSet(namespace, key, expected, next) {
      const current = live(namespace, key);
      if (expected === undefined ? current !== undefined : !current || !jsonEquals(current.text, expected)) {
        return false;
      }
      entries(namespace).set(key, { text: toText(next) });
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
        if (entry) yield { key, value: fromText(entry.text) as T };
      }
    },
    append<T>(log: string, build: (previous: LogEntry<T> | undefined) => T) {
      const run = async () => {
        const entries = logs.get(log) ?? [];
        const previous = entries.at(-1);
        const value = build(previous ? (toEntry(previous) as LogEntry<T>) : undefined);
        const entry = { seq: entries.length + 1, text: toText(value) };
        entries.push(entry);
        logs.set(log, entries);
        return toEntry(entry) as LogEntry<T>;
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
        yield toEntry(entries[index]!) as LogEntry<T>;
      }
    },
    async close() {},
  };
}

/**
 * JSON semantics for stored values: `undefined` properties vanish, dates become strings. A value
 * JSON cannot represent (a function, a symbol) throws the same SyntaxError a JSON round trip does.
 */
function toText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) JSON.parse(text as unknown as string);
  return text;
}

/** A fresh copy of a stored value: nothing the caller does to it reaches the store. */
function fromText(text: string | undefined): unknown {
  return text === undefined ? undefined : JSON.parse(text);
}

function toEntry(entry: { seq: number; text: string | undefined }): LogEntry<unknown> {
  return { seq: entry.seq, value: fromText(entry.text) };
}

/** Deep equality of a stored value and `expected` under JSON semantics; the same text is a shortcut. */
function jsonEquals(stored: string | undefined, expected: unknown): boolean {
  const text = toText(expected);
  return stored === text || isDeepStrictEqual(fromText(stored), fromText(text));
}

/** UTF-8 byte order, the order SQLite's BINARY and PostgreSQL's `COLLATE "C"` give, so every store lists alike. */
function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left), Buffer.from(right));
}
