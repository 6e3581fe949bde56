import { assertWritable, ConfigurationError, InvalidResponseError } from "../../core/errors.js";
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
import { createOrcaClient, defaultOrcaApiUrl, envelopeData } from "./client.js";
import { normalize, orcaAlertIdOf } from "./normalize.js";
import { alertByIdRequest, alertsRequest, compileQueryCheck, unsupportedFeatureWarnings } from "./sonar.js";

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
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    consoleUrl: options.consoleUrl ?? orcaConsoleUrl(optionOrEnv(options.apiUrl, "ORCA_API_URL")),
  });

  const readRows = async (body: Record<string, unknown>, signal: AbortSignal | undefined) => {
    const response = await client.request<unknown>("POST", "/serving-layer/query", {
      json: body,
      signal,
      idempotent: true,
    });
    const rows = envelopeData(response, "the serving layer");
    if (!Array.isArray(rows)) {
      throw new InvalidResponseError(
        "orca: the serving layer's `data` is not a list of rows; the API shape changed.",
        {
          integration: "orca",
          issues: [{ path: ["data"], message: "expected an array" }],
        },
      );
    }
    return { rows, total: totalOf(response) };
  };

  const write = async (
    alertId: string,
    path: string,
    json: unknown,
    call: CallOptions,
    idempotent: boolean,
  ) => {
    await client.request("PUT", `/alerts/${encodeURIComponent(alertId)}${path}`, {
      json,
      signal: call.signal,
      idempotent,
    });
  };

  return {
    specificationVersion: "v1",
    platform: "orca",
    capabilities: { getFinding: true, nativeQuery: true, setStatus: true, createException: true, resume: true },

    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      const pinned = pinQuery(query) as FindingQuery;
      const matches = compileQueryCheck(pinned);
      let warned = false;
      return paginate<Finding, string>(
        async (cursor, signal) => {
          if (!warned) {
            warned = true;
            for (const warning of unsupportedFeatureWarnings(pinned)) {
              raiseWarning(call.report, options.events, warning);
            }
          }
          const start = decodeOffset(cursor);
          const { rows, total } = await readRows(alertsRequest(pinned, start, pageSize), signal);
          const pageOptions = normalizeOptions();
          const items = normalizePage(rows, {
            normalize: (row) => normalize(row, pageOptions),
            matches,
            stage: "source:orca",
            itemId: (row) => itemIdOf("orca", orcaAlertIdOf(row)),
            report: call.report,
            events: options.events,
          });
          const end = start + rows.length;
          // As Orca's own client pages: on to `total_items` (a server may cap `limit` below ours), else
          // until a short page; an empty page always ends the run.
          const more = rows.length > 0 && (total === undefined ? rows.length === pageSize : end < total);
          return { items, next: more ? String(end) : undefined };
        },
        { signal: call.signal, cursor: pinned.cursor, integration: "orca", onPage: call.onPage },
      );
    },

    async getFinding(id, call = {}) {
      const { rows } = await readRows(alertByIdRequest(nativeIdOf(id)), call.signal);
      return rows[0] === undefined ? undefined : normalize(rows[0], normalizeOptions());
    },

    async query(native: NativeQuery, call: CallOptions = {}) {
      const body = readSonar(native);
      if (typeof body.rule === "string") {
        assertWritable("orca", options.allowWrite, "query (creating a custom Sonar rule)");
        return envelopeData(
          await client.request("POST", "/sonar/rules", {
            json: body,
            signal: call.signal,
            idempotent: false,
          }),
          "POST /api/sonar/rules",
        );
      }
      const request: Record<string, unknown> = "query" in body ? { ...body } : { query: body };
      request.start_at_index ??= native.variables?.start_at_index ?? 0;
      request.limit ??= native.variables?.limit ?? pageSize;
      const { rows } = await readRows(request, call.signal);
      return rows.map(unwrapRow);
    },

    async setStatus(id: string, change: StatusChange, call: CallOptions = {}) {
      assertWritable("orca", options.allowWrite, "setStatus");
      const alertId = nativeIdOf(id);
      // PUT /status/<verb>: the verbs (close, dismiss) differ from the states read back (closed, dismissed).
      await write(alertId, `/status/${statusVerbs[change.status]}`, undefined, call, true);
      const comment = [change.reason, change.note].filter(Boolean).join(": ");
      // Status calls carry no reason; the justification goes in a comment (docs/orca.md, Sources: write-back).
      if (comment) await write(alertId, "/comment", { comment }, call, false);
    },

    async createException(request: ExceptionRequest, call: CallOptions = {}): Promise<ExceptionRef> {
      assertWritable("orca", options.allowWrite, "createException");
      const until = Date.parse(request.expiresAt);
      if (Number.isNaN(until)) {
        throw new ConfigurationError(
          `orca: createException needs an ISO-8601 expiresAt, got "${request.expiresAt}".`,
          {
            option: "expiresAt",
          },
        );
      }
      // Orca snoozes in whole days: round up, so the exception never ends before the approved date.
      const days = Math.ceil((until - Date.now()) / 86_400_000);
      if (days < 1) {
        throw new ConfigurationError(
          `orca: createException's expiresAt ${request.expiresAt} is in the past.`,
          {
            option: "expiresAt",
          },
        );
      }
      const alertId = nativeIdOf(request.findingId);
      await write(alertId, "/snooze", { days }, call, true);
      const note = request.note ? ` ${request.note}` : "";
      const comment = `Snoozed by cloudsteward for ${days} days (until ${new Date(until).toISOString()}): ${request.reason}. Requested by ${request.requestedBy}, approved by ${request.approvedBy}.${note}`;
      await write(alertId, "/comment", { comment }, call, false);
      const { consoleUrl } = normalizeOptions();
      return { id: `${alertId}/snooze/${days}d`, url: `${consoleUrl}/alerts/${encodeURIComponent(alertId)}` };
    },
  };
}

