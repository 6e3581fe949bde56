import { timingSafeEqual } from "node:crypto";
import { toOrcaCategory } from "../../adapters/orca/map-category.js";
import { toOrcaAssetType } from "../../adapters/orca/map-resource.js";
import { orcaStatusOf } from "../../adapters/orca/map-status.js";
import type { OrcaOptions } from "../../adapters/orca/orca.js";
import type { OrcaLegacyAlert } from "../../adapters/orca/schemas.js";
import type { Severity } from "../../core/finding.js";
import { stableHash } from "../../core/fingerprint.js";
import type { Estate, EstateAccount, EstateFinding, EstateResource, EstateRule } from "../estate.js";
import type { Emulation } from "./emulation.js";
import { type Faults, jsonResponse } from "./faults.js";
import { orcaAlertType, vendorRuleName } from "./vendor-rules.js";

/** The API token the Orca emulation accepts (`Authorization: Token <token>`). */
export const sandboxOrcaApiToken = "sandbox-orca-token-5d2a9c";

/** A write the Orca emulation accepted, for tests to inspect. */
export interface OrcaWrite {
  method: string;
  /** The path below `/api`, e.g. `/alerts/orca-10001/status/dismiss`. */
  path: string;
  body: unknown;
}

/** The Orca emulation: the emulation contract plus what it recorded. */
export interface OrcaEmulation extends Emulation<OrcaOptions> {
  /** Every accepted write, in order. */
  readonly writes: readonly OrcaWrite[];
  /** The serving-layer request bodies answered (after faults and auth), in order. */
  readonly queries: readonly Record<string, unknown>[];
  /**
   * The body Orca's webhook action would post for an alert (the legacy alert object, docs/orca.md, Sources: webhooks),
   * in its current state; `undefined` for an id Orca does not report.
   */
  webhookPayload(alertId: string): OrcaLegacyAlert | undefined;
}

/**
 * Emulates Orca Security's REST API over an estate: `POST /api/serving-layer/query` (and `/api/sonar/query`)
 * for the `Alert` model with the Sonar filter grammar (`in`, `eq`, `range`, `any_match`, `containing`,
 * `date_gte`/`date_lte`/`gte`/`lte`, `and`/`or`, related `CloudAccount`/`Inventory` objects; unknown keys
 * are ignored, as Orca does), `select`, `order_by[]` and offset paging with `total_items`; the per-alert
 * writes (`status/<verb>`, `snooze`, `comment`, `GET state`), custom Sonar rules, Orca's error bodies and
 * the sandbox faults. API tokens are static in Orca, so the `tokenTtlRequests` fault does not apply.
 * @example
 * const emulation = orcaEmulation(generateEstate({ seed: 1 }), createFaults());
 * const response = await emulation.handle(request, "/api/serving-layer/query");
 */
