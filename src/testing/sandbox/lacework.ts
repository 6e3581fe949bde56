import { randomBytes, timingSafeEqual } from "node:crypto";
import type { LaceworkOptions } from "../../adapters/lacework/lacework.js";
import type { Category, FindingStatus, Severity } from "../../core/finding.js";
import { sha256Hex } from "../../core/fingerprint.js";
import type { Estate, EstateAccount, EstateFinding, EstateResource, EstateRule } from "../estate.js";
import { laceworkDriftAlerts } from "./drift-http.js";
import type { Emulation } from "./emulation.js";
import { type Faults, jsonResponse } from "./faults.js";
import { laceworkAnomalyType, laceworkPolicyId, vendorRuleName } from "./vendor-rules.js";

/** The API key id (`keyId`) the Lacework emulation accepts. */
export const sandboxLaceworkApiKey = "SANDBOX_LW_7A1C9E0B52D34F68A1B2C3D4E5F60718";
/** The API key secret (`X-LW-UAKS`) the Lacework emulation accepts. */
export const sandboxLaceworkApiSecret = "_sandbox-lw-secret-4e2f9a";

/** A write the Lacework emulation accepted, for tests to inspect. */
export interface LaceworkWrite {
  operation:
    | "closeAlert"
    | "commentAlert"
    | "createPolicyException"
    | "deletePolicyException"
    | "createVulnerabilityException"
    | "deleteVulnerabilityException"
    | "saveQuery"
    | "createPolicy";
  target: string;
  body: Record<string, unknown>;
}

/** The Lacework FortiCNAPP emulation: the emulation contract plus what it recorded. */
export interface LaceworkEmulation extends Emulation<LaceworkOptions> {
  /** Every accepted write, in order. */
  readonly writes: readonly LaceworkWrite[];
  /** Rows per search page (the real service uses about 5 000; small here so paging is exercised). */
  readonly pageSize: number;
}

/**
 * Emulates the Lacework FortiCNAPP REST API v2 over an estate: `POST /api/v2/access/tokens` (`X-LW-UAKS` +
 * `{ keyId, expiryTime }`), `Alerts/search` with `timeFilter` (≤7 days, ≤92 days back), `filters` and
 * `paging.urls.nextPage`, 204 for an empty window, `Alerts/{id}?scope=Details` with `entityMap`,
 * `Alerts/{id}/close`, `Alerts/{id}/comment`, `Exceptions?policyId=` and `VulnerabilityExceptions` (create and
 * `DELETE`), `Vulnerabilities/Hosts|Containers/search`,
 * `Reports`, `Queries` (save, read back; a named query `<queryId> { source { … } filter { … } return … }`
 * is checked for its shape only), `Policies` (custom Violation policies over a saved query; recorded,
 * flagging nothing), and `Queries/execute` over an LQL subset (`LW_CFG_AWS`/`LW_CFG_AZURE`/`LW_CFG_GCP` with
 * `=`/`<>` filters joined by `and`), with Lacework's `{ message }` errors and the sandbox faults. Every
 * estate finding reported by Lacework is an alert (its `alertId` is the estate's native id), placed in
 * the last 88 days before the emulation was created.
 * @example
 * const emulation = laceworkEmulation(generateEstate({ seed: 1 }), createFaults());
 * const response = await emulation.handle(request, "/api/v2/Alerts/search");
 */
