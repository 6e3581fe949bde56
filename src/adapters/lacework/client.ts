import { ConfigurationError, InvalidResponseError, isCloudstewardError } from "../../core/errors.js";
import { createHttpClient, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { FindingQuery } from "../../core/source.js";
import type { HttpClientOptions } from "../shared/options.js";
import { cachedToken, type IssuedToken } from "../shared/token.js";
import type { LaceworkKind } from "./map-status.js";
import {
  type LaceworkReportSelector,
  maxWindowMs,
  searchPaths,
  selectorsFor,
  toSearchFilters,
} from "./queries.js";
import type { SearchPage } from "./schemas.js";

/** What the Lacework client needs; `LaceworkOptions` extends it. */
export interface LaceworkClientOptions extends HttpClientOptions {
  /** The account (`acme`) or its full host (`acme.fra.lacework.net`). @default process.env.LW_ACCOUNT */
  account?: string;
  /** The tenant URL, instead of `account` (e.g. `https://acme.lacework.net`). @default process.env.LACEWORK_API_URL */
  apiUrl?: string;
  /** The API key id (`keyId`). @default process.env.LW_API_KEY */
  apiKey?: string;
  /** The API key's secret, or a function returning one (called on each token renewal). @default process.env.LW_API_SECRET */
  apiSecret?: Secret;
  /** Act in this sub-account of an organization (`Account-Name` header). */
  subAccount?: string;
  /** Lifetime requested for each access token, in seconds. @default 3600 */
  tokenTtlSeconds?: number;
}

/** Per-request options of the Lacework client. */
export interface LaceworkRequestOptions {
  json?: unknown;
  searchParams?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** Reads sent as POST (the `search` endpoints, LQL) are retried on 5xx; writes are not. */
  idempotent?: boolean;
}

/** The REST v2 transport with access tokens minted from the API key, cached and renewed before expiry. */
export interface LaceworkClient {
  /** The tenant URL, e.g. `https://acme.lacework.net`. */
  origin(): string;
  /**
   * Sends one request to a path below the tenant URL (`/api/v2/Alerts/search`) or to an absolute
   * `paging.urls.nextPage` URL, which must be below the tenant URL (the token is never sent elsewhere).
   */
  request<T>(method: string, path: string, options?: LaceworkRequestOptions): Promise<HttpResponse<T>>;
}

/**
 * Lacework publishes no numeric limit: pace at the documented design limit, 5 requests a second with at
 * most two at once (docs/lacework.md, Limits and errors).
 */
const defaultLaceworkRateLimit: RateLimit = { requestsPerSecond: 5, burst: 2 };

/**
 * Creates the Lacework FortiCNAPP client. Nothing is read or requested until the first call: a missing
 * option fails that call with a `ConfigurationError` naming the option and its environment variable.
 */
export function createLaceworkClient(options: LaceworkClientOptions): LaceworkClient {
  let apiSecret: string | undefined;
  const token = cachedToken(fetchToken);
  const common = {
    integration: "lacework",
    fetch: options.fetch,
    events: options.events,
    // X-LW-UAKS is not a header name the shared scrubber knows, so the secret is listed explicitly.
    secrets: () => [apiSecret, token.peek()],
    timeoutMs: options.timeoutMs,
    authHint: "check LW_API_KEY/LW_API_SECRET, the key's state and the sub-account",
    errorDetail: laceworkMessage,
  };
  const auth = createHttpClient(common);
  const api = createHttpClient({
    ...common,
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? defaultLaceworkRateLimit),
    headers: async () => {
      const headers: Record<string, string> = { authorization: `Bearer ${await token.get()}` };
      if (options.subAccount) headers["account-name"] = options.subAccount;
      return headers;
    },
    onUnauthorized: () => token.clear(),
  });

  const origin = (): string => {
    const explicit = optionOrEnv(options.apiUrl, "LACEWORK_API_URL");
    // Kept with its path, so a tenant behind a proxy prefix (or the sandbox's `/lacework`) works.
    if (explicit) return explicit.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
    const account = optionOrEnv(options.account, "LW_ACCOUNT");
    if (!account) {
      throw new ConfigurationError(
        "lacework: account is missing. Pass `account` (e.g. `acme` or `acme.fra.lacework.net`) or `apiUrl` to lacework(), or set LW_ACCOUNT or LACEWORK_API_URL.",
        { option: "account", env: "LW_ACCOUNT" },
      );
    }
    return laceworkOrigin(account);
  };

  async function fetchToken(): Promise<IssuedToken> {
    const keyId = optionOrEnv(options.apiKey, "LW_API_KEY");
    if (!keyId) {
      throw new ConfigurationError(
        "lacework: apiKey is missing. Pass `apiKey` (the key id) to lacework() or set LW_API_KEY.",
        {
          option: "apiKey",
          env: "LW_API_KEY",
        },
      );
    }
    apiSecret = await resolveSecret(options.apiSecret, {
      env: "LW_API_SECRET",
      option: "apiSecret",
      integration: "lacework",
    });
    const lifetime = Math.max(60, Math.floor(options.tokenTtlSeconds ?? 3600));
    // Minting a token twice is harmless, so the token request is retried like a read.
    const response = await auth.request<unknown>("POST", `${origin()}/api/v2/access/tokens`, {
      json: { keyId, expiryTime: lifetime },
      headers: { "x-lw-uaks": apiSecret },
      idempotent: true,
    });
    const body = response.data as { token?: unknown; expiresAt?: unknown } | undefined;
    if (typeof body?.token !== "string" || body.token === "") {
      throw new InvalidResponseError(
        "lacework: the access token endpoint answered without a token; check the account URL.",
        {
          integration: "lacework",
          issues: [{ path: ["token"], message: "missing" }],
        },
      );
    }
    const expiresAt = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : Number.NaN;
    // Renewed before expiry by `cachedToken`: no refresh endpoint exists.
    return {
      token: body.token,
      lifetimeMs: Number.isNaN(expiresAt) ? lifetime * 1000 : expiresAt - Date.now(),
    };
  }

  return {
    origin,
    async request<T>(method: string, path: string, call: LaceworkRequestOptions = {}) {
      const base = origin();
      const absolute = /^https?:\/\//i.test(path);
      if (absolute && !path.startsWith(`${base}/`)) {
        throw new InvalidResponseError(
          `lacework: a paging URL pointed at ${new URL(path).origin}, outside the tenant ${base}; it was not followed (the token is only sent to the tenant).`,
          {
            integration: "lacework",
            issues: [{ path: ["paging", "urls", "nextPage"], message: "foreign origin" }],
          },
        );
      }
      return api.request<T>(method, absolute ? path : `${base}${path}`, {
        json: call.json,
        searchParams: call.searchParams,
        signal: call.signal,
        idempotent: call.idempotent,
      });
    },
  };
}