export function orcaEmulation(estate: Estate, faults: Faults): OrcaEmulation {
  const resources = new Map(estate.resources.map((resource) => [resource.id, resource]));
  const accounts = new Map(estate.accounts.map((account) => [account.id, account]));
  const alerts = estate.findings
    .filter((finding) => finding.reportedBy.orca !== undefined)
    .sort((a, b) => a.reportedBy.orca!.localeCompare(b.reportedBy.orca!));
  const byId = new Map(alerts.map((finding, index) => [finding.reportedBy.orca!, { finding, index }]));
  const states = new Map<string, AlertState>();
  const writes: OrcaWrite[] = [];
  const queries: Record<string, unknown>[] = [];
  const rules: Record<string, unknown>[] = [];

  const view = (finding: EstateFinding): AlertView => {
    const resource = resources.get(finding.resourceId)!;
    const rule =
      estate.rules.find(
        (candidate) =>
          candidate.archetype === finding.archetype && candidate.resourceTypes.includes(resource.type),
      ) ?? estate.rules.find((candidate) => candidate.archetype === finding.archetype)!;
    const state = states.get(finding.reportedBy.orca!) ?? {
      status: orcaStatusOf[finding.status],
      comments: [],
    };
    return { finding, resource, rule, account: accounts.get(resource.accountId)!, state };
  };

  const servingLayer = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return jsonResponse(405, { message: 'Method "GET" not allowed.' });
    const body = await readJson(request);
    if (!isObject(body) || !isObject(body.query)) {
      return jsonResponse(400, { status: "failure", error: "query: This field is required." });
    }
    queries.push(body);
    const models = body.query.models;
    if (!Array.isArray(models) || models.length !== 1 || models[0] !== "Alert") {
      return jsonResponse(400, {
        status: "failure",
        error: `The sandbox serves the Alert model only (got ${JSON.stringify(models)}).`,
      });
    }
    const limit = body.limit === undefined ? 100 : Number(body.limit);
    const start = body.start_at_index === undefined ? 0 : Number(body.start_at_index);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return jsonResponse(400, {
        status: "failure",
        error: "limit: Ensure this value is between 1 and 1000.",
      });
    }
    if (!Number.isInteger(start) || start < 0) {
      return jsonResponse(400, { status: "failure", error: "start_at_index: A valid integer is required." });
    }
    let matcher: (alert: AlertView) => boolean;
    try {
      matcher = compileFilter(body.query.with);
    } catch (error) {
      return jsonResponse(400, { status: "failure", error: (error as Error).message });
    }
    const matching = alerts.map(view).filter(matcher);
    const order = Array.isArray(body["order_by[]"]) ? String(body["order_by[]"][0] ?? "") : "";
    if (order.replace(/^-/, "") === "OrcaScore") {
      const sign = order.startsWith("-") ? -1 : 1;
      matching.sort((a, b) => sign * (scoreOf(a) - scoreOf(b)));
    } else if (order === "-AlertId") matching.reverse();
    const select = Array.isArray(body.select) ? new Set(body.select.map(String)) : undefined;
    const rows = matching
      .slice(start, start + limit)
      .map((alert) => renderRow(alert, byId.get(alert.finding.reportedBy.orca!)!.index, select, faults));
    return jsonResponse(
      200,
      body.get_results_and_count === false
        ? { status: "success", data: rows }
        : { status: "success", data: rows, total_items: matching.length },
    );
  };

  const alertRoute = async (request: Request, path: string): Promise<Response> => {
    const match = /^\/alerts\/([^/]+)\/(status\/[a-z_]+|snooze|comment|state)$/.exec(path);
    const target = match ? byId.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !target) return jsonResponse(404, { status: "failure", error: "Alert not found" });
    const action = match[2]!;
    const current = view(target.finding).state;
    if (action === "state") {
      if (request.method !== "GET") return jsonResponse(405, { message: "Method not allowed." });
      return jsonResponse(200, {
        status: "success",
        data: { alert_id: match[1], ...stateBody(target.finding, current) },
      });
    }
    if (request.method !== "PUT")
      return jsonResponse(405, { message: `Method "${request.method}" not allowed.` });
    const body =
      request.headers.get("content-length") === "0"
        ? undefined
        : await readJson(request).catch(() => undefined);
    let next: AlertState;
    if (action.startsWith("status/")) {
      const status = statusByVerb[action.slice(7)];
      if (!status)
        return jsonResponse(400, { status: "failure", error: `Unknown status verb "${action.slice(7)}"` });
      next = { ...current, status, snoozeUntil: undefined };
    } else if (action === "snooze") {
      const days = isObject(body) ? body.days : undefined;
      if (typeof days !== "number" || !Number.isInteger(days) || days < 1) {
        return jsonResponse(400, {
          status: "failure",
          error: "days: A positive whole number of days is required.",
        });
      }
      next = {
        ...current,
        status: "snoozed",
        snoozeUntil: new Date(Date.now() + days * 86_400_000).toISOString(),
      };
    } else {
      const comment = isObject(body) ? body.comment : undefined;
      if (typeof comment !== "string" || comment.trim() === "") {
        return jsonResponse(400, { status: "failure", error: "comment: This field may not be blank." });
      }
      next = { ...current, comments: [...current.comments, comment] };
    }
    states.set(target.finding.reportedBy.orca!, next);
    writes.push({ method: "PUT", path, body });
    return jsonResponse(200, {
      status: "success",
      data: { alert_id: match[1], ...stateBody(target.finding, next) },
    });
  };

  const sonarRules = async (request: Request, path: string): Promise<Response> => {
    if (request.method !== "POST" || path !== "/sonar/rules")
      return jsonResponse(405, { message: "Method not allowed." });
    const body = await readJson(request);
    if (!isObject(body) || typeof body.rule !== "string" || typeof body.name !== "string") {
      return jsonResponse(400, { status: "failure", error: "name and rule (Sonar text) are required." });
    }
    const rule = {
      ...body,
      rule_id: `r${stableHash("sonar-rule", String(rules.length), body.name).slice(0, 10)}`,
    };
    rules.push(rule);
    writes.push({ method: "POST", path, body });
    return jsonResponse(201, { status: "success", data: rule });
  };

  return {
    name: "orca",
    get writes() {
      return writes;
    },
    get queries() {
      return queries;
    },
    webhookPayload(alertId) {
      const target = byId.get(alertId);
      return target ? renderLegacy(view(target.finding)) : undefined;
    },
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      if (!path.startsWith("/api/")) return jsonResponse(404, { message: `No route for ${path}` });
      const token = /^token\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
      const a = Buffer.from(token);
      const b = Buffer.from(sandboxOrcaApiToken);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        return jsonResponse(401, { message: "Invalid token." });
      }
      const route = path.slice(4);
      try {
        if (route === "/serving-layer/query" || route === "/sonar/query") return await servingLayer(request);
        if (route.startsWith("/alerts/")) return await alertRoute(request, route);
        if (route.startsWith("/sonar/rules")) return await sonarRules(request, route);
      } catch (error) {
        if (error instanceof SyntaxError)
          return jsonResponse(400, { status: "failure", error: "JSON parse error" });
        throw error;
      }
      return jsonResponse(404, { message: `No route for ${path}` });
    },
    options: (baseUrl) => ({ apiToken: sandboxOrcaApiToken, apiUrl: `${baseUrl}/api` }),
  };
}