export function laceworkEmulation(estate: Estate, faults: Faults): LaceworkEmulation {
  const now = Date.now();
  const estateNow = Date.parse(estate.now);
  const resources = new Map(estate.resources.map((resource) => [resource.id, resource]));
  const accounts = new Map(estate.accounts.map((account) => [account.id, account]));
  const alerts = estate.findings.filter((finding) => finding.reportedBy.lacework);
  const byAlertId = new Map(
    alerts.map((finding, index) => [finding.reportedBy.lacework!, { finding, index }]),
  );
  const closed = new Map<string, { reason: number; at: string }>();
  const tokens = new Set<string>();
  const pages = new Map<string, { rows: unknown[]; offset: number }>();
  const policyExceptions: Record<string, unknown>[] = [];
  const vulnerabilityExceptions = new Set<string>();
  const savedQueries = new Map<string, string>();
  const writes: LaceworkWrite[] = [];
  const pageSize = 10;

  const resourceOf = (finding: EstateFinding) => resources.get(finding.resourceId)!;
  const ruleOf = (finding: EstateFinding): EstateRule =>
    estate.rules.find(
      (rule) => rule.archetype === finding.archetype && rule.resourceTypes.includes(resourceOf(finding).type),
    ) ?? estate.rules.find((rule) => rule.archetype === finding.archetype)!;
  /** Estate times span a year; alerts live at most 92 days, so they are compressed into the last 88 days. */
  const shift = (iso: string) =>
    new Date(
      now - 3_600_000 - Math.floor(((estateNow - Date.parse(iso)) / (365 * day)) * 88 * day),
    ).toISOString();
  const statusOf = (finding: EstateFinding) =>
    closed.has(finding.reportedBy.lacework!) || !["open", "in_progress"].includes(finding.status)
      ? "Closed"
      : "Open";

  const createPolicy = async (request: Request): Promise<Response> => {
    const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
    if (body.policyType !== "Violation" || typeof body.title !== "string" || body.title === "")
      return jsonResponse(400, { ok: false, message: "policyType Violation and a title are required" });
    if (typeof body.queryId !== "string" || !savedQueries.has(body.queryId))
      return jsonResponse(400, { ok: false, message: `Query ${String(body.queryId)} not found` });
    if (!["critical", "high", "medium", "low", "info"].includes(String(body.severity)))
      return jsonResponse(400, { ok: false, message: `Invalid severity ${String(body.severity)}` });
    const count = writes.filter((write) => write.operation === "createPolicy").length;
    const policyId = `sandbox-custom-${count + 1}`;
    writes.push({ operation: "createPolicy", target: policyId, body });
    return jsonResponse(201, { data: { ...body, policyId, owner: sandboxLaceworkApiKey } });
  };

  const renderAlert = (
    finding: EstateFinding,
    index: number,
    withDetails: boolean,
  ): Record<string, unknown> => {
    const rule = ruleOf(finding);
    const resource = resourceOf(finding);
    const startTime = shift(finding.firstSeen);
    const close = closed.get(finding.reportedBy.lacework!);
    const alert: Record<string, unknown> = {
      alertId: Number(finding.reportedBy.lacework),
      alertName: vendorRuleName("lacework", rule),
      alertType: laceworkAnomalyType(rule) ?? alertTypeOf(finding.category, resource),
      severity: titleSeverity[finding.severity],
      status: statusOf(finding),
      startTime,
      endTime: new Date(Date.parse(startTime) + 3_600_000).toISOString(),
      lastUserUpdatedTime: close?.at ?? "0",
      policyId: laceworkPolicyId(rule),
      alertInfo: {
        subject: `${vendorRuleName("lacework", rule)}: ${resource.name}`,
        description: rule.description,
      },
      derivedFields: derivedFieldsOf(finding.category, resource),
      reachability: "UnknownReachability",
      alertSource: "UnknownAlertSource",
    };
    if (withDetails) {
      const account = accounts.get(resource.accountId);
      alert.entityMap = {
        Resource: [
          {
            KEY: { resource_name: resource.id },
            PROPS: {
              resource_type: resource.nativeType,
              account_id: resource.accountId,
              tags: resource.tags,
            },
          },
        ],
        Region: resource.region ? [{ KEY: { region: resource.region } }] : [],
        CloudAccount: [
          { KEY: { account_id: resource.accountId }, PROPS: { account_alias: account?.name ?? "" } },
        ],
      };
    }
    // A recorded anomaly carries no policy id, as in Sekoia's recorded alerts.
    if (laceworkAnomalyType(rule)) delete alert.policyId;
    // Every fifth alert is sparse, as Sekoia's recorded alerts are: no reachability, no alert source.
    if (index % 5 === 4) {
      delete alert.reachability;
      delete alert.alertSource;
    }
    // A field changes type, as when a vendor changes shape under us (a missing one only falls back).
    if (faults.malformed(index)) alert.severity = { name: alert.severity };
    return alert;
  };

  const handleToken = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return jsonResponse(405, { ok: false, message: "Method not allowed" });
    let body: { keyId?: unknown; expiryTime?: unknown };
    try {
      body = (await request.json()) as typeof body;
    } catch {
      return jsonResponse(400, { ok: false, message: "Request body must be JSON: { keyId, expiryTime }" });
    }
    if (
      !safeEqual(request.headers.get("x-lw-uaks") ?? "", sandboxLaceworkApiSecret) ||
      !safeEqual(String(body.keyId ?? ""), sandboxLaceworkApiKey)
    ) {
      return jsonResponse(401, { ok: false, message: "Unauthorized: invalid keyId or secret" });
    }
    const ttl = typeof body.expiryTime === "number" && body.expiryTime > 0 ? body.expiryTime : 3600;
    const token = `_${randomBytes(24).toString("hex")}`;
    tokens.add(token);
    return jsonResponse(201, { token, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() });
  };

  /** A search response: the first page, with the rest kept behind an opaque nextPage URL. */
  const pageOf = (rows: unknown[], offset: number, base: string, searchPath: string): Response => {
    if (rows.length === 0) return new Response(null, { status: 204 });
    const slice = rows.slice(offset, offset + pageSize);
    let nextPage: string | null = null;
    if (offset + pageSize < rows.length) {
      const token = randomBytes(12).toString("hex").toUpperCase();
      pages.set(token, { rows, offset: offset + pageSize });
      nextPage = `${base}${searchPath}/${token}`;
    }
    return jsonResponse(200, {
      paging: { rows: slice.length, totalRows: rows.length, urls: { nextPage } },
      data: slice,
    });
  };

  const searchAlerts = async (request: Request, base: string): Promise<Response> => {
    const parsed = await searchBody(request, now);
    if ("error" in parsed) return parsed.error;
    const { start, end, filters } = parsed;
    const failed = filters.find(
      (filter) => !["severity", "status", "alertType", "alertId", "policyId"].includes(filter.field),
    );
    if (failed) return jsonResponse(400, { ok: false, message: `Invalid filter field: ${failed.field}` });
    const rows: unknown[] = [];
    for (const [index, finding] of alerts.entries()) {
      const time = Date.parse(shift(finding.firstSeen));
      if (time < start || time >= end) continue;
      const alert = renderAlert(finding, index, false);
      if (filters.every((filter) => matchesFilter(alert, filter))) rows.push(alert);
    }
    for (const alert of estate.drift ? laceworkDriftAlerts(estate.drift) : []) {
      const time = Date.parse(String(alert.startTime));
      if (time >= start && time < end && filters.every((filter) => matchesFilter(alert, filter)))
        rows.push(alert);
    }
    return pageOf(rows, 0, base, "/api/v2/Alerts/search");
  };

  const searchVulnerabilities = async (
    request: Request,
    base: string,
    type: "Hosts" | "Containers",
  ): Promise<Response> => {
    const parsed = await searchBody(request, now);
    if ("error" in parsed) return parsed.error;
    const rows: unknown[] = [];
    for (const [index, finding] of alerts.entries()) {
      const rule = ruleOf(finding);
      const resource = resourceOf(finding);
      if (!rule.vulnerability) continue;
      const container = resource.cloud === "kubernetes";
      if (container !== (type === "Containers")) continue;
      const evaluated = now - 3_600_000 - (index % 6) * day;
      if (evaluated < parsed.start || evaluated >= parsed.end) continue;
      const row = vulnerabilityRow(finding, rule, resource, evaluated, index);
      if (faults.malformed(index)) row.severity = { name: row.severity };
      if (parsed.filters.every((filter) => matchesFilter(row, filter))) rows.push(row);
    }
    return pageOf(rows, 0, base, `/api/v2/Vulnerabilities/${type}/search`);
  };

  const reports = (url: URL): Response => {
    const primary = url.searchParams.get("primaryQueryId");
    const reportType = url.searchParams.get("reportType") ?? url.searchParams.get("reportName");
    if (!primary || !reportType) {
      return jsonResponse(400, {
        ok: false,
        message: "primaryQueryId and reportType (or reportName) are required",
      });
    }
    const secondary = url.searchParams.get("secondaryQueryId");
    const accountId = secondary ?? primary;
    const account = accounts.get(accountId);
    if (!account) return new Response(null, { status: 204 });
    const byRule = new Map<string, { rule: EstateRule; findings: EstateFinding[] }>();
    for (const finding of alerts) {
      const resource = resourceOf(finding);
      if (
        resource.accountId !== accountId ||
        finding.category === "threat" ||
        finding.category === "vulnerability"
      )
        continue;
      if (!["open", "in_progress"].includes(finding.status)) continue;
      const rule = ruleOf(finding);
      const entry = byRule.get(laceworkPolicyId(rule)) ?? { rule, findings: [] };
      entry.findings.push(finding);
      byRule.set(laceworkPolicyId(rule), entry);
    }
    const reportTime = new Date(now - 6 * 3_600_000).toISOString();
    const recommendations = [...byRule.entries()].map(([recId, { rule, findings }]) => ({
      REC_ID: recId,
      TITLE: vendorRuleName("lacework", rule),
      CATEGORY: categoryTitle[rule.category],
      SERVICE: serviceOf(resourceOf(findings[0]!)),
      STATUS: "NonCompliant",
      SEVERITY: numericSeverity[rule.severity],
      VIOLATIONS: findings.map((finding) => ({
        resource: resourceOf(finding).id,
        region: resourceOf(finding).region ?? "global",
        reasons: [`${vendorRuleName("lacework", rule)}: ${resourceOf(finding).name}`],
      })),
      RESOURCE_COUNT: findings.length,
      ASSESSED_RESOURCE_COUNT: findings.length,
      SUPPRESSIONS: [],
      INFO_LINK: `https://docs.fortinet.com/lacework/${recId}`,
      ACCOUNT_ID: account.id,
      ACCOUNT_ALIAS: account.name,
      START_TIME: Date.parse(shift(findings[0]!.firstSeen)),
    }));
    return jsonResponse(200, {
      data: [
        {
          reportType,
          reportTitle: reportTitles[reportType] ?? reportType,
          accountId: account.id,
          accountAlias: account.name,
          reportTime,
          summary: [
            { NUM_RECOMMENDATIONS: recommendations.length, NUM_NOT_COMPLIANT: recommendations.length },
          ],
          recommendations,
        },
      ],
    });
  };

  const commentAlert = async (request: Request, alertId: string): Promise<Response> => {
    if (!byAlertId.has(alertId))
      return jsonResponse(404, { ok: false, message: `Alert ${alertId} not found` });
    const body = (await request.json().catch(() => ({}))) as { comment?: unknown };
    if (typeof body.comment !== "string" || body.comment.trim() === "")
      return jsonResponse(400, { ok: false, message: "comment is required" });
    writes.push({ operation: "commentAlert", target: alertId, body });
    return jsonResponse(200, { message: "Comment added" });
  };

  const closeAlert = async (request: Request, alertId: string): Promise<Response> => {
    const target = byAlertId.get(alertId);
    if (!target) return jsonResponse(404, { ok: false, message: `Alert ${alertId} not found` });
    const body = (await request.json().catch(() => ({}))) as { reason?: unknown; comment?: unknown };
    if (
      typeof body.reason !== "number" ||
      !Number.isInteger(body.reason) ||
      body.reason < 0 ||
      body.reason > 5
    ) {
      return jsonResponse(400, { ok: false, message: "reason must be an integer from 0 to 5" });
    }
    if (body.reason === 0 && (typeof body.comment !== "string" || body.comment.trim() === "")) {
      return jsonResponse(400, { ok: false, message: "comment is required when reason is 0 (Other)" });
    }
    closed.set(alertId, { reason: body.reason, at: new Date().toISOString() });
    writes.push({ operation: "closeAlert", target: alertId, body });
    return jsonResponse(200, { message: "SUCCESS" });
  };

  const createPolicyException = async (request: Request, url: URL): Promise<Response> => {
    const policyId = url.searchParams.get("policyId");
    const known = new Set(estate.rules.map(laceworkPolicyId));
    if (!policyId || !known.has(policyId))
      return jsonResponse(404, { ok: false, message: `Policy ${policyId ?? "(none)"} not found` });
    const body = (await request.json().catch(() => ({}))) as { description?: unknown; constraints?: unknown };
    const constraints = body.constraints;
    const valid =
      Array.isArray(constraints) &&
      constraints.length > 0 &&
      constraints.every(
        (constraint) => typeof constraint?.fieldKey === "string" && Array.isArray(constraint.fieldValues),
      );
    if (!valid)
      return jsonResponse(400, {
        ok: false,
        message: "constraints must be a non-empty list of { fieldKey, fieldValues[] }",
      });
    const exceptionId = `${policyId}-${sha256Hex(JSON.stringify(body) + policyExceptions.length).slice(0, 12)}`;
    const data = {
      exceptionId,
      description: body.description ?? "",
      constraints,
      lastUpdateTime: new Date().toISOString(),
      lastUpdateUser: sandboxLaceworkApiKey,
    };
    policyExceptions.push({ ...data, policyId });
    writes.push({
      operation: "createPolicyException",
      target: policyId,
      body: body as Record<string, unknown>,
    });
    return jsonResponse(201, { data });
  };

  const createVulnerabilityException = async (request: Request): Promise<Response> => {
    const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
    const reasons = ["Accepted Risk", "False Positive", "Compensating Controls", "Fix Pending", "Other"];
    if (
      typeof body.exceptionName !== "string" ||
      !["Host", "Container"].includes(String(body.exceptionType))
    ) {
      return jsonResponse(400, {
        ok: false,
        message: "exceptionName and exceptionType (Host or Container) are required",
      });
    }
    if (!reasons.includes(String(body.exceptionReason)))
      return jsonResponse(400, {
        ok: false,
        message: `exceptionReason must be one of ${reasons.join(", ")}`,
      });
    if (body.expiryTime !== undefined && Number.isNaN(Date.parse(String(body.expiryTime)))) {
      return jsonResponse(400, { ok: false, message: "expiryTime must be an RFC3339 timestamp" });
    }
    const stamp = new Date().toISOString();
    const data = {
      ...body,
      exceptionGuid: `VULN_${sha256Hex(JSON.stringify(body) + writes.length)
        .slice(0, 24)
        .toUpperCase()}`,
      createdTime: stamp,
      updatedTime: stamp,
      props: {
        ...(body.props as object),
        createdBy: sandboxLaceworkApiKey,
        updatedBy: sandboxLaceworkApiKey,
      },
    };
    vulnerabilityExceptions.add(data.exceptionGuid);
    writes.push({ operation: "createVulnerabilityException", target: String(body.exceptionName), body });
    return jsonResponse(201, { data });
  };

  const executeQuery = async (request: Request, queryId?: string): Promise<Response> => {
    const body = (await request.json().catch(() => ({}))) as {
      query?: { queryText?: unknown };
      options?: { limit?: unknown };
    };
    const text = queryId ? savedQueries.get(queryId) : body.query?.queryText;
    if (typeof text !== "string")
      return jsonResponse(queryId ? 404 : 400, {
        ok: false,
        message: queryId ? `Query ${queryId} not found` : "query.queryText is required",
      });
    const result = runLql(text, estate.resources, accounts);
    if ("error" in result) return jsonResponse(400, { ok: false, message: result.error });
    const limit = typeof body.options?.limit === "number" ? body.options.limit : 5000;
    return jsonResponse(200, { data: result.rows.slice(0, limit), ok: true, message: "SUCCESS" });
  };

  return {
    name: "lacework",
    pageSize,
    get writes() {
      return writes;
    },
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      const url = new URL(request.url);
      const base = `${url.origin}${url.pathname.slice(0, url.pathname.length - path.length)}`;
      if (path === "/api/v2/access/tokens") return handleToken(request);
      const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
      if (token === undefined || !tokens.has(token))
        return jsonResponse(401, { ok: false, message: "Unauthorized: missing or invalid bearer token" });
      if (faults.tokenExpired(token)) {
        tokens.delete(token);
        return jsonResponse(401, { ok: false, message: "Unauthorized: token expired" });
      }
      const method = request.method;
      const pageToken =
        /^\/api\/v2\/(?:Alerts|Vulnerabilities\/Hosts|Vulnerabilities\/Containers)\/search\/([0-9A-F]+)$/.exec(
          path,
        )?.[1];
      if (method === "GET" && pageToken) {
        const page = pages.get(pageToken);
        if (!page) return jsonResponse(400, { ok: false, message: "Invalid or expired paging token" });
        pages.delete(pageToken);
        return pageOf(page.rows, page.offset, base, path.slice(0, path.lastIndexOf("/")));
      }
      if (method === "POST" && path === "/api/v2/Alerts/search") return searchAlerts(request, base);
      if (method === "POST" && path === "/api/v2/Vulnerabilities/Hosts/search")
        return searchVulnerabilities(request, base, "Hosts");
      if (method === "POST" && path === "/api/v2/Vulnerabilities/Containers/search")
        return searchVulnerabilities(request, base, "Containers");
      const alertPath = /^\/api\/v2\/Alerts\/([^/]+)(\/close|\/comment)?$/.exec(path);
      if (alertPath) {
        const alertId = decodeURIComponent(alertPath[1]!);
        if (method === "POST" && alertPath[2] === "/close") return closeAlert(request, alertId);
        if (method === "POST" && alertPath[2] === "/comment") return commentAlert(request, alertId);
        const target = method === "GET" && !alertPath[2] ? byAlertId.get(alertId) : undefined;
        if (!target) return jsonResponse(404, { ok: false, message: `Alert ${alertId} not found` });
        return jsonResponse(200, {
          data: renderAlert(target.finding, target.index, url.searchParams.get("scope") === "Details"),
        });
      }
      if (method === "POST" && path === "/api/v2/Exceptions") return createPolicyException(request, url);
      const exceptionPath = /^\/api\/v2\/(Exceptions|VulnerabilityExceptions)\/([^/]+)$/.exec(path);
      if (method === "DELETE" && exceptionPath) {
        const id = decodeURIComponent(exceptionPath[2]!);
        if (exceptionPath[1] === "VulnerabilityExceptions") {
          if (!vulnerabilityExceptions.delete(id))
            return jsonResponse(404, { ok: false, message: `Exception ${id} not found` });
          writes.push({ operation: "deleteVulnerabilityException", target: id, body: {} });
          return new Response(null, { status: 204 });
        }
        const index = policyExceptions.findIndex(
          (exception) =>
            exception.exceptionId === id && exception.policyId === url.searchParams.get("policyId"),
        );
        if (index < 0) return jsonResponse(404, { ok: false, message: `Exception ${id} not found` });
        policyExceptions.splice(index, 1);
        writes.push({ operation: "deletePolicyException", target: id, body: {} });
        return new Response(null, { status: 204 });
      }
      if (method === "POST" && path === "/api/v2/VulnerabilityExceptions")
        return createVulnerabilityException(request);
      if (method === "GET" && path === "/api/v2/Reports") return reports(url);
      if (method === "POST" && path === "/api/v2/Queries/execute") return executeQuery(request);
      const saved = /^\/api\/v2\/Queries\/([^/]+)\/execute$/.exec(path);
      if (method === "POST" && saved) return executeQuery(request, decodeURIComponent(saved[1]!));
      if (method === "POST" && path === "/api/v2/Queries") {
        const body = (await request.json().catch(() => ({}))) as { queryId?: unknown; queryText?: unknown };
        if (typeof body.queryId !== "string" || typeof body.queryText !== "string") {
          return jsonResponse(400, { ok: false, message: "queryId and queryText are required" });
        }
        if (savedQueries.has(body.queryId))
          return jsonResponse(400, { ok: false, message: `Query ${body.queryId} already exists` });
        const checked = /^\s*\{/.test(body.queryText)
          ? runLql(body.queryText, [], accounts)
          : checkNamedQuery(body.queryId, body.queryText);
        if ("error" in checked) return jsonResponse(400, { ok: false, message: checked.error });
        savedQueries.set(body.queryId, body.queryText);
        writes.push({ operation: "saveQuery", target: body.queryId, body });
        return jsonResponse(201, {
          data: {
            queryId: body.queryId,
            queryText: body.queryText,
            lastUpdateTime: new Date().toISOString(),
          },
        });
      }
      const queryPath = /^\/api\/v2\/Queries\/([^/]+)$/.exec(path);
      if (method === "GET" && queryPath) {
        const queryId = decodeURIComponent(queryPath[1]!);
        const queryText = savedQueries.get(queryId);
        if (queryText === undefined)
          return jsonResponse(404, { ok: false, message: `Query ${queryId} not found` });
        return jsonResponse(200, { data: { queryId, queryText } });
      }
      if (method === "POST" && path === "/api/v2/Policies") return createPolicy(request);
      return jsonResponse(404, { ok: false, message: `No route for ${method} ${path}` });
    },
    options(baseUrl) {
      return {
        apiUrl: baseUrl,
        apiKey: sandboxLaceworkApiKey,
        apiSecret: sandboxLaceworkApiSecret,
        reports: estate.accounts
          .filter((account) => account.cloud !== "kubernetes")
          .map((account) =>
            account.cloud === "aws"
              ? { primaryQueryId: account.id, reportType: "AWS_CIS_14" }
              : account.cloud === "azure"
                ? {
                    primaryQueryId: "sandbox-tenant",
                    secondaryQueryId: account.id,
                    reportType: "AZURE_CIS_131",
                  }
                : { primaryQueryId: "sandbox-org", secondaryQueryId: account.id, reportType: "GCP_CIS13" },
          ),
      };
    },
  };
}