/** What one paging run reads: the families in order, the pinned query, and how. */
export interface ListPlan {
  kinds: readonly LaceworkKind[];
  query: FindingQuery;
  /** The compliance reports the `compliance` family reads. */
  reports: readonly LaceworkReportSelector[];
  /** How many days back alerts are read, in ≤7-day windows. */
  lookbackDays: number;
  /** Fetch `scope=Details` (at most two at a time) for each alert that needs it to name its resource. */
  alertDetails: boolean;
}

/**
 * Reads the page a cursor points at (the first family's first window without one): its records, and
 * the cursor of the page after (`undefined` after the last). Cursors are opaque (`lw1.<base64url>`):
 * a family, its ≤7-day window and Lacework's next-page URL. `undefined` when `plan.kinds` is empty.
 * @throws ConfigurationError for a cursor this source did not make.
 */
export async function listPage(
  client: LaceworkClient,
  plan: ListPlan,
  cursor: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ records: unknown[]; next: string | undefined } | undefined> {
  const { kinds, query, lookbackDays } = plan;
  const position = cursor
    ? decodeCursor(cursor, kinds)
    : firstPosition(kinds, 0, query, lookbackDays, Date.now());
  if (!position) return undefined;
  const page = await readPage(client, position, plan, signal);
  const records =
    position.k === "alert" && plan.alertDetails
      ? await mapLimit(page.rows, 2, (row) => withDetails(client, row, signal))
      : page.rows;
  const next = nextPosition(position, page.next, kinds, query, plan.reports, lookbackDays);
  return { records, next: next && encodeCursor(next) };
}

