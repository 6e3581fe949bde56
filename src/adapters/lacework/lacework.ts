import {
  assertWritable,
  ConfigurationError,
  InvalidResponseError,
  isCloudstewardError,
  NotFoundError,
} from "../../core/errors.js";
import { type Finding, findingId } from "../../core/finding.js";
import { paginate, pinQuery } from "../../core/paginate.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import type {
  CallOptions,
  ExceptionRef,
  ExceptionRequest,
  FindingQuery,
  CnappSource,
  NativeQuery,
} from "../../core/source.js";
import type { HttpSourceOptions } from "../shared/options.js";
import { normalizePage, raiseWarning } from "../shared/report.js";
import { createLaceworkClient, type LaceworkClient, type LaceworkClientOptions } from "./client.js";
import { toLaceworkSeverities } from "./map-severity.js";
import { type LaceworkKind, toCloseRequest } from "./map-status.js";
import { normalize } from "./normalize.js";
import {
  compileQuery,
  kindsFor,
  maxLookbackDays,
  maxWindowMs,
  searchPaths,
  toSearchFilters,
  unsupportedFilterWarnings,
} from "./queries.js";

export type { LaceworkKind } from "./map-status.js";

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

/** Options of {@link lacework}. */
export interface LaceworkOptions extends LaceworkClientOptions, HttpSourceOptions {
  /**
   * The finding families `findings()` reads, in this order. Alerts carry Lacework's stable integer ids and
   * cover policy violations, compliance policies, anomalies and vulnerability alerts; the compliance and
   * vulnerability datasets are inventory views of the same problems (same `dedupKey`), so they are opt-in.
   * @default ["alert"]
   */
  kinds?: readonly LaceworkKind[];
  /** How many days back alerts are read (the API allows 92), in ≤7-day windows. @default 90 */
  lookbackDays?: number;
  /**
   * Fetch each alert with `scope=Details` so the finding names its resource, account, region and tags
   * (one extra request per alert). Without it, an alert's resource is the alert itself. @default true
   */
  alertDetails?: boolean;
  /** The compliance reports the `compliance` family reads. */
  reports?: readonly LaceworkReportSelector[];
  /** Allow `setStatus`, `createException` and saving queries through `query`. @default false */
  allowWrite?: boolean;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 4, burst: 2 } */
  rateLimit?: RateLimit | false;
}

/**
 * Reads findings from Lacework FortiCNAPP (REST API v2): alerts by default, compliance report violations and
 * host/container vulnerabilities when listed in `kinds`; closes alerts and creates policy and vulnerability
 * exceptions when `allowWrite` is set; passes LQL through.
 *
 * A record that cannot be normalized goes to `report.deadLetters` (stage `source:lacework`) and the run goes
 * on; a page that still fails after retries ends the iteration with its error: results are never silently partial.
 * @example
 * const source = lacework({ account: "acme", apiKey: process.env.LW_API_KEY, apiSecret: process.env.LW_API_SECRET });
 * for await (const finding of source.findings({ severity: ["critical"] })) console.log(finding.title);
 */
