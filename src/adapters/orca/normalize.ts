import { NormalizationError } from "../../core/errors.js";
import {
  type Category,
  type Control,
  type Finding,
  formatPath,
  type Resource,
  type Severity,
} from "../../core/finding.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import {
  mapOrcaAssetType,
  mapOrcaCategory,
  mapOrcaLegacyScore,
  mapOrcaSeverity,
  mapOrcaStatus,
} from "./map.js";
import type { OrcaAlertRow, OrcaLegacyAlert } from "./records.js";

/**
 * The kinds of Orca record {@link normalize} accepts: a serving-layer `Alert` row (fields wrapped as
 * `{ value }`), or a legacy alert object (`/api/query/alerts`, and the default webhook body).
 */
export type OrcaRecordKind = "alert-row" | "alert";

/** Options of {@link normalize}. */
export interface NormalizeOptions extends SourceNormalizeOptions {
  /** The Orca console that alert links point at (regional tenants use their own host). @default "https://app.orcasecurity.io" */
  consoleUrl?: string;
}

/**
 * Turns one Orca alert into a Finding: a serving-layer `Alert` row ({@link OrcaAlertRow}) or a legacy
 * alert object ({@link OrcaLegacyAlert}) (`GET /api/query/alerts`, webhook bodies); the kind is detected. Posture,
 * vulnerability, identity, data and threat alerts all arrive as alerts; the category comes from Orca's
 * `Category` (CVE ids make a vulnerability). Pure apart from the default `fetchedAt`.
 * @throws NormalizationError naming the missing or invalid field, e.g. `["data", "RiskLevel"]`.
 * @example
 * const finding = normalize(row, { fetchedAt: new Date().toISOString() });
 */
export function normalize(
  record: OrcaAlertRow | OrcaLegacyAlert | unknown,
  options: NormalizeOptions = {},
): Finding {
  const kind = detectOrcaRecordKind(record);
  const fields = record as Fields;
  const extracted = kind === "alert-row" ? fromRow(fields) : fromLegacy(fields);
  const consoleUrl = options.consoleUrl?.replace(/\/+$/, "") ?? defaultConsoleUrl;
  return build(
    extracted,
    consoleUrl,
    options.fetchedAt ?? new Date().toISOString(),
    options.keepRaw ? record : undefined,
  );
}

/**
 * Says which kind of Orca record this is: a serving-layer row carries `data.AlertId`, a legacy alert
 * `state.alert_id`.
 * @throws NormalizationError when the value is neither.
 */
export function detectOrcaRecordKind(record: unknown): OrcaRecordKind {
  if (isObject(record)) {
    if (isObject(record.data) && "AlertId" in record.data) return "alert-row";
    if (isObject(record.state)) return "alert";
  }
  throw new NormalizationError(
    `orca: unrecognized record (${describe(record)}): expected a serving-layer Alert row (data.AlertId) or a legacy alert (state.alert_id).`,
    { platform: "orca", path: [] },
  );
}

/** The native id of an Orca record, when it names one (for dead letters), without validating the rest. */
export function orcaAlertIdOf(record: unknown): string | undefined {
  if (!isObject(record)) return undefined;
  const id = isObject(record.data)
    ? unwrap(record.data.AlertId)
    : isObject(record.state)
      ? record.state.alert_id
      : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
}

// Internal helpers.

type Fields = Record<string, unknown>;
type Path = (string | number)[];

const defaultConsoleUrl = "https://app.orcasecurity.io";

// Path prefixes, shared by every record (built into full paths only when an error names one).
const rootPath: Path = [];
const dataPath: Path = ["data"];
const statePath: Path = ["state"];
const rowSeverityPath: Path = ["data", "RiskLevel"];
const rowStatusPath: Path = ["data", "Status"];
const legacyRiskLevelPath: Path = ["state", "risk_level"];
const legacyLabelPath: Path = ["state", "severity"];
const legacyStatusPath: Path = ["state", "status"];
const legacyInventoryPath: Path = ["model", "data", "Inventory"];
const noCves: readonly unknown[] = [];