/** `GET /api/v2/Alerts/{id}?scope=Details`, or `undefined` when the alert does not exist. */
export async function alertDetails(client: LaceworkClient, alertId: string, signal: AbortSignal | undefined) {
  try {
    const response = await client.request<{ data?: unknown }>("GET", `/api/v2/Alerts/${alertId}`, {
      searchParams: { scope: "Details" },
      signal,
    });
    const data = response.data?.data;
    return Array.isArray(data) ? data[0] : data;
  } catch (error) {
    if (isCloudstewardError(error, "NOT_FOUND")) return undefined;
    throw error;
  }
}

// Internal helpers.

/** Where a paging run is: a family, its ≤7-day window (`s` start, `u` end of the run) and the next page URL. */
type Position =
  | { k: "alert"; s: number; u: number; n?: string }
  | { k: "vulnerability"; t: "host" | "container"; s: number; u: number; n?: string }
  | { k: "compliance"; i: number };

const day = 86_400_000;

/** The rows of the page at `position`: a search window (or its next page), or one compliance report. */
async function readPage(
  client: LaceworkClient,
  position: Position,
  plan: ListPlan,
  signal: AbortSignal | undefined,
): Promise<{ rows: unknown[]; next: string | undefined }> {
  if (position.k === "compliance") {
    const selector = selectorsFor(plan.reports, plan.query)[position.i];
    if (!selector) return { rows: [], next: undefined };
    return { rows: await complianceRows(client, selector, signal), next: undefined };
  }
  const path = position.k === "alert" ? searchPaths.alert : searchPaths[position.t];
  const end = Math.min(position.u, position.s + maxWindowMs);
  const response = position.n
    ? await client.request<SearchPage>("GET", position.n, { signal })
    : await client.request<SearchPage>("POST", path, {
        json: {
          timeFilter: {
            startTime: new Date(position.s).toISOString(),
            endTime: new Date(end).toISOString(),
          },
          filters: toSearchFilters(position.k, plan.query),
        },
        signal,
        idempotent: true,
      });
  const rows = readRows(response.status, response.data, path);
  const nextPage = response.data?.paging?.urls?.nextPage;
  return { rows, next: typeof nextPage === "string" && nextPage !== "" ? nextPage : undefined };
}

/**
 * Whether an alert row needs `GET /api/v2/Alerts/{id}?scope=Details` to name its resource: not when it
 * names no alert, carries its `entityMap` already (as some list rows do), or is a platform alert
 * (`derivedFields.sub_category` `Platform`: an integration's health, whose details name no cloud
 * resource either). Every other list row does: Alerts/search rows carry no resource.
 * @example
 * needsAlertDetails({ alertId: 1, derivedFields: { category: "Policy", sub_category: "Compliance" } }); // true
 */
export function needsAlertDetails(row: unknown): boolean {
  if (typeof row !== "object" || row === null || "entityMap" in row) return false;
  const { alertId, derivedFields } = row as { alertId?: unknown; derivedFields?: { sub_category?: unknown } };
  if (typeof alertId !== "number" && typeof alertId !== "string") return false;
  return derivedFields?.sub_category !== "Platform";
}

/** An alert row with its details when it needs them ({@link needsAlertDetails}), else the row as is. */
async function withDetails(
  client: LaceworkClient,
  row: unknown,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (!needsAlertDetails(row)) return row;
  return (await alertDetails(client, String((row as { alertId: number | string }).alertId), signal)) ?? row;
}

function firstPosition(
  kinds: readonly LaceworkKind[],
  index: number,
  query: FindingQuery,
  lookbackDays: number,
  until: number,
): Position | undefined {
  const kind = kinds[index];
  if (kind === undefined) return undefined;
  const created = query.createdAfter ? Date.parse(query.createdAfter) : Number.NaN;
  if (kind === "compliance") return { k: kind, i: 0 };
  // Vulnerability rows are evaluations: the last 7 days hold the current state of every host and image.
  const span = kind === "alert" ? lookbackDays * day : maxWindowMs;
  const start = Math.max(until - span, Number.isNaN(created) ? 0 : created);
  if (kind !== "alert") return { k: kind, t: "host", s: start, u: until };
  // An alert's first seen is its start time, which the search window bounds: end it at createdBefore.
  const before = query.createdBefore ? Date.parse(query.createdBefore) : Number.NaN;
  return { k: kind, s: start, u: Number.isNaN(before) ? until : Math.max(start, Math.min(until, before)) };
}

