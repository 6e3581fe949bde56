import { randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaOptions } from "../../adapters/prisma/prisma.js";
import type { Severity } from "../../core/finding.js";
import { sha256Hex, stableHash } from "../../core/fingerprint.js";
import type { Estate, EstateAccount, EstateFinding, EstateResource, EstateRule } from "../estate.js";
import { prismaDriftAlerts, prismaDriftRemediation, prismaDriftResources } from "./drift-http.js";
import type { Emulation } from "./emulation.js";
import { type Faults, jsonResponse } from "./faults.js";
import { prismaComplianceRoute } from "./prisma-compliance.js";
import { vendorRuleName } from "./vendor-rules.js";

/** The access key id the Prisma Cloud emulation accepts. */
export const sandboxPrismaAccessKeyId = "sandbox-prisma-access-key";
/** The access key secret the Prisma Cloud emulation accepts. */
export const sandboxPrismaSecretKey = "sandbox-prisma-secret-4b2d";

/** A status change or policy creation the Prisma Cloud emulation accepted, for tests to inspect. */
export interface PrismaWrite {
  route: "dismiss" | "reopen" | "createPolicy";
  body: Record<string, unknown>;
}

/** The Prisma Cloud emulation: the emulation contract plus what it recorded. */
export interface PrismaEmulation extends Emulation<PrismaOptions> {
  /** Every accepted dismiss, snooze, reopen and policy creation, in order. */
  readonly writes: readonly PrismaWrite[];
  /** The `POST /v2/alert` requests answered (after faults and auth), with their bodies. */
  readonly alertListBodies: readonly Record<string, unknown>[];
  /** How many sessions were started with `/login` and extended with `/auth_token/extend`. */
  readonly sessions: { logins: number; extensions: number };
}

/**
 * Emulates Prisma Cloud's CSPM API over an estate: `POST /login` and `GET /auth_token/extend` (10-minute
 * `x-redlock-auth` sessions), `POST /v2/alert` (FilterModel filters, time ranges, `pageToken` paging with
 * the token still returned on a full last page), `GET /alert/{id}`, `POST /alert/dismiss` (with
 * `dismissalTimeRange` a snooze) and `POST /alert/reopen`, `POST /policy` (custom config policies whose
 * `rule.criteria` is the RQL, names unique; recorded, flagging nothing) and `GET /v2/policy?policy.name=`
 * over those, a subset of config RQL
 * (`config from cloud.resource where <field> = '<value>' AND …` on `/search/api/v2/config`), errors in
 * the `x-redlock-status` header, the compliance posture routes (`GET /compliance`,
 * `POST /v2/compliance/posture/{complianceId}`, from `prisma-compliance.ts`), and the sandbox faults.
 * @example
 * const emulation = prismaEmulation(generateEstate({ seed: 1 }), createFaults());
 * const response = await emulation.handle(request, "/v2/alert");
 */