// Internal helpers.

const day = 86_400_000;

const titleSeverity: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Info",
};
const numericSeverity: Record<Severity, number> = { critical: 1, high: 2, medium: 3, low: 4, info: 5 };

const categoryTitle: Record<Category, string> = {
  misconfiguration: "Configuration",
  vulnerability: "Vulnerability",
  identity: "Identity and Access Management",
  exposure: "Networking",
  threat: "Threat",
  secret: "Secrets",
  data: "Storage",
  compliance: "Logging",
  other: "General",
};

const reportTitles: Record<string, string> = {
  AWS_CIS_14: "AWS CIS Benchmark 1.4.0",
  AZURE_CIS_131: "Azure CIS 1.3.1 Report",
  GCP_CIS13: "GCP CIS Benchmark 1.3",
};

const sourceOf = (resource: EstateResource) =>
  ({ aws: "AWS", azure: "Azure", gcp: "GCP", kubernetes: "K8s" })[resource.cloud];

function derivedFieldsOf(category: Category, resource: EstateResource) {
  if (category === "threat")
    return {
      category: "Anomaly",
      sub_category: resource.cloud === "kubernetes" ? "Kubernetes Activity" : "Cloud Activity",
      source: sourceOf(resource),
    };
  if (category === "vulnerability")
    return {
      category: "Policy",
      sub_category: resource.cloud === "kubernetes" ? "Container Vulnerability" : "Host Vulnerability",
      source: resource.cloud === "kubernetes" ? "Agent" : sourceOf(resource),
    };
  return { category: "Policy", sub_category: "Compliance", source: sourceOf(resource) };
}