function nextPosition(
  position: Position,
  nextPage: string | undefined,
  kinds: readonly LaceworkKind[],
  query: FindingQuery,
  reports: readonly LaceworkReportSelector[],
  lookbackDays: number,
): Position | undefined {
  const following = () =>
    firstPosition(kinds, kinds.indexOf(position.k) + 1, query, lookbackDays, Date.now());
  if (position.k === "compliance") {
    return position.i + 1 < selectorsFor(reports, query).length
      ? { k: "compliance", i: position.i + 1 }
      : following();
  }
  if (nextPage) return { ...position, n: nextPage };
  const start = position.s + maxWindowMs;
  if (start < position.u) return { ...position, s: start, n: undefined };
  if (position.k === "vulnerability" && position.t === "host") {
    const created = query.createdAfter ? Date.parse(query.createdAfter) : Number.NaN;
    const from = Math.max(position.u - maxWindowMs, Number.isNaN(created) ? 0 : created);
    return { k: "vulnerability", t: "container", s: from, u: position.u };
  }
  return following();
}

function encodeCursor(position: Position): string {
  return `lw1.${Buffer.from(JSON.stringify(position)).toString("base64url")}`;
}

function decodeCursor(cursor: string, kinds: readonly LaceworkKind[]): Position {
  try {
    if (!cursor.startsWith("lw1.")) throw new Error("prefix");
    const position = JSON.parse(Buffer.from(cursor.slice(4), "base64url").toString("utf8")) as Position;
    if (!kinds.includes(position.k)) throw new Error("kind");
    return position;
  } catch (error) {
    throw new ConfigurationError(
      `lacework: cursor "${cursor.slice(0, 40)}" was not made by this source for this query (families: ${kinds.join(", ")}).`,
      { option: "cursor", cause: error },
    );
  }
}

function readRows(status: number, body: SearchPage | undefined, path: string): unknown[] {
  // An empty window can come back as 204 with no body.
  if (status === 204 || body === undefined) return [];
  if (Array.isArray(body.data)) return body.data;
  throw new InvalidResponseError(`lacework: ${path} answered without a data array; the API shape changed.`, {
    integration: "lacework",
    issues: [{ path: ["data"], message: "expected an array" }],
  });
}

/** One record per failing resource: the recommendation with that one violation, plus the report's type, title and time. */
async function complianceRows(
  client: LaceworkClient,
  selector: LaceworkReportSelector,
  signal: AbortSignal | undefined,
) {
  const response = await client.request<{ data?: unknown }>("GET", "/api/v2/Reports", {
    searchParams: {
      primaryQueryId: selector.primaryQueryId,
      secondaryQueryId: selector.secondaryQueryId,
      format: "json",
      reportType: selector.reportType,
      reportName: selector.reportName,
    },
    signal,
  });
  const reports = readRows(response.status, response.data, "/api/v2/Reports") as Record<string, unknown>[];
  const rows: unknown[] = [];
  for (const report of reports) {
    const recommendations = Array.isArray(report.recommendations) ? report.recommendations : [];
    for (const recommendation of recommendations as Record<string, unknown>[]) {
      const violations = Array.isArray(recommendation.VIOLATIONS) ? recommendation.VIOLATIONS : [];
      for (const violation of violations) {
        rows.push({
          ...recommendation,
          VIOLATIONS: [violation],
          reportType: report.reportType,
          reportTitle: report.reportTitle,
          reportTime: report.reportTime,
        });
      }
    }
  }
  return rows;
}

/** Maps with at most `limit` calls in flight, keeping order (alert details go two at a time: docs/lacework.md, Inferred or unverified). */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
/** Lacework's error text: `{ message }`, `{ data: { message } }`, or the older `ErrorMsg`/`statusMessage`. */
function laceworkMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const data = record.data as Record<string, unknown> | undefined;
  for (const value of [record.message, data?.message, record.ErrorMsg, record.statusMessage]) {
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/**
 * The tenant URL of a Lacework account: `acme` → `https://acme.lacework.net`; a full host
 * (`acme.fra.lacework.net`) is kept.
 */
export function laceworkOrigin(account: string): string {
  const host = account.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return `https://${host.includes(".") ? host : `${host}.lacework.net`}`;
}
