/**
 * The tamper-evident audit log: `auditLog(store)` with `append`, `query`, `verify` and `export`, over
 * any Store from `cloudsteward/stores`; `canonicalJson`, the serialization its hashes are taken over.
 * @module cloudsteward/audit
 */

export { canonicalJson } from "../core/canonical-json.js";
export {
  type AuditAnchor,
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
  parseAuditAnchors,
} from "./audit-log.js";