// Internal helpers.

/** The path verb of each status change (docs/orca.md, Sources: write-back). */
const statusVerbs: Record<StatusChange["status"], string> = {
  open: "open",
  in_progress: "in_progress",
  resolved: "close",
  suppressed: "dismiss",
  risk_accepted: "dismiss",
};

function nativeIdOf(id: string): string {
  return id.startsWith("orca:") ? id.slice(5) : id;
}

/** Cursors are the offset (`start_at_index`) of the next page. */
function decodeOffset(cursor: string | undefined): number {
  if (cursor === undefined || cursor === "") return 0;
  if (/^\d{1,9}$/.test(cursor)) return Number(cursor);
  throw new ConfigurationError(
    `orca: cursor "${cursor.slice(0, 40)}" was not made by this source (expected the offset of the next page).`,
    { option: "cursor" },
  );
}

/** `total_items` (or `count`): a missing count means unknown, not zero (terraform `paging.go`). */
function totalOf(body: unknown): number | undefined {
  const { total_items: totalItems, count } = body as { total_items?: unknown; count?: unknown };
  const total = totalItems ?? count;
  return typeof total === "number" && Number.isFinite(total) ? total : undefined;
}

/** A Sonar query as JSON text: an object set (`{ models, type, with }`), a serving-layer body, or a custom rule. */
function readSonar(native: NativeQuery): Record<string, unknown> {
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
function unwrapRow(row: unknown): unknown {
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

/** The console of a tenant's API host: `api.orcasecurity.io` → `https://app.orcasecurity.io` (regional hosts alike). */
function orcaConsoleUrl(apiUrl: string | undefined): string | undefined {
  const host = URL.canParse(apiUrl ?? defaultOrcaApiUrl) ? new URL(apiUrl ?? defaultOrcaApiUrl).hostname : "";
  const region = /^(?:api|app)\.(?:([a-z]{2})\.)?orcasecurity\.io$/i.exec(host);
  if (!region) return undefined;
  return region[1] ? `https://app.${region[1].toLowerCase()}.orcasecurity.io` : "https://app.orcasecurity.io";
}