/** What either record kind yields before mapping; plain values, paths only where an error can name them. */
interface Extracted {
  kind: OrcaRecordKind;
  nativeId: string;
  /** Legacy `data.mitre_technique`: `"Valid Accounts (T1078)"` or a list of those. */
  techniques?: unknown;
  ruleId: string;
  title: string;
  severity: string;
  severityPath: Path;
  /** The legacy integer score, used when no risk level or label is present. */
  legacyScore?: number;
  status: string;
  statusPath: Path;
  category?: string;
  description: string;
  remediation?: string;
  cves: readonly unknown[];
  createdAt: string;
  lastSeen: string;
  /** Where the timestamps live (`["data"]` or `["state"]`) and under which keys, for error paths. */
  timesAt: Path;
  createdKey: string;
  lastSeenKey: string;
  resourceId: string;
  assetType: string;
  assetName: string;
  cloudProvider?: string;
  accountId: string;
  accountName?: string;
  region?: string;
  tags: unknown;
}

function fromRow(record: Fields): Extracted {
  const data = record.data as Fields;
  const nativeId = required(data, "AlertId", dataPath, "alert-row", undefined);
  const ruleType = optional(data, "AlertType", dataPath, nativeId);
  const ruleId = optional(data, "RuleId", dataPath, nativeId) ?? ruleType;
  if (ruleId === undefined)
    throw missing(nativeId, ["data", "AlertType"], "names no rule (RuleId or AlertType)");
  const seenKey = laterKey(data, "LastSeen", "LastUpdated", "CreatedAt");
  const asset = related(data, "Inventory", nativeId);
  const account = related(data, "CloudAccount", nativeId);
  const assetFields = asset?.fields ?? {};
  const assetPath = asset?.path ?? relatedPaths.Inventory.plain;
  const resourceId =
    optional(assetFields, "AssetVendorId", assetPath, nativeId) ??
    optional(assetFields, "AssetUniqueId", assetPath, nativeId);
  if (resourceId === undefined)
    throw missing(nativeId, [...assetPath, "AssetUniqueId"], "is missing: the alert names no asset");
  const accountFields = account?.fields ?? {};
  const accountPath = account?.path ?? relatedPaths.CloudAccount.plain;
  const cves = unwrap(data.CveIds);
  if (cves !== undefined && cves !== null && !Array.isArray(cves)) {
    throw missing(nativeId, ["data", "CveIds"], "must be a list of CVE ids");
  }
  return {
    kind: "alert-row",
    nativeId,
    ruleId,
    title: optional(data, "Title", dataPath, nativeId) || ruleType || ruleId,
    severity: required(data, "RiskLevel", dataPath, "alert-row", nativeId),
    severityPath: rowSeverityPath,
    status: required(data, "Status", dataPath, "alert-row", nativeId),
    statusPath: rowStatusPath,
    category: optional(data, "Category", dataPath, nativeId),
    description: optional(data, "Description", dataPath, nativeId) ?? "",
    remediation: optional(data, "Recommendation", dataPath, nativeId),
    cves: cves ?? noCves,
    createdAt: required(data, "CreatedAt", dataPath, "alert-row", nativeId),
    lastSeen: required(data, seenKey, dataPath, "alert-row", nativeId),
    timesAt: dataPath,
    createdKey: "CreatedAt",
    lastSeenKey: seenKey,
    resourceId,
    assetType: required(assetFields, "AssetType", assetPath, "alert-row", nativeId),
    assetName: optional(assetFields, "Name", assetPath, nativeId) ?? "",
    cloudProvider:
      optional(accountFields, "CloudProvider", accountPath, nativeId) ??
      optional(assetFields, "CloudProvider", assetPath, nativeId),
    accountId: optional(accountFields, "CloudVendorId", accountPath, nativeId) ?? "",
    accountName: optional(accountFields, "Name", accountPath, nativeId),
    region: optional(assetFields, "Region", assetPath, nativeId),
    tags: unwrap(assetFields.Tags),
  };
}