export function prismaEmulation(estate: Estate, faults: Faults): PrismaEmulation {
  const resources = new Map(estate.resources.map((resource) => [resource.id, resource]));
  const accounts = new Map(estate.accounts.map((account) => [account.id, account]));
  const alerts = estate.findings.filter((finding) => finding.reportedBy.prisma !== undefined);
  const byId = new Map(alerts.map((finding, index) => [finding.reportedBy.prisma!, { finding, index }]));
  const overrides = new Map<string, AlertState>();
  const sessions = new Map<string, number>();
  const pages = new Map<
    string,
    { list: EstateFinding[]; offset: number; limit: number; detailed: boolean }
  >();
  const searches = new Map<string, { rows: Record<string, unknown>[]; offset: number; limit: number }>();
  const writes: PrismaWrite[] = [];
  const alertListBodies: Record<string, unknown>[] = [];
  const counters = { logins: 0, extensions: 0 };
  const observedAt = Date.parse(estate.now);

  const ruleOf = (finding: EstateFinding): EstateRule => {
    const type = resources.get(finding.resourceId)!.type;
    return (
      estate.rules.find(
        (rule) => rule.archetype === finding.archetype && rule.resourceTypes.includes(type),
      ) ?? estate.rules.find((rule) => rule.archetype === finding.archetype)!
    );
  };
  const stateOf = (finding: EstateFinding): AlertState => {
    const override = overrides.get(finding.reportedBy.prisma!);
    if (override && !(override.status === "snoozed" && (override.dismissalUntilTs ?? 0) <= Date.now())) {
      return override;
    }
    if (override) return { ...initialState(finding, observedAt), status: "open", reason: "SNOOZE_EXPIRED" };
    return initialState(finding, observedAt);
  };
  const render = (finding: EstateFinding, index: number, detailed: boolean) => {
    const resource = resources.get(finding.resourceId)!;
    const alert = renderAlert(
      finding,
      resource,
      accounts.get(resource.accountId)!,
      ruleOf(finding),
      stateOf(finding),
      detailed,
    );
    // Every fifth alert is sparse: the optional alert rules, attribution and history left out.
    if (index % 5 === 4) {
      delete alert.alertRules;
      delete alert.alertAttribution;
      delete alert.history;
    }
    // A field changes type, as when a vendor changes shape under us (a missing one only falls back).
    if (faults.malformed(index)) {
      const policy = alert.policy as Record<string, unknown>;
      policy.severity = { name: policy.severity };
    }
    return alert;
  };

  const handleLogin = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return redlockError(405, "method_not_allowed");
    const body = (await readJson(request)) as { username?: unknown; password?: unknown } | undefined;
    if (typeof body?.username !== "string" || typeof body.password !== "string") {
      return redlockError(400, "missing_required_parameter", "username");
    }
    if (
      !safeEqual(body.username, sandboxPrismaAccessKeyId) ||
      !safeEqual(body.password, sandboxPrismaSecretKey)
    ) {
      return redlockError(401, "invalid_credentials");
    }
    counters.logins++;
    return jsonResponse(200, { token: newSession(), message: "login_successful", customerNames });
  };

  const newSession = (): string => {
    const payload = Buffer.from(JSON.stringify({ sub: sandboxPrismaAccessKeyId, iat: Date.now() })).toString(
      "base64url",
    );
    const token = `eyJhbGciOiJIUzI1NiJ9.${payload}.${randomBytes(16).toString("base64url")}`;
    sessions.set(token, Date.now());
    return token;
  };

  /** The session of a request, or the 401 it gets. */
  const authenticate = (request: Request): Response | undefined => {
    const token = request.headers.get("x-redlock-auth") ?? "";
    const issuedAt = sessions.get(token);
    if (issuedAt === undefined || Date.now() - issuedAt > sessionMs) {
      sessions.delete(token);
      return redlockError(401, "invalid_token");
    }
    if (faults.tokenExpired(token)) {
      sessions.delete(token);
      return redlockError(401, "expired_token");
    }
    return undefined;
  };

  const handleExtend = (request: Request): Response => {
    if (request.method !== "GET") return redlockError(405, "method_not_allowed");
    const denied = authenticate(request);
    if (denied) return denied;
    sessions.delete(request.headers.get("x-redlock-auth")!);
    counters.extensions++;
    return jsonResponse(200, { token: newSession(), message: "login_successful", customerNames });
  };

  const handleList = async (request: Request, url: URL): Promise<Response> => {
    if (request.method !== "POST") return redlockError(405, "method_not_allowed");
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    if (!body) return redlockError(400, "invalid_parameter_value", "body");
    alertListBodies.push(body);
    let page: { list: EstateFinding[]; offset: number; limit: number; detailed: boolean } | undefined;
    if (typeof body.pageToken === "string") {
      page = pages.get(body.pageToken);
      if (!page) return redlockError(400, "invalid_parameter_value", "pageToken");
    } else {
      const limit = body.limit === undefined ? 10_000 : Number(body.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        return redlockError(400, "invalid_parameter_value", "limit");
      const predicate = alertPredicate(body, { resources, accounts, ruleOf, stateOf });
      if (typeof predicate === "string") return redlockError(400, "invalid_parameter_value", predicate);
      const detailed = url.searchParams.get("detailed") === "true" || body.detailed === true;
      page = { list: alerts.filter(predicate), offset: 0, limit, detailed };
    }
    const { list, offset, limit, detailed } = page;
    const slice = list.slice(offset, offset + limit);
    const end = offset + slice.length;
    // Like the real API, a full last page still carries a token; the page after it is empty.
    let nextPageToken: string | undefined;
    if (slice.length > 0 && (end < list.length || slice.length === limit)) {
      nextPageToken = randomBytes(18).toString("base64url");
      pages.set(nextPageToken, { list, offset: end, limit, detailed });
    }
    // The drift estate's change and configuration alerts, as they are now, close the last page.
    const live = nextPageToken === undefined && estate.drift ? prismaDriftAlerts(estate.drift, body) : [];
    return jsonResponse(200, {
      items: [
        ...slice.map((finding) => render(finding, byId.get(finding.reportedBy.prisma!)!.index, detailed)),
        ...live,
      ],
      ...(nextPageToken ? { nextPageToken } : {}),
      totalRows: list.length + live.length,
      sortAllowedColumns: ["alertTime", "policy.severity", "resource.name"],
      dynamicColumns: [],
    });
  };

  const handleGet = (request: Request, id: string, url: URL): Response => {
    if (request.method !== "GET") return redlockError(405, "method_not_allowed");
    const target = byId.get(id);
    if (!target) return redlockError(404, "alert_not_found", "alertId");
    return jsonResponse(
      200,
      render(target.finding, target.index, url.searchParams.get("detailed") === "true"),
    );
  };

  const handleStatusChange = async (request: Request, route: "dismiss" | "reopen"): Promise<Response> => {
    if (request.method !== "POST") return redlockError(405, "method_not_allowed");
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    if (!body) return redlockError(400, "invalid_parameter_value", "body");
    const filter = body.filter as { timeRange?: unknown } | undefined;
    if (typeof filter !== "object" || filter === null || filter.timeRange === undefined) {
      return redlockError(400, "missing_required_parameter", "filter.timeRange");
    }
    const ids = Array.isArray(body.alerts) ? body.alerts : [];
    const policies = Array.isArray(body.policies) ? body.policies : [];
    if (ids.length === 0 && policies.length === 0)
      return redlockError(400, "missing_required_parameter", "alerts");
    const targets: EstateFinding[] = [];
    for (const id of ids) {
      const target = typeof id === "string" ? byId.get(id) : undefined;
      if (!target) return redlockError(400, "invalid_parameter_value", "alerts");
      targets.push(target.finding);
    }
    for (const finding of alerts) {
      if (policies.includes(policyIdOf(ruleOf(finding))) && stateOf(finding).status === "open")
        targets.push(finding);
    }
    const now = Date.now();
    let next: (finding: EstateFinding) => AlertState;
    if (route === "reopen") {
      if (targets.some((finding) => !["dismissed", "snoozed"].includes(stateOf(finding).status))) {
        return redlockError(404, "alert_no_longer_in_expected_state", "alerts");
      }
      next = (finding) => ({
        ...stateOf(finding),
        status: "open",
        reason: "USER_REOPENED",
        dismissalNote: null,
        dismissalUntilTs: null,
        dismissedBy: null,
        lastUpdated: now,
      });
    } else {
      if (typeof body.dismissalNote !== "string" || body.dismissalNote.trim() === "") {
        return redlockError(400, "missing_required_parameter", "dismissalNote");
      }
      let until: number | null = null;
      if (body.dismissalTimeRange !== undefined) {
        const window = timeWindow(body.dismissalTimeRange, now, true);
        if (typeof window === "string")
          return redlockError(400, "invalid_parameter_value", "dismissalTimeRange");
        until = window.end;
        if (until - now < minimumSnoozeMs)
          return redlockError(400, "violates_minimum_alert_dismiss_duration_time", "dismissalTimeRange");
      }
      if (targets.some((finding) => stateOf(finding).status === "resolved")) {
        return redlockError(404, "alert_no_longer_in_expected_state", "alerts");
      }
      const note = body.dismissalNote;
      next = (finding) => ({
        ...stateOf(finding),
        status: until === null ? "dismissed" : "snoozed",
        reason: "USER_DISMISSED",
        dismissalNote: note,
        dismissalUntilTs: until,
        dismissedBy: sandboxPrismaAccessKeyId,
        lastUpdated: now,
      });
    }
    for (const finding of targets) overrides.set(finding.reportedBy.prisma!, next(finding));
    writes.push({ route, body });
    return new Response(null, { status: 200 });
  };

  const customPolicies: Record<string, unknown>[] = [];
  const handleCreatePolicy = async (request: Request): Promise<Response> => {
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    const rule = (body?.rule ?? {}) as Record<string, unknown>;
    const parameters = (rule.parameters ?? {}) as Record<string, unknown>;
    if (typeof body?.name !== "string" || body.name === "")
      return redlockError(400, "missing_required_parameter", "name");
    if (body.policyType !== "config" || rule.type !== "Config")
      return redlockError(400, "invalid_parameter_value", "policyType");
    if (
      parameters.savedSearch !== "false" ||
      !/^config from cloud\.resource where /.test(String(rule.criteria))
    )
      return redlockError(400, "invalid_parameter_value", "rule.criteria");
    if (customPolicies.some((policy) => policy.name === body.name))
      return redlockError(400, "duplicate_policy_name", "name");
    const hash = sha256Hex(`policy:${customPolicies.length}:${body.name}`);
    const policy = {
      ...body,
      policyId: `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${hash.slice(20, 32)}`,
      policyMode: "custom",
      systemDefault: false,
    };
    customPolicies.push(policy);
    writes.push({ route: "createPolicy", body });
    return jsonResponse(200, policy);
  };

  const handleConfigSearch = async (request: Request): Promise<Response> => {
    if (request.method !== "POST")
      return jsonResponse(405, { error: { code: "method_not_allowed", message: "Use POST" } });
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    let search = typeof body?.pageToken === "string" ? searches.get(body.pageToken) : undefined;
    if (typeof body?.pageToken === "string" && !search) {
      return jsonResponse(400, {
        error: { code: "invalid_page_token", message: "The page token expired or is unknown." },
      });
    }
    const drifted =
      !search && estate.drift
        ? prismaDriftResources(estate.drift, String(body?.query ?? ""), body?.withResourceJson === true)
        : undefined;
    if (drifted) search = { rows: drifted, offset: 0, limit: 100 };
    if (!search) {
      const rows = configRows(String(body?.query ?? ""), estate, accounts, body?.withResourceJson === true);
      if (typeof rows === "string")
        return jsonResponse(400, { error: { code: "invalid_rql", message: rows, target: "query" } });
      const limit = body?.limit === undefined ? 100 : Number(body.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        return jsonResponse(400, {
          error: { code: "invalid_parameter_value", message: "limit must be 1-10000", target: "limit" },
        });
      }
      search = { rows, offset: 0, limit };
    }
    const items = search.rows.slice(search.offset, search.offset + search.limit);
    const end = search.offset + items.length;
    let nextPageToken: string | undefined;
    if (end < search.rows.length) {
      nextPageToken = randomBytes(18).toString("base64url");
      searches.set(nextPageToken, { ...search, offset: end });
    }
    return jsonResponse(200, {
      items,
      ...(nextPageToken ? { nextPageToken } : {}),
      totalRows: search.rows.length,
    });
  };

  const handleRemediation = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return redlockError(405, "method_not_allowed");
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    const outcome = estate.drift ? prismaDriftRemediation(estate.drift, body) : undefined;
    if (!outcome) return redlockError(400, "invalid_parameter_value", "alerts");
    if (outcome.error) return redlockError(outcome.status, outcome.error, "alerts");
    return new Response(null, { status: 200 });
  };

  return {
    name: "prisma",
    get writes() {
      return writes;
    },
    get alertListBodies() {
      return alertListBodies;
    },
    get sessions() {
      return { ...counters };
    },
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      if (path === "/login") return handleLogin(request);
      if (path === "/auth_token/extend") return handleExtend(request);
      const denied = authenticate(request);
      if (denied) return denied;
      const url = new URL(request.url);
      if (path === "/v2/alert") return handleList(request, url);
      if (path === "/alert/dismiss") return handleStatusChange(request, "dismiss");
      if (path === "/alert/reopen") return handleStatusChange(request, "reopen");
      if (path === "/alert/remediation") return handleRemediation(request);
      if (path === "/search/api/v2/config") return handleConfigSearch(request);
      if (path === "/policy" && request.method === "POST") return handleCreatePolicy(request);
      if (path === "/v2/policy" && request.method === "GET") {
        const name = url.searchParams.get("policy.name");
        return jsonResponse(
          200,
          customPolicies.filter((policy) => name === null || policy.name === name),
        );
      }
      if (path === "/search/event") return jsonResponse(200, { data: { items: [], totalRows: 0 } });
      if (path === "/search") return jsonResponse(200, { data: { nodes: [], connections: [] } });
      const isOpen = (finding: EstateFinding) => stateOf(finding).status === "open";
      const compliance = prismaComplianceRoute(request, path, { estate, alerts, ruleOf, isOpen });
      if (compliance) return compliance;
      const alertId = /^\/alert\/([^/]+)$/.exec(path)?.[1];
      if (alertId !== undefined) return handleGet(request, decodeURIComponent(alertId), url);
      return redlockError(404, "not_found", path);
    },
    options: (baseUrl) => ({
      apiUrl: baseUrl,
      accessKeyId: sandboxPrismaAccessKeyId,
      secretKey: sandboxPrismaSecretKey,
    }),
  };
}

