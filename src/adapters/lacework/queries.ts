import { assertWritable, ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Warning } from "../../core/report.js";
import type { FindingQuery, NativeQuery } from "../../core/source.js";
import { clientSideFilterWarnings } from "../shared/warnings.js";
import { toLaceworkSeverities } from "./map-severity.js";
import { type LaceworkKind, toLaceworkStatuses } from "./map-status.js";

/** One compliance report to read: the account it covers and the report type (or name). */
export interface LaceworkReportSelector {
  /** AWS account id, Azure tenant id or GCP organization id. */
  primaryQueryId: string;
  /** Azure subscription id or GCP project id. */
  secondaryQueryId?: string;
  /** e.g. `AWS_CIS_14`, `AZURE_CIS_131`, `GCP_CIS13` (list them with `GET /api/v2/ReportDefinitions`). */
  reportType?: string;
  /** A report name, instead of `reportType`. */
  reportName?: string;
}

/** One filter object of the v2 search endpoints (docs/lacework.md, Sources: listing). */
export interface SearchFilter {
  field: string;
  expression: "eq" | "in";
  value?: string;
  values?: string[];
}

/** The search endpoint of each paged family. */
export const searchPaths = {
  alert: "/api/v2/Alerts/search",
  host: "/api/v2/Vulnerabilities/Hosts/search",
  container: "/api/v2/Vulnerabilities/Containers/search",
} as const;

/** At most 7 days per request and 92 days back (docs/lacework.md, Sources: listing). */
export const maxWindowMs = 7 * 86_400_000;
/** How far back the search endpoints reach. */
export const maxLookbackDays = 92;

/** The query features each family filters server-side; the rest are filtered client-side with a warning. */
export const serverSideFilters: Record<LaceworkKind, ReadonlySet<keyof FindingQuery>> = {
  alert: new Set(["severity", "status", "createdAfter", "createdBefore"]),
  compliance: new Set(["accountIds"]),
  vulnerability: new Set(["severity", "status"]),
};

/** The `filters` of a search request for a platform-neutral query. */
export function toSearchFilters(kind: LaceworkKind, query: FindingQuery): SearchFilter[] {
  const filters: SearchFilter[] = [];
  if (query.severity?.length) {
    filters.push({ field: "severity", expression: "in", values: toLaceworkSeverities(query.severity) });
  }
  const statuses = query.status?.length ? toLaceworkStatuses(query.status, kind) : [];
  if (statuses.length > 0) filters.push({ field: "status", expression: "in", values: statuses });
  return filters;
}

/** The families that can hold findings of the requested categories. */
export function kindsFor(kinds: readonly LaceworkKind[], query: FindingQuery): LaceworkKind[] {
  const categories = query.category;
  if (!categories?.length) return [...kinds];
  return kinds.filter((kind) =>
    kind === "vulnerability"
      ? categories.includes("vulnerability")
      : kind === "compliance"
        ? categories.some((category) => category !== "vulnerability" && category !== "threat")
        : true,
  );
}

/** One `unsupported` warning per query feature that some selected family filters client-side (or not at all). */
export function unsupportedFilterWarnings(kinds: readonly LaceworkKind[], query: FindingQuery): Warning[] {
  return clientSideFilterWarnings("lacework", query, kinds, serverSideFilters, (feature, clientSide) =>
    feature === "projectIds"
      ? "lacework: findings have no project; projectIds is ignored (scope the API key to a sub-account with `subAccount` instead)."
      : `lacework: ${clientSide.join(", ")} cannot filter by ${feature} server-side; it is applied client-side, so every matching page is still fetched.`,
  );
}

/**
 * Compiles the client-side part of a query into one predicate: every feature is checked, also those sent
 * server-side, because Lacework's vocabularies are coarser than ours (`Closed` covers resolved, suppressed
 * and risk-accepted; windows are whole days on some endpoints).
 */
