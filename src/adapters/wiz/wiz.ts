import {
  assertWritable,
  ConfigurationError,
  InvalidResponseError,
  NotFoundError,
  toErrorIssues,
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
} from "../../core/source.js";
import { type HttpSourceOptions, pageSizeOf } from "../shared/options.js";
import { itemIdOf, normalizePage, raiseWarning } from "../shared/report.js";
import { createWizClient } from "./client.js";
import { GraphqlSyntaxError, parseOperations } from "./graphql.js";
import type { WizKind } from "./map-severity.js";
import { toWizIssuePatch } from "./map-status.js";
import { normalize } from "./normalize.js";
import {
  createIgnoreRuleMutation,
  kindsFor,
  listQueries,
  matchesQuery,
  toFilterBy,
  unsupportedFilterWarnings,
  updateIssueMutation,
} from "./queries.js";
import { wizConnectionSchema } from "./schemas.js";

export type { WizKind } from "./map-severity.js";

/** Options of {@link wiz}. */
export interface WizOptions extends HttpSourceOptions {
  /** Service-account client id. @default process.env.WIZ_CLIENT_ID */
  clientId?: string;
  /**
   * Service-account secret, or a function returning one (called on each token refresh).
   * @default process.env.WIZ_CLIENT_SECRET
   */
  clientSecret?: Secret;
  /** Your tenant's GraphQL endpoint, e.g. `https://api.us20.app.wiz.io/graphql`. @default process.env.WIZ_API_URL */
  apiUrl?: string;
  /** The OAuth token endpoint. @default process.env.WIZ_AUTH_URL, else `https://auth.app.wiz.io/oauth/token` */
  authUrl?: string;
  /** Records per page (Wiz allows at most 500). @default 500 */
  pageSize?: number;
  /** The finding families `findings()` reads, in this order. @default ["issue", "configuration", "vulnerability"] */
  kinds?: readonly WizKind[];
  /** Allow `setStatus`, `createException` and mutations through `query`. @default false */
  allowWrite?: boolean;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 3, burst: 3 } */
  rateLimit?: RateLimit | false;
  /**
   * The Wiz portal for console links. @default derived from `apiUrl` (`api.<dc>.app.wiz.us` → `https://app.wiz.us`),
   * else `https://app.wiz.io`
   */
  portalUrl?: string;
}

/**
 * Reads findings from Wiz (Issues, Cloud Configuration Findings and Vulnerability Findings) through its
 * GraphQL API, and writes status changes and ignore rules back when `allowWrite` is set.
 *
 * A record that cannot be normalized goes to `report.deadLetters` (stage `source:wiz`) and the run goes on;
 * without a `report`, it is skipped and only announced as an `item-failed` event. A page that still fails
 * after retries ends the iteration with its error: results are never silently partial.
 * @example
 * const source = wiz({ apiUrl: "https://api.us20.app.wiz.io/graphql" });
 * for await (const finding of source.findings({ severity: ["critical"] })) console.log(finding.title);
 */