// Internal helpers.

const sessionMs = 10 * 60_000;
/** The smallest snooze the emulation accepts (the real minimum is not documented). */
const minimumSnoozeMs = 60 * 60_000;
const customerNames = [{ customerName: "Sandbox", prismaId: "806775433928667136", tosAccepted: true }];

interface AlertState {
  status: "open" | "dismissed" | "snoozed" | "resolved";
  reason: string;
  dismissalNote: string | null;
  dismissalUntilTs: number | null;
  dismissedBy: string | null;
  lastUpdated: number | null;
}

interface Context {
  resources: Map<string, EstateResource>;
  accounts: Map<string, EstateAccount>;
  ruleOf(finding: EstateFinding): EstateRule;
  stateOf(finding: EstateFinding): AlertState;
}

/** The estate's status as Prisma Cloud holds it: it has no in-progress state, and an accepted risk is a snooze. */
function initialState(finding: EstateFinding, observedAt: number): AlertState {
  const base = { dismissalNote: null, dismissalUntilTs: null, dismissedBy: null, lastUpdated: null };
  switch (finding.status) {
    case "open":
    case "in_progress":
      return { ...base, status: "open", reason: "NEW_ALERT" };
    case "resolved":
      return { ...base, status: "resolved", reason: "RESOURCE_UPDATED" };
    case "risk_accepted":
      return {
        status: "snoozed",
        reason: "USER_DISMISSED",
        dismissalNote: "Risk accepted until the next patch window",
        dismissalUntilTs: observedAt + 180 * 86_400_000,
        dismissedBy: "secops@example.com",
        lastUpdated: null,
      };
    case "suppressed":
      return {
        status: "dismissed",
        reason: "USER_DISMISSED",
        dismissalNote: "False positive: compensating control in place",
        dismissalUntilTs: null,
        dismissedBy: "secops@example.com",
        lastUpdated: null,
      };
  }
}

