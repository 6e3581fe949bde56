import type { EventEmitter } from "eventemitter3";
import ky, { type KyInstance, TimeoutError as KyTimeoutError } from "ky";
import {
  type ApiErrorDetails,
  AuthenticationError,
  BadRequestError,
  type CloudstewardError,
  ConnectionError,
  InvalidResponseError,
  isAbortError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  UpstreamError,
} from "./errors.js";
import type { PipelineEvents } from "./events.js";
import { createRateLimiter, type RateLimit, sleep } from "./rate-limiter.js";
import { headerSecrets, redactUrl, redactValues } from "./redact.js";

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** The integration's name, used in error messages and events, e.g. `jira`. */
  integration: string;
  /** Base URL that request paths are resolved against. */
  baseUrl?: string;
  /** Custom fetch, for proxies and tests. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Headers resolved before every attempt, so rotated secrets and refreshed tokens are picked up. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /**
   * Called on a 401, then the request is retried with fresh headers (a token expired mid-run); again on a
   * later 401 only if the credentials changed in between (up to three times), never for the same ones twice.
   */
  onUnauthorized?: () => void | Promise<void>;
  /** Client-side pacing, so we stay under the vendor's limit instead of bouncing off it. */
  rateLimit?: RateLimit;
  /** Retries on 429, 5xx and network errors. */
  retry?: {
    /** Retries after 5xx, timeouts and network errors. @default 4 */
    limit?: number;
    /**
     * Retries after rate limiting (a 429, or a rate-limit error in the body), counted apart: the server
     * did not act, so waiting and trying again is always safe, and a busy tenant can say "wait" many
     * times in a row. @default 10
     */
    rateLimitLimit?: number;
    /** First backoff delay; doubles each retry, with full jitter. @default 500 */
    baseDelayMs?: number;
    /** Upper bound of one backoff delay, and of an honoured Retry-After. @default 60_000 */
    maxDelayMs?: number;
  };
  /** Timeout of one attempt. @default 30_000 */
  timeoutMs?: number;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** Extra strings to scrub from every error (client secrets, webhook URLs). */
  secrets?: () => readonly (string | undefined)[];
  /** Appended to 401 and 403 messages, e.g. `check JIRA_EMAIL/JIRA_API_TOKEN`. */
  authHint?: string;
  /** Pulls a vendor's message out of an error body, for the error message. */
  errorDetail?: (body: unknown) => string | undefined;
  /**
   * Finds the failure a 2xx response reports in its body, such as GraphQL `errors` in a 200. The
   * returned error is retried like a status code: a `RateLimitError` like a 429, another retryable
   * error like a 5xx (idempotent requests only); anything else is thrown. Spread `request` into the
   * error's details (and give it no `status`: the response did not fail), so the error scrubs the
   * request's credentials from itself.
   */
  failureInBody?: (response: HttpResponse<unknown>, request: FailedRequest) => CloudstewardError | undefined;
  /** @default "cloudsteward" */
  userAgent?: string;
}

/** The request a failure belongs to, as {@link HttpClientOptions.failureInBody} receives it. */
export interface FailedRequest {
  method: string;
  /** The URL as sent: the error constructors redact it. */
  url: string;
  /** The credentials the request carried and the client's configured secrets, for the error to mask. */
  secrets: readonly (string | undefined)[];
}

/** Options of one request. */
export interface RequestOptions {
  json?: unknown;
  body?: string | URLSearchParams | FormData;
  searchParams?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Retry this request on 5xx and network errors even though its method is POST or PATCH. Only for reads
   * sent as POST (GraphQL queries): creates are never retried blindly. @default true for GET, HEAD, PUT, DELETE
   */
  idempotent?: boolean;
  /** @default "json" */
  responseType?: "json" | "text" | "none";
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
}

/** A successful response. */
export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
  /** The vendor's request id, when the response carried one. */
  requestId?: string;
}

/** The HTTP client every adapter, provider and sink uses. */
export interface HttpClient {
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  post<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  put<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  patch<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
}

