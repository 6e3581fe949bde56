import type { Action } from "../../core/action.js";
import type { CaseChange } from "../../core/case-change.js";
import { createHttpClient } from "../../core/http.js";
import { type LedgerSink, ledgerSink, trackingId } from "../../core/ledger.js";
import { redact } from "../../core/redact.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { HttpSinkOptions } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { postSignedJson } from "./signature.js";

/** Options of {@link webhook}. */
export interface WebhookOptions extends HttpSinkOptions {
  /** Where actions are POSTed. */
  url: string;
  /** The shared HMAC secret, or a function returning one. */
  secret: Secret;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Where the delivery ledger lives (receivers should also deduplicate by the `idempotency-key` header). @default memoryStore() */
  store?: Store;
  /**
   * Post the case as it is. By default every string of `action`, `case` and `change` goes through
   * `redact` first (secrets, keys and tokens masked as `[REDACTED:<kind>]`); set `raw: true` only when
   * the receiver needs the raw finding data and is trusted with it. @default false
   */
  raw?: boolean;
}

/** The JSON body of every webhook request. */
export interface WebhookPayload {
  type: "action.created" | "action.updated";
  idempotencyKey: string;
  sentAt: string;
  action: Omit<Action, "case">;
  case: Action["case"];
  /** What changed, on `action.updated`. */
  change?: CaseChange;
}

/** The webhook sink. */
export interface WebhookSink extends LedgerSink {}

/**
 * POST actions as signed JSON to your endpoint: header `x-cloudsteward-signature: sha256=<hex>`
 * (HMAC-SHA-256 over `${timestamp}.${body}`), `x-cloudsteward-timestamp` and `idempotency-key`.
 * Receivers check them with {@link verifyWebhookSignature}. A JSON answer with an `id` becomes the
 * delivery's reference. Secrets in the action and its case are masked unless `raw: true`.
 * @example
 * const sink = webhook({ url: "https://hooks.example.com/cloudsteward", secret: process.env.HOOK_SECRET! });
 */
export function webhook(options: WebhookOptions): WebhookSink {
  let secret: string | undefined;
  const http = createHttpClient({
    integration: "webhook",
    fetch: options.fetch,
    events: options.events,
    timeoutMs: options.timeoutMs,
    secrets: () => [secret],
  });

  async function send(payload: WebhookPayload, signal?: AbortSignal): Promise<string | undefined> {
    secret = await resolveSecret(options.secret, { option: "secret", integration: "webhook" });
    const body = JSON.stringify(payload);
    const response = await postSignedJson(http, {
      url: options.url,
      body,
      secret,
      idempotencyKey: payload.idempotencyKey,
      timestamp: Math.floor(Date.now() / 1000),
      headers: options.headers,
      signal,
    });
    return referenceIn(response.data);
  }

  const payloadFor = (action: Action, type: WebhookPayload["type"], change?: CaseChange): WebhookPayload => {
    const { case: item, ...rest } = action;
    const body = { action: rest, case: item, change };
    // Identifiers (hashes) come through redaction unchanged, so receivers can still correlate.
    const safe = options.raw === true ? body : redact(body);
    return {
      type,
      idempotencyKey: action.idempotencyKey,
      sentAt: new Date().toISOString(),
      ...safe,
    };
  };

  return ledgerSink("webhook", options.store, (action) => ({
    create: async (signal) => ({
      id:
        (await send(payloadFor(action, "action.created"), signal)) ??
        `webhook/${trackingId(action.idempotencyKey)}`,
    }),
    update: async (_ref, change, signal) => {
      await send(payloadFor(action, "action.updated", change), signal);
    },
  }));
}

function referenceIn(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === "string" || typeof parsed.id === "number" ? String(parsed.id) : undefined;
  } catch {
    return undefined;
  }
}
