/**
 * @module cloudsteward/sinks/audit
 * The tamper-evident audit log and the durable stores: `auditLog(store)` with `append`, `query`,
 * `verify` and `export`; `sqliteStore`, `postgresStore` and `jsonlStore`; `canonicalJson`.
 */
export {
  type AuditEvent,
  type AuditEventType,
  type AuditExport,
  type AuditLog,
  type AuditLogOptions,
  type AuditQuery,
  type AuditRecord,
  type AuditTamperReason,
  type AuditVerification,
  type AuditVerifyOptions,
  auditLog,
  GENESIS_HASH,
} from "./audit-log.js";
export { canonicalJson } from "./canonical-json.js";
export { type JsonlStoreOptions, jsonlStore } from "./stores/jsonl.js";
export {
  type PostgresClient,
  type PostgresPool,
  type PostgresStoreOptions,
  postgresStore,
} from "./stores/postgres.js";
export { type SqliteStoreOptions, sqliteStore } from "./stores/sqlite.js";
