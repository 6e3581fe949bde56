import { ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Warning } from "../../core/report.js";
import type { FindingQuery, NativeQuery } from "../../core/source.js";
import { toSeverityWords } from "../shared/severity.js";
import { toOrcaCategories } from "./map-category.js";
import { toOrcaStatuses } from "./map-status.js";

/** One leaf or composite of Orca's Sonar object-set filter grammar (docs/orca.md, Sources: listing). */
export type SonarFilter = Record<string, unknown>;

/** The serving-layer fields `findings()` and `getFinding()` select. */
export const alertSelect = [
  "AlertId",
  "AlertType",
  "RuleId",
  "Title",
  "OrcaScore",
  "RiskLevel",
  "Category",
  "Source",
  "Status",
  "Description",
  "Recommendation",
  "Labels",
  "CveIds",
  "CreatedAt",
  "LastSeen",
  "LastUpdated",
  "Inventory",
  "CloudAccount",
] as const;

/**
 * The serving-layer body of one page of alerts for a platform-neutral query: a Sonar `Alert` object set
 * filtered by `RiskLevel`, `Status`, `Category`, `CreatedAt`, `LastUpdated`/`LastSeen` and the related `CloudAccount`,
 * ordered by `AlertId` so offsets stay stable between pages.
 */
export function alertsRequest(
  query: FindingQuery,
  startAtIndex: number,
  limit: number,
): Record<string, unknown> {
  return {
    query: alertObjectSet(toSonarFilters(query)),
    select: alertSelect,
    "order_by[]": ["AlertId"],
    limit,
    start_at_index: startAtIndex,
    get_results_and_count: true,
    full_graph_fetch: { enabled: true },
    max_tier: 2,
  };
}

/** The serving-layer body that reads one alert by its id. */
export function alertByIdRequest(alertId: string): Record<string, unknown> {
  return {
    query: alertObjectSet([leaf("AlertId", "str", "in", [alertId])]),
    select: alertSelect,
    limit: 1,
    start_at_index: 0,
    get_results_and_count: false,
    full_graph_fetch: { enabled: true },
    max_tier: 2,
  };
}

/** The Sonar leaves of a query (an empty list for no filter). */
export function toSonarFilters(query: FindingQuery): SonarFilter[] {
  const filters: SonarFilter[] = [];
  if (query.severity?.length) filters.push(leaf("RiskLevel", "str", "in", toSeverityWords(query.severity)));
  if (query.status?.length) filters.push(leaf("Status", "str", "in", toOrcaStatuses(query.status)));
  // `other` stands for categories Orca may add later, which no list can name: filter those client-side only.
  if (query.category?.length && !query.category.includes("other")) {
    filters.push(leaf("Category", "str", "in", toOrcaCategories(query.category)));
  }
  if (query.createdAfter) filters.push(since("CreatedAt", query.createdAfter));
  if (query.createdBefore) filters.push(until("CreatedAt", query.createdBefore));
  if (query.updatedAfter) {
    // `lastSeen` is the later of the two, so either one moving past the instant counts.
    filters.push({
      type: "operation",
      operator: "or",
      values: [since("LastUpdated", query.updatedAfter), since("LastSeen", query.updatedAfter)],
    });
  }
  if (query.accountIds?.length) {
    filters.push({
      keys: ["CloudAccount"],
      models: ["CloudAccount"],
      type: "object",
      operator: "has",
      with: leaf("CloudVendorId", "str", "in", [...query.accountIds]),
    });
  }
  return filters;
}

/** One warning per requested feature Orca cannot filter server-side. */
export function unsupportedFeatureWarnings(query: FindingQuery): Warning[] {
  const warnings: Warning[] = [];
  if (query.frameworks?.length) {
    warnings.push({
      type: "unsupported",
      source: "orca",
      feature: "filter.frameworks",
      message:
        "orca: alerts carry no compliance-control mapping in the serving layer (only the compliance API has it), so frameworks is applied client-side to `rule.controls`, which Orca alerts leave empty: no alert matches.",
    });
  }
  if (query.projectIds?.length) {
    warnings.push({
      type: "unsupported",
      source: "orca",
      feature: "filter.projectIds",
      message:
        "orca: projectIds (Orca business units) cannot be filtered through the alert API and alerts do not name their business unit, so this filter is NOT applied; scope the API token's role to the business unit instead.",
    });
  }
  return warnings;
}

