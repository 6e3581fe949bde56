/**
 * Durable state: cursors, the ticket ledger, approvals, exceptions, caches and the audit log.
 * Values are JSON-serializable. Implementations: `memoryStore`, `sqliteStore`, `postgresStore`,
 * `jsonlStore`; each passes `testStore` from `cloudsteward/testing/vitest`.
 */
export interface Store {
  readonly specificationVersion: "v1";
  readonly name: string;
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  /** Writes a value; `ttlMs` makes it expire (caches). */
  set<T>(namespace: string, key: string, value: T, options?: { ttlMs?: number }): Promise<void>;
  /** Writes only if no live value exists. Atomic across processes: the basis of exactly-once. */
  setIfAbsent<T>(namespace: string, key: string, value: T): Promise<boolean>;
  /**
   * Replaces the value only if it still equals `expected` (compared as JSON; `undefined` = absent).
   * Atomic across processes: approvals move from `requested` to `approved` once.
   */
  compareAndSet<T>(namespace: string, key: string, expected: T | undefined, next: T): Promise<boolean>;
  delete(namespace: string, key: string): Promise<boolean>;
  /** Live entries of a namespace in key order. */
  list<T>(namespace: string, options?: { prefix?: string }): AsyncIterable<{ key: string; value: T }>;
  /**
   * Appends to an ordered log. `build` receives the last entry and returns the new one, under a
   * lock that spans the read and the write, so concurrent writers still form one unbroken chain.
   */
  append<T>(log: string, build: (previous: LogEntry<T> | undefined) => T): Promise<LogEntry<T>>;
  /** Entries of a log in order, from `fromSeq` (inclusive, default 1). */
  read<T>(log: string, options?: { fromSeq?: number }): AsyncIterable<LogEntry<T>>;
  /** Releases connections and file handles. Safe to call twice. */
  close(): Promise<void>;
}

/** One entry of an append-only log. `seq` starts at 1 and has no gaps. */
export interface LogEntry<T> {
  seq: number;
  value: T;
}
