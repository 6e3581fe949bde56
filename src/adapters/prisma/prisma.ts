import {
  assertWritable,
  ConfigurationError,
  InvalidResponseError,
  isCloudstewardError,
} from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { paginate, pinQuery } from "../../core/paginate.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, type Secret } from "../../core/secret.js";
import type {
  CallOptions,
  ExceptionRef,
  ExceptionRequest,
  FindingQuery,
  CnappSource,
  NativeQuery,
  StatusChange,
} from "../../core/source.js";
import { type HttpSourceOptions, pageSizeOf } from "../shared/options.js";
import { itemIdOf, normalizePage, raiseWarning } from "../shared/report.js";
import { createPrismaClient } from "./client.js";
import type { PrismaPolicyType } from "./map.js";
import { normalize } from "./normalize.js";
import {
  type AlertListPlan,
  allTime,
  clientSideWarnings,
  matchesClientSide,
  nativeAlertId,
  planAlertList,
} from "./queries.js";

export type { PrismaPolicyType } from "./map.js";

/** Options of {@link prisma}. */
export interface PrismaOptions extends HttpSourceOptions {
  /** Your stack's API host, e.g. `https://api2.eu.prismacloud.io`. @default process.env.PRISMA_API_URL */
  apiUrl?: string;
  /** The access key id (the `/login` username). @default process.env.PRISMA_ACCESS_KEY_ID */
  accessKeyId?: string;
  /**
   * The access key's secret, or a function returning one (called at each login).
   * @default process.env.PRISMA_SECRET_KEY
   */
  secretKey?: Secret;
  /** The tenant to log in to, when the access key reaches several. */
  prismaId?: string;
  /**
   * The tenant's console, for console links of listed alerts.
   * @default derived from `apiUrl` (`https://api2.eu.prismacloud.io` → `https://app2.eu.prismacloud.io`)
   */
  appUrl?: string;
  /** Alerts per page (Prisma allows up to 10 000; smaller pages keep responses small). @default 500 */
  pageSize?: number;
  /** Read only alerts of these policy types (`policy.type` filter); all types when empty. @default [] */
  policyTypes?: readonly PrismaPolicyType[];
  /** Allow `setStatus` and `createException` (dismiss, snooze, reopen). @default false */
  allowWrite?: boolean;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 2, burst: 5 } */
  rateLimit?: RateLimit | false;
}

/**
 * Reads Prisma Cloud (CSPM) alerts of every policy type through `POST /v2/alert` with token paging,
 * and dismisses, snoozes and reopens them when `allowWrite` is set. `query()` passes RQL through
 * (`config from`, `event from`, `network from`).
 *
 * A record that cannot be normalized goes to `report.deadLetters` (stage `source:prisma`) and the run
 * goes on; without a `report`, it is only announced as an `item-failed` event. A page that still fails
 * after retries ends the iteration with its error: results are never silently partial.
 * @example
 * const source = prisma({ apiUrl: "https://api2.eu.prismacloud.io" });
 * for await (const finding of source.findings({ severity: ["critical"], status: ["open"] })) console.log(finding.title);
 */
