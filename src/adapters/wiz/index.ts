/** @module cloudsteward/adapters/wiz */
export { type NormalizeOptions, normalize, type WizRecordKind } from "./normalize.js";
export { parseWebhook, type WizWebhookOptions } from "./webhook.js";
export { type WizKind, type WizOptions, wiz } from "./wiz.js";