function alertTypeOf(category: Category, resource: EstateResource): string {
  if (category === "threat")
    return resource.cloud === "kubernetes" ? "KubernetesActivity" : "CloudActivityAnomaly";
  if (category === "vulnerability")
    return resource.cloud === "kubernetes" ? "NewContainerVulnerability" : "NewHostVulnerability";
  return "NewViolations";
}

/** Lacework's `SERVICE` of a report recommendation, e.g. `aws:s3`. */
function serviceOf(resource: EstateResource): string {
  return resource.type.split(".").slice(0, 2).join(":");
}

function vulnerabilityRow(
  finding: EstateFinding,
  rule: EstateRule,
  resource: EstateResource,
  evaluated: number,
  index: number,
): Record<string, unknown> {
  const vulnerability = rule.vulnerability!;
  const status: Record<FindingStatus, string> = {
    open: "Active",
    in_progress: "Active",
    resolved: "Fixed",
    suppressed: "Exception",
    risk_accepted: "Exception",
  };
  const common = {
    vulnId: vulnerability.cve,
    severity: titleSeverity[rule.severity],
    status: index % 5 === 0 && finding.status === "open" ? "New" : status[finding.status],
    startTime: new Date(evaluated).toISOString(),
    endTime: new Date(evaluated + 3_600_000).toISOString(),
    evalGuid: sha256Hex(`${resource.id}:${evaluated}`).slice(0, 32),
    fixInfo: {
      fix_available: vulnerability.fixedVersion ? 1 : 0,
      fixed_version: vulnerability.fixedVersion ?? "",
      eval_status: "VULNERABLE",
    },
    cveProps: {
      description: rule.description,
      link: `https://nvd.nist.gov/vuln/detail/${vulnerability.cve}`,
      metadata: null,
    },
  };
  if (resource.cloud === "kubernetes") {
    const digest = `sha256:${sha256Hex(resource.name)}`;
    return {
      ...common,
      imageId: digest,
      featureKey: {
        name: vulnerability.packageName,
        namespace: "debian:11",
        version: vulnerability.installedVersion,
      },
      evalCtx: {
        image_info: {
          registry: "111122223333.dkr.ecr.us-east-1.amazonaws.com",
          repo: resource.name.split("-")[0],
          tags: ["latest"],
          digest,
        },
      },
    };
  }
  const instanceId = resource.id.split("/").at(-1) ?? resource.name;
  const zone = `${resource.region ?? "us-east-1"}${resource.cloud === "gcp" ? "-b" : "a"}`;
  const machineTags: Record<string, string> =
    resource.cloud === "aws"
      ? {
          Account: resource.accountId,
          Hostname: `ip-10-0-${index % 250}-${(index * 7) % 250}.ec2.internal`,
          InstanceId: instanceId,
          Zone: zone,
          VmProvider: "AWS",
        }
      : resource.cloud === "gcp"
        ? {
            ProjectId: resource.accountId,
            Hostname: resource.name,
            InstanceName: resource.name,
            Zone: zone,
            VmProvider: "GCE",
          }
        : { Hostname: resource.name, VmInstanceId: resource.id, VmProvider: "Microsoft.Compute" };
  return {
    ...common,
    mid: 1000 + (Number.parseInt(sha256Hex(resource.id).slice(0, 6), 16) % 90_000),
    featureKey: {
      name: vulnerability.packageName,
      namespace: "ubuntu:22.04",
      package_active: 1,
      version_installed: vulnerability.installedVersion,
    },
    evalCtx: { hostname: machineTags.Hostname, collector_type: "Agentless" },
    machineTags,
  };
}