export function prisma(options: PrismaOptions = {}): CnappSource {
  const client = createPrismaClient(options);
  const pageSize = pageSizeOf(options.pageSize, 10_000);
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    appUrl: options.appUrl ?? prismaAppUrl(optionOrEnv(options.apiUrl, "PRISMA_API_URL")),
  });

  const changeStatus = async (
    route: "dismiss" | "reopen",
    body: Record<string, unknown>,
    call: CallOptions,
  ) => {
    await client.request("POST", `/alert/${route}`, {
      // `filter.timeRange` is required even with explicit alert ids (docs/prisma.md, Sources: write-back).
      json: { policies: [], ...body, filter: { timeRange: allTime, filters: [] } },
      signal: call.signal,
      idempotent: false,
    });
  };

  return {
    specificationVersion: "v1",
    platform: "prisma",
    capabilities: { getFinding: true, nativeQuery: true, setStatus: true, createException: true, resume: true },
    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      const pinned = pinQuery(query) as FindingQuery;
      let plan: AlertListPlan | undefined;
      return paginate<Finding, string>(
        async (cursor, signal) => {
          if (!plan) {
            plan = planAlertList(pinned, pageSize, options.policyTypes);
            for (const warning of clientSideWarnings(plan)) {
              raiseWarning(call.report, options.events, warning);
            }
          }
          // A next page is asked for with its token alone, as the vendor SDK does (docs/prisma.md, Sources: listing).
          const response = await client.request<unknown>("POST", "/v2/alert", {
            json: cursor ? { pageToken: cursor } : plan.body,
            searchParams: { detailed: true },
            signal,
            idempotent: true,
          });
          const page = readAlertPage(response.data);
          const pageOptions = normalizeOptions();
          const { clientSide } = plan;
          const items = normalizePage(page.items, {
            normalize: (record) => normalize(record, pageOptions),
            matches: (finding) => matchesClientSide(finding, pinned, clientSide),
            stage: "source:prisma",
            itemId: (record) => itemIdOf("prisma", (record as { id?: unknown } | null)?.id),
            report: call.report,
            events: options.events,
          });
          // A token can come back with the last page: a short page ends the run (docs/prisma.md, Sources: listing).
          const next = page.items.length >= pageSize ? page.nextPageToken || undefined : undefined;
          return { items, next };
        },
        {
          signal: call.signal,
          cursor: pinned.cursor,
          integration: "prisma",
          onPage: call.onPage && (({ next, count }) => call.onPage!({ next, count })),
        },
      );
    },

    async getFinding(id, call = {}) {
      const alertId = nativeAlertId(id);
      try {
        const response = await client.request<unknown>("GET", `/alert/${encodeURIComponent(alertId)}`, {
          searchParams: { detailed: true },
          signal: call.signal,
          idempotent: true,
        });
        return response.data === undefined ? undefined : normalize(response.data, normalizeOptions());
      } catch (error) {
        if (isCloudstewardError(error, "NOT_FOUND")) return undefined;
        throw error;
      }
    },

    async query(native: NativeQuery, call: CallOptions = {}) {
      return runRql(native, (path, json) =>
        client
          .request<unknown>("POST", path, { json, signal: call.signal, idempotent: true })
          .then((response) => response.data),
      );
    },

    async setStatus(id: string, change: StatusChange, call: CallOptions = {}) {
      assertWritable("prisma", options.allowWrite, "setStatus");
      const alerts = [nativeAlertId(id)];
      if (change.status === "open") return changeStatus("reopen", { alerts }, call);
      if (change.status === "suppressed" || change.status === "risk_accepted") {
        const note = [change.reason, change.note].filter(Boolean).join(": ") || "Dismissed by cloudsteward";
        return changeStatus("dismiss", { alerts, dismissalNote: note }, call);
      }
      throw new ConfigurationError(
        `prisma: setStatus cannot set "${change.status}": Prisma Cloud alerts can only be dismissed, snoozed or reopened (Prisma resolves alerts itself when the resource is fixed).`,
        { option: "status" },
      );
    },

    async createException(request: ExceptionRequest, call: CallOptions = {}): Promise<ExceptionRef> {
      assertWritable("prisma", options.allowWrite, "createException");
      const until = Date.parse(request.expiresAt);
      const now = Date.now();
      if (Number.isNaN(until) || until <= now) {
        throw new ConfigurationError(
          `prisma: createException needs a future ISO-8601 expiresAt, got "${request.expiresAt}".`,
          { option: "expiresAt" },
        );
      }
      const alertId = nativeAlertId(request.findingId);
      const note = request.note ? ` ${request.note}` : "";
      await changeStatus(
        "dismiss",
        {
          alerts: [alertId],
          dismissalNote: `${request.reason} (requested by ${request.requestedBy}, approved by ${request.approvedBy}, until ${new Date(until).toISOString()}).${note}`,
          // A dismissal with a time range is a snooze: the alert reopens when it ends (docs/prisma.md, Sources: write-back).
          dismissalTimeRange: { type: "absolute", value: { startTime: now, endTime: until } },
        },
        call,
      );
      // A snooze is a state of the alert, not an object of its own: the alert id is its reference.
      return { id: alertId };
    },
  };
}

// Internal helpers.

/** Reads `{ items, nextPageToken }`; anything else means the API shape changed. */
function readAlertPage(data: unknown): { items: unknown[]; nextPageToken?: string } {
  const page = data as { items?: unknown; nextPageToken?: unknown } | undefined;
  if (!page || !Array.isArray(page.items)) {
    throw new InvalidResponseError("prisma: the /v2/alert page had no items array; the API shape changed.", {
      integration: "prisma",
      issues: [{ path: ["items"], message: "expected an array" }],
    });
  }
  const token = typeof page.nextPageToken === "string" ? page.nextPageToken : undefined;
  return { items: page.items, nextPageToken: token };
}

/** The RQL endpoints by verb (docs/prisma.md, Sources: query language). */
const rqlRoutes = { config: "/search/api/v2/config", event: "/search/event", network: "/search" } as const;

/** Most config rows `query()` collects by following `nextPageToken`. */
const maxRqlRows = 10_000;

/**
 * Runs one RQL query: `config from …` pages through `/search/api/v2/config` (up to `variables.maxRows`,
 * default 10 000 rows) and answers `{ items, totalRows }`; `event from …` and `network from …` answer
 * the API's response as is. Variables: `timeRange` (default all time), `limit` (default 100),
 * `withResourceJson` (default true), `maxRows`. RQL only reads, so nothing is refused for writing;
 * anything that is not RQL is refused before it is sent.
 */
async function runRql(
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

/** The console of an API host: `api2.eu.prismacloud.io` → `https://app2.eu.prismacloud.io`. */
function prismaAppUrl(apiUrl: string | undefined): string | undefined {
  const host = apiUrl && URL.canParse(apiUrl) ? new URL(apiUrl).hostname : "";
  const match = /^api(\d*)((?:\.[a-z]+)?\.prismacloud\.(?:io|cn))$/i.exec(host);
  return match ? `https://app${match[1]}${match[2]!.toLowerCase()}` : undefined;
}
