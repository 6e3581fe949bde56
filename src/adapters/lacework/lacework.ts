import { assertWritable } from "../../core/errors.js";
import { type Finding, findingId } from "../../core/finding.js";
import { paginate, pinQuery } from "../../core/paginate.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import type { CallOptions, CnappSource, FindingQuery } from "../../core/source.js";
import { cnappCapabilities, type HttpSourceOptions } from "../shared/options.js";
import { normalizePage, recorderOf, warnOnce } from "../shared/report.js";
import { alertDetails, createLaceworkClient, type LaceworkClientOptions, listPage } from "./client.js";
import type { LaceworkKind } from "./map-status.js";
import { normalize } from "./normalize.js";
import { createLaceworkPolicy } from "./policies.js";
import {
  compileQuery,
  kindsFor,
  type LaceworkReportSelector,
  maxLookbackDays,
  runLql,
  unsupportedFilterWarnings,
} from "./queries.js";
import { closeAlert, commentAlert, createLaceworkException, deleteLaceworkException } from "./write-back.js";

export type { LaceworkKind } from "./map-status.js";
export type { LaceworkReportSelector } from "./queries.js";

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
   * Fetch `scope=Details` for each alert whose list row names no resource (one extra request per such
   * alert; rows that carry their `entityMap`, and platform alerts, need none), so the finding names its
   * resource, account, region and tags. Without it, such an alert's resource is the alert itself. @default true
   */
  alertDetails?: boolean;
  /** The compliance reports the `compliance` family reads. */
  reports?: readonly LaceworkReportSelector[];
  /** Allow `setStatus`, `createException`, and saving queries and creating custom policies through `query`. @default false */
  allowWrite?: boolean;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 5, burst: 2 } */
  rateLimit?: RateLimit | false;
}

/**
 * Reads findings from Lacework FortiCNAPP (REST API v2): alerts by default, compliance report violations and
 * host/container vulnerabilities when listed in `kinds`; closes alerts and creates policy and vulnerability
 * exceptions when `allowWrite` is set; passes LQL through, and with `variables.saveAs`, `variables.policy`
 * and `allowWrite` saves the LQL and creates a custom policy over it (`POST /api/v2/Queries`, then
 * `POST /api/v2/Policies`).
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
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    consoleUrl: client.origin(),
  });

  /** Lazily paged findings of `families` (the whole query pinned for the run). */
  const list = (
    families: readonly LaceworkKind[],
    query: FindingQuery,
    call: CallOptions,
  ): AsyncIterable<Finding> => {
    const pinned = pinQuery(query) as FindingQuery;
    const selected = kindsFor(families, pinned);
    const matches = compileQuery(pinned);
    const record = recorderOf(call, options.events);
    const warn = warnOnce(record);
    const plan = {
      kinds: selected,
      query: pinned,
      reports: options.reports ?? [],
      lookbackDays,
      alertDetails: options.alertDetails ?? true,
    };
    return paginate<Finding, string>(
      async (cursor, signal) => {
        for (const warning of unsupportedFilterWarnings(selected, pinned)) warn(warning);
        if (selected.includes("compliance") && !options.reports?.length) {
          warn({
            type: "unsupported",
            source: "lacework",
            feature: "kinds.compliance",
            message:
              "lacework: the compliance family needs `reports` (which account and report type to read); it was skipped.",
          });
        }
        const page = await listPage(client, plan, cursor, signal);
        if (!page) return { items: [] };
        const pageOptions = { ...normalizeOptions(), onWarning: warn };
        const items = normalizePage(page.records, {
          normalize: (record) => normalize(record, pageOptions),
          matches,
          stage: "source:lacework",
          itemId: nativeIdOf,
          record,
        });
        return { items, next: page.next };
      },
      {
        signal: call.signal,
        cursor: pinned.cursor,
        integration: "lacework",
        onPage: call.onPage,
        readAhead: options.readAhead ?? true,
      },
    );
  };

  return {
    specificationVersion: "v1",
    platform: "lacework",
    capabilities: cnappCapabilities,
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

    async query(native, call = {}) {
      if (native.variables?.policy !== undefined) {
        assertWritable("lacework", options.allowWrite, "query (creating a custom policy)");
        return createLaceworkPolicy(client, native, call.signal);
      }
      return runLql(native, options.allowWrite, async (path, json, idempotent) => {
        const response = await client.request<unknown>("POST", path, {
          json,
          signal: call.signal,
          idempotent,
        });
        return response.data;
      });
    },

    async setStatus(id, change, call = {}) {
      assertWritable("lacework", options.allowWrite, "setStatus");
      await closeAlert(client, id.startsWith("lacework:") ? id.slice(9) : id, change, call.signal);
    },

    async createException(request, call = {}) {
      assertWritable("lacework", options.allowWrite, "createException");
      const lookup = () => this.getFinding(request.findingId, call);
      return createLaceworkException(client, request, lookup, call.signal);
    },

    async removeException(ref, call = {}) {
      assertWritable("lacework", options.allowWrite, "removeException");
      await deleteLaceworkException(client, ref.id, call.signal);
    },

    async comment(id, text, call = {}) {
      assertWritable("lacework", options.allowWrite, "comment");
      await commentAlert(client, id.startsWith("lacework:") ? id.slice(9) : id, text, call.signal);
    },
  };
}

// Internal helpers.

function nativeIdOf(record: unknown): string | undefined {
  const fields = record as Record<string, unknown> | null;
  const id = fields?.alertId ?? fields?.event_id ?? fields?.EVENT_ID;
  return typeof id === "number" || (typeof id === "string" && id !== "")
    ? findingId("lacework", String(id))
    : undefined;
}
