import type { ContextField, ContextProvider, ProvidedContext } from "../../core/context-provider.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Resource } from "../../core/finding.js";
import type { HttpClient, HttpClientOptions } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, type Secret } from "../../core/secret.js";
import { serviceNowAuthorization, serviceNowErrorDetail } from "../../sinks/servicenow/auth.js";

/** Options of {@link fromServiceNowCmdb}. */
export interface FromServiceNowCmdbOptions {
  /** e.g. `https://acme.service-now.com`. @default process.env.SERVICENOW_INSTANCE_URL */
  instanceUrl?: string;
  /** Basic-auth user (needs read access to the CMDB table). @default process.env.SERVICENOW_USERNAME */
  username?: string;
  /** Basic-auth password. @default process.env.SERVICENOW_PASSWORD */
  password?: Secret;
  /** An OAuth bearer token, used instead of username/password when set. @default process.env.SERVICENOW_TOKEN */
  token?: Secret;
  /** The CMDB table to query. @default "cmdb_ci" */
  table?: string;
  /**
   * Which CI columns hold what; the first non-empty one wins.
   * @default { owner: ["owned_by", "managed_by"], team: ["support_group", "assignment_group"], environment: ["environment", "used_for"], criticality: ["busines_criticality", "business_criticality"], dataClassification: ["u_data_classification"], internetExposed: ["u_internet_facing"] }
   */
  fields?: Partial<Record<ContextField, string[]>>;
  /**
   * The encoded query that finds a resource's CI.
   * @default `object_id=<resource.id>^ORname=<resource.name>`
   */
  query?: (resource: Resource) => string;
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout. @default 30_000 */
  timeoutMs?: number;
  /** Retries on 429, 5xx and network errors. @default { limit: 4 } */
  retry?: HttpClientOptions["retry"];
  /**
   * Client-side pacing, so enriching a large estate stays well under the instance's rate limits
   * (ServiceNow counts per hour and per user).
   * @default { requestsPerSecond: 10, burst: 10 }
   */
  rateLimit?: RateLimit;
}

/**
 * Context from the ServiceNow CMDB, through the Table API (`GET /api/now/table/cmdb_ci`), with display
 * values so owners and groups come back as names. The returned CI must really match the resource (the
 * Table API silently ignores an invalid query part), by `object_id` first, then by `name`.
 * Credentials are read on the first lookup, never at creation.
 * @example
 * fromServiceNowCmdb({ instanceUrl: "https://acme.service-now.com", username: "cmdb.reader", password: process.env.SN_PASSWORD });
 */
export function fromServiceNowCmdb(options: FromServiceNowCmdbOptions = {}): ContextProvider {
  const table = options.table ?? "cmdb_ci";
  const fields = { ...defaultFields, ...options.fields };
  const columns = [...new Set(["sys_id", "name", "object_id", ...Object.values(fields).flat()])];
  const query = options.query ?? defaultQuery;
  let http: Promise<HttpClient> | undefined;
  let secrets: readonly string[] = [];

  // The HTTP client (and ky) load on the first lookup, so importing `cloudsteward` does not load them.
  const client = async (): Promise<HttpClient> => {
    const instanceUrl = optionOrEnv(options.instanceUrl, "SERVICENOW_INSTANCE_URL");
    if (!instanceUrl) {
      throw new ConfigurationError(
        "fromServiceNowCmdb: instanceUrl is missing. Pass `instanceUrl` to fromServiceNowCmdb() or set SERVICENOW_INSTANCE_URL.",
        { option: "instanceUrl", env: "SERVICENOW_INSTANCE_URL" },
      );
    }
    const { createHttpClient } = await import("../../core/http.js");
    return createHttpClient({
      integration: "servicenow-cmdb",
      baseUrl: instanceUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      rateLimit: options.rateLimit ?? { requestsPerSecond: 10, burst: 10 },
      headers: async () => {
        const auth = await serviceNowAuthorization(options, "fromServiceNowCmdb");
        secrets = auth.secrets;
        return { accept: "application/json", authorization: auth.header };
      },
      secrets: () => secrets,
      authHint:
        "check SERVICENOW_USERNAME/SERVICENOW_PASSWORD (or SERVICENOW_TOKEN) and the user's read access to the CMDB",
      errorDetail: serviceNowErrorDetail,
    });
  };

  return {
    name: "cmdb:servicenow",
    kind: "cmdb",
    async lookup({ resource, signal }) {
      // A failed set-up (a missing instanceUrl) is not kept: the next lookup tries again.
      http ??= client().catch((error: unknown) => {
        http = undefined;
        throw error;
      });
      const response = await (await http).get<{ result?: Record<string, unknown>[] }>(
        `/api/now/table/${table}`,
        {
          searchParams: {
            sysparm_query: query(resource),
            sysparm_fields: columns.join(","),
            sysparm_limit: 10,
            sysparm_display_value: true,
            sysparm_exclude_reference_link: true,
            sysparm_no_count: true,
          },
          signal,
        },
      );
      const records = Array.isArray(response?.result) ? response.result : [];
      const record =
        records.find((item) => sameText(item.object_id, resource.id)) ??
        records.find((item) => sameText(item.name, resource.name));
      if (record === undefined) return undefined;
      const context: ProvidedContext = {};
      for (const [field, names] of Object.entries(fields) as [ContextField, string[]][]) {
        for (const column of names) {
          const value = displayValue(record[column]);
          if (value) {
            context[field] = { value, source: `cmdb:servicenow:${column}` };
            break;
          }
        }
      }
      return context;
    },
  };
}

// Internal helpers.

const defaultFields: Record<ContextField, string[]> = {
  owner: ["owned_by", "managed_by"],
  team: ["support_group", "assignment_group"],
  environment: ["environment", "used_for"],
  // ServiceNow's own column name is misspelled `busines_criticality`.
  criticality: ["busines_criticality", "business_criticality"],
  dataClassification: ["u_data_classification"],
  internetExposed: ["u_internet_facing"],
};

function defaultQuery(resource: Resource): string {
  const parts = [`object_id=${escapeQueryValue(resource.id)}`];
  if (resource.name !== "") parts.push(`name=${escapeQueryValue(resource.name)}`);
  return parts.join("^OR");
}

/** `^` separates encoded-query terms; ServiceNow reads `^^` as a literal caret. */
function escapeQueryValue(value: string): string {
  return value.replaceAll("^", "^^");
}

/** With `sysparm_display_value=true` values are strings; tolerate `{ display_value }` objects too. */
function displayValue(value: unknown): string | undefined {
  const text =
    typeof value === "string"
      ? value
      : typeof value === "object" && value !== null && "display_value" in value
        ? String((value as { display_value: unknown }).display_value ?? "")
        : undefined;
  return text?.trim() || undefined;
}

function sameText(value: unknown, expected: string): boolean {
  const text = displayValue(value);
  return text !== undefined && expected !== "" && text.toLowerCase() === expected.toLowerCase();
}