export function lacework(options: LaceworkOptions = {}): CnappSource {
  const client = createLaceworkClient(options);
  const kinds = [...(options.kinds ?? (["alert"] as const))];
  const requestedDays = options.lookbackDays ?? 90;
  const lookbackDays = Number.isFinite(requestedDays)
    ? Math.min(maxLookbackDays, Math.max(1, requestedDays))
    : 90;
  const details = options.alertDetails ?? true;
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    consoleUrl: client.origin(),
  });

  const alertRecord = async (row: unknown, signal: AbortSignal | undefined): Promise<unknown> => {
    const id = (row as { alertId?: unknown } | null)?.alertId;
    // A row that already carries its entityMap needs no second request.
    if (!details || (typeof id !== "number" && typeof id !== "string") || "entityMap" in (row as object))
      return row;
    return (await alertDetails(client, String(id), signal)) ?? row;
  };

  const readPage = async (position: Position, query: FindingQuery, signal: AbortSignal | undefined) => {
    if (position.k === "compliance") {
      const selector = selectorsFor(options.reports ?? [], query)[position.i];
      if (!selector) return { rows: [] as unknown[], next: undefined };
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
            filters: toSearchFilters(position.k, query),
          },
          signal,
          idempotent: true,
        });
    const rows = readRows(response.status, response.data, path);
    const nextPage = response.data?.paging?.urls?.nextPage;
    return { rows, next: typeof nextPage === "string" && nextPage !== "" ? nextPage : undefined };
  };

  /** Lazily paged findings of `families` (the whole query pinned for the run). */
  const list = (
    families: readonly LaceworkKind[],
    query: FindingQuery,
    call: CallOptions,
  ): AsyncIterable<Finding> => {
    const pinned = pinQuery(query) as FindingQuery;
    const selected = kindsFor(families, pinned);
    const matches = compileQuery(pinned);
    let warned = false;
    return paginate<Finding, string>(
      async (cursor, signal) => {
        if (!warned) {
          warned = true;
          for (const warning of unsupportedFilterWarnings(selected, pinned))
            raiseWarning(call.report, options.events, warning);
          if (selected.includes("compliance") && !options.reports?.length) {
            raiseWarning(call.report, options.events, {
              type: "unsupported",
              source: "lacework",
              feature: "kinds.compliance",
              message:
                "lacework: the compliance family needs `reports` (which account and report type to read); it was skipped.",
            });
          }
        }
        const position = cursor
          ? decodeCursor(cursor, selected)
          : firstPosition(selected, 0, pinned, lookbackDays, Date.now());
        if (!position) return { items: [] };
        const page = await readPage(position, pinned, signal);
        const pageOptions = normalizeOptions();
        const records =
          position.k === "alert"
            ? await mapLimit(page.rows, 2, (row) => alertRecord(row, signal))
            : page.rows;
        const items = normalizePage(records, {
          normalize: (record) => normalize(record, pageOptions),
          matches,
          stage: "source:lacework",
          itemId: nativeIdOf,
          report: call.report,
          events: options.events,
        });
        const next = nextPosition(position, page.next, selected, pinned, options.reports ?? [], lookbackDays);
        return { items, next: next && encodeCursor(next) };
      },
      { signal: call.signal, cursor: pinned.cursor, integration: "lacework", onPage: call.onPage },
    );
  };

  return {
    specificationVersion: "v1",
    platform: "lacework",
    capabilities: { getFinding: true, nativeQuery: true, setStatus: true, createException: true, resume: true },
    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      return list(kinds, query, call);
    },

    async getFinding(id, call = {}) {
      const nativeId = id.startsWith("lacework:") ? id.slice(9) : id;
      if (/^\d+$/.test(nativeId)) {
        const record = await alertDetails(client, nativeId, call.signal);
        return record === undefined ? undefined : normalize(record, normalizeOptions());
      }
      // Compliance and vulnerability ids are composite (`<rule>:<account or machine>:<resource or package>`).
      if (!nativeId.includes(":")) return undefined;
      const kind: LaceworkKind = /^CVE-/i.test(nativeId) ? "vulnerability" : "compliance";
      if (!kinds.includes(kind)) return undefined;
      for await (const finding of list([kind], {}, { signal: call.signal })) {
        if (finding.source.nativeId === nativeId) return finding;
      }
      return undefined;
    },

    async query(native: NativeQuery, call: CallOptions = {}) {
      const variables = { ...native.variables };
      const saveAs = variables.saveAs;
      const queryId = variables.queryId;
      const limit = variables.limit;
      delete variables.saveAs;
      delete variables.queryId;
      delete variables.limit;
      const text = native.query.trim();
      if (saveAs !== undefined) {
        assertWritable("lacework", options.allowWrite, "query (saving an LQL query)");
        const response = await client.request<unknown>("POST", "/api/v2/Queries", {
          json: { queryId: String(saveAs), queryText: text },
          signal: call.signal,
          idempotent: false,
        });
        return response.data;
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
      const response = await client.request<{ data?: unknown }>("POST", path, {
        json: body,
        signal: call.signal,
        idempotent: true,
      });
      return response.data?.data ?? [];
    },

    async setStatus(id, change, call = {}) {
      assertWritable("lacework", options.allowWrite, "setStatus");
      const alertId = id.startsWith("lacework:") ? id.slice(9) : id;
      if (!/^\d+$/.test(alertId)) {
        throw new ConfigurationError(
          `lacework: only alerts have a status to write (${id} is a compliance or vulnerability finding); use createException to suppress it.`,
          { option: "id" },
        );
      }
      await client.request("POST", `/api/v2/Alerts/${alertId}/close`, {
        json: toCloseRequest(change),
        signal: call.signal,
        idempotent: false,
      });
    },

    async createException(request: ExceptionRequest, call: CallOptions = {}): Promise<ExceptionRef> {
      assertWritable("lacework", options.allowWrite, "createException");
      if (Number.isNaN(Date.parse(request.expiresAt))) {
        throw new ConfigurationError(
          `lacework: createException needs an ISO-8601 expiresAt, got "${request.expiresAt}".`,
          {
            option: "expiresAt",
          },
        );
      }
      const finding = await this.getFinding(request.findingId, call);
      if (!finding) {
        throw new NotFoundError(
          `lacework: finding ${request.findingId} does not exist (or is not visible to this API key).`,
          {
            integration: "lacework",
            status: 404,
            method: "GET",
            url: "/api/v2/Alerts",
          },
        );
      }
      const description = `${request.reason} (requested by ${request.requestedBy}, approved by ${request.approvedBy}, until ${request.expiresAt}).${request.note ? ` ${request.note}` : ""}`;
      if (
        finding.vulnerability &&
        finding.rule.id === finding.vulnerability.cve &&
        finding.source.nativeId.includes(":")
      ) {
        return vulnerabilityException(client, finding, request, description, call.signal);
      }
      const response = await client.request<unknown>("POST", "/api/v2/Exceptions", {
        searchParams: { policyId: finding.rule.id },
        json: { description: description.slice(0, 1000), constraints: policyConstraints(finding) },
        signal: call.signal,
        idempotent: false,
      });
      const exceptionId = createdId(response.data, "exceptionId", "policy exception");
      // The exception stops future alerts; the alert at hand is closed as accepted (reason 5, expected behaviour).
      if (/^\d+$/.test(finding.source.nativeId)) {
        await client.request("POST", `/api/v2/Alerts/${finding.source.nativeId}/close`, {
          json: { reason: 5, comment: `Risk accepted: ${description}`.slice(0, 1000) },
          signal: call.signal,
          idempotent: false,
        });
      }
      return { id: exceptionId };
    },
  };
}