/** How Prisma Cloud names each estate resource type: `resourceType`, API name, service, and its resource id. */
const resourceKinds: Record<string, ResourceKind> = Object.fromEntries(
  (
    [
      ["aws.s3.bucket", "MANAGED_BUCKET", "aws-s3api-get-bucket-acl", "Amazon S3", nameAsId],
      ["aws.ec2.instance", "INSTANCE", "aws-ec2-describe-instances", "Amazon EC2", lastSegment],
      ["aws.iam.role", "IAM_ROLE", "aws-iam-list-roles", "AWS IAM", sameId],
      ["aws.iam.user", "IAM_USER", "aws-iam-get-credential-report", "AWS IAM", nameAsId],
      [
        "aws.ec2.security-group",
        "SECURITY_GROUP",
        "aws-ec2-describe-security-groups",
        "Amazon VPC",
        lastSegment,
      ],
      ["aws.rds.instance", "MANAGED_DB", "aws-rds-describe-db-instances", "Amazon RDS", sameId],
      ["aws.lambda.function", "LAMBDA_FUNCTION", "aws-lambda-list-functions", "AWS Lambda", sameId],
      ["aws.kms.key", "KMS_KEY", "aws-kms-get-key-rotation-status", "AWS Key Management Service", sameId],
      ["aws.cloudtrail.trail", "TRAIL", "aws-cloudtrail-describe-trails", "AWS CloudTrail", sameId],
      ["azure.storage.account", "STORAGE_ACCOUNT", "azure-storage-account-list", "Azure Storage", lowerId],
      ["azure.compute.virtual-machine", "INSTANCE", "azure-vm-list", "Azure Virtual Machines", lowerId],
      [
        "azure.network.security-group",
        "SECURITY_GROUP",
        "azure-network-nsg-list",
        "Azure Virtual Network",
        lowerId,
      ],
      ["azure.keyvault.vault", "KEY_VAULT", "azure-key-vault-list", "Azure Key Vault", lowerId],
      [
        "gcp.compute.instance",
        "INSTANCE",
        "gcloud-compute-instances-list",
        "Google Compute Engine",
        selfLink,
      ],
      [
        "gcp.storage.bucket",
        "MANAGED_BUCKET",
        "gcloud-storage-buckets-list",
        "Google Cloud Storage",
        nameAsId,
      ],
      [
        "gcp.iam.service-account",
        "SERVICE_ACCOUNT",
        "gcloud-iam-service-accounts-list",
        "Google Cloud IAM",
        relativeName,
      ],
      ["kubernetes.pod", "K8S_POD", "k8s-pods-list", "Kubernetes", sameId],
      ["kubernetes.deployment", "K8S_DEPLOYMENT", "k8s-deployments-list", "Kubernetes", sameId],
    ] as const
  ).map(([estateType, type, api, service, id]) => [estateType, { type, api, service, id }]),
);