/**
 * Creates the HTTP client that owns timeouts, pacing, retries, error mapping and redaction for one integration.
 *
 * Retries: 429 (any method: the server did not act; up to `retry.rateLimitLimit` times), 5xx and network
 * errors (idempotent requests only; up to `retry.limit` times), exponential backoff with full jitter,
 * honouring `Retry-After` (seconds or HTTP date), `retry-after-ms` and rate-limit reset headers, plus up to
 * 20% jitter. A 401 calls `onUnauthorized` once and retries with fresh headers.
 * @example
 * const http = createHttpClient({ integration: "jira", baseUrl, headers: async () => ({ authorization }) });
 * const issue = await http.get<JiraIssue>("/rest/api/3/issue/SEC-1", { signal });
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { integration } = options;
  const retryLimit = options.retry?.limit ?? 4;
  const rateLimitRetryLimit = options.retry?.rateLimitLimit ?? 10;
  const baseDelayMs = options.retry?.baseDelayMs ?? 500;
  const maxDelayMs = options.retry?.maxDelayMs ?? 60_000;
  const limiter = options.rateLimit ? createRateLimiter(options.rateLimit) : undefined;
  const client: KyInstance = ky.create({
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    retry: 0,
    throwHttpErrors: false,
    timeout: false,
    headers: { "user-agent": options.userAgent ?? "cloudsteward" },
  });

  async function request<T>(
    method: string,
    path: string,
    call: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const upperMethod = method.toUpperCase();
    const url = resolveUrl(options.baseUrl, path, call.searchParams);
    const idempotent = call.idempotent ?? !["POST", "PATCH"].includes(upperMethod);
    // The credentials of the last attempt that got a 401, and how often we re-authenticated.
    let rejected: string | undefined;
    let reauthentications = 0;
    let rateLimited = 0;
    let failed = 0;

    for (let attempt = 0; ; attempt++) {
      await limiter?.take(call.signal);
      const headers = { ...(await resolveHeaders(options.headers)), ...call.headers };
      // What the errors of this attempt must never show: the credentials sent and the configured secrets.
      const secrets = [...headerSecrets(headers), ...(options.secrets?.() ?? [])];
      let failure: CloudstewardError;
      let retryAfterMs: number | undefined;
      try {
        const response = await send(client, upperMethod, url, headers, call, options.timeoutMs);
        retryAfterMs = parseRetryAfter(response.headers);
        if (response.ok) {
          const result = await readResponse<T>(response, call.responseType ?? "json", integration, secrets);
          const inBody = options.failureInBody?.(result, { method: upperMethod, url, secrets });
          if (inBody === undefined) return result;
          failure = inBody;
        } else {
          failure = await toApiError(response, {
            integration,
            method: upperMethod,
            url,
            secrets,
            authHint: options.authHint,
            errorDetail: options.errorDetail,
          });
        }
        // Refresh and retry while each 401 comes with credentials not rejected before: a token can
        // expire again while a concurrent request used it up. The same credentials twice is final.
        const sent = JSON.stringify(headers);
        if (response.status === 401 && options.onUnauthorized && sent !== rejected && reauthentications < 3) {
          rejected = sent;
          reauthentications++;
          await options.onUnauthorized();
          attempt--;
          continue;
        }
        // A 429 (or a rate-limit error in the body) means the server did not act, whatever the method.
        const isRateLimit = failure.code === "RATE_LIMITED";
        if (!isRateLimit && !(idempotent && failure.isRetryable)) throw failure;
        if (isRateLimit ? rateLimited++ >= rateLimitRetryLimit : failed++ >= retryLimit) throw failure;
      } catch (error) {
        if (isAbortError(error) && call.signal?.aborted) throw call.signal.reason;
        if (isCloudstewardErrorFrom(error, integration)) throw error;
        failure = toTransportError(error, integration, `${upperMethod} ${redactUrl(url)}`, secrets);
        if (!idempotent || failed++ >= retryLimit) throw failure;
      }
      // Up to 20% on top of a Retry-After, so concurrent requests told to wait alike do not all come
      // back at the same instant and collide again.
      const delayMs = Math.min(
        maxDelayMs,
        retryAfterMs !== undefined
          ? retryAfterMs * (1 + Math.random() * 0.2)
          : Math.random() * baseDelayMs * 2 ** attempt,
      );
      options.events?.emit("request-retried", { integration, attempt: attempt + 1, error: failure, delayMs });
      await sleep(delayMs, call.signal);
    }
  }

  const shortcut =
    (method: string) =>
    <T>(path: string, call?: RequestOptions) =>
      request<T>(method, path, call).then((response) => response.data);

  return {
    request,
    get: shortcut("GET"),
    post: shortcut("POST"),
    put: shortcut("PUT"),
    patch: shortcut("PATCH"),
    delete: shortcut("DELETE"),
  };
}

/**
 * How long a response asks us to wait, in milliseconds: `retry-after-ms`, `Retry-After` (seconds or an HTTP
 * date), or a rate-limit reset header (seconds to wait, or an epoch timestamp in seconds).
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(milliseconds)) return Math.max(0, milliseconds);
  const value =
    headers.get("retry-after") ??
    headers.get("x-ratelimit-reset") ??
    headers.get("ratelimit-reset") ??
    headers.get("x-rate-limit-reset");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    // Large numbers are epoch timestamps (seconds), small ones a delay in seconds.
    return Math.max(0, seconds > 1_000_000_000 ? seconds * 1000 - now : seconds * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The vendor request id of a response, from the usual headers. */
