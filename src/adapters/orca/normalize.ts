import { NormalizationError } from "../../core/errors.js";
import {
  type Category,
  type Control,
  type Finding,
  formatPath,
  type Resource,
  type Severity,
} from "../../core/finding.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import { isoFromEpochMs } from "../shared/time.js";
import { mapOrcaCategory } from "./map-category.js";
import { mapOrcaAssetType } from "./map-resource.js";
import { mapOrcaLegacyScore, mapOrcaSeverity } from "./map-severity.js";
import { mapOrcaStatus } from "./map-status.js";
import type { OrcaAlertRow, OrcaLegacyAlert } from "./schemas.js";

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
  const read = new FieldReader("orca", kind, options);
  const extracted = kind === "alert-row" ? fromRow(fields, read) : fromLegacy(fields, read);
  const consoleUrl = options.consoleUrl?.replace(/\/+$/, "") ?? defaultOrcaConsoleUrl;
  return build(
    extracted,
    read,
    consoleUrl,
    options.fetchedAt ?? new Date().toISOString(),
    options.keepRaw ? record : undefined,
  );
}

/** The US console, which alert links point at unless `consoleUrl` names a regional one. */
export const defaultOrcaConsoleUrl = "https://app.orcasecurity.io";

/**
 * Says which kind of Orca record this is: a serving-layer row carries `data.AlertId`, a legacy alert
 * `state.alert_id`.
 * @throws NormalizationError when the value is neither.
 */
export function detectOrcaRecordKind(record: unknown): OrcaRecordKind {
  if (isFields(record)) {
    if (isFields(record.data) && "AlertId" in record.data) return "alert-row";
    if (isFields(record.state)) return "alert";
  }
  throw new NormalizationError(
    `orca: unrecognized record (${describe(record)}): expected a serving-layer Alert row (data.AlertId) or a legacy alert (state.alert_id).`,
    { platform: "orca", path: [] },
  );
}

/** The native id of an Orca record, when it names one (for dead letters), without validating the rest. */
export function orcaAlertIdOf(record: unknown): string | undefined {
  if (!isFields(record)) return undefined;
  const id = isFields(record.data)
    ? unwrap(record.data.AlertId)
    : isFields(record.state)
      ? record.state.alert_id
      : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
}

// Internal helpers.

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
/** The fields of an optional object the record leaves out. */
const none: Fields = {};