function fromLegacy(record: Fields): Extracted {
  const state = record.state as Fields;
  const nativeId = required(state, "alert_id", statePath, "alert", undefined);
  const ruleId =
    optional(record, "rule_id", rootPath, nativeId) ?? optional(record, "type", rootPath, nativeId);
  if (ruleId === undefined) throw missing(nativeId, ["type"], "names no rule (rule_id or type)");
  const details = isObject(record.data) ? record.data : {};
  const inventory =
    isObject(record.model) && isObject(record.model.data) ? record.model.data.Inventory : undefined;
  const inventoryFields = isObject(inventory) ? inventory : {};
  const riskLevel = optional(state, "risk_level", statePath, nativeId);
  const label = optional(state, "severity", statePath, nativeId);
  const score = state.score;
  if (riskLevel === undefined && label === undefined && typeof score !== "number") {
    throw missing(nativeId, ["state", "risk_level"], "is missing (and no legacy severity or score either)");
  }
  const seenKey = laterKey(state, "last_seen", "last_updated", "created_at");
  const cves = record.cve_ids;
  return {
    kind: "alert",
    nativeId,
    techniques: details.mitre_technique,
    ruleId,
    title:
      optional(record, "type_string", rootPath, nativeId) ||
      optional(details, "title", dataPath, nativeId) ||
      optional(record, "type", rootPath, nativeId) ||
      ruleId,
    severity: riskLevel ?? label ?? "",
    severityPath: riskLevel !== undefined ? legacyRiskLevelPath : legacyLabelPath,
    legacyScore: riskLevel === undefined && label === undefined ? (score as number) : undefined,
    status: required(state, "status", statePath, "alert", nativeId),
    statusPath: legacyStatusPath,
    category: optional(record, "category", rootPath, nativeId),
    description:
      optional(record, "description", rootPath, nativeId) ??
      optional(record, "details", rootPath, nativeId) ??
      "",
    remediation: optional(record, "recommendation", rootPath, nativeId),
    cves: Array.isArray(cves) ? cves : noCves,
    createdAt: required(state, "created_at", statePath, "alert", nativeId),
    lastSeen: required(state, seenKey, statePath, "alert", nativeId),
    timesAt: statePath,
    createdKey: "created_at",
    lastSeenKey: seenKey,
    resourceId:
      optional(record, "asset_vendor_id", rootPath, nativeId) ||
      required(record, "asset_unique_id", rootPath, "alert", nativeId),
    assetType: required(record, "asset_type", rootPath, "alert", nativeId),
    assetName: optional(record, "asset_name", rootPath, nativeId) ?? "",
    cloudProvider: optional(record, "cloud_provider", rootPath, nativeId),
    accountId:
      optional(record, "cloud_provider_id", rootPath, nativeId) ??
      optional(record, "cloud_vendor_id", rootPath, nativeId) ??
      "",
    accountName: optional(record, "account_name", rootPath, nativeId),
    region: optional(inventoryFields, "Region", legacyInventoryPath, nativeId),
    tags: inventoryFields.Tags,
  };
}