export function requestIdOf(headers: Headers): string | undefined {
  for (const name of [
    "x-request-id",
    "x-amzn-requestid",
    "request-id",
    "x-arequestid",
    "x-ms-request-id",
    "cf-ray",
  ]) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

/**
 * Maps a failed response to the error class for its status. The error constructors redact the URL,
 * the body and the message, masking `secrets` too.
 */
export async function toApiError(
  response: Response,
  context: {
    integration: string;
    method: string;
    url: string;
    /** Known secret values (the credentials sent, a client secret) to mask. */
    secrets?: readonly (string | undefined)[];
    authHint?: string;
    errorDetail?: (body: unknown) => string | undefined;
  },
): Promise<CloudstewardError> {
  const body = await response.text().catch(() => "");
  const requestId = requestIdOf(response.headers);
  const status = response.status;
  const details: ApiErrorDetails = {
    integration: context.integration,
    status,
    method: context.method,
    url: context.url,
    requestId,
    body,
    secrets: context.secrets,
  };
  const detail = vendorDetail(body, context.errorDetail);
  // Mask known secrets before taking the path: a secret URL (a webhook's) would not match in part.
  const path = pathOf(redactValues(context.url, context.secrets ?? []));
  const where = `${context.integration}: ${context.method} ${path} returned ${status}`;
  const suffix = [detail, requestId ? `(request id ${requestId})` : undefined].filter(Boolean).join(" ");
  const message = (hint?: string) =>
    [where, hint ? `— ${hint}` : undefined, suffix].filter(Boolean).join(" ");
  if (status === 401)
    return new AuthenticationError(message(context.authHint ?? "check the credentials"), details);
  if (status === 403)
    return new PermissionDeniedError(message(context.authHint ?? "check the token's scopes"), details);
  if (status === 404) return new NotFoundError(message(), details);
  if (status === 429)
    return new RateLimitError(message("rate limited; slow down or raise rateLimit"), {
      ...details,
      retryAfterMs: parseRetryAfter(response.headers),
    });
  if (status >= 500) return new UpstreamError(message("the service failed; try again later"), details);
  if (status === 408) return new UpstreamError(message(), { ...details, isRetryable: true });
  return new BadRequestError(message(), details);
}

function isCloudstewardErrorFrom(error: unknown, integration: string): error is CloudstewardError {
  return (
    typeof error === "object" &&
    error !== null &&
    Symbol.for("cloudsteward.error") in error &&
    (error as { integration?: string }).integration === integration
  );
}

function toTransportError(
  error: unknown,
  integration: string,
  what: string,
  secrets: readonly (string | undefined)[],
): CloudstewardError {
  if (error instanceof KyTimeoutError)
    return new TimeoutError(`${integration}: ${what} timed out`, { integration, cause: error, secrets });
  const reason =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
  return new ConnectionError(`${integration}: ${what} failed to connect${reason ? ` (${reason})` : ""}`, {
    integration,
    cause: error,
    secrets,
  });
}

async function send(
  client: KyInstance,
  method: string,
  url: string,
  headers: Record<string, string>,
  call: RequestOptions,
  timeoutMs: number | undefined,
): Promise<Response> {
  return client(url, {
    method,
    headers,
    json: call.json,
    body: call.body,
    signal: call.signal,
    timeout: call.timeoutMs ?? timeoutMs ?? 30_000,
  });
}

async function readResponse<T>(
  response: Response,
  type: "json" | "text" | "none",
  integration: string,
  secrets: readonly (string | undefined)[],
): Promise<HttpResponse<T>> {
  const requestId = requestIdOf(response.headers);
  const base = { status: response.status, headers: response.headers, requestId };
  if (type === "none") {
    await response.body?.cancel();
    return { ...base, data: undefined as T };
  }
  const text = await response.text();
  if (type === "text") return { ...base, data: text as T };
  if (text.length === 0) return { ...base, data: undefined as T };
  try {
    return { ...base, data: JSON.parse(text) as T };
  } catch (error) {
    // A proxy's or login page's HTML in a 200 is not a connection failure: say what arrived.
    throw new InvalidResponseError(
      `${integration}: expected JSON, got ${response.headers.get("content-type") ?? "a body"} starting ${JSON.stringify(text.slice(0, 40))}; check the URL and any proxy in between.`,
      { integration, issues: [{ path: [], message: "invalid JSON" }], cause: error, secrets },
    );
  }
}

async function resolveHeaders(headers: HttpClientOptions["headers"]): Promise<Record<string, string>> {
  if (headers === undefined) return {};
  return typeof headers === "function" ? await headers() : headers;
}

function resolveUrl(
  baseUrl: string | undefined,
  path: string,
  searchParams: RequestOptions["searchParams"],
): string {
  const url = baseUrl && !/^https?:\/\//.test(path) ? joinUrl(baseUrl, path) : path;
  if (!searchParams) return url;
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(searchParams)) {
    if (value !== undefined) parsed.searchParams.set(key, String(value));
  }
  return parsed.toString();
}

function joinUrl(baseUrl: string, path: string): string {
  if (path === "") return baseUrl;
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function vendorDetail(text: string, extract: HttpClientOptions["errorDetail"]): string | undefined {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the extractor sees the text
  }
  const detail = extract?.(body) ?? defaultDetail(body);
  return detail ? detail.slice(0, 300) : undefined;
}

function defaultDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "string") return error;
  if (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { message?: unknown }).message === "string"
  )
    return (error as { message: string }).message;
  if (typeof record.message === "string") return record.message;
  return undefined;
}