// Internal helpers.

type Fields = Record<string, unknown>;

interface AlertState {
  status: string;
  snoozeUntil?: string;
  comments: string[];
}

interface AlertView {
  finding: EstateFinding;
  resource: EstateResource;
  rule: EstateRule;
  account: EstateAccount;
  state: AlertState;
}

const statusByVerb: Record<string, string> = {
  open: "open",
  in_progress: "in_progress",
  close: "closed",
  dismiss: "dismissed",
};

const isObject = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

async function readJson(request: Request): Promise<unknown> {
  return JSON.parse(await request.text());
}

const baseScores: Record<Severity, number> = { critical: 9, high: 7, medium: 5, low: 3, info: 1 };

function scoreOf({ finding }: AlertView): number {
  const jitter = Number.parseInt(stableHash("score", finding.id).slice(0, 2), 16) / 256;
  return Math.round((baseScores[finding.severity] + jitter) * 10) / 10;
}

/** Orca's timestamps: `2025-03-02T10:11:12+00:00` (docs/orca.md, Sources: listing). */
function orcaTime(iso: string): string {
  return `${iso.slice(0, 19)}+00:00`;
}

/** The id Orca's connector reads from the cloud: bucket, role and user names, EC2 ids, else the full id. */
function vendorIdOf(resource: EstateResource): string {
  if (resource.cloud !== "aws") return resource.id;
  if (["aws.s3.bucket", "aws.iam.role", "aws.iam.user"].includes(resource.type)) return resource.name;
  const ec2 = /:(?:instance|security-group)\/((?:i|sg)-[0-9a-f]+)$/.exec(resource.id);
  return ec2?.[1] ?? resource.id;
}

function stateBody(finding: EstateFinding, state: AlertState) {
  return {
    status: state.status,
    status_time: orcaTime(finding.lastSeen),
    created_at: orcaTime(finding.firstSeen),
    last_seen: orcaTime(finding.lastSeen),
    risk_level: finding.severity === "info" ? "informational" : finding.severity,
    snooze_until: state.snoozeUntil ?? null,
    comments: state.comments,
  };
}

/** Orca `Labels` by category (MITRE tactics on threats, exposure on network alerts). */
const categoryLabels = (finding: EstateFinding): string[] =>
  finding.category === "threat"
    ? ["mitre: execution"]
    : finding.category === "exposure"
      ? ["internet facing"]
      : [];

function wrap(value: unknown) {
  return { value };
}

/** What the serving layer and the legacy alert both say about an alert's asset and rule. */
function identityOf({ finding, resource, rule, account }: AlertView) {
  const assetType = toOrcaAssetType(resource.type) ?? "UnknownAsset";
  const vendorId = vendorIdOf(resource);
  const cve = rule.vulnerability?.cve;
  return {
    alertId: finding.reportedBy.orca!,
    assetType,
    vendorId,
    uniqueId: `${assetType}_${account.id}_${vendorId.split(/[/:]/).at(-1)}`,
    provider: resource.cloud === "kubernetes" ? "k8s" : resource.cloud,
    ruleId: `r${stableHash("orca-rule", rule.archetype, rule.title).slice(0, 10)}`,
    alertType: orcaAlertType(rule),
    cve,
    riskLevel: finding.severity === "info" ? "informational" : finding.severity,
  };
}

