import { assertWritable } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { paginate, pinQuery } from "../../core/paginate.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, type Secret } from "../../core/secret.js";
import type { CallOptions, CnappSource, FindingQuery, NativeQuery } from "../../core/source.js";
import { cnappCapabilities, type HttpSourceOptions, pageSizeOf } from "../shared/options.js";
import { itemIdOf, normalizePage, recorderOf, warnOnce } from "../shared/report.js";
import { createWizClient, findRecord, listPage } from "./client.js";
import type { WizKind } from "./map-severity.js";
import { normalize } from "./normalize.js";
import { graphqlOperations, kindsFor, matchesQuery, unsupportedFilterWarnings } from "./queries.js";
import {
  createIgnoreRule,
  createIssueNote,
  deleteIgnoreRule,
  updateIssue,
  type WizLookup,
} from "./write-back.js";

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

  const lookup = async (id: string, call: CallOptions = {}): Promise<WizLookup | undefined> => {
    const found = await findRecord(client, kinds, nativeIdOf(id), call.signal);
    return found && { ...found, finding: normalize(found.record, normalizeOptions()) };
  };

  return {
    specificationVersion: "v1",
    platform: "wiz",
    capabilities: cnappCapabilities,
    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      const pinned = pinQuery(query) as FindingQuery;
      const selected = kindsFor(kinds, pinned);
      const record = recorderOf(call, options.events);
      const warn = warnOnce(record);
      return paginate<Finding, string>(
        async (cursor, signal) => {
          for (const warning of unsupportedFilterWarnings(selected, pinned)) warn(warning);
          const page = await listPage(client, {
            kinds: selected,
            query: pinned,
            cursor,
            first: pageSize,
            signal,
          });
          if (!page) return { items: [] };
          const pageOptions = { ...normalizeOptions(), onWarning: warn };
          const items = normalizePage(page.nodes, {
            normalize: (record) => normalize(record, pageOptions),
            matches: (finding) => matchesQuery(finding, pinned),
            stage: "source:wiz",
            itemId: (record) => itemIdOf("wiz", (record as { id?: unknown } | null)?.id),
            record,
          });
          return { items, next: page.next };
        },
        {
          signal: call.signal,
          cursor: pinned.cursor,
          integration: "wiz",
          readAhead: options.readAhead ?? true,
          onPage: call.onPage && (({ next, count }) => call.onPage!({ next, count })),
        },
      );
    },

    async getFinding(id, call) {
      return (await lookup(id, call))?.finding;
    },

    async query(native: NativeQuery, call: CallOptions = {}) {
      const writes = graphqlOperations(native.query, options.allowWrite).some((type) => type !== "query");
      if (writes) assertWritable("wiz", options.allowWrite, "query (a GraphQL mutation)");
      return client.graphql<unknown>(native.query, native.variables ?? {}, {
        signal: call.signal,
        idempotent: !writes,
      });
    },

    async setStatus(id, change, call = {}) {
      assertWritable("wiz", options.allowWrite, "setStatus");
      await updateIssue(client, nativeIdOf(id), change, call.signal);
    },

    async createException(request, call = {}) {
      assertWritable("wiz", options.allowWrite, "createException");
      return createIgnoreRule(client, request, () => lookup(request.findingId, call), call.signal);
    },

    async removeException(ref, call = {}) {
      assertWritable("wiz", options.allowWrite, "removeException");
      await deleteIgnoreRule(client, ref.id, call.signal);
    },

    async comment(id, text, call = {}) {
      assertWritable("wiz", options.allowWrite, "comment");
      const issueId = nativeIdOf(id);
      await createIssueNote(client, issueId, text, () => lookup(id, call), call.signal);
    },
  };
}

// Internal helpers.

function nativeIdOf(id: string): string {
  return id.startsWith("wiz:") ? id.slice(4) : id;
}

/** The portal of a tenant's API host: `https://api.us20.app.wiz.io/graphql` → `https://app.wiz.io`. */
function wizPortalUrl(apiUrl: string | undefined): string | undefined {
  const host = apiUrl && URL.canParse(apiUrl) ? new URL(apiUrl).hostname : "";
  const portal = /^api\.[a-z0-9-]+\.(app\.wiz\.(?:io|us))$/i.exec(host)?.[1];
  return portal ? `https://${portal.toLowerCase()}` : undefined;
}
