import type { EventEmitter } from "eventemitter3";
import type { PipelineEvents } from "../../core/events.js";
import { createHttpClient } from "../../core/http.js";
import { type Remediator, type RollbackNote, rollbackNote } from "../../core/remediator.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import { postSignedJson } from "../../sinks/webhook/signature.js";
import { defaultBody } from "./pipeline-trigger.js";

/** Options of {@link webhookRemediation}. */
export interface WebhookRemediationOptions {
  /** Named in deliveries and the audit log. @default "webhook-remediation" */
  name?: string;
  /** Where remediation requests are POSTed. */
  url: string;
  /** The shared HMAC secret (the webhook sink's scheme; receivers use `verifyWebhookSignature`). */
  secret: Secret;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** How to undo what the receiver does. */
  rollback: RollbackNote;
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** The clock for the signature timestamp. @default () => new Date() */
  now?: () => Date;
}

/**
 * A remediator that POSTs a signed JSON request (`type: "remediation.requested"`) to your receiver,
 * signed like the webhook sink: `x-cloudsteward-signature: sha256=<hex>` over `${timestamp}.${body}`,
 * `x-cloudsteward-timestamp` and `idempotency-key`.
 * @example
 * const fix = webhookRemediation({ url: "https://fixer.internal/hooks", secret: () => process.env.FIXER_SECRET!, rollback: "Re-apply the previous bucket policy from the run's details." });
 */
export function webhookRemediation(options: WebhookRemediationOptions): Remediator {
  const name = options.name ?? "webhook-remediation";
  const clock = options.now ?? (() => new Date());
  let secret: string | undefined;
  const http = createHttpClient({
    integration: name,
    fetch: options.fetch,
    events: options.events,
    secrets: () => [secret],
  });
  return {
    name,
    async remediate(action, { signal } = {}) {
      secret = await resolveSecret(options.secret, { option: "secret", integration: name });
      const rollback = rollbackNote(options.rollback, action);
      const body = JSON.stringify({ type: "remediation.requested", ...defaultBody(action), rollback });
      const response = await postSignedJson(http, {
        url: options.url,
        body,
        secret,
        idempotencyKey: action.idempotencyKey,
        timestamp: Math.floor(clock().getTime() / 1000),
        headers: options.headers,
        signal,
      });
      return { status: "triggered", details: { url: options.url, status: response.status }, rollback };
    },
  };
}