/** The legacy alert object, as Orca's webhook action posts it by default (docs/orca.md, Sources: listing). */
function renderLegacy(alert: AlertView): OrcaLegacyAlert {
  const { finding, resource, rule, account, state } = alert;
  const identity = identityOf(alert);
  // Legacy alerts carry the inventory's tags as JSON text (as in XSOAR's recorded Orca alert).
  const inventory: Record<string, unknown> = {
    Tags: JSON.stringify(resource.tags),
    RiskLevel: identity.riskLevel,
    OrcaScore: scoreOf(alert),
  };
  if (resource.region !== undefined) inventory.Region = resource.region;
  return {
    type: identity.alertType,
    type_string: vendorRuleName("orca", rule),
    rule_id: identity.ruleId,
    category: toOrcaCategory(finding.category),
    source: resource.name,
    description: rule.description,
    recommendation: rule.remediation,
    alert_labels: categoryLabels(finding),
    is_compliance: rule.controls.length > 0,
    asset_name: resource.name,
    asset_type: identity.assetType,
    asset_unique_id: identity.uniqueId,
    asset_vendor_id: identity.vendorId,
    account_name: account.name,
    cloud_provider: identity.provider,
    cloud_provider_id: account.id,
    cloud_vendor_id: account.id,
    cve_ids: identity.cve ? [identity.cve] : [],
    state: {
      alert_id: identity.alertId,
      status: state.status,
      status_time: orcaTime(finding.lastSeen),
      created_at: orcaTime(finding.firstSeen),
      last_seen: orcaTime(finding.lastSeen),
      last_updated: orcaTime(finding.lastSeen),
      risk_level: identity.riskLevel,
      orca_score: scoreOf(alert),
      in_verification: false,
      verification_status: null,
    },
    data: { title: vendorRuleName("orca", rule), remediation_console: [rule.remediation] },
    model: { data: { Inventory: inventory } },
  };
}

