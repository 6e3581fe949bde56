import {
  ConfigurationError,
  InvalidResponseError,
  isAbortError,
  isCloudstewardError,
  toErrorIssues,
} from "../../core/errors.js";
import { createHttpClient, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { HttpClientOptions } from "../shared/options.js";
import type { AlertListPlan } from "./queries.js";
import { prismaTokenSchema } from "./schemas.js";

/** What the Prisma Cloud client needs; a subset of `PrismaOptions`. */
export interface PrismaClientOptions extends HttpClientOptions {
  apiUrl?: string;
  accessKeyId?: string;
  secretKey?: Secret;
  prismaId?: string;
  /** The clock that decides when a session is extended (tests). @default Date.now */
  now?: () => number;
}

/** Per-request options of the Prisma Cloud client. */
export interface PrismaRequestOptions {
  json?: unknown;
  searchParams?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** Reads sent as POST (alert listing, RQL) are retried on 5xx; writes are not. */
  idempotent: boolean;
}

/** The REST transport with a cached `x-redlock-auth` session: extended before expiry, renewed on 401. */
export interface PrismaClient {
  /** Sends one request to `<apiUrl><path>` with the session header. */
  request<T>(method: string, path: string, options: PrismaRequestOptions): Promise<HttpResponse<T>>;
}

/** Sessions last ten minutes; the vendor SDK extends after about nine (docs/prisma.md, Sources: authentication). */
export const sessionExtendAfterMs = 8 * 60_000;
const sessionLifetimeMs = 10 * 60_000;

/** The documented list-alerts limit is 2 requests per second with a burst of 10 (docs/prisma.md, Sources: limits and errors). */
const defaultPrismaRateLimit: RateLimit = { requestsPerSecond: 2, burst: 5 };

/**
 * Creates the Prisma Cloud client. Nothing is read or requested until the first call: a missing option
 * fails that call with a `ConfigurationError` naming the option and its environment variable.
 */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const clock = options.now ?? Date.now;
  let secretKey: string | undefined;
  let session: { token: string; issuedAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const common = {
    integration: "prisma",
    fetch: withRedlockStatus(options.fetch ?? ((input, init) => globalThis.fetch(input, init))),
    events: options.events,
    // `x-redlock-auth` is not a header name the shared scrubber knows, so the token is listed here.
    secrets: () => [secretKey, session?.token],
    timeoutMs: options.timeoutMs,
    authHint: "check PRISMA_ACCESS_KEY_ID/PRISMA_SECRET_KEY, the key's expiry and its role",
    errorDetail,
  };
  const auth = createHttpClient(common);
  const api = createHttpClient({
    ...common,
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? defaultPrismaRateLimit),
    headers: async () => ({
      "x-redlock-auth": await sessionToken(),
      accept: "application/json; charset=UTF-8",
    }),
    onUnauthorized: () => {
      // An expired or revoked session: log in again (docs/prisma.md, Sources: authentication), not extend.
      session = undefined;
    },
  });

  function apiUrl(): string {
    const url = optionOrEnv(options.apiUrl, "PRISMA_API_URL");
    if (!url) {
      throw new ConfigurationError(
        "prisma: apiUrl is missing. Pass `apiUrl` (your stack's API host, e.g. https://api2.eu.prismacloud.io) to prisma() or set PRISMA_API_URL.",
        { option: "apiUrl", env: "PRISMA_API_URL" },
      );
    }
    return url.replace(/\/+$/, "");
  }

  async function sessionToken(): Promise<string> {
    const age = session ? clock() - session.issuedAt : Number.POSITIVE_INFINITY;
    if (session && age < sessionExtendAfterMs) return session.token;
    const current = session && age < sessionLifetimeMs ? session.token : undefined;
    pending ??= (current ? extend(current) : login()).finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function login(): Promise<string> {
    const accessKeyId = optionOrEnv(options.accessKeyId, "PRISMA_ACCESS_KEY_ID");
    if (!accessKeyId) {
      throw new ConfigurationError(
        "prisma: accessKeyId is missing. Pass `accessKeyId` to prisma() or set PRISMA_ACCESS_KEY_ID.",
        { option: "accessKeyId", env: "PRISMA_ACCESS_KEY_ID" },
      );
    }
    secretKey = await resolveSecret(options.secretKey, {
      env: "PRISMA_SECRET_KEY",
      option: "secretKey",
      integration: "prisma",
    });
    const body: Record<string, string> = { username: accessKeyId, password: secretKey };
    if (options.prismaId) body.prismaId = options.prismaId;
    // Logging in twice is harmless, so the login is retried like a read.
    const response = await auth.request<unknown>("POST", `${apiUrl()}/login`, {
      json: body,
      headers: { accept: "application/json; charset=UTF-8" },
      idempotent: true,
    });
    return keep(response.data, "/login");
  }

  async function extend(current: string): Promise<string> {
    try {
      const response = await auth.request<unknown>("GET", `${apiUrl()}/auth_token/extend`, {
        headers: { "x-redlock-auth": current, accept: "application/json; charset=UTF-8" },
      });
      return keep(response.data, "/auth_token/extend");
    } catch (error) {
      if (isAbortError(error)) throw error;
      // The session could not be extended (expired, revoked): start a new one.
      session = undefined;
      return login();
    }
  }

  function keep(data: unknown, route: string): string {
    const parsed = prismaTokenSchema.safeParse(data);
    if (!parsed.success) {
      throw new InvalidResponseError(
        `prisma: ${route} answered without a token; check PRISMA_API_URL points at the API host (api…), not the console (app…).`,
        { integration: "prisma", issues: toErrorIssues(parsed.error.issues) },
      );
    }
    session = { token: parsed.data.token, issuedAt: clock() };
    return session.token;
  }

  return {
    request<T>(method: string, path: string, call: PrismaRequestOptions) {
      return api.request<T>(method, `${apiUrl()}${path}`, {
        json: call.json,
        searchParams: call.searchParams,
        signal: call.signal,
        idempotent: call.idempotent,
      });
    },
  };
}

/**
 * Reads one page of alerts (`POST /v2/alert?detailed=true`): the plan's body for the first page, the page
 * token alone after it. `next` is the token of the page after, when this page was full.
 */
export async function listPage(
  client: PrismaClient,
  plan: AlertListPlan,
  cursor: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ items: unknown[]; next: string | undefined }> {
  // A next page is asked for with its token alone, as the vendor SDK does (docs/prisma.md, Sources: listing).
  const response = await client.request<unknown>("POST", "/v2/alert", {
    json: cursor ? { pageToken: cursor } : plan.body,
    searchParams: { detailed: true },
    signal,
    idempotent: true,
  });
  const page = response.data as { items?: unknown; nextPageToken?: unknown } | undefined;
  if (!page || !Array.isArray(page.items)) {
    throw new InvalidResponseError("prisma: the /v2/alert page had no items array; the API shape changed.", {
      integration: "prisma",
      issues: [{ path: ["items"], message: "expected an array" }],
    });
  }
  const token = typeof page.nextPageToken === "string" ? page.nextPageToken : "";
  // A token can come back with the last page: a short page ends the run (docs/prisma.md, Sources: listing).
  return { items: page.items, next: page.items.length >= plan.body.limit ? token || undefined : undefined };
}

/** One alert (`GET /alert/{id}?detailed=true`), or `undefined` when it does not exist. */
export async function getAlert(
  client: PrismaClient,
  alertId: string,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  try {
    const response = await client.request<unknown>("GET", `/alert/${encodeURIComponent(alertId)}`, {
      searchParams: { detailed: true },
      signal,
      idempotent: true,
    });
    return response.data;
  } catch (error) {
    if (isCloudstewardError(error, "NOT_FOUND")) return undefined;
    throw error;
  }
}

// Internal helpers.

/** `{ error: { code, message } }` on newer endpoints (docs/prisma.md, Sources: limits and errors). */
function errorDetail(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error !== "object" || error === null) return typeof error === "string" ? error : undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const parts = [code, message].filter((part): part is string => typeof part === "string" && part !== "");
  return parts.length > 0 ? parts.join(": ") : undefined;
}

/**
 * Older endpoints answer errors with an empty body and the reason in the `x-redlock-status` header
 * (`[{"i18nKey":"invalid_parameter_value","subject":"timeRange"}]`); this fetch moves it into an
 * `{ error }` body so the shared error mapping puts it in the message.
 */
function withRedlockStatus(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const status = response.ok ? null : response.headers.get("x-redlock-status");
    if (status === null) return response;
    const text = await response.clone().text();
    if (text.trim() !== "") return response;
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ error: { message: redlockStatusText(status) } }), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

function redlockStatusText(header: string): string {
  try {
    const entries = JSON.parse(header) as unknown;
    if (Array.isArray(entries)) {
      return entries
        .map((entry) => {
          const { i18nKey, subject } = (entry ?? {}) as { i18nKey?: unknown; subject?: unknown };
          return typeof subject === "string" && subject !== ""
            ? `${String(i18nKey)} (${subject})`
            : String(i18nKey);
        })
        .join("; ");
    }
  } catch {
    // not JSON: shown as sent
  }
  return header.slice(0, 200);
}
