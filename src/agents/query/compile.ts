import {
  kindsFor as laceworkKindsFor,
  serverSideFilters as laceworkServerSide,
  maxLookbackDays,
  maxWindowMs,
  searchPaths,
  toSearchFilters,
} from "../../adapters/lacework/queries.js";
import { alertsRequest } from "../../adapters/orca/queries.js";
import { planAlertList } from "../../adapters/prisma/queries.js";
import {
  listQueries,
  toFilterBy,
  kindsFor as wizKindsFor,
  serverSideFilters as wizServerSide,
} from "../../adapters/wiz/queries.js";
import type { FindingQuery } from "../../core/source.js";
import type { AccountEnvironments } from "./evaluate.js";
import type { PostureFilterName, PostureFilters, PostureQuery } from "./schema.js";

/** One request a platform receives for a query: method, path and body, exactly as the adapter sends it. */
export interface NativeRequest {
  method: "POST";
  /** The API path (`/graphql`, `/v2/alert`, `/api/serving-layer/query`, `/api/v2/Alerts/search`). */
  path: string;
  /** The JSON body of the first page; later pages add only the cursor or offset. */
  body: Record<string, unknown>;
  /** What the request reads, and how it pages. */
  note: string;
}

/** What one platform does with a query. */
export interface PlatformPlan {
  platform: string;
  /**
   * True when the `platform` filter leaves this platform out, or no account is mapped to the wanted
   * environments: it receives no request.
   */
  skipped: boolean;
  /** The platform-neutral filter passed to the source's `findings()`. */
  findingQuery: FindingQuery;
  /** Filters the platform applies before answering (fewer records on the wire). */
  serverSide: PostureFilterName[];
  /** Filters only cloudsteward applies, on each returned finding. */
  clientSide: PostureFilterName[];
  /** The native requests, built as data from the query's values (no user text is spliced into a query string). */
  requests: NativeRequest[];
  /** Why some filters run client-side. */
  warnings: string[];
}

/** Per platform, what runs where and the exact native request. */
export interface QueryPlan {
  subject: PostureQuery["subject"];
  /** The time point the query is measured from (ISO-8601). */
  asOf: string;
  /** For `findings`: one entry per source. Empty for `cases` and `exceptions`, which the Store answers. */
  platforms: PlatformPlan[];
  /** Where a Store question is answered from (`cli:cases`, `exceptions`). */
  storeNamespace?: string;
  /** Every filter also runs client-side, compiled once into one predicate: this lists those that run only there. */
  clientSideOnly: PostureFilterName[];
  warnings: string[];
}

/** What {@link compilePlatform} and {@link toFindingQuery} need besides the query. */
export interface CompileOptions {
  /**
   * The environment of each cloud account. With it, an `environment` filter is sent to the platforms
   * as the accounts in those environments (`accountIds`), and evaluated by account (see
   * `EvaluationOptions.accountEnvironments`). Without it, the environment is read from tags, client-side.
   */
  accountEnvironments?: AccountEnvironments;
}

/** Page sizes the adapters use by default (the first request of each names it). */
const pageSizes = { wiz: 500, prisma: 10_000, orca: 1_000 } as const;
const day = 86_400_000;

/**
 * The part of a posture query every adapter's `findings()` understands: severity, status, category,
 * account ids (narrowed to the accounts of the wanted environments when `accountEnvironments` is
 * given, see {@link environmentAccounts}), the first-seen bounds (`createdAfter` from `firstSeen.after` / `newerThanDays`,
 * `createdBefore` from `firstSeen.before` / `olderThanDays`) and the last-seen lower bound. The rest is
 * evaluated client-side. The platforms' bounds are inclusive and every filter also runs client-side, so
 * an exclusive bound sent as an inclusive one only lets the same instant through, which is then dropped.
 * Frameworks are not pushed: the platforms' own framework filters match vendor control names only,
 * while the query maps findings through cloudsteward/compliance (vendor, catalog and knowledge routes).
 */
export function toFindingQuery(
  filters: PostureFilters,
  asOf: Date,
  options: CompileOptions = {},
): FindingQuery {
  const query: FindingQuery = {};
  if (filters.severity) query.severity = [...filters.severity];
  if (filters.status) query.status = [...filters.status];
  if (filters.category) query.category = [...filters.category];
  const accounts = environmentAccounts(filters, options.accountEnvironments) ?? filters.accountId;
  if (accounts) query.accountIds = [...accounts];
  const ago = (days: number | undefined) => (days === undefined ? undefined : asOf.getTime() - days * day);
  const parsed = (instant: string | undefined) => (instant ? Date.parse(instant) : undefined);
  const createdAfter = tighter(parsed(filters.firstSeen?.after), ago(filters.newerThanDays), Math.max);
  if (createdAfter !== undefined) query.createdAfter = new Date(createdAfter).toISOString();
  const createdBefore = tighter(parsed(filters.firstSeen?.before), ago(filters.olderThanDays), Math.min);
  if (createdBefore !== undefined) query.createdBefore = new Date(createdBefore).toISOString();
  if (filters.lastSeen?.after)
    query.updatedAfter = new Date(Date.parse(filters.lastSeen.after)).toISOString();
  return query;
}