export function wiz(options: WizOptions = {}): CnappSource {
  const client = createWizClient(options);
  const pageSize = pageSizeOf(options.pageSize, 500);
  const kinds = [...(options.kinds ?? (["issue", "configuration", "vulnerability"] as const))];
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    portalUrl: options.portalUrl ?? wizPortalUrl(optionOrEnv(options.apiUrl, "WIZ_API_URL")),
  });

  const lookup = async (id: string, call: CallOptions = {}) => {
    const nativeId = id.startsWith("wiz:") ? id.slice(4) : id;
    for (const kind of kinds) {
      const list = listQueries[kind];
      const data = await client.graphql<Record<string, unknown>>(
        list.document,
        { first: 1, filterBy: kind === "issue" ? { id: nativeId } : { id: [nativeId] } },
        { signal: call.signal, idempotent: true },
      );
      const record = readConnection(data, list.key).nodes[0];
      if (record !== undefined) return { kind, record, finding: normalize(record, normalizeOptions()) };
    }
    return undefined;
  };

  return {
    specificationVersion: "v1",
    platform: "wiz",
    capabilities: { getFinding: true, nativeQuery: true, setStatus: true, createException: true, resume: true },
    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      const pinned = pinQuery(query) as FindingQuery;
      const selected = kindsFor(kinds, pinned);
      let warned = false;
      return paginate<Finding, string>(
        async (cursor, signal) => {
          if (!warned) {
            warned = true;
            for (const warning of unsupportedFilterWarnings(selected, pinned)) {
              raiseWarning(call.report, options.events, warning);
            }
          }
          const position = decodeCursor(cursor, selected);
          if (!position) return { items: [] };
          const { kind, after } = position;
          const list = listQueries[kind];
          const data = await client.graphql<Record<string, unknown>>(
            list.document,
            { first: pageSize, after: after || undefined, filterBy: toFilterBy(kind, pinned) },
            { signal, idempotent: true },
          );
          const page = readConnection(data, list.key);
          const pageOptions = normalizeOptions();
          const items = normalizePage(page.nodes, {
            normalize: (record) => normalize(record, pageOptions),
            matches: (finding) => matchesQuery(finding, pinned),
            stage: "source:wiz",
            itemId: (record) => itemIdOf("wiz", (record as { id?: unknown } | null)?.id),
            report: call.report,
            events: options.events,
          });
          const nextKind = selected[selected.indexOf(kind) + 1];
          const next =
            page.pageInfo.hasNextPage && page.pageInfo.endCursor
              ? `${kind}:${page.pageInfo.endCursor}`
              : nextKind
                ? `${nextKind}:`
                : undefined;
          return { items, next };
        },
        {
          signal: call.signal,
          cursor: pinned.cursor,
          integration: "wiz",
          onPage: call.onPage && (({ next, count }) => call.onPage!({ next, count })),
        },
      );
    },

    async getFinding(id, call) {
      return (await lookup(id, call))?.finding;
    },

    async query(native: NativeQuery, call: CallOptions = {}) {
      const operations = readOperations(native.query, options.allowWrite);
      const writes = operations.some((type) => type !== "query");
      if (writes) assertWritable("wiz", options.allowWrite, "query (a GraphQL mutation)");
      return client.graphql<unknown>(native.query, native.variables ?? {}, {
        signal: call.signal,
        idempotent: !writes,
      });
    },

    async setStatus(id, change, call = {}) {
      assertWritable("wiz", options.allowWrite, "setStatus");
      const issueId = id.startsWith("wiz:") ? id.slice(4) : id;
      await client.graphql(
        updateIssueMutation,
        { issueId, patch: toWizIssuePatch(change) },
        { signal: call.signal, idempotent: false },
      );
    },

    async createException(request: ExceptionRequest, call: CallOptions = {}): Promise<ExceptionRef> {
      assertWritable("wiz", options.allowWrite, "createException");
      if (Number.isNaN(Date.parse(request.expiresAt))) {
        throw new ConfigurationError(
          `wiz: createException needs an ISO-8601 expiresAt, got "${request.expiresAt}".`,
          {
            option: "expiresAt",
          },
        );
      }
      const found = await lookup(request.findingId, call);
      if (!found) {
        throw new NotFoundError(
          `wiz: finding ${request.findingId} does not exist (or is not visible to this service account).`,
          {
            integration: "wiz",
            status: 404,
            method: "POST",
            url: "graphql",
          },
        );
      }
      const data = await client.graphql<{ createIgnoreRule?: { rule?: { id?: string } } }>(
        createIgnoreRuleMutation,
        { input: ignoreRuleInput(found.kind, found.record, found.finding, request) },
        { signal: call.signal, idempotent: false },
      );
      const ruleId = data.createIgnoreRule?.rule?.id;
      if (!ruleId) {
        throw new NotFoundError("wiz: createIgnoreRule answered without a rule id.", {
          integration: "wiz",
          status: 200,
          method: "POST",
          url: "graphql",
        });
      }
      return { id: ruleId };
    },
  };
}

