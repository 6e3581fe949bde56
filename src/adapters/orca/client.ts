import { ConfigurationError, InvalidResponseError, UpstreamError } from "../../core/errors.js";
import { createHttpClient, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { HttpClientOptions } from "../shared/options.js";

/** What the Orca client needs; a subset of `OrcaOptions`. */
export interface OrcaClientOptions extends HttpClientOptions {
  apiToken?: Secret;
  apiUrl?: string;
}

/** Per-request options of the Orca client. */
export interface OrcaRequestOptions {
  signal?: AbortSignal;
  /** Reads are retried on 5xx; status changes and creates are not. @default true for GET and PUT */
  idempotent?: boolean;
  json?: unknown;
  searchParams?: Record<string, string | number | boolean | undefined>;
}

/** Orca's REST API with `Authorization: Token <api token>`, the token resolved once and again after a 401. */
export interface OrcaClient {
  /** Sends one request to a path below the API root (`/serving-layer/query`) and returns the JSON body. */
  request<T>(method: string, path: string, options?: OrcaRequestOptions): Promise<T>;
}

/** The US API root, the default of Orca's own terraform provider (docs/orca.md, Sources: authentication). */
export const defaultOrcaApiUrl = "https://api.orcasecurity.io/api";

/** Orca publishes no limit; its terraform client is serial, so we stay at 5 requests per second (docs/orca.md, Sources: limits and errors). */
const defaultOrcaRateLimit: RateLimit = { requestsPerSecond: 5, burst: 5 };

/**
 * Creates the Orca client. Nothing is read or requested until the first call: a missing token fails that
 * call with a `ConfigurationError` naming the option and its environment variable.
 */
export function createOrcaClient(options: OrcaClientOptions): OrcaClient {
  // Orca API tokens are static (no exchange, no refresh flow): the token is resolved once and cached;
  // after a 401 it is resolved again, so a rotated token (a `Secret` function) is picked up mid-run.
  let token: string | undefined;
  const apiToken = async () => {
    token ??= await resolveSecret(options.apiToken, {
      env: "ORCA_API_TOKEN",
      option: "apiToken",
      integration: "orca",
    });
    return token;
  };
  const http = createHttpClient({
    integration: "orca",
    fetch: options.fetch,
    events: options.events,
    timeoutMs: options.timeoutMs,
    secrets: () => [token],
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? defaultOrcaRateLimit),
    headers: async () => ({ authorization: `Token ${await apiToken()}` }),
    onUnauthorized: () => {
      token = undefined;
    },
    authHint: "check ORCA_API_TOKEN (or apiToken), its expiry and its role's business-unit scope",
    errorDetail: orcaMessage,
    failureInBody: legacyFailure,
  });

  return {
    async request<T>(method: string, path: string, call: OrcaRequestOptions = {}): Promise<T> {
      const apiUrl = (optionOrEnv(options.apiUrl, "ORCA_API_URL") ?? defaultOrcaApiUrl).replace(/\/+$/, "");
      if (!URL.canParse(apiUrl)) {
        throw new ConfigurationError(
          "orca: apiUrl is not a URL. Pass `apiUrl` (e.g. https://api.orcasecurity.io/api, or your region's host) or set ORCA_API_URL.",
          { option: "apiUrl", env: "ORCA_API_URL" },
        );
      }
      const response = await http.request<unknown>(method, `${apiUrl}${path}`, {
        json: call.json,
        searchParams: call.searchParams,
        signal: call.signal,
        idempotent: call.idempotent,
      });
      return response.data as T;
    },
  };
}

/** Reads the `data` of Orca's `{ status, data }` envelope; a missing `data` is an error, not an empty result (docs/orca.md, Sources: limits and errors). */
export function envelopeData(body: unknown, what: string): unknown {
  if (typeof body === "object" && body !== null && "data" in body) return (body as { data: unknown }).data;
  throw new InvalidResponseError(
    `orca: ${what} answered without \`data\`; the API shape changed or the URL is wrong.`,
    {
      integration: "orca",
      issues: [{ path: ["data"], message: "missing" }],
    },
  );
}

// Internal helpers.

/** `{ message }` or `{ error }` (docs/orca.md, Sources: limits and errors). */
function orcaMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { message, error } = body as { message?: unknown; error?: unknown };
  return typeof message === "string" ? message : typeof error === "string" ? error : undefined;
}

/** Legacy endpoints answer `{ "status": "failure", "error": "…" }`, sometimes with a 200. */
function legacyFailure(response: HttpResponse<unknown>, request: { method: string; url: string }) {
  const body = response.data as { status?: unknown } | undefined;
  if (body?.status !== "failure") return undefined;
  return new UpstreamError(`orca: ${request.method} failed: ${orcaMessage(body) ?? "status failure"}`, {
    integration: "orca",
    ...request,
    requestId: response.requestId,
  });
}