/**
 * The accounts an `environment` filter stands for, given the environment of each account: those mapped
 * to one of the wanted environments (and in `accountId`, when both are given). `undefined` when there
 * is no environment filter or no map, or when `unknown` is wanted (any unlisted account is `unknown`,
 * which no list of accounts can name). An empty list means no account can match.
 * @example
 * environmentAccounts({ environment: ["production"] }, { "111122223333": "production", "444455556666": "staging" }); // ["111122223333"]
 */
export function environmentAccounts(
  filters: PostureFilters,
  accountEnvironments: AccountEnvironments | undefined,
): string[] | undefined {
  const wanted = filters.environment;
  if (!wanted || !accountEnvironments || wanted.includes("unknown")) return undefined;
  const accounts = Object.keys(accountEnvironments).filter((account) =>
    wanted.includes(accountEnvironments[account]!),
  );
  return filters.accountId ? accounts.filter((account) => filters.accountId!.includes(account)) : accounts;
}

/**
 * Compiles a query for one platform: its native requests and which filters it applies server-side.
 * Built-in platforms (`wiz`, `prisma`, `orca`, `lacework`) get their adapter's own request builders;
 * any other source gets the platform-neutral {@link FindingQuery} and every filter client-side.
 * @example
 * compilePlatform("wiz", query, new Date()).requests[0].body.variables.filterBy; // { severity: ["CRITICAL"], … }
 */
export function compilePlatform(
  platform: string,
  query: PostureQuery,
  asOf: Date,
  options: CompileOptions = {},
): PlatformPlan {
  const filters = query.filters;
  const findingQuery = toFindingQuery(filters, asOf, options);
  const used = (Object.keys(filters) as PostureFilterName[]).filter((name) => filters[name] !== undefined);
  const byAccount = environmentAccounts(filters, options.accountEnvironments);
  const noAccount = byAccount?.length === 0;
  const skipped = noAccount || (filters.platform !== undefined && !filters.platform.includes(platform));
  const compiled = skipped
    ? {
        requests: [],
        server: new Set<PostureFilterName>(),
        features: new Set<keyof FindingQuery>(),
        warnings: [],
      }
    : native(platform, findingQuery, asOf);
  if (byAccount && compiled.features.has("accountIds")) compiled.server.add("environment");
  const serverSide = used.filter((name) => compiled.server.has(name) && fullyPushed(name, filters, compiled));
  const clientSide = used.filter((name) => !serverSide.includes(name));
  const warnings = [...compiled.warnings];
  if (noAccount)
    warnings.push(
      `${platform}: not asked: no account is mapped to ${filters.environment!.join(" or ")}${filters.accountId ? " among the accountId values" : ""}, so nothing can match.`,
    );
  const unpushed = clientSide.filter((name) => name !== "platform");
  if (!skipped && unpushed.length > 0)
    warnings.push(
      `${platform}: ${unpushed.join(", ")} ${unpushed.length === 1 ? "is" : "are"} evaluated client-side on every returned finding.`,
    );
  return { platform, skipped, findingQuery, serverSide, clientSide, requests: compiled.requests, warnings };
}

// --- Internal helpers ---------------------------------------------------------------------------------

/** The tighter of two optional bounds (`pick`: Math.max for a lower bound, Math.min for an upper one). */
function tighter(
  a: number | undefined,
  b: number | undefined,
  pick: (a: number, b: number) => number,
): number | undefined {
  return a === undefined || b === undefined ? (a ?? b) : pick(a, b);
}

interface Compiled {
  requests: NativeRequest[];
  /** Posture filters the platform applies server-side (at least in part). */
  server: Set<PostureFilterName>;
  /** The FindingQuery features the platform applies server-side. */
  features: Set<keyof FindingQuery>;
  warnings: string[];
}

/** The posture filters behind each FindingQuery feature. */
const featureFilters: Partial<Record<keyof FindingQuery, PostureFilterName[]>> = {
  severity: ["severity"],
  status: ["status"],
  category: ["category"],
  accountIds: ["accountId"],
  createdAfter: ["firstSeen", "newerThanDays"],
  createdBefore: ["firstSeen", "olderThanDays"],
  updatedAfter: ["lastSeen"],
};

/**
 * A filter is wholly server-side only when its whole condition is sent: a first-seen window needs both
 * of its bounds pushed, a last-seen window's `before` never is.
 */