/** What either record kind yields before mapping; plain values, paths only where an error can name them. */
interface Extracted {
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

function fromRow(record: Fields, read: FieldReader): Extracted {
  const data = record.data as Fields;
  const nativeId = read.string(unwrap(data.AlertId), dataPath, "AlertId");
  read.subject = `alert ${nativeId}`;
  const ruleType = read.text(unwrap(data.AlertType), dataPath, "AlertType");
  const ruleId = read.text(unwrap(data.RuleId), dataPath, "RuleId") || ruleType;
  if (!ruleId) {
    throw read.fail(["data", "AlertType"], "is missing (and data.RuleId too): the alert names no rule");
  }
  const seenKey = laterKey(data, "LastSeen", "LastUpdated", "CreatedAt");
  const asset = related(data, "Inventory", read);
  const account = related(data, "CloudAccount", read);
  const assetFields = asset?.fields ?? none;
  const assetPath = asset?.path ?? relatedPaths.Inventory.plain;
  const resourceId =
    read.text(unwrap(assetFields.AssetVendorId), assetPath, "AssetVendorId") ||
    read.text(unwrap(assetFields.AssetUniqueId), assetPath, "AssetUniqueId");
  if (!resourceId) {
    const vendorId = formatPath([...assetPath, "AssetVendorId"]);
    throw read.fail(
      [...assetPath, "AssetUniqueId"],
      `is missing (and ${vendorId} too): the alert names no asset`,
    );
  }
  const accountFields = account?.fields ?? none;
  const accountPath = account?.path ?? relatedPaths.CloudAccount.plain;
  return {
    nativeId,
    ruleId,
    title: read.text(unwrap(data.Title), dataPath, "Title") || ruleType || ruleId,
    severity: read.string(unwrap(data.RiskLevel), dataPath, "RiskLevel"),
    severityPath: rowSeverityPath,
    status: read.string(unwrap(data.Status), dataPath, "Status"),
    statusPath: rowStatusPath,
    category: read.text(unwrap(data.Category), dataPath, "Category"),
    description: read.text(unwrap(data.Description), dataPath, "Description") ?? "",
    remediation: read.text(unwrap(data.Recommendation), dataPath, "Recommendation"),
    cves: read.list(unwrap(data.CveIds), dataPath, "CveIds") ?? noCves,
    createdAt: read.string(unwrap(data.CreatedAt), dataPath, "CreatedAt"),
    lastSeen: read.string(unwrap(data[seenKey]), dataPath, seenKey),
    timesAt: dataPath,
    createdKey: "CreatedAt",
    lastSeenKey: seenKey,
    resourceId,
    assetType: read.string(unwrap(assetFields.AssetType), assetPath, "AssetType"),
    assetName: read.text(unwrap(assetFields.Name), assetPath, "Name") ?? "",
    cloudProvider:
      read.text(unwrap(accountFields.CloudProvider), accountPath, "CloudProvider") ??
      read.text(unwrap(assetFields.CloudProvider), assetPath, "CloudProvider"),
    accountId: read.textOr(unwrap(accountFields.CloudVendorId), accountPath, "CloudVendorId", ""),
    accountName: read.text(unwrap(accountFields.Name), accountPath, "Name"),
    region: read.text(unwrap(assetFields.Region), assetPath, "Region"),
    tags: unwrap(assetFields.Tags),
  };
}

function fromLegacy(record: Fields, read: FieldReader): Extracted {
  const state = record.state as Fields;
  const nativeId = read.string(state.alert_id, statePath, "alert_id");
  read.subject = `alert ${nativeId}`;
  const ruleId = read.text(record.rule_id, rootPath, "rule_id") || read.text(record.type, rootPath, "type");
  if (!ruleId) throw read.fail(["type"], "is missing (and rule_id too): the alert names no rule");
  const details = isFields(record.data) ? record.data : none;
  const inventory =
    isFields(record.model) && isFields(record.model.data) ? record.model.data.Inventory : undefined;
  const inventoryFields = isFields(inventory) ? inventory : none;
  const riskLevel = read.text(state.risk_level, statePath, "risk_level");
  const label = read.text(state.severity, statePath, "severity");
  const score =
    riskLevel === undefined && label === undefined ? read.number(state.score, statePath, "score") : undefined;
  if (riskLevel === undefined && label === undefined && score === undefined) {
    throw read.fail(["state", "risk_level"], "is missing (and state.severity and state.score too)");
  }
  const seenKey = laterKey(state, "last_seen", "last_updated", "created_at");
  const cves = record.cve_ids;
  return {
    nativeId,
    techniques: details.mitre_technique,
    ruleId,
    title:
      read.text(record.type_string, rootPath, "type_string") ||
      read.text(details.title, dataPath, "title") ||
      read.text(record.type, rootPath, "type") ||
      ruleId,
    severity: riskLevel ?? label ?? "",
    severityPath: riskLevel !== undefined ? legacyRiskLevelPath : legacyLabelPath,
    legacyScore: score,
    status: read.string(state.status, statePath, "status"),
    statusPath: legacyStatusPath,
    category: read.text(record.category, rootPath, "category"),
    description:
      read.text(record.description, rootPath, "description") ??
      read.text(record.details, rootPath, "details") ??
      "",
    remediation: read.text(record.recommendation, rootPath, "recommendation"),
    cves: Array.isArray(cves) ? cves : noCves,
    createdAt: read.string(state.created_at, statePath, "created_at"),
    lastSeen: read.string(state[seenKey], statePath, seenKey),
    timesAt: statePath,
    createdKey: "created_at",
    lastSeenKey: seenKey,
    resourceId:
      read.text(record.asset_vendor_id, rootPath, "asset_vendor_id") ||
      read.string(record.asset_unique_id, rootPath, "asset_unique_id"),
    assetType: read.string(record.asset_type, rootPath, "asset_type"),
    assetName: read.text(record.asset_name, rootPath, "asset_name") ?? "",
    cloudProvider: read.text(record.cloud_provider, rootPath, "cloud_provider"),
    accountId:
      read.text(record.cloud_provider_id, rootPath, "cloud_provider_id") ??
      read.textOr(record.cloud_vendor_id, rootPath, "cloud_vendor_id", ""),
    accountName: read.text(record.account_name, rootPath, "account_name"),
    region: read.text(inventoryFields.Region, legacyInventoryPath, "Region"),
    tags: inventoryFields.Tags,
  };
}

function build(
  alert: Extracted,
  read: FieldReader,
  consoleUrl: string,
  fetchedAt: string,
  raw: unknown,
): Finding {
  const severity: Severity | undefined =
    alert.legacyScore !== undefined ? mapOrcaLegacyScore(alert.legacyScore) : mapOrcaSeverity(alert.severity);
  if (!severity) {
    const value = alert.legacyScore ?? alert.severity;
    const path = alert.legacyScore !== undefined ? ["state", "score"] : alert.severityPath;
    throw read.fail(path, `has an unknown severity "${value}"`);
  }
  const status = mapOrcaStatus(alert.status);
  if (!status) throw read.fail(alert.statusPath, `has an unknown status "${alert.status}"`);
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
    firstSeen: toIso(read, alert.createdAt, [...alert.timesAt, alert.createdKey]),
    lastSeen: toIso(read, alert.lastSeen, [...alert.timesAt, alert.lastSeenKey]),
    vulnerability: cve === undefined ? undefined : { cve },
    raw,
  });
}

/** A serving-layer value: `{ value: x }` → x; anything else as it is. */
function unwrap(value: unknown): unknown {
  return isFields(value) && "value" in value ? value.value : value;
}

/** A related object under a row (`Inventory`, `CloudAccount`): `{ data: {...} }`, `{ value: {...} }` or plain. */
function related(
  data: Fields,
  key: RelatedKey,
  read: FieldReader,
): { fields: Fields; path: Path } | undefined {
  const outer = read.optionalObject(data[key], dataPath, key);
  if (outer === undefined) return undefined;
  const paths = relatedPaths[key];
  const wrapped = "value" in outer;
  const value = wrapped ? read.object(outer.value, paths.plain, "value") : outer;
  if (isFields(value.data)) return { fields: value.data, path: wrapped ? paths.valueData : paths.data };
  return { fields: value, path: wrapped ? paths.value : paths.plain };
}

type RelatedKey = "Inventory" | "CloudAccount";

/** The error-path prefixes of each related object's shapes, built once. */
const relatedPaths: Record<RelatedKey, Record<"plain" | "data" | "value" | "valueData", Path>> = {
  Inventory: pathsUnder("Inventory"),
  CloudAccount: pathsUnder("CloudAccount"),
};

function pathsUnder(key: RelatedKey): Record<"plain" | "data" | "value" | "valueData", Path> {
  return {
    plain: ["data", key],
    data: ["data", key, "data"],
    value: ["data", key, "value"],
    valueData: ["data", key, "value", "data"],
  };
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
function toIso(read: FieldReader, value: string, path: Path): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw read.fail(path, `is not a timestamp: "${value}"`);
  return isoFromEpochMs(time);
}