export function compileQuery(query: FindingQuery): (finding: Finding) => boolean {
  const checks: ((finding: Finding) => boolean)[] = [];
  const { severity, status, category, accountIds, frameworks } = query;
  if (severity?.length) checks.push((finding) => severity.includes(finding.severity));
  if (status?.length) checks.push((finding) => status.includes(finding.status));
  if (category?.length) checks.push((finding) => category.includes(finding.category));
  if (accountIds?.length) checks.push((finding) => accountIds.includes(finding.resource.accountId));
  const created = query.createdAfter ? Date.parse(query.createdAfter) : Number.NaN;
  if (!Number.isNaN(created)) checks.push((finding) => Date.parse(finding.firstSeen) >= created);
  const createdBefore = query.createdBefore ? Date.parse(query.createdBefore) : Number.NaN;
  if (!Number.isNaN(createdBefore)) checks.push((finding) => Date.parse(finding.firstSeen) <= createdBefore);
  const updated = query.updatedAfter ? Date.parse(query.updatedAfter) : Number.NaN;
  if (!Number.isNaN(updated)) checks.push((finding) => Date.parse(finding.lastSeen) >= updated);
  if (frameworks?.length) {
    const wanted = frameworks.map((framework) => framework.toLowerCase());
    checks.push((finding) =>
      finding.rule.controls.some((control) =>
        wanted.some((name) => control.framework.toLowerCase().includes(name)),
      ),
    );
  }
  return (finding) => checks.every((check) => check(finding));
}

/**
 * Runs an LQL query through `post`: `variables.queryId` runs a saved query, `variables.saveAs` saves the
 * query (a write: refused unless `allowWrite`), `variables.limit` caps the rows; other variables are the
 * query's arguments, with `StartTimeRange`/`EndTimeRange` defaulting to the last day.
 * @throws ConfigurationError for text that is not LQL; WriteDisabledError for `saveAs` without `allowWrite`.
 */
export async function runLql(
  native: NativeQuery,
  allowWrite: boolean | undefined,
  post: (path: string, json: unknown, idempotent: boolean) => Promise<unknown>,
): Promise<unknown> {
  const variables = { ...native.variables };
  const saveAs = variables.saveAs;
  const queryId = variables.queryId;
  const limit = variables.limit;
  delete variables.saveAs;
  delete variables.queryId;
  delete variables.limit;
  const text = native.query.trim();
  if (saveAs !== undefined) {
    assertWritable("lacework", allowWrite, "query (saving an LQL query)");
    return post("/api/v2/Queries", { queryId: String(saveAs), queryText: text }, false);
  }
  if (queryId === undefined && !text.startsWith("{")) {
    throw new ConfigurationError(
      "lacework: query() takes an LQL query (`{ source { … } return { … } }`), or a saved query's id in `variables.queryId`.",
      { option: "query" },
    );
  }
  const now = Date.now();
  const args: Record<string, unknown> = {
    StartTimeRange: new Date(now - 86_400_000).toISOString(),
    EndTimeRange: new Date(now).toISOString(),
    ...variables,
  };
  const body: Record<string, unknown> = {
    arguments: Object.entries(args).map(([name, value]) => ({ name, value: String(value) })),
  };
  if (queryId === undefined) body.query = { queryText: text };
  if (limit !== undefined) body.options = { limit: Number(limit) };
  const path =
    queryId === undefined
      ? "/api/v2/Queries/execute"
      : `/api/v2/Queries/${encodeURIComponent(String(queryId))}/execute`;
  const response = (await post(path, body, true)) as { data?: unknown } | undefined;
  return response?.data ?? [];
}

/** The reports the `compliance` family reads for a query: those of its `accountIds`, else all. */
export function selectorsFor(
  reports: readonly LaceworkReportSelector[],
  query: FindingQuery,
): LaceworkReportSelector[] {
  const accounts = query.accountIds;
  if (!accounts?.length) return [...reports];
  return reports.filter(
    (report) =>
      accounts.includes(report.primaryQueryId) ||
      (report.secondaryQueryId !== undefined && accounts.includes(report.secondaryQueryId)),
  );
}
