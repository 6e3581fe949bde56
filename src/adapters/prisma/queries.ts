import { ConfigurationError, InvalidResponseError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Warning } from "../../core/report.js";
import type { FindingQuery, NativeQuery } from "../../core/source.js";
import { toSeverityWords } from "../shared/severity.js";
import type { PrismaPolicyType } from "./map-category.js";
import { toPrismaStatuses } from "./map-status.js";

/** One `FilterModel` filter (docs/prisma.md, Sources: listing); repeated names OR, different names AND. */
export interface PrismaFilter {
  name: string;
  operator: "=";
  value: string;
}

/** A Prisma Cloud `TimeRange`. */
export type PrismaTimeRange =
  | { type: "absolute"; value: { startTime: number; endTime: number } }
  | { type: "relative"; value: { amount: number; unit: string } }
  | { type: "to_now"; value: string };

/** The body of `POST /v2/alert` for a query, and the query features left to the client. */
export interface AlertListPlan {
  body: {
    detailed: true;
    limit: number;
    timeRange: PrismaTimeRange;
    filters: PrismaFilter[];
    sortBy: string[];
  };
  /** Query features the API cannot filter; `findings()` checks them on each normalized finding. */
  clientSide: ReadonlySet<ClientSideFeature>;
}

/** The query features that may be filtered client-side. */
export type ClientSideFeature = "status" | "category" | "createdAfter" | "createdBefore";

/** All time: the window `findings()` uses when the query has none. */
export const allTime: PrismaTimeRange = { type: "to_now", value: "epoch" };

/**
 * Plans the alert listing for a platform-neutral query: severity, status, one time window, accounts
 * (`cloud.accountId`), account groups (`projectIds` → `account.group`) and compliance standards
 * (`frameworks`, exact standard names) are filtered by the API; `category`, `in_progress` (no filter
 * value) and `createdAfter` / `createdBefore` when `updatedAfter` already holds the one time window are
 * filtered client-side. The creation bounds are one absolute `ALERT_OPENED` window (from the epoch when
 * only the upper bound is set).
 * @throws ConfigurationError when `createdAfter`, `createdBefore` or `updatedAfter` is not an ISO-8601 instant.
 */
export function planAlertList(
  query: FindingQuery,
  limit: number,
  policyTypes: readonly PrismaPolicyType[] = [],
  now: number = Date.now(),
): AlertListPlan {
  const filters: PrismaFilter[] = [];
  const clientSide = new Set<ClientSideFeature>();
  const add = (name: string, values: readonly string[] | undefined) => {
    for (const value of values ?? []) filters.push({ name, operator: "=", value });
  };
  if (query.severity?.length) add("policy.severity", toSeverityWords(query.severity));
  if (query.status?.length) {
    const statuses = toPrismaStatuses(query.status);
    if (statuses) add("alert.status", statuses);
    else clientSide.add("status");
  }
  if (query.category?.length) clientSide.add("category");
  add("cloud.accountId", query.accountIds);
  add("account.group", query.projectIds);
  add("policy.complianceStandard", query.frameworks);
  add("policy.type", policyTypes);
  let timeRange = allTime;
  if (query.updatedAfter !== undefined) {
    // One window per request: status updates win, creation is then checked client-side.
    timeRange = window(instant(query.updatedAfter, "updatedAfter"), now);
    add("timeRange.type", ["ALERT_STATUS_UPDATED"]);
    for (const bound of ["createdAfter", "createdBefore"] as const) {
      if (query[bound] === undefined) continue;
      instant(query[bound], bound);
      clientSide.add(bound);
    }
  } else if (query.createdAfter !== undefined || query.createdBefore !== undefined) {
    const start = query.createdAfter === undefined ? 0 : instant(query.createdAfter, "createdAfter");
    const end = query.createdBefore === undefined ? now : instant(query.createdBefore, "createdBefore");
    timeRange = window(start, Math.max(start, end));
    add("timeRange.type", ["ALERT_OPENED"]);
  }
  return {
    body: { detailed: true, limit, timeRange, filters, sortBy: ["alertTime:desc"] },
    clientSide,
  };
}

/** One `unsupported` warning per query feature the plan filters client-side. */
export function clientSideWarnings(plan: AlertListPlan): Warning[] {
  return [...plan.clientSide].map((feature) => ({
    type: "unsupported",
    source: "prisma",
    feature: `filter.${feature}`,
    message: `prisma: the alert API cannot filter by ${clientSideReasons[feature]}; it is applied client-side, so every matching page is still fetched.`,
  }));
}

