import type { Case } from "../../core/case.js";
import type { Store } from "../../core/store.js";
import { casesNamespace } from "../governance/governance.js";

/** A decoded copy of the cases a Store keeps, shared by the questions a long-lived process answers. */
export interface StoredCases {
  /**
   * The cases (`cli:cases`) in key order. A new array after each re-read, so callers may key caches
   * on its identity; never mutate it.
   */
  read(): Promise<readonly Case[]>;
}

/** Options of {@link storedCases}. */
export interface StoredCasesOptions {
  /** After this long, a read returns the copy it has and re-reads the Store in the background. @default 60_000 */
  refreshMs?: number;
  /** After this long, a read waits for a fresh copy instead. @default 600_000 */
  maxStaleMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
  /**
   * Called with each copy as it is read, before any read returns it — e.g. to index it for queries,
   * so that work is part of the (background) re-read instead of the first question on the new copy.
   */
  prepare?: (cases: readonly Case[]) => void;
}

/**
 * Reads the Store's cases once and keeps them decoded, so repeated questions (the MCP server, a
 * query service) do not parse every case again: reading and parsing 100,000 findings costs far more
 * than filtering them. A read past `refreshMs` answers from the copy and re-reads the Store in the
 * background (a re-read parses every case again, so it is kept rare); past `maxStaleMs` it waits for
 * the Store. Memory: the decoded findings stay on the heap as long as the reader lives.
 * @example
 * const cases = storedCases(store);
 * await runQuery({ filters: { severity: ["critical"] } }, { store, cases });
 */
export function storedCases(store: Store, options: StoredCasesOptions = {}): StoredCases {
  const refreshMs = options.refreshMs ?? 60_000;
  const maxStaleMs = options.maxStaleMs ?? 600_000;
  const now = options.now ?? Date.now;
  let copy: { cases: readonly Case[]; readAt: number } | undefined;
  let reading: Promise<readonly Case[]> | undefined;
  const reread = () => {
    reading ??= (async () => {
      const readAt = now();
      try {
        const cases: Case[] = [];
        for await (const { value } of store.list<Case>(casesNamespace)) cases.push(value);
        options.prepare?.(cases);
        copy = { cases, readAt };
        return cases;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  return {
    async read() {
      if (!copy) return reread();
      const age = now() - copy.readAt;
      if (age > maxStaleMs) return reread();
      // A failed background read leaves the copy in place; the next read past refreshMs tries again.
      if (age > refreshMs) reread().catch(() => undefined);
      return copy.cases;
    },
  };
}

/** The Store's cases, from `cases` when given, else read from the Store now. */
export async function* casesOf(store: Store, cases?: StoredCases): AsyncIterable<Case> {
  if (cases) {
    yield* await cases.read();
    return;
  }
  for await (const { value } of store.list<Case>(casesNamespace)) yield value;
}
