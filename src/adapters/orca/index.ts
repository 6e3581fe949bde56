/** @module cloudsteward/adapters/orca */
export { type NormalizeOptions, normalize, type OrcaRecordKind } from "./normalize.js";
export { type OrcaOptions, orca } from "./orca.js";
export type { OrcaAlertRow, OrcaLegacyAlert, OrcaRelatedObject, OrcaValue } from "./records.js";
export { type OrcaWebhookOptions, parseWebhook } from "./webhook.js";
