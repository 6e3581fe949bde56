import type { EventEmitter } from "eventemitter3";
import type { PipelineEvents } from "../core/events.js";
import { createHttpClient, type HttpClientOptions, type RequestOptions } from "../core/http.js";
import { quotaAwareFetch } from "./quota.js";

/** The transport options every HTTP model provider takes besides its own. Internal. */
export interface ProviderOptions {
  /** Retries after the first attempt, on 429, 5xx and network errors. @default 2 */
  maxRetries?: number;
  /** Timeout of one attempt, in milliseconds. @default 120_000 */
  timeoutMs?: number;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
}

/** What a provider adds to the shared client: its name, endpoint, auth and error reading. Internal. */
export interface ProviderClientSettings
  extends Pick<
    HttpClientOptions,
    "integration" | "baseUrl" | "headers" | "secrets" | "authHint" | "errorDetail"
  > {
  /** Reads an out-of-quota code from a 429 body; such a 429 then fails at once instead of being retried. */
  quotaCode?: (body: unknown) => string | undefined;
  /** The fetch to send with, for a provider that wraps `options.fetch` itself (request signing). @default options.fetch */
  fetch?: typeof globalThis.fetch;
  /** The per-attempt timeout when `options.timeoutMs` is not set. @default 120_000 */
  timeoutMs?: number;
}

/** A provider's HTTP client: model calls only. Internal. */
export interface ProviderClient {
  /** POSTs one model call, retried on 429, 5xx and network errors. */
  post<T>(path: string, options: ModelCallOptions): Promise<T>;
}

/** The request options of one model call. Internal. */
export type ModelCallOptions = Pick<RequestOptions, "json" | "searchParams" | "signal">;

/**
 * The HTTP client of a model provider: `maxRetries` (2), `timeoutMs` (120 s unless the provider says
 * otherwise), `events` and `fetch` from the user's options, wrapped so an exhausted quota is not retried.
 * Internal.
 */
export function providerClient(options: ProviderOptions, settings: ProviderClientSettings): ProviderClient {
  const { quotaCode, fetch, timeoutMs, ...client } = settings;
  const http = createHttpClient({
    ...client,
    fetch:
      fetch ?? (quotaCode ? quotaAwareFetch(settings.integration, quotaCode, options.fetch) : options.fetch),
    // `maxRetries` bounds every retry of a model call, rate-limited or not.
    retry: { limit: options.maxRetries ?? 2, rateLimitLimit: options.maxRetries ?? 2 },
    timeoutMs: options.timeoutMs ?? timeoutMs ?? 120_000,
    events: options.events,
  });
  return {
    // A model call has no side effect, so 5xx and network failures are retried like a read.
    post: <T>(path: string, request: ModelCallOptions) =>
      http.post<T>(path, { ...request, idempotent: true }),
  };
}
