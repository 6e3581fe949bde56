import { createHmac, timingSafeEqual } from "node:crypto";
import type { HttpClient, HttpResponse } from "../../core/http.js";

/** The header carrying `sha256=<hex>`: HMAC-SHA-256 of `${timestamp}.${body}` with the shared secret. */
export const signatureHeader = "x-cloudsteward-signature";
/** The header carrying the signing time in UNIX seconds. */
export const timestampHeader = "x-cloudsteward-timestamp";
/** The header carrying the action's idempotency key, for receivers to deduplicate. */
export const idempotencyKeyHeader = "idempotency-key";

/**
 * Signs a webhook body: `sha256=` + hex HMAC-SHA-256 over `${timestamp}.${body}`.
 * @example
 * const signature = signWebhookBody(body, secret, Math.floor(Date.now() / 1000));
 */
export function signWebhookBody(body: string, secret: string, timestamp: number): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What {@link postSignedJson} sends. */
export interface SignedPost {
  url: string;
  /** The JSON body, already serialized: the signature covers these exact bytes. */
  body: string;
  secret: string;
  idempotencyKey: string;
  /** Signing time in UNIX seconds. */
  timestamp: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * POSTs a JSON body with the cloudsteward signature, timestamp and idempotency-key headers.
 * @example
 * await postSignedJson(http, { url, body: JSON.stringify(payload), secret, idempotencyKey, timestamp: Math.floor(Date.now() / 1000) });
 */
export function postSignedJson(http: HttpClient, post: SignedPost): Promise<HttpResponse<string>> {
  return http.request<string>("POST", post.url, {
    body: post.body,
    headers: {
      ...post.headers,
      "content-type": "application/json",
      [timestampHeader]: String(post.timestamp),
      [signatureHeader]: signWebhookBody(post.body, post.secret, post.timestamp),
      [idempotencyKeyHeader]: post.idempotencyKey,
    },
    responseType: "text",
    signal: post.signal,
  });
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureOptions {
  /** The raw request body, exactly as received (never a re-serialized object). */
  body: string;
  /** The request headers. */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The shared secret. */
  secret: string;
  /** Oldest accepted timestamp, in seconds before now (replay guard). @default 300 */
  toleranceSeconds?: number;
  /** The current time in milliseconds. @default Date.now() */
  now?: number;
}

/**
 * Verifies a cloudsteward webhook on the receiving side: the signature over the raw body and the
 * timestamp, compared in constant time, and the timestamp no older than the tolerance.
 * @example
 * const valid = verifyWebhookSignature({ body: rawBody, headers: request.headers, secret: process.env.HOOK_SECRET! });
 * if (!valid) return new Response("invalid signature", { status: 401 });
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean {
  const signature = header(options.headers, signatureHeader);
  const timestamp = Number(header(options.headers, timestampHeader));
  if (!signature || !Number.isInteger(timestamp)) return false;
  const now = (options.now ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(options.body, options.secret, timestamp));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function header(headers: VerifyWebhookSignatureOptions["headers"], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(entry) ? entry[0] : entry;
}