function fullyPushed(name: PostureFilterName, filters: PostureFilters, compiled: Compiled): boolean {
  if (name === "firstSeen")
    return (
      (filters.firstSeen?.after === undefined || compiled.features.has("createdAfter")) &&
      (filters.firstSeen?.before === undefined || compiled.features.has("createdBefore"))
    );
  if (name === "lastSeen") return filters.lastSeen?.before === undefined;
  return true;
}

function native(platform: string, query: FindingQuery, asOf: Date): Compiled {
  switch (platform) {
    case "wiz":
      return wiz(query);
    case "prisma":
      return prisma(query, asOf);
    case "orca":
      return orca(query);
    case "lacework":
      return lacework(query, asOf);
    default:
      return {
        requests: [],
        server: new Set(),
        features: new Set(),
        warnings: [
          `${platform}: not a built-in platform; its source's findings() receives the FindingQuery.`,
        ],
      };
  }
}

/** The features of `query` the platform supports, and the posture filters behind them. */
function featuresOf(
  query: FindingQuery,
  supported: (feature: keyof FindingQuery) => boolean,
): Pick<Compiled, "server" | "features"> {
  const server = new Set<PostureFilterName>();
  const features = new Set<keyof FindingQuery>();
  for (const feature of Object.keys(query) as (keyof FindingQuery)[]) {
    if (!supported(feature)) continue;
    features.add(feature);
    for (const name of featureFilters[feature] ?? []) server.add(name);
  }
  return { server, features };
}

function wiz(query: FindingQuery): Compiled {
  const kinds = wizKindsFor(["issue", "configuration", "vulnerability"], query);
  const server = featuresOf(query, (feature) =>
    feature === "category" ? kinds.length < 3 : kinds.every((kind) => wizServerSide[kind].has(feature)),
  );
  const requests = kinds.map((kind) => ({
    method: "POST" as const,
    path: "/graphql",
    body: {
      query: listQueries[kind].document,
      variables: { first: pageSizes.wiz, filterBy: toFilterBy(kind, query) },
    },
    note: `${listQueries[kind].key}: ${pageSizes.wiz} per page, cursor paging (after: endCursor)`,
  }));
  const warnings =
    query.category && kinds.length < 3
      ? [
          `wiz: category is narrowed server-side by reading only ${kinds.map((kind) => listQueries[kind].key).join(", ")}.`,
        ]
      : [];
  return { requests, ...server, warnings };
}

function prisma(query: FindingQuery, asOf: Date): Compiled {
  const plan = planAlertList(query, pageSizes.prisma, [], asOf.getTime());
  const server = featuresOf(
    query,
    (feature) => feature !== "category" && !plan.clientSide.has(feature as never),
  );
  return {
    requests: [
      {
        method: "POST",
        path: "/v2/alert",
        body: plan.body as unknown as Record<string, unknown>,
        note: `alert list: ${pageSizes.prisma} per page, token paging (nextPageToken)`,
      },
    ],
    ...server,
    warnings: [...plan.clientSide].map((feature) => `prisma: the alert API cannot filter by ${feature}.`),
  };
}

function orca(query: FindingQuery): Compiled {
  const server = featuresOf(
    query,
    (feature) => feature !== "category" || !(query.category ?? []).includes("other"),
  );
  return {
    requests: [
      {
        method: "POST",
        path: "/api/serving-layer/query",
        body: alertsRequest(query, 0, pageSizes.orca),
        note: `Sonar alert query: ${pageSizes.orca} per page, offset paging (start_at_index)`,
      },
    ],
    ...server,
    warnings: [],
  };
}

function lacework(query: FindingQuery, asOf: Date): Compiled {
  const kinds = laceworkKindsFor(["alert"], query);
  const server = featuresOf(query, (feature) => kinds.every((kind) => laceworkServerSide[kind].has(feature)));
  const now = asOf.getTime();
  const created = query.createdAfter ? Date.parse(query.createdAfter) : Number.NEGATIVE_INFINITY;
  const start = Math.max(now - 90 * day, created);
  // An alert's first seen is its start time, which the search window bounds: it ends at createdBefore.
  const before = query.createdBefore ? Date.parse(query.createdBefore) : now;
  const until = Math.max(start, Math.min(now, before));
  const windows = Math.max(1, Math.ceil((until - start) / maxWindowMs));
  const requests = kinds.map((kind) => ({
    method: "POST" as const,
    path: searchPaths.alert,
    body: {
      timeFilter: {
        startTime: new Date(start).toISOString(),
        endTime: new Date(Math.min(until, start + maxWindowMs)).toISOString(),
      },
      filters: toSearchFilters(kind, query),
    },
    note: `${kind} search: ${windows} window(s) of at most 7 days back to ${new Date(start).toISOString()} (the API reaches ${maxLookbackDays} days), paging by nextPage URL`,
  }));
  return { requests, ...server, warnings: [] };
}
