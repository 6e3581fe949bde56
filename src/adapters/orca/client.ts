import { ConfigurationError, InvalidResponseError, UpstreamError } from "../../core/errors.js";
import { createHttpClient, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { FindingQuery } from "../../core/source.js";
import type { HttpClientOptions } from "../shared/options.js";
import { alertsRequest } from "./queries.js";

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

/** The rows a serving-layer query answers (`POST /api/serving-layer/query`), and the total when Orca counts them. */
export async function servingLayerRows(
  client: OrcaClient,
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<{ rows: unknown[]; total: number | undefined }> {
  const response = await client.request<unknown>("POST", "/serving-layer/query", {
    json: body,
    signal,
    idempotent: true,
  });
  const rows = envelopeData(response, "the serving layer");
  if (!Array.isArray(rows)) {
    throw new InvalidResponseError(
      "orca: the serving layer's `data` is not a list of rows; the API shape changed.",
      {
        integration: "orca",
        issues: [{ path: ["data"], message: "expected an array" }],
      },
    );
  }
  return { rows, total: totalOf(response) };
}

/**
 * Reads the page of alerts matching `query` that starts at `cursor` (an offset; the first page without
 * one). `next` is the offset of the page after, when there is one.
 * @throws ConfigurationError for a cursor this source did not make.
 */
export async function listPage(
  client: OrcaClient,
  page: {
    query: FindingQuery;
    cursor: string | undefined;
    pageSize: number;
    signal: AbortSignal | undefined;
  },
): Promise<{ rows: unknown[]; next: string | undefined }> {
  const start = decodeOffset(page.cursor);
  const { rows, total } = await servingLayerRows(
    client,
    alertsRequest(page.query, start, page.pageSize),
    page.signal,
  );
  const end = start + rows.length;
  // As Orca's own client pages: on to `total_items` (a server may cap `limit` below ours), else
  // until a short page; an empty page always ends the run.
  const more = rows.length > 0 && (total === undefined ? rows.length === page.pageSize : end < total);
  return { rows, next: more ? String(end) : undefined };
}

// Internal helpers.

/** Cursors are the offset (`start_at_index`) of the next page. */
function decodeOffset(cursor: string | undefined): number {
  if (cursor === undefined || cursor === "") return 0;
  if (/^\d{1,9}$/.test(cursor)) return Number(cursor);
  throw new ConfigurationError(
    `orca: cursor "${cursor.slice(0, 40)}" was not made by this source (expected the offset of the next page).`,
    { option: "cursor" },
  );
}

/** `total_items` (or `count`): a missing count means unknown, not zero (terraform `paging.go`). */
function totalOf(body: unknown): number | undefined {
  const { total_items: totalItems, count } = body as { total_items?: unknown; count?: unknown };
  const total = totalItems ?? count;
  return typeof total === "number" && Number.isFinite(total) ? total : undefined;
}

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