interface Filter {
  field: string;
  expression: string;
  value?: unknown;
  values?: unknown[];
}

/** Reads and checks a search body: `timeFilter` (≤7 days, ≤92 days back) and `filters`. */
async function searchBody(
  request: Request,
  now: number,
): Promise<{ start: number; end: number; filters: Filter[] } | { error: Response }> {
  let body: { timeFilter?: { startTime?: unknown; endTime?: unknown }; filters?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return { error: jsonResponse(400, { ok: false, message: "Request body must be JSON" }) };
  }
  const start = Date.parse(String(body.timeFilter?.startTime ?? ""));
  const end = Date.parse(String(body.timeFilter?.endTime ?? ""));
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    return {
      error: jsonResponse(400, {
        ok: false,
        message: "timeFilter.startTime and timeFilter.endTime must be RFC3339 and in order",
      }),
    };
  }
  if (end - start > 7 * day)
    return { error: jsonResponse(400, { ok: false, message: "Time range cannot exceed 7 days" }) };
  if (start < now - 92 * day)
    return {
      error: jsonResponse(400, { ok: false, message: "startTime cannot be more than 92 days in the past" }),
    };
  const filters = Array.isArray(body.filters) ? (body.filters as Filter[]) : [];
  const bad = filters.find((filter) => !["eq", "ne", "in"].includes(filter?.expression));
  if (bad)
    return {
      error: jsonResponse(400, {
        ok: false,
        message: `Unsupported filter expression: ${String(bad?.expression)}`,
      }),
    };
  return { start, end, filters };
}