function renderRow(alert: AlertView, index: number, select: Set<string> | undefined, faults: Faults) {
  const { finding, resource, rule, account, state } = alert;
  const { alertId, assetType, vendorId, uniqueId, provider, ruleId, alertType, cve, riskLevel } =
    identityOf(alert);
  // Every third row comes flat (bare values), as Orca's own client reads rows; the rest wrapped.
  const box = index % 3 === 2 ? (value: unknown) => value : wrap;
  const inventory: Fields = {
    Name: box(resource.name),
    AssetUniqueId: box(uniqueId),
    AssetType: box(assetType),
    AssetVendorId: box(vendorId),
    CloudProvider: box(provider),
    Tags: box({ ...resource.tags }),
  };
  if (resource.region !== undefined) inventory.Region = box(resource.region);
  // A field changes type, as when a vendor changes shape under us (a missing one only falls back).
  if (faults.malformed(index)) inventory.AssetType = box({ name: assetType });
  const fields: Fields = {
    AlertId: box(alertId),
    AlertType: box(alertType),
    RuleId: box(ruleId),
    Title: box(vendorRuleName("orca", rule)),
    OrcaScore: box(scoreOf(alert)),
    RiskLevel: box(riskLevel),
    Category: box(toOrcaCategory(finding.category)),
    Source: box(resource.name),
    Status: box(state.status),
    Description: box(rule.description),
    Recommendation: box(rule.remediation),
    Labels: box(categoryLabels(finding)),
    CveIds: box(cve ? [cve] : []),
    CreatedAt: box(orcaTime(finding.firstSeen)),
    LastSeen: box(orcaTime(finding.lastSeen)),
    LastUpdated: box(orcaTime(finding.lastSeen)),
    Inventory: {
      id: stableHash("inventory", resource.id).slice(0, 16),
      name: resource.name,
      type: "Inventory",
      data: inventory,
    },
    CloudAccount: {
      id: stableHash("account", account.id).slice(0, 16),
      name: account.name,
      type: "CloudAccount",
      data: { Name: box(account.name), CloudProvider: box(provider), CloudVendorId: box(account.id) },
    },
  };
  const data: Fields = {};
  for (const key of Object.keys(fields))
    if (!select || select.has(key) || key === "AlertId") data[key] = fields[key];
  const id = stableHash("alert", alertId);
  return {
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 24)}00000000`,
    name: alertId,
    type: "Alert",
    data,
  };
}

/** The value of a key on an alert (the Alert model) or on one of its related objects. */
function fieldValue(alert: AlertView, model: string, key: string): unknown {
  const { finding, resource, account, state, rule } = alert;
  if (model === "CloudAccount") {
    return ({ Name: account.name, CloudVendorId: account.id, CloudProvider: resource.cloud } as Fields)[key];
  }
  if (model === "Inventory") {
    return (
      {
        Name: resource.name,
        AssetType: toOrcaAssetType(resource.type),
        AssetVendorId: vendorIdOf(resource),
        Region: resource.region,
      } as Fields
    )[key];
  }
  const fields: Fields = {
    AlertId: finding.reportedBy.orca,
    RiskLevel: finding.severity === "info" ? "informational" : finding.severity,
    Status: state.status,
    Category: toOrcaCategory(finding.category),
    CreatedAt: finding.firstSeen,
    LastSeen: finding.lastSeen,
    LastUpdated: finding.lastSeen,
    OrcaScore: scoreOf(alert),
    CveIds: rule.vulnerability ? [rule.vulnerability.cve] : [],
    Title: vendorRuleName("orca", rule),
    AlertType: orcaAlertType(rule),
  };
  return fields[key];
}

/**
 * Compiles a Sonar filter into a predicate over alerts. Keys the emulation does not know match
 * everything, as Orca's list endpoints silently ignore unknown filter keys.
 */
function compileFilter(filter: unknown, model = "Alert"): (alert: AlertView) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isObject(filter)) throw new Error("with: expected a filter object");
  if (filter.type === "operation") {
    const parts = Array.isArray(filter.values) ? filter.values.map((part) => compileFilter(part, model)) : [];
    if (filter.operator === "or") return (alert) => parts.some((part) => part(alert));
    if (filter.operator === "and") return (alert) => parts.every((part) => part(alert));
    throw new Error(`Unknown operation "${String(filter.operator)}"`);
  }
  if (filter.operator === "has") {
    const related = Array.isArray(filter.models) ? String(filter.models[0]) : "";
    return compileFilter(filter.with, related);
  }
  const key = String(filter.key ?? "");
  const values = Array.isArray(filter.values) ? filter.values : [];
  const operator = String(filter.operator ?? "");
  const read = (alert: AlertView) => fieldValue(alert, model, key);
  switch (operator) {
    case "in":
    case "eq":
      return (alert) => {
        const value = read(alert);
        return (
          value === undefined ||
          values.some((wanted) => String(wanted).toLowerCase() === String(value).toLowerCase())
        );
      };
    case "containing":
      return (alert) => {
        const value = read(alert);
        return (
          value === undefined ||
          values.some((wanted) => String(value).toLowerCase().includes(String(wanted).toLowerCase()))
        );
      };
    case "any_match": {
      const inner = values.flatMap((value) =>
        isObject(value) && Array.isArray(value.values) ? value.values : [value],
      );
      return (alert) => {
        const list = read(alert);
        return (
          !Array.isArray(list) ||
          list.some((item) =>
            inner.some((wanted) => String(wanted).toUpperCase() === String(item).toUpperCase()),
          )
        );
      };
    }
    case "range":
    case "gte":
    case "lte":
    case "date_gte":
    case "date_lte": {
      const dates = operator.startsWith("date_") || filter.type === "datetime";
      const toNumber = (value: unknown) => (dates ? Date.parse(String(value)) : Number(value));
      const low = operator === "range" || operator.endsWith("gte") ? toNumber(values[0]) : undefined;
      const high =
        operator === "range"
          ? toNumber(values[1])
          : operator.endsWith("lte")
            ? toNumber(values[0])
            : undefined;
      if ((low !== undefined && Number.isNaN(low)) || (high !== undefined && Number.isNaN(high))) {
        throw new Error(`${key}: invalid ${dates ? "datetime" : "number"} value`);
      }
      return (alert) => {
        const value = read(alert);
        if (value === undefined) return true;
        const number = toNumber(value);
        return (low === undefined || number >= low) && (high === undefined || number <= high);
      };
    }
    default:
      throw new Error(`Unknown operator "${operator}" for ${key}`);
  }
}
