/** @module cloudsteward/adapters/lacework */
export {
  type LaceworkKind,
  type LaceworkOptions,
  type LaceworkReportSelector,
  lacework,
} from "./lacework.js";
export { type LaceworkRecordKind, type NormalizeOptions, normalize } from "./normalize.js";
export { type LaceworkWebhookOptions, parseWebhook } from "./webhook.js";
