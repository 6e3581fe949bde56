import { ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Warning } from "../../core/report.js";
import type { FindingQuery } from "../../core/source.js";
import { type PrismaPolicyType, toPrismaSeverities, toPrismaStatuses } from "./map.js";

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
export type ClientSideFeature = "status" | "category" | "createdAfter";

/** All time: the window `findings()` uses when the query has none. */
export const allTime: PrismaTimeRange = { type: "to_now", value: "epoch" };

/**
 * Plans the alert listing for a platform-neutral query: severity, status, one time window, accounts
 * (`cloud.accountId`), account groups (`projectIds` → `account.group`) and compliance standards
 * (`frameworks`, exact standard names) are filtered by the API; `category`, `in_progress` (no filter
 * value) and `createdAfter` when `updatedAfter` already holds the one time window are filtered client-side.
 * @throws ConfigurationError when `createdAfter` or `updatedAfter` is not an ISO-8601 instant.
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
  if (query.severity?.length) add("policy.severity", toPrismaSeverities(query.severity));
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
    timeRange = since(query.updatedAfter, "updatedAfter", now);
    add("timeRange.type", ["ALERT_STATUS_UPDATED"]);
    if (query.createdAfter !== undefined) {
      instant(query.createdAfter, "createdAfter");
      clientSide.add("createdAfter");
    }
  } else if (query.createdAfter !== undefined) {
    timeRange = since(query.createdAfter, "createdAfter", now);
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
  return true;
}

/** The native alert id of a cloudsteward id (`prisma:P-123`) or a native id. */
export function nativeAlertId(id: string): string {
  return id.startsWith("prisma:") ? id.slice(7) : id;
}

// Internal helpers.

const clientSideReasons: Record<ClientSideFeature, string> = {
  status: "in_progress (Prisma's pending_resolution is not a filter value), so status",
  category: "category (it is derived from the policy type and name)",
  createdAfter: "creation time and status-update time at once, so createdAfter",
};

function since(value: string, option: string, now: number): PrismaTimeRange {
  return { type: "absolute", value: { startTime: instant(value, option), endTime: now } };
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