// Internal helpers.

/** Cursors are `<kind>:<Wiz endCursor>`, so a run can resume in the middle of any family. */
function decodeCursor(
  cursor: string | undefined,
  kinds: readonly WizKind[],
): { kind: WizKind; after: string } | undefined {
  if (cursor === undefined || cursor === "") {
    const first = kinds[0];
    return first ? { kind: first, after: "" } : undefined;
  }
  const separator = cursor.indexOf(":");
  const kind = cursor.slice(0, separator) as WizKind;
  if (separator < 0 || !kinds.includes(kind)) {
    throw new ConfigurationError(
      `wiz: cursor "${cursor.slice(0, 40)}" was not made by this source for this query (expected "<kind>:<cursor>" with kind one of ${kinds.join(", ")}).`,
      { option: "cursor" },
    );
  }
  return { kind, after: cursor.slice(separator + 1) };
}

function readConnection(data: Record<string, unknown>, key: string) {
  const parsed = wizConnectionSchema.safeParse(data[key]);
  if (parsed.success) return parsed.data;
  throw new InvalidResponseError(`wiz: the ${key} page had no nodes/pageInfo; the API shape changed.`, {
    integration: "wiz",
    issues: toErrorIssues(parsed.error.issues).map((issue) => ({ ...issue, path: [key, ...issue.path] })),
  });
}

function readOperations(document: string, allowWrite: boolean | undefined): string[] {
  try {
    return parseOperations(document).map((operation) => operation.type);
  } catch (error) {
    if (!(error instanceof GraphqlSyntaxError)) throw error;
    // A document we cannot read might hide a mutation: refuse it unless writes are on.
    if (allowWrite) return ["unknown"];
    throw new ConfigurationError(
      `wiz: query() could not read the GraphQL document (${error.message}), so it was not sent.`,
      {
        option: "query",
        cause: error,
      },
    );
  }
}

function ignoreRuleInput(kind: WizKind, record: unknown, finding: Finding, request: ExceptionRequest) {
  const typename = (record as { sourceRule?: { __typename?: string } }).sourceRule?.__typename;
  const ruleKey =
    kind === "configuration" || typename === "CloudConfigurationRule"
      ? "cloudConfigurationRuleIds"
      : kind === "vulnerability"
        ? "vulnerabilityExternalIds"
        : typename === "CloudEventRule"
          ? "threatDetectionRuleIds"
          : "controlIds";
  const findingType =
    kind === "configuration"
      ? "CONFIGURATION_FINDING"
      : kind === "vulnerability"
        ? "VULNERABILITY_FINDING"
        : finding.category === "threat"
          ? "THREAT_DETECTION_ISSUE"
          : "ISSUE";
  const note = request.note ? ` ${request.note}` : "";
  return {
    name: `cloudsteward: ${finding.rule.name} on ${finding.resource.name || finding.resource.id}`.slice(
      0,
      200,
    ),
    description: `${request.reason} (requested by ${request.requestedBy}, approved by ${request.approvedBy}, until ${request.expiresAt}).${note}`,
    findingTypes: [findingType],
    findingIgnoreReason: /false.?positive/i.test(request.reason) ? "FALSE_POSITIVE" : "EXCEPTION",
    resourceConditions: { providerUniqueId: { equals: [finding.resource.id] } },
    [ruleKey]: [finding.rule.id],
    expiredAt: new Date(request.expiresAt).toISOString(),
    actions: [{ ignoreFinding: { ignore: true } }],
  };
}

/** The portal of a tenant's API host: `https://api.us20.app.wiz.io/graphql` → `https://app.wiz.io`. */
function wizPortalUrl(apiUrl: string | undefined): string | undefined {
  const host = apiUrl && URL.canParse(apiUrl) ? new URL(apiUrl).hostname : "";
  const portal = /^api\.[a-z0-9-]+\.(app\.wiz\.(?:io|us))$/i.exec(host)?.[1];
  return portal ? `https://${portal.toLowerCase()}` : undefined;
}