function matchesFilter(record: Record<string, unknown>, filter: Filter): boolean {
  const value = filter.field
    .split(".")
    .reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], record);
  const text = String(value);
  if (filter.expression === "in") return (filter.values ?? []).map(String).includes(text);
  if (filter.expression === "ne") return text !== String(filter.value);
  return text === String(filter.value);
}

/** The LQL subset: `{ source { <dataset> <alias> } [filter { … }] return [distinct] { alias.F, … } }`. */
/** The shape of a named query (`<queryId> { source { … } [filter { … }] return [distinct] { … } }`), braces balanced. */
function checkNamedQuery(queryId: string, text: string): { rows: [] } | { error: string } {
  const match =
    /^\s*(\w+)\s*\{\s*source\s*\{[\s\S]+?\}\s*(?:filter\s*\{[\s\S]+\}\s*)?return\s+(?:distinct\s+)?\{[\s\S]+\}\s*\}\s*$/.exec(
      text,
    );
  if (!match)
    return { error: "LQL syntax error: expected <queryId> { source { … } filter { … } return { … } }" };
  if (match[1] !== queryId) return { error: `The query is named ${match[1]}, not ${queryId}` };
  let depth = 0;
  for (const character of text.replaceAll(/'(?:[^'\\]|\\.)*'/g, "''")) {
    depth += character === "{" ? 1 : character === "}" ? -1 : 0;
    if (depth < 0) break;
  }
  return depth === 0 ? { rows: [] } : { error: "LQL syntax error: unbalanced braces" };
}

