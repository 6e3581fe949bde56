/** @module cloudsteward/adapters/orca */
export { type NormalizeOptions, normalize, type OrcaRecordKind } from "./normalize.js";
export { type OrcaOptions, orca } from "./orca.js";
export type { OrcaAlertRow, OrcaLegacyAlert, OrcaRelatedObject, OrcaValue } from "./schemas.js";
export { type OrcaWebhookOptions, parseWebhook } from "./webhook.js";
