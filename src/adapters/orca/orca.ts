import { assertWritable } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { paginate, pinQuery } from "../../core/paginate.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, type Secret } from "../../core/secret.js";
import type { CallOptions, CnappSource, FindingQuery } from "../../core/source.js";
import { cnappCapabilities, type HttpSourceOptions, pageSizeOf } from "../shared/options.js";
import { itemIdOf, normalizePage, recorderOf, warnOnce } from "../shared/report.js";
import { createOrcaClient, defaultOrcaApiUrl, envelopeData, listPage, servingLayerRows } from "./client.js";
import { defaultOrcaConsoleUrl, normalize, orcaAlertIdOf } from "./normalize.js";
import {
  alertByIdRequest,
  compileQueryCheck,
  readSonar,
  unsupportedFeatureWarnings,
  unwrapRow,
} from "./queries.js";
import { commentAlert, setAlertStatus, snoozeAlert, snoozedAlertOf } from "./write-back.js";

/** Options of {@link orca}. */
export interface OrcaOptions extends HttpSourceOptions {
  /**
   * An Orca API or service-account token (sent as `Authorization: Token <token>`), or a function returning
   * one (called again after a 401, so a rotated token is picked up).
   * @default process.env.ORCA_API_TOKEN
   */
  apiToken?: Secret;
  /**
   * The API root of your Orca region, e.g. `https://app.eu.orcasecurity.io/api`.
   * @default process.env.ORCA_API_URL, else `https://api.orcasecurity.io/api` (US)
   */
  apiUrl?: string;
  /**
   * The Orca console for alert links. @default derived from `apiUrl` (`api.orcasecurity.io` →
   * `https://app.orcasecurity.io`, `app.eu.orcasecurity.io` → `https://app.eu.orcasecurity.io`), else `https://app.orcasecurity.io`
   */
  consoleUrl?: string;
  /** Alerts per page (`limit`; Orca is not known to accept more than 1 000). @default 500 */
  pageSize?: number;
  /** Allow `setStatus`, `createException` and writes through `query` (custom Sonar rules). @default false */
  allowWrite?: boolean;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 5, burst: 5 } */
  rateLimit?: RateLimit | false;
}

/**
 * Reads Orca Security alerts (posture, vulnerability, IAM, data, malware and threat alerts alike) through
 * the serving layer (`POST /api/serving-layer/query`, Sonar filters, offset paging), and writes status
 * changes, comments and snoozes back when `allowWrite` is set.
 *
 * A record that cannot be normalized goes to `report.deadLetters` (stage `source:orca`) and the run goes on;
 * a page that still fails after retries ends the iteration with its error: results are never silently partial.
 * Cursors reported through `onPage` are offsets and resume the same query.
 * @example
 * const source = orca({ apiUrl: "https://app.eu.orcasecurity.io/api" }); // token from ORCA_API_TOKEN
 * for await (const finding of source.findings({ severity: ["critical", "high"], status: ["open"] })) {
 *   console.log(finding.title, finding.source.url);
 * }
 */
export function orca(options: OrcaOptions = {}): CnappSource {
  const client = createOrcaClient(options);
  const pageSize = pageSizeOf(options.pageSize, 1000);
  const consoleUrl = () => options.consoleUrl ?? orcaConsoleUrl(optionOrEnv(options.apiUrl, "ORCA_API_URL"));
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    consoleUrl: consoleUrl(),
  });

  return {
    specificationVersion: "v1",
    platform: "orca",
    capabilities: cnappCapabilities,

    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      const pinned = pinQuery(query) as FindingQuery;
      const matches = compileQueryCheck(pinned);
      const record = recorderOf(call, options.events);
      const warn = warnOnce(record);
      return paginate<Finding, string>(
        async (cursor, signal) => {
          for (const warning of unsupportedFeatureWarnings(pinned)) warn(warning);
          const page = await listPage(client, { query: pinned, cursor, pageSize, signal });
          const pageOptions = { ...normalizeOptions(), onWarning: warn };
          const items = normalizePage(page.rows, {
            normalize: (row) => normalize(row, pageOptions),
            matches,
            stage: "source:orca",
            itemId: (row) => itemIdOf("orca", orcaAlertIdOf(row)),
            record,
          });
          return { items, next: page.next };
        },
        {
          signal: call.signal,
          cursor: pinned.cursor,
          integration: "orca",
          onPage: call.onPage,
          readAhead: options.readAhead ?? true,
        },
      );
    },

    async getFinding(id, call = {}) {
      const { rows } = await servingLayerRows(client, alertByIdRequest(nativeIdOf(id)), call.signal);
      return rows[0] === undefined ? undefined : normalize(rows[0], normalizeOptions());
    },

    async query(native, call = {}) {
      const body = readSonar(native);
      if (typeof body.rule === "string") {
        assertWritable("orca", options.allowWrite, "query (creating a custom Sonar rule)");
        const created = await client.request("POST", "/sonar/rules", {
          json: body,
          signal: call.signal,
          idempotent: false,
        });
        return envelopeData(created, "POST /api/sonar/rules");
      }
      const request: Record<string, unknown> = "query" in body ? { ...body } : { query: body };
      request.start_at_index ??= native.variables?.start_at_index ?? 0;
      request.limit ??= native.variables?.limit ?? pageSize;
      const { rows } = await servingLayerRows(client, request, call.signal);
      return rows.map(unwrapRow);
    },

    async setStatus(id, change, call = {}) {
      assertWritable("orca", options.allowWrite, "setStatus");
      await setAlertStatus(client, nativeIdOf(id), change, call.signal);
    },

    async createException(request, call = {}) {
      assertWritable("orca", options.allowWrite, "createException");
      const links = consoleUrl() ?? defaultOrcaConsoleUrl;
      return snoozeAlert(client, nativeIdOf(request.findingId), request, links, call.signal);
    },

    async removeException(ref, call = {}) {
      assertWritable("orca", options.allowWrite, "removeException");
      // Reopening ends the snooze (docs/orca.md, Sources: write-back).
      await setAlertStatus(client, snoozedAlertOf(ref.id), { status: "open" }, call.signal);
    },

    async comment(id, text, call = {}) {
      assertWritable("orca", options.allowWrite, "comment");
      await commentAlert(client, nativeIdOf(id), text, call.signal);
    },
  };
}

// Internal helpers.

function nativeIdOf(id: string): string {
  return id.startsWith("orca:") ? id.slice(5) : id;
}

/** The console of a tenant's API host: `api.orcasecurity.io` → `https://app.orcasecurity.io` (regional hosts alike). */
function orcaConsoleUrl(apiUrl: string | undefined): string | undefined {
  const host = URL.canParse(apiUrl ?? defaultOrcaApiUrl) ? new URL(apiUrl ?? defaultOrcaApiUrl).hostname : "";
  const region = /^(?:api|app)\.(?:([a-z]{2})\.)?orcasecurity\.io$/i.exec(host);
  if (!region) return undefined;
  return region[1] ? `https://app.${region[1].toLowerCase()}.orcasecurity.io` : "https://app.orcasecurity.io";
}