// Internal helpers.

/** Where a paging run is: a family, its ≤7-day window (`s` start, `u` end of the run) and the next page URL. */
type Position =
  | { k: "alert"; s: number; u: number; n?: string }
  | { k: "vulnerability"; t: "host" | "container"; s: number; u: number; n?: string }
  | { k: "compliance"; i: number };

interface SearchPage {
  data?: unknown;
  paging?: { rows?: number; totalRows?: number; urls?: { nextPage?: string | null } };
}

const day = 86_400_000;

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
  return kind === "alert" ? { k: kind, s: start, u: until } : { k: kind, t: "host", s: start, u: until };
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

/** `GET /api/v2/Alerts/{id}?scope=Details`, or `undefined` when the alert does not exist. */
async function alertDetails(client: LaceworkClient, alertId: string, signal: AbortSignal | undefined) {
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

function selectorsFor(
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

/** Policy-exception constraints scoping the policy to this finding's account and resource (docs/lacework.md, Sources: write-back). */
function policyConstraints(finding: Finding) {
  const constraints: { fieldKey: string; fieldValues: string[] }[] = [];
  if (finding.resource.accountId)
    constraints.push({ fieldKey: "accountIds", fieldValues: [finding.resource.accountId] });
  if (finding.resource.name)
    constraints.push({ fieldKey: "resourceNames", fieldValues: [finding.resource.name] });
  return constraints;
}

async function vulnerabilityException(
  client: LaceworkClient,
  finding: Finding,
  request: ExceptionRequest,
  description: string,
  signal: AbortSignal | undefined,
): Promise<ExceptionRef> {
  const vulnerability = finding.vulnerability!;
  const container = finding.resource.nativeType === "ContainerImage";
  const criteria: Record<string, unknown> = {
    cve: [vulnerability.cve],
    severity: toLaceworkSeverities([finding.severity]),
  };
  if (vulnerability.packageName && vulnerability.installedVersion) {
    criteria.package = [{ [vulnerability.packageName]: [vulnerability.installedVersion] }];
  }
  const response = await client.request<unknown>("POST", "/api/v2/VulnerabilityExceptions", {
    json: {
      exceptionName:
        `cloudsteward: ${vulnerability.cve} on ${finding.resource.name || finding.resource.id}`.slice(0, 200),
      exceptionType: container ? "Container" : "Host",
      exceptionReason: /false.?positive/i.test(request.reason) ? "False Positive" : "Accepted Risk",
      props: { description: description.slice(0, 1000) },
      vulnerabilityCriteria: criteria,
      resourceScope: container
        ? { imageId: [finding.source.nativeId.split(":")[1]] }
        : { hostname: [finding.resource.name] },
      state: 1,
      expiryTime: new Date(request.expiresAt).toISOString(),
    },
    signal,
    idempotent: false,
  });
  const guid = createdId(response.data, "exceptionGuid", "vulnerability exception");
  return { id: guid };
}

/** The id a create call answered with under `data.<key>`. */
function createdId(body: unknown, key: string, what: string): string {
  const id = (body as { data?: Record<string, unknown> } | undefined)?.data?.[key];
  if (typeof id === "string" && id !== "") return id;
  throw new InvalidResponseError(`lacework: the ${what} was answered without ${key}.`, {
    integration: "lacework",
    issues: [{ path: ["data", key], message: "missing" }],
  });
}

function nativeIdOf(record: unknown): string | undefined {
  const fields = record as Record<string, unknown> | null;
  const id = fields?.alertId ?? fields?.event_id ?? fields?.EVENT_ID;
  return typeof id === "number" || (typeof id === "string" && id !== "")
    ? findingId("lacework", String(id))
    : undefined;
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
