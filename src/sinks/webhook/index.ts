/** @module cloudsteward/sinks/webhook */
export {
  idempotencyKeyHeader,
  signatureHeader,
  signWebhookBody,
  timestampHeader,
  type VerifyWebhookSignatureOptions,
  verifyWebhookSignature,
} from "./signature.js";
export { type WebhookOptions, type WebhookPayload, type WebhookSink, webhook } from "./webhook.js";