function build(alert: Extracted, consoleUrl: string, fetchedAt: string, raw: unknown): Finding {
  const severity: Severity | undefined =
    alert.legacyScore !== undefined ? mapOrcaLegacyScore(alert.legacyScore) : mapOrcaSeverity(alert.severity);
  if (!severity) {
    const value = alert.legacyScore ?? alert.severity;
    const path = alert.legacyScore !== undefined ? ["state", "score"] : alert.severityPath;
    throw missing(alert.nativeId, path, `has an unknown severity "${value}"`);
  }
  const status = mapOrcaStatus(alert.status);
  if (!status) throw missing(alert.nativeId, alert.statusPath, `has an unknown status "${alert.status}"`);
  const cve = firstCve(alert.cves, alert.title);
  const category: Category = mapOrcaCategory(alert.category, alert.title, cve !== undefined);
  const asset = mapOrcaAssetType(alert.assetType, alert.cloudProvider);
  const resource = {
    id: alert.resourceId,
    type: asset.type,
    nativeType: alert.assetType,
    name: alert.assetName,
    cloud: asset.cloud,
    accountId: alert.accountId,
  } as Resource;
  if (alert.accountName !== undefined) resource.accountName = alert.accountName;
  if (alert.region !== undefined && alert.region !== "") resource.region = alert.region;
  resource.tags = toTags(alert.tags);
  return assembleFinding({
    source: {
      platform: "orca",
      nativeId: alert.nativeId,
      nativeSeverity: alert.legacyScore !== undefined ? String(alert.legacyScore) : alert.severity,
      nativeStatus: alert.status,
      url: `${consoleUrl}/alerts/${encodeURIComponent(alert.nativeId)}`,
      fetchedAt,
    },
    category,
    severity,
    status,
    title: alert.title,
    description: alert.description,
    rule:
      alert.remediation === undefined
        ? { id: alert.ruleId, name: alert.title, controls: attackControls(alert.techniques) }
        : {
            id: alert.ruleId,
            name: alert.title,
            remediation: alert.remediation,
            controls: attackControls(alert.techniques),
          },
    resource,
    firstSeen: toIso(alert, alert.createdAt, alert.createdKey),
    lastSeen: toIso(alert, alert.lastSeen, alert.lastSeenKey),
    vulnerability: cve === undefined ? undefined : { cve },
    raw,
  });
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A serving-layer value: `{ value: x }` → x; anything else as it is. */
function unwrap(value: unknown): unknown {
  return isObject(value) && "value" in value ? value.value : value;
}

/** A related object under a row (`Inventory`, `CloudAccount`): `{ data: {...} }`, `{ value: {...} }` or plain. */
function related(
  data: Fields,
  key: RelatedKey,
  nativeId: string,
): { fields: Fields; path: Path } | undefined {
  const outer = data[key];
  if (outer === undefined || outer === null) return undefined;
  const paths = relatedPaths[key];
  const wrapped = isObject(outer) && "value" in outer;
  const value = wrapped ? outer.value : outer;
  if (!isObject(value)) throw missing(nativeId, wrapped ? paths.value : paths.plain, "must be an object");
  if (isObject(value.data)) return { fields: value.data, path: wrapped ? paths.valueData : paths.data };
  return { fields: value, path: wrapped ? paths.value : paths.plain };
}

type RelatedKey = "Inventory" | "CloudAccount";

/** The error-path prefixes of each related object's shapes, built once. */
const relatedPaths = Object.fromEntries(
  (["Inventory", "CloudAccount"] as const).map((key) => [
    key,
    {
      plain: ["data", key],
      data: ["data", key, "data"],
      value: ["data", key, "value"],
      valueData: ["data", key, "value", "data"],
    },
  ]),
) as Record<RelatedKey, Record<"plain" | "data" | "value" | "valueData", Path>>;

/** A required non-empty string at `holder[key]` (unwrapped). */
function required(
  holder: Fields,
  key: string,
  path: Path,
  kind: OrcaRecordKind,
  nativeId: string | undefined,
): string {
  const value = unwrap(holder[key]);
  if (typeof value === "string" && value !== "") return value;
  const where = [...path, key];
  const what =
    value === undefined || value === null
      ? "is missing"
      : `must be a non-empty string, got ${describe(value)}`;
  throw new NormalizationError(
    `orca: ${nativeId ? `alert ${nativeId}` : kind}: ${formatPath(where)} ${what}`,
    {
      platform: "orca",
      path: where,
      issues: [{ path: where, message: what }],
    },
  );
}

/** An optional string at `holder[key]` (unwrapped): absent or null is `undefined`, any other type an error. */
function optional(holder: Fields, key: string, path: Path, nativeId: string): string | undefined {
  const value = unwrap(holder[key]);
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return undefined;
  throw missing(nativeId, [...path, key], `must be a string, got ${describe(value)}`);
}

/**
 * The key of the later of two timestamps (either may be missing), else `fallback`: an alert closed or
 * snoozed after the scanner last saw it has a newer "last updated" than "last seen", and incremental
 * runs (`updatedAfter`) must still see that change.
 */
function laterKey(holder: Fields, first: string, second: string, fallback: string): string {
  const a = unwrap(holder[first]);
  const b = unwrap(holder[second]);
  if (a === undefined || a === null) return b === undefined || b === null ? fallback : second;
  if (b === undefined || b === null || a === b) return first;
  return Date.parse(String(b)) > Date.parse(String(a)) ? second : first;
}

function missing(nativeId: string, path: Path, message: string): NormalizationError {
  return new NormalizationError(`orca: alert ${nativeId}: ${formatPath(path)} ${message}`, {
    platform: "orca",
    path,
    issues: [{ path, message }],
  });
}

const cvePattern = /\bCVE-\d{4}-\d{4,}\b/i;

/** The first CVE id among the alert's CVE ids, else one named in its title. */
function firstCve(cves: readonly unknown[], title: string): string | undefined {
  for (const value of cves) {
    if (typeof value === "string" && cvePattern.test(value)) return value.trim().toUpperCase();
  }
  return cvePattern.exec(title)?.[0].toUpperCase();
}

/** MITRE ATT&CK technique ids named in legacy `mitre_technique` text (`"Valid Accounts (T1078)"`), once each. */
function attackControls(techniques: unknown): Control[] {
  if (techniques === undefined || techniques === null) return [];
  const text = Array.isArray(techniques) ? techniques.join("\n") : String(techniques);
  const ids = new Set(text.match(/\bT\d{4}(?:\.\d{3})?\b/g));
  return Array.from(ids, (control) => ({ framework: "MITRE ATT&CK", control }));
}

/** ISO-8601 in UTC from Orca's timestamps (`2025-03-02T10:11:12+00:00`, with or without fractions). */
function toIso(alert: Extracted, value: string, key: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw missing(alert.nativeId, [...alert.timesAt, key], `is not a timestamp: "${value}"`);
  return new Date(time).toISOString();
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