interface ResourceKind {
  type: string;
  api: string;
  service: string;
  id: (resource: EstateResource) => string;
}

const regionNames: Record<string, string> = {
  "us-east-1": "AWS Virginia",
  "eu-west-1": "AWS Ireland",
  "us-west-2": "AWS Oregon",
  westeurope: "Azure West Europe",
  northeurope: "Azure North Europe",
  eastus: "Azure East US",
  "europe-west1": "GCP Belgium",
  "us-central1": "GCP Iowa",
};

function sameId(resource: EstateResource): string {
  return resource.id;
}

function nameAsId(resource: EstateResource): string {
  return resource.name;
}

function lastSegment(resource: EstateResource): string {
  return resource.id.split("/").at(-1) ?? resource.id;
}

/** A GCP instance by its selfLink, as the Compute API names it. */
function selfLink(resource: EstateResource): string {
  return resource.id.replace(/^\/\/compute\.googleapis\.com\//, "https://www.googleapis.com/compute/v1/");
}

/** A GCP resource by its relative name (`projects/…`). */
function relativeName(resource: EstateResource): string {
  return resource.id.replace(/^\/\/[a-z0-9.-]+\.googleapis\.com\//, "");
}

function lowerId(resource: EstateResource): string {
  return resource.id.toLowerCase();
}

function prismaSeverity(severity: Severity): string {
  return severity === "info" ? "informational" : severity;
}

function policyIdOf(rule: EstateRule): string {
  const hash = stableHash("prisma-policy", rule.archetype, rule.title);
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${stableHash(hash).slice(0, 12)}`;
}

function policyTypeOf(rule: EstateRule, resource: EstateResource): string {
  switch (rule.category) {
    case "vulnerability":
      return "workload_vulnerability";
    case "threat":
      return resource.type === "aws.iam.user" ? "anomaly" : "workload_incident";
    case "data":
      return "data";
    default:
      return rule.archetype === "aws-iam-wildcard-admin" ? "iam" : "config";
  }
}

function regionOf(resource: EstateResource): { region: string; regionId: string } {
  if (!resource.region) return { region: `${resource.cloud.toUpperCase()} Global`, regionId: "global" };
  return { region: regionNames[resource.region] ?? resource.region, regionId: resource.region };
}

function renderResource(resource: EstateResource, account: EstateAccount) {
  const kind = resourceKinds[resource.type]!;
  const { region, regionId } = regionOf(resource);
  const hash = stableHash("prisma-resource", resource.id);
  return {
    rrn: `rrn::${kind.type.toLowerCase()}:${regionId}:${account.id}:${hash.slice(0, 40)}:${encodeURIComponent(kind.id(resource))}`,
    id: kind.id(resource),
    name: resource.name,
    account: account.name,
    accountId: account.id,
    cloudType: resource.cloud,
    region,
    regionId,
    resourceType: kind.type,
    resourceApiName: kind.api,
    cloudServiceName: kind.service,
    resourceTags: { ...resource.tags },
    cloudAccountGroups: [account.projectId],
    url: `/resource-explorer?resourceId=${encodeURIComponent(kind.id(resource))}`,
    unifiedAssetId: hash,
    data: {},
  };
}

function renderAlert(
  finding: EstateFinding,
  resource: EstateResource,
  account: EstateAccount,
  rule: EstateRule,
  state: AlertState,
  detailed: boolean,
): Record<string, unknown> {
  const policyId = policyIdOf(rule);
  const firstSeen = Date.parse(finding.firstSeen);
  const lastSeen = Date.parse(finding.lastSeen);
  const policy: Record<string, unknown> = {
    policyId,
    name: vendorRuleName("prisma", rule),
    policyType: policyTypeOf(rule, resource),
    severity: prismaSeverity(finding.severity),
    remediable: rule.category === "misconfiguration",
    systemDefault: true,
  };
  if (detailed) {
    policy.description = rule.description;
    policy.recommendation = rule.remediation;
    policy.labels = ["Prisma_Cloud"];
    policy.complianceMetadata = rule.controls.map((control) => ({
      standardName: control.framework,
      standardDescription: `${control.framework} controls`,
      requirementId: control.control.split(".")[0],
      requirementName: rule.category,
      sectionId: control.control,
      sectionDescription: vendorRuleName("prisma", rule),
      complianceId: stableHash("compliance", control.framework, control.control),
      policyId,
      customAssigned: false,
      systemDefault: true,
    }));
  }
  return {
    id: finding.reportedBy.prisma!,
    status: state.status,
    reason: state.reason,
    firstSeen,
    lastSeen,
    alertTime: firstSeen,
    lastUpdated: state.lastUpdated ?? lastSeen,
    eventOccurred: firstSeen - 60_000,
    dismissalNote: state.dismissalNote,
    dismissalUntilTs: state.dismissalUntilTs,
    dismissedBy: state.dismissedBy,
    policyId,
    policy,
    resource: renderResource(resource, account),
    alertRules: [
      { policyScanConfigId: stableHash("alert-rule", account.projectId), name: "Default alert rule" },
    ],
    alertAttribution: { attributionEventList: [] },
    history: [{ modifiedBy: "System", modifiedOn: firstSeen, status: "OPEN", reason: "NEW_ALERT" }],
    triggeredBy: "system",
    saveSearchId: stableHash("saved-search", policyId),
  };
}

/** The filter names the emulation implements; others are refused, as the API refuses unknown filters. */
const filterValues: Record<string, (finding: EstateFinding, context: Context) => readonly string[]> = {
  "alert.id": (finding) => [finding.reportedBy.prisma!],
  "alert.status": (finding, context) => [context.stateOf(finding).status],
  "policy.severity": (finding) => [prismaSeverity(finding.severity)],
  "policy.name": (finding, context) => [vendorRuleName("prisma", context.ruleOf(finding))],
  "policy.type": (finding, context) => [
    policyTypeOf(context.ruleOf(finding), context.resources.get(finding.resourceId)!),
  ],
  "policy.complianceStandard": (finding, context) =>
    context.ruleOf(finding).controls.map((control) => control.framework),
  "cloud.type": (finding, context) => [context.resources.get(finding.resourceId)!.cloud],
  "cloud.account": (finding, context) => [
    context.accounts.get(context.resources.get(finding.resourceId)!.accountId)!.name,
  ],
  "cloud.accountId": (finding, context) => [context.resources.get(finding.resourceId)!.accountId],
  "cloud.region": (finding, context) => [regionOf(context.resources.get(finding.resourceId)!).region],
  "account.group": (finding, context) => [
    context.accounts.get(context.resources.get(finding.resourceId)!.accountId)!.projectId,
  ],
  "resource.id": (finding, context) => {
    const resource = context.resources.get(finding.resourceId)!;
    return [resourceKinds[resource.type]!.id(resource)];
  },
  "resource.name": (finding, context) => [context.resources.get(finding.resourceId)!.name],
  "resource.type": (finding, context) => [
    resourceKinds[context.resources.get(finding.resourceId)!.type]!.type,
  ],
};

const timeTypes = new Set(["ALERT_OPENED", "ALERT_STATUS_UPDATED", "ALERT_UPDATED"]);

/** A predicate for a FilterModel body, or the subject of the invalid parameter. */
function alertPredicate(
  body: Record<string, unknown>,
  context: Context,
): ((finding: EstateFinding) => boolean) | string {
  const groups = new Map<string, string[]>();
  let timeType = "ALERT_OPENED";
  for (const filter of Array.isArray(body.filters) ? body.filters : []) {
    const { name, operator, value } = (filter ?? {}) as {
      name?: unknown;
      operator?: unknown;
      value?: unknown;
    };
    if (operator !== "=" || typeof value !== "string" || typeof name !== "string") return "filters";
    if (name === "timeRange.type") {
      if (!timeTypes.has(value.toUpperCase())) return "timeRange.type";
      timeType = value.toUpperCase();
      continue;
    }
    if (!filterValues[name]) return `filters.${name}`;
    groups.set(name, [
      ...(groups.get(name) ?? []),
      name === "cloud.type" || name === "policy.severity" || name === "alert.status"
        ? value.toLowerCase()
        : value,
    ]);
  }
  const window =
    body.timeRange === undefined
      ? { start: 0, end: Number.POSITIVE_INFINITY }
      : timeWindow(body.timeRange, Date.now(), false);
  if (typeof window === "string") return window;
  return (finding) => {
    for (const [name, values] of groups) {
      if (!filterValues[name]!(finding, context).some((value) => values.includes(value))) return false;
    }
    const state = context.stateOf(finding);
    const time =
      timeType === "ALERT_OPENED"
        ? Date.parse(finding.firstSeen)
        : (state.lastUpdated ?? Date.parse(finding.lastSeen));
    return time >= window.start && time <= window.end;
  };
}

const unitMs: Record<string, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/** A TimeRange as `[start, end]` in epoch ms (`forward` for snoozes, which run from now), or the invalid subject. */
function timeWindow(value: unknown, now: number, forward: boolean): { start: number; end: number } | string {
  const range = (value ?? {}) as { type?: unknown; value?: unknown };
  const type = typeof range.type === "string" ? range.type.toLowerCase() : "";
  if (type === "to_now") {
    const unit = typeof range.value === "string" ? range.value.toLowerCase() : "";
    if (unit === "epoch" || unit === "login") return { start: 0, end: now };
    return unitMs[unit] ? { start: now - unitMs[unit]!, end: now } : "timeRange.value";
  }
  if (type === "relative") {
    const { amount, unit } = (range.value ?? {}) as { amount?: unknown; unit?: unknown };
    const size = typeof unit === "string" ? unitMs[unit.toLowerCase()] : undefined;
    if (typeof amount !== "number" || !(amount > 0) || size === undefined) return "timeRange.value";
    return forward ? { start: now, end: now + amount * size } : { start: now - amount * size, end: now };
  }
  if (type === "absolute") {
    const { startTime, endTime } = (range.value ?? {}) as { startTime?: unknown; endTime?: unknown };
    if (typeof startTime !== "number" || typeof endTime !== "number" || startTime > endTime)
      return "timeRange.value";
    return { start: startTime, end: endTime };
  }
  return "timeRange.type";
}

/** Rows of `config from cloud.resource where <field> = '<value>' [AND …]`, or why the RQL is not supported. */
function configRows(
  query: string,
  estate: Estate,
  accounts: Map<string, EstateAccount>,
  withJson: boolean,
): Record<string, unknown>[] | string {
  const match = /^\s*config\s+from\s+cloud\.resource(?:\s+where\s+(.+?))?\s*;?\s*$/i.exec(query);
  if (!match) return "The emulation supports config from cloud.resource where <field> = '<value>' [AND …].";
  const conditions: [string, string][] = [];
  for (const part of match[1] ? match[1].split(/\s+AND\s+/i) : []) {
    const condition =
      /^\s*(cloud\.type|cloud\.account|cloud\.accountid|cloud\.region|api\.name|resource\.name)\s*=\s*'([^']*)'\s*$/i.exec(
        part,
      );
    if (!condition) return `Unsupported condition: ${part.trim()}`;
    conditions.push([condition[1]!.toLowerCase(), condition[2]!]);
  }
  const rows: Record<string, unknown>[] = [];
  for (const resource of estate.resources) {
    const account = accounts.get(resource.accountId)!;
    const rendered = renderResource(resource, account);
    const fields: Record<string, string> = {
      "cloud.type": rendered.cloudType,
      "cloud.account": account.name,
      "cloud.accountid": account.id,
      "cloud.region": rendered.region,
      "api.name": rendered.resourceApiName,
      "resource.name": resource.name,
    };
    if (!conditions.every(([field, value]) => fields[field] === value)) continue;
    rows.push({
      id: rendered.id,
      name: resource.name,
      accountId: account.id,
      accountName: account.name,
      regionId: rendered.regionId,
      regionName: rendered.region,
      service: rendered.cloudServiceName,
      resourceType: rendered.resourceType,
      cloudType: rendered.cloudType,
      rrn: rendered.rrn,
      assetId: rendered.unifiedAssetId,
      ...(withJson ? { data: { tags: rendered.resourceTags, createdAt: resource.createdAt } } : {}),
    });
  }
  return rows;
}

/** An error as the older endpoints send it: the status, an empty body and the reason in `x-redlock-status`. */
function redlockError(status: number, i18nKey: string, subject?: string): Response {
  const detail = JSON.stringify([{ i18nKey, severity: "error", subject: subject ?? null }]);
  return new Response(null, { status, headers: { "x-redlock-status": detail } });
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/** Compares digests in constant time, whatever the lengths. */
function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Hex(given)), Buffer.from(sha256Hex(expected)));
}
