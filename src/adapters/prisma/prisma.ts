import { assertWritable } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { paginate, pinQuery } from "../../core/paginate.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, type Secret } from "../../core/secret.js";
import type { CallOptions, CnappSource, FindingQuery } from "../../core/source.js";
import { cnappCapabilities, type HttpSourceOptions, pageSizeOf } from "../shared/options.js";
import { itemIdOf, normalizePage, recorderOf, warnOnce } from "../shared/report.js";
import { createPrismaClient, getAlert, listPage } from "./client.js";
import { readCompliancePosture } from "./compliance-posture.js";
import type { PrismaPolicyType } from "./map-category.js";
import { normalize } from "./normalize.js";
import { createConfigPolicy } from "./policies.js";
import {
  type AlertListPlan,
  clientSideWarnings,
  matchesClientSide,
  nativeAlertId,
  planAlertList,
  runRql,
} from "./queries.js";
import { setAlertStatus, snoozeAlert } from "./write-back.js";

export type { PrismaPolicyType } from "./map-category.js";

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
  /**
   * Allow `setStatus` and `createException` (dismiss, snooze, reopen), and creating custom config
   * policies through `query` (`variables.policy`). @default false
   */
  allowWrite?: boolean;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 2, burst: 5 } */
  rateLimit?: RateLimit | false;
}

/**
 * Reads Prisma Cloud (CSPM) alerts of every policy type through `POST /v2/alert` with token paging,
 * and dismisses, snoozes and reopens them when `allowWrite` is set. `query()` passes RQL through
 * (`config from`, `event from`, `network from`); with `variables.policy` and `allowWrite`, it creates a
 * custom config policy whose rule is the RQL (`POST /policy`, answering `{ policyId, … }`). `compliancePosture()` reads Prisma's own compliance
 * posture per standard (`POST /v2/compliance/posture/{complianceId}`), read-only.
 *
 * A record that cannot be normalized goes to `report.deadLetters` (stage `source:prisma`) and the run
 * goes on; without a `report`, it is only announced as an `item-failed` event. A page that still fails
 * after retries ends the iteration with its error: results are never silently partial.
 * @example
 * const source = prisma({ apiUrl: "https://api2.eu.prismacloud.io" });
 * for await (const finding of source.findings({ severity: ["critical"], status: ["open"] })) console.log(finding.title);
 */
export function prisma(
  options: PrismaOptions = {},
): CnappSource & Required<Pick<CnappSource, "compliancePosture">> {
  const client = createPrismaClient(options);
  const pageSize = pageSizeOf(options.pageSize, 10_000);
  const normalizeOptions = () => ({
    fetchedAt: new Date().toISOString(),
    keepRaw: options.keepRaw,
    appUrl: options.appUrl ?? prismaAppUrl(optionOrEnv(options.apiUrl, "PRISMA_API_URL")),
  });

  return {
    specificationVersion: "v1",
    platform: "prisma",
    // Prisma Cloud has no comment API: a note goes with a dismissal only (docs/prisma.md, Sources: write-back).
    capabilities: { ...cnappCapabilities, comment: false, compliancePosture: true },
    findings(query: FindingQuery = {}, call: CallOptions = {}): AsyncIterable<Finding> {
      const pinned = pinQuery(query) as FindingQuery;
      const record = recorderOf(call, options.events);
      const warn = warnOnce(record);
      let plan: AlertListPlan | undefined;
      return paginate<Finding, string>(
        async (cursor, signal) => {
          plan ??= planAlertList(pinned, pageSize, options.policyTypes);
          for (const warning of clientSideWarnings(plan)) warn(warning);
          const page = await listPage(client, plan, cursor, signal);
          const pageOptions = { ...normalizeOptions(), onWarning: warn };
          const { clientSide } = plan;
          const items = normalizePage(page.items, {
            normalize: (record) => normalize(record, pageOptions),
            matches: (finding) => matchesClientSide(finding, pinned, clientSide),
            stage: "source:prisma",
            itemId: (record) => itemIdOf("prisma", (record as { id?: unknown } | null)?.id),
            record,
          });
          return { items, next: page.next };
        },
        {
          signal: call.signal,
          cursor: pinned.cursor,
          integration: "prisma",
          readAhead: options.readAhead ?? true,
          onPage: call.onPage && (({ next, count }) => call.onPage!({ next, count })),
        },
      );
    },

    async getFinding(id, call = {}) {
      const record = await getAlert(client, nativeAlertId(id), call.signal);
      return record === undefined ? undefined : normalize(record, normalizeOptions());
    },

    async query(native, call = {}) {
      if (native.variables?.policy !== undefined) {
        assertWritable("prisma", options.allowWrite, "query (creating a custom config policy)");
        return createConfigPolicy(client, native, call.signal);
      }
      return runRql(native, (path, json) =>
        client
          .request<unknown>("POST", path, { json, signal: call.signal, idempotent: true })
          .then((response) => response.data),
      );
    },

    async setStatus(id, change, call = {}) {
      assertWritable("prisma", options.allowWrite, "setStatus");
      await setAlertStatus(client, nativeAlertId(id), change, call.signal);
    },

    async createException(request, call = {}) {
      assertWritable("prisma", options.allowWrite, "createException");
      return snoozeAlert(client, nativeAlertId(request.findingId), request, call.signal);
    },

    async removeException(ref, call = {}) {
      assertWritable("prisma", options.allowWrite, "removeException");
      // A snooze is a state of the alert (its id is the reference): reopening ends it.
      await setAlertStatus(client, nativeAlertId(ref.id), { status: "open" }, call.signal);
    },

    compliancePosture(request, call = {}) {
      return readCompliancePosture(client, request, warnOnce(recorderOf(call, options.events)), call.signal);
    },
  };
}

// Internal helpers.

/** The console of an API host: `api2.eu.prismacloud.io` → `https://app2.eu.prismacloud.io`. */
function prismaAppUrl(apiUrl: string | undefined): string | undefined {
  const host = apiUrl && URL.canParse(apiUrl) ? new URL(apiUrl).hostname : "";
  const match = /^api(\d*)((?:\.[a-z]+)?\.prismacloud\.(?:io|cn))$/i.exec(host);
  return match ? `https://app${match[1]}${match[2]!.toLowerCase()}` : undefined;
}