function runLql(
  text: string,
  resources: readonly EstateResource[],
  accounts: Map<string, EstateAccount>,
): { rows: Record<string, unknown>[] } | { error: string } {
  const match =
    /^\s*\{\s*source\s*\{\s*(\w+)\s+(\w+)\s*\}\s*(?:filter\s*\{([^}]*)\}\s*)?return\s+(distinct\s+)?\{([^}]*)\}\s*\}\s*$/i.exec(
      text,
    );
  if (!match)
    return { error: "LQL syntax error: expected { source { <Dataset> <alias> } filter { … } return { … } }" };
  const [, dataset = "", alias = "", filterText = "", distinct, returnText = ""] = match;
  const cloud = { LW_CFG_AWS: "aws", LW_CFG_AZURE: "azure", LW_CFG_GCP: "gcp" }[dataset.toUpperCase()];
  if (!cloud)
    return {
      error: `Unknown data source ${dataset}; this sandbox serves LW_CFG_AWS, LW_CFG_AZURE and LW_CFG_GCP`,
    };
  const field = (expression: string) => {
    const [owner, name] = expression.trim().split(".");
    return owner === alias && name ? name.toUpperCase() : undefined;
  };
  const conditions: { name: string; negate: boolean; value: string }[] = [];
  for (const part of filterText.split(/\s+and\s+/i).filter((condition) => condition.trim() !== "")) {
    const condition = /^\s*([\w.]+)\s*(=|<>|!=)\s*'([^']*)'\s*$/.exec(part);
    const name = condition ? field(condition[1]!) : undefined;
    if (!condition || !name) return { error: `LQL filter not supported in the sandbox: ${part.trim()}` };
    conditions.push({ name, negate: condition[2] !== "=", value: condition[3]! });
  }
  const returns = returnText
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const names = returns.map(field);
  if (names.length === 0 || names.some((name) => name === undefined))
    return { error: `LQL return list must name ${alias}.<FIELD> columns` };
  const rows: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const resource of resources) {
    if (resource.cloud !== cloud) continue;
    const columns: Record<string, unknown> = {
      RESOURCE_ID: resource.id,
      ARN: resource.cloud === "aws" ? resource.id : undefined,
      RESOURCE_TYPE: resource.nativeType,
      RESOURCE_NAME: resource.name,
      ACCOUNT_ID: resource.accountId,
      ACCOUNT_ALIAS: accounts.get(resource.accountId)?.name,
      RESOURCE_REGION: resource.region ?? "global",
      RESOURCE_TAGS: resource.tags,
    };
    if (
      !conditions.every(
        (condition) => (String(columns[condition.name]) === condition.value) !== condition.negate,
      )
    )
      continue;
    const row = Object.fromEntries(names.map((name) => [name!, columns[name!] ?? null]));
    const key = JSON.stringify(row);
    if (distinct && seen.has(key)) continue;
    seen.add(key);
    rows.push(row);
  }
  return { rows };
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