/**
 * The client-side check of a whole query, compiled once per run. It runs on every finding because Orca
 * list endpoints silently ignore filter keys they do not know (docs/orca.md, Sources: listing) and map several of our
 * values onto one of theirs. `projectIds` cannot be checked (see {@link unsupportedFeatureWarnings}).
 */
export function compileQueryCheck(query: FindingQuery): (finding: Finding) => boolean {
  const checks: ((finding: Finding) => boolean)[] = [];
  const severities = query.severity?.length ? new Set(query.severity) : undefined;
  if (severities) checks.push((finding) => severities.has(finding.severity));
  const statuses = query.status?.length ? new Set(query.status) : undefined;
  if (statuses) checks.push((finding) => statuses.has(finding.status));
  const categories = query.category?.length ? new Set(query.category) : undefined;
  if (categories) checks.push((finding) => categories.has(finding.category));
  const accounts = query.accountIds?.length ? new Set(query.accountIds) : undefined;
  if (accounts) checks.push((finding) => accounts.has(finding.resource.accountId));
  const created = query.createdAfter ? Date.parse(query.createdAfter) : Number.NaN;
  if (!Number.isNaN(created)) checks.push((finding) => Date.parse(finding.firstSeen) >= created);
  const createdBefore = query.createdBefore ? Date.parse(query.createdBefore) : Number.NaN;
  if (!Number.isNaN(createdBefore)) checks.push((finding) => Date.parse(finding.firstSeen) <= createdBefore);
  const updated = query.updatedAfter ? Date.parse(query.updatedAfter) : Number.NaN;
  if (!Number.isNaN(updated)) checks.push((finding) => Date.parse(finding.lastSeen) >= updated);
  const frameworks = query.frameworks?.map((framework) => framework.toLowerCase());
  if (frameworks?.length) {
    checks.push((finding) =>
      finding.rule.controls.some((control) => frameworks.includes(control.framework.toLowerCase())),
    );
  }
  return (finding) => checks.every((check) => check(finding));
}

/** A Sonar query as JSON text: an object set (`{ models, type, with }`), a serving-layer body, or a custom rule. */
export function readSonar(native: NativeQuery): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(native.query);
  } catch (error) {
    throw new ConfigurationError(
      "orca: query() takes Sonar as JSON (an object set `{ models, type, with }` or a serving-layer body `{ query, select, limit }`); the text form of the console is not accepted by the API.",
      { option: "query", cause: error },
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ConfigurationError("orca: query() needs a JSON object.", { option: "query" });
  }
  return body as Record<string, unknown>;
}

/** A serving-layer row with every `{ value }` unwrapped (one level, and inside related objects). */
export function unwrapRow(row: unknown): unknown {
  if (typeof row !== "object" || row === null) return row;
  const { data, ...rest } = row as { data?: unknown };
  if (typeof data !== "object" || data === null) return row;
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const inner = typeof value === "object" && value !== null && "value" in value ? value.value : value;
    values[key] = typeof inner === "object" && inner !== null && "data" in inner ? unwrapRow(inner) : inner;
  }
  return { ...rest, data: values };
}

// Internal helpers.

function alertObjectSet(filters: SonarFilter[]): SonarFilter {
  const set: SonarFilter = { models: ["Alert"], type: "object_set" };
  if (filters.length === 1) set.with = filters[0];
  else if (filters.length > 1) set.with = { type: "operation", operator: "and", values: filters };
  return set;
}

/** A datetime lower bound, as XSOAR's Orca event collector sends it (with `value_type: "days"`). */
function since(key: string, instant: string): SonarFilter {
  return { key, values: [instant], type: "datetime", operator: "date_gte", value_type: "days" };
}

/** A datetime upper bound: the same leaf with `date_lte`. */
function until(key: string, instant: string): SonarFilter {
  return { key, values: [instant], type: "datetime", operator: "date_lte", value_type: "days" };
}

function leaf(key: string, type: string, operator: string, values: unknown[]): SonarFilter {
  return { key, type, operator, values };
}