/** The client-side part of a query, checked on a normalized finding. */
export function matchesClientSide(
  finding: Finding,
  query: FindingQuery,
  features: ReadonlySet<ClientSideFeature>,
): boolean {
  if (features.has("status") && !query.status!.includes(finding.status)) return false;
  if (features.has("category") && !query.category!.includes(finding.category)) return false;
  if (features.has("createdAfter") && Date.parse(finding.firstSeen) < Date.parse(query.createdAfter!))
    return false;
  if (features.has("createdBefore") && Date.parse(finding.firstSeen) > Date.parse(query.createdBefore!))
    return false;
  return true;
}

/** The native alert id of a cloudsteward id (`prisma:P-123`) or a native id. */
export function nativeAlertId(id: string): string {
  return id.startsWith("prisma:") ? id.slice(7) : id;
}

/**
 * Runs one RQL query: `config from …` pages through `/search/api/v2/config` (up to `variables.maxRows`,
 * default 10 000 rows) and answers `{ items, totalRows }`; `event from …` and `network from …` answer
 * the API's response as is. Variables: `timeRange` (default all time), `limit` (default 100),
 * `withResourceJson` (default true), `maxRows`. RQL only reads, so nothing is refused for writing;
 * anything that is not RQL is refused before it is sent.
 */
export async function runRql(
  native: NativeQuery,
  post: (path: string, json: Record<string, unknown>) => Promise<unknown>,
): Promise<unknown> {
  const verb = /^\s*(config|event|network)\s+from\s/i.exec(native.query)?.[1]?.toLowerCase() as
    | keyof typeof rqlRoutes
    | undefined;
  if (!verb) {
    throw new ConfigurationError(
      'prisma: query() takes RQL starting with "config from", "event from" or "network from"; the query was not sent.',
      { option: "query" },
    );
  }
  const variables = native.variables ?? {};
  const timeRange = variables.timeRange ?? allTime;
  const limit = typeof variables.limit === "number" ? variables.limit : 100;
  if (verb === "network") return post(rqlRoutes.network, { query: native.query, timeRange });
  if (verb === "event") return post(rqlRoutes.event, { query: native.query, limit, timeRange });
  const maxRows = typeof variables.maxRows === "number" ? variables.maxRows : maxRqlRows;
  const body = {
    query: native.query,
    limit,
    withResourceJson: variables.withResourceJson ?? true,
    skipResult: false,
    timeRange,
  };
  const items: unknown[] = [];
  let totalRows: unknown;
  let pageToken: string | undefined;
  do {
    const page = (await post(rqlRoutes.config, pageToken ? { ...body, pageToken } : body)) as {
      items?: unknown;
      nextPageToken?: unknown;
      totalRows?: unknown;
    };
    if (!Array.isArray(page?.items)) {
      throw new InvalidResponseError("prisma: the config search answered without an items array.", {
        integration: "prisma",
        issues: [{ path: ["items"], message: "expected an array" }],
      });
    }
    items.push(...page.items);
    totalRows = page.totalRows;
    const next =
      typeof page.nextPageToken === "string" && page.nextPageToken !== "" ? page.nextPageToken : undefined;
    pageToken = next !== pageToken && page.items.length > 0 ? next : undefined;
  } while (pageToken && items.length < maxRows);
  return {
    items: items.slice(0, maxRows),
    totalRows: typeof totalRows === "number" ? totalRows : items.length,
  };
}

// Internal helpers.

/** The RQL endpoints by verb (docs/prisma.md, Sources: query language). */
const rqlRoutes = { config: "/search/api/v2/config", event: "/search/event", network: "/search" } as const;

/** Most config rows `query()` collects by following `nextPageToken`. */
const maxRqlRows = 10_000;

const clientSideReasons: Record<ClientSideFeature, string> = {
  status: "in_progress (Prisma's pending_resolution is not a filter value), so status",
  category: "category (it is derived from the policy type and name)",
  createdAfter: "creation time and status-update time at once, so createdAfter",
  createdBefore: "creation time and status-update time at once, so createdBefore",
};

function window(startTime: number, endTime: number): PrismaTimeRange {
  return { type: "absolute", value: { startTime, endTime } };
}

function instant(value: string, option: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new ConfigurationError(`prisma: ${option} must be an ISO-8601 instant, got "${value}".`, {
      option,
    });
  }
  return time;
}
