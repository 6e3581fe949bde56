/**
 * The durable stores behind ledgers, approvals, caches and the audit log, all passing one
 * conformance suite (`testStore` in `cloudsteward/testing/vitest`): `memoryStore` (the pipeline's
 * default), `sqliteStore` (better-sqlite3 12, an optional dependency), `postgresStore` (pg, an optional
 * peer; the shared state of many workers) and `jsonlStore` (an append-only file). Native drivers load
 * on first use, so importing this module costs nothing until a store is opened.
 * @module cloudsteward/stores
 */
export { memoryStore } from "../core/memory-store.js";
export type { LogEntry, Store } from "../core/store.js";
export { type JsonlStoreOptions, jsonlStore } from "./jsonl.js";
export {
  type PostgresClient,
  type PostgresPool,
  type PostgresStoreOptions,
  postgresStore,
} from "./postgres.js";
export { type SqliteStoreOptions, sqliteStore } from "./sqlite.js";
