import { NormalizationError } from "../../core/errors.js";
import type { Category, Control, Finding, FindingStatus, Resource, Severity } from "../../core/finding.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { fallbackSeverity } from "../shared/severity.js";
import { toTags } from "../shared/tags.js";
import { isoFromText } from "../shared/time.js";
import { mapOrcaCategory } from "./map-category.js";
import { cloudOfAccountId, mapOrcaAssetType, orcaCloudOf } from "./map-resource.js";
import { mapOrcaLegacyScore, mapOrcaSeverity } from "./map-severity.js";
import { mapOrcaStatus } from "./map-status.js";
import type { OrcaAlertRow, OrcaLegacyAlert } from "./schemas.js";

/**
 * The kinds of Orca record {@link normalize} accepts: a serving-layer `Alert` row (fields wrapped as
 * `{ value }` or bare, under `data` or at the top level), or a legacy alert object (`state.alert_id`:
 * `/api/query/alerts`, `/api/alerts` and the default webhook body; or a first-generation one with
 * `alert_id` at the top level).
 */
export type OrcaRecordKind = "alert-row" | "alert";

/** Options of {@link normalize}. */
export interface NormalizeOptions extends SourceNormalizeOptions {
  /** The Orca console that alert links point at (regional tenants use their own host). @default "https://app.orcasecurity.io" */
  consoleUrl?: string;
}

/**
 * Turns one Orca alert into a Finding: a serving-layer `Alert` row ({@link OrcaAlertRow}) or a legacy
 * alert object ({@link OrcaLegacyAlert}) (`GET /api/query/alerts`, `GET /api/alerts`, webhook bodies); the
 * kind is detected. Posture, vulnerability, identity, data and threat alerts all arrive as alerts; the
 * category comes from Orca's `Category` (CVE ids make a vulnerability). A field the Finding can do without
 * (a time, the asset, the rule, an unknown severity or status word) is replaced by a fallback with a
 * `fallback` warning to `onWarning`, naming the field. Pure apart from the default `fetchedAt`.
 * @throws NormalizationError when the record names no alert id, or a field it does carry has the wrong
 * type, naming its path, e.g. `["data", "Title"]`.
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
  const fetchedAt = options.fetchedAt ?? new Date().toISOString();
  const extracted = kind === "alert-row" ? fromRow(fields, read) : fromLegacy(fields, read);
  const consoleUrl = options.consoleUrl?.replace(/\/+$/, "") ?? defaultOrcaConsoleUrl;
  return build(extracted, read, consoleUrl, fetchedAt, options.keepRaw ? record : undefined);
}

/** The US console, which alert links point at unless `consoleUrl` names a regional one. */
export const defaultOrcaConsoleUrl = "https://app.orcasecurity.io";

/**
 * Says which kind of Orca record this is: a serving-layer row carries `AlertId` (under `data` or, flat,
 * at the top level), a legacy alert `state` or a top-level `alert_id`.
 * @throws NormalizationError when the value is neither.
 */
export function detectOrcaRecordKind(record: unknown): OrcaRecordKind {
  if (isFields(record)) {
    if ((isFields(record.data) && "AlertId" in record.data) || "AlertId" in record) return "alert-row";
    if (isFields(record.state) || "alert_id" in record) return "alert";
  }
  throw new NormalizationError(
    `orca: unrecognized record (${describe(record)}): expected a serving-layer Alert row (AlertId) or a legacy alert (state.alert_id or alert_id).`,
    { platform: "orca", path: [] },
  );
}

/** The native id of an Orca record, when it names one (for dead letters), without validating the rest. */
export function orcaAlertIdOf(record: unknown): string | undefined {
  if (!isFields(record)) return undefined;
  // Legacy alerts have a `data` object too (their details): only a row's `data` holds AlertId.
  const data = isFields(record.data) && "AlertId" in record.data ? record.data : record;
  const id =
    unwrap(data.AlertId) ?? (isFields(record.state) ? record.state.alert_id : record.alert_id) ?? record.name;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  return typeof id === "string" && id !== "" ? id : undefined;
}

// Internal helpers.

// Path prefixes, shared by every record (built into full paths only when an error names one).
const rootPath: Path = [];
const dataPath: Path = ["data"];
const statePath: Path = ["state"];
const legacyInventoryPath: Path = ["model", "data", "Inventory"];
const noCves: readonly unknown[] = [];
/** The fields of an optional object the record leaves out. */
const none: Fields = {};

/**
 * A value read from the record and where it sits (its holder's path and its key; the full path is built
 * only for a warning); `value` is undefined when absent.
 */
interface Located<T> {
  value: T | undefined;
  at: Path;
  key: string;
}

/** What either record kind yields before mapping; plain values, paths only where a warning can name them. */
interface Extracted {
  nativeId: string;
  /** Legacy `data.mitre_technique`: `"Valid Accounts (T1078)"` or a list of those. */
  techniques?: unknown;
  ruleId: Located<string>;
  title?: string;
  /** The risk level or legacy label. */
  severity: Located<string>;
  /** The legacy integer score, used when no risk level or label is present. */
  legacyScore: Located<number>;
  status: Located<string>;
  category?: string;
  description: string;
  remediation?: string;
  cves: readonly unknown[];
  createdAt: Located<string>;
  /** The first-seen time's fallbacks, in order (e.g. the last-seen time). */
  lastSeen: Located<string>;
  resourceId: Located<string>;
  assetType: Located<string>;
  assetName: string;
  cloudProvider?: string;
  accountId: Located<string>;
  accountName?: string;
  region?: string;
  tags: unknown;
}

function fromRow(record: Fields, read: FieldReader): Extracted {
  const nested = isFields(record.data) && "AlertId" in record.data;
  const data = nested ? (record.data as Fields) : record;
  const at = nested ? dataPath : rootPath;
  const nativeId =
    read.textual(unwrap(data.AlertId), at, "AlertId") || read.text(record.name, rootPath, "name");
  if (!nativeId) throw read.fail([...at, "AlertId"], "is missing (and name too): the alert names no id");
  read.subject = `alert ${nativeId}`;
  const ruleType = read.text(unwrap(data.AlertType), at, "AlertType");
  const title = read.text(unwrap(data.Title), at, "Title");
  const paths = nested ? nestedRowPaths : flatRowPaths;
  const asset =
    related(data, paths.inventory, read) ??
    (nested ? related(record, flatRowPaths.inventory, read) : undefined);
  const account = related(data, paths.cloudAccount, read);
  const assetFields = asset?.fields ?? none;
  const assetPath = asset?.path ?? paths.inventory.plain;
  const assetDataPath = paths.assetData;
  const assetData = read.optionalObject(unwrap(data.AssetData), at, "AssetData") ?? none;
  const accountFields = account?.fields ?? none;
  const accountPath = account?.path ?? paths.cloudAccount.plain;
  const seenKey = laterKey(data, "LastSeen", "LastUpdated");
  const resourceId =
    read.text(unwrap(assetFields.AssetVendorId), assetPath, "AssetVendorId") ||
    read.text(unwrap(assetFields.AssetUniqueId), assetPath, "AssetUniqueId") ||
    read.text(assetData.asset_vendor_id, assetDataPath, "asset_vendor_id") ||
    read.text(assetData.asset_unique_id, assetDataPath, "asset_unique_id") ||
    read.text(unwrap(data.GroupUniqueId), at, "GroupUniqueId") ||
    read.text(record.group_unique_id, rootPath, "group_unique_id") ||
    read.text(record.cluster_unique_id, rootPath, "cluster_unique_id");
  return {
    nativeId,
    ruleId: {
      value: read.text(unwrap(data.RuleId), at, "RuleId") || ruleType || title,
      at,
      key: "RuleId",
    },
    title: title || ruleType,
    severity: {
      value:
        read.text(unwrap(data.RiskLevel), at, "RiskLevel") ||
        read.text(unwrap(data.Severity), at, "Severity"),
      at,
      key: data.RiskLevel === undefined && data.Severity !== undefined ? "Severity" : "RiskLevel",
    },
    legacyScore: { value: read.number(unwrap(data.Score), at, "Score"), at, key: "Score" },
    status: { value: read.text(unwrap(data.Status), at, "Status"), at, key: "Status" },
    category: read.text(unwrap(data.Category), at, "Category"),
    description:
      read.text(unwrap(data.Description), at, "Description") ??
      read.text(unwrap(data.Details), at, "Details") ??
      "",
    remediation: read.text(unwrap(data.Recommendation), at, "Recommendation"),
    cves: read.list(unwrap(data.CveIds), at, "CveIds") ?? noCves,
    createdAt: { value: read.text(unwrap(data.CreatedAt), at, "CreatedAt"), at, key: "CreatedAt" },
    lastSeen: {
      value:
        read.text(unwrap(data[seenKey]), at, seenKey) || read.text(record.last_seen, rootPath, "last_seen"),
      at,
      key: seenKey,
    },
    resourceId: { value: resourceId, at: assetPath, key: "AssetUniqueId" },
    assetType: {
      value:
        read.text(unwrap(assetFields.AssetType), assetPath, "AssetType") ||
        read.text(assetData.asset_type, assetDataPath, "asset_type"),
      at: assetPath,
      key: "AssetType",
    },
    assetName:
      read.text(unwrap(assetFields.Name), assetPath, "Name") ||
      read.text(assetData.asset_name, assetDataPath, "asset_name") ||
      "",
    cloudProvider:
      read.text(unwrap(accountFields.CloudProvider), accountPath, "CloudProvider") ||
      read.text(unwrap(assetFields.CloudProvider), assetPath, "CloudProvider") ||
      read.text(assetData.cloud_provider, assetDataPath, "cloud_provider"),
    accountId: {
      value:
        read.textual(unwrap(accountFields.CloudVendorId), accountPath, "CloudVendorId") ||
        read.textual(unwrap(assetFields.CloudAccountId), assetPath, "CloudAccountId") ||
        read.textual(assetData.cloud_vendor_id, assetDataPath, "cloud_vendor_id"),
      at: accountPath,
      key: "CloudVendorId",
    },
    accountName:
      read.text(unwrap(accountFields.Name), accountPath, "Name") ||
      read.text(assetData.account_name, assetDataPath, "account_name"),
    region: read.text(unwrap(assetFields.Region), assetPath, "Region"),
    tags: unwrap(assetFields.Tags),
  };
}

function fromLegacy(record: Fields, read: FieldReader): Extracted {
  // First-generation alerts (Sentinel's OrcaAlerts_CL) carry the state fields at the top level.
  const hasState = isFields(record.state);
  const state = hasState ? (record.state as Fields) : record;
  const stateAt = hasState ? statePath : rootPath;
  const nativeId = read.textual(state.alert_id, stateAt, "alert_id");
  if (!nativeId) throw read.fail([...stateAt, "alert_id"], "is missing: the alert names no id");
  read.subject = `alert ${nativeId}`;
  const details = isFields(record.data) ? record.data : none;
  const model = isFields(record.model) ? record.model : none;
  const inventory = isFields(model.data) ? model.data.Inventory : undefined;
  const inventoryFields = isFields(inventory) ? inventory : none;
  const riskLevel = read.text(state.risk_level, stateAt, "risk_level");
  const label = read.text(state.severity, stateAt, "severity");
  const seenKey = laterKey(state, "last_seen", "last_updated");
  const time = read.text(record.time, rootPath, "time");
  const cves = record.cve_ids;
  const regions = read.list(record.asset_regions, rootPath, "asset_regions");
  const accountId =
    read.textual(record.cloud_provider_id, rootPath, "cloud_provider_id") ||
    read.textual(record.cloud_vendor_id, rootPath, "cloud_vendor_id");
  return {
    nativeId,
    techniques: details.mitre_technique,
    ruleId: {
      value:
        read.text(record.rule_id, rootPath, "rule_id") ||
        read.text(record.type, rootPath, "type") ||
        read.text(record.alert_type, rootPath, "alert_type"),
      at: rootPath,
      key: "rule_id",
    },
    title:
      read.text(record.type_string, rootPath, "type_string") ||
      read.text(details.title, dataPath, "title") ||
      (hasState ? undefined : read.text(record.description, rootPath, "description")) ||
      read.text(record.type, rootPath, "type") ||
      read.text(record.alert_type, rootPath, "alert_type"),
    severity: { value: riskLevel || label, at: stateAt, key: riskLevel ? "risk_level" : "severity" },
    legacyScore: { value: read.number(state.score, stateAt, "score"), at: stateAt, key: "score" },
    status: { value: read.text(state.status, stateAt, "status"), at: stateAt, key: "status" },
    category: read.text(record.category, rootPath, "category"),
    description:
      (hasState ? read.text(record.description, rootPath, "description") : undefined) ??
      read.text(record.details, rootPath, "details") ??
      "",
    remediation: read.text(record.recommendation, rootPath, "recommendation"),
    cves: Array.isArray(cves) ? cves : noCves,
    createdAt: {
      value: read.text(state.created_at, stateAt, "created_at") || time,
      at: stateAt,
      key: "created_at",
    },
    lastSeen: { value: read.text(state[seenKey], stateAt, seenKey) || time, at: stateAt, key: seenKey },
    resourceId: {
      value:
        read.text(record.asset_vendor_id, rootPath, "asset_vendor_id") ||
        read.text(record.vm_id, rootPath, "vm_id") ||
        read.text(record.asset_unique_id, rootPath, "asset_unique_id") ||
        read.text(record.group_unique_id, rootPath, "group_unique_id"),
      at: rootPath,
      key: "asset_unique_id",
    },
    assetType: {
      value: read.text(record.asset_type, rootPath, "asset_type") || read.text(model.type, ["model"], "type"),
      at: rootPath,
      key: "asset_type",
    },
    assetName: read.text(record.asset_name, rootPath, "asset_name") ?? "",
    cloudProvider:
      read.text(record.cloud_provider, rootPath, "cloud_provider") || cloudOfAccountId(accountId ?? ""),
    accountId: { value: accountId, at: rootPath, key: "cloud_vendor_id" },
    accountName: read.text(record.account_name, rootPath, "account_name"),
    region:
      read.text(inventoryFields.Region, legacyInventoryPath, "Region") ||
      (regions && read.text(regions[0], ["asset_regions"], 0)),
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
  const { severity, nativeSeverity } = severityOf(alert, read);
  const status = statusOf(alert.status, read);
  const ruleId = alert.ruleId.value || fallback(read, alert.ruleId, "is missing", "unknown");
  const title = alert.title || ruleId;
  const cve = firstCve(alert.cves, title);
  const category: Category = mapOrcaCategory(alert.category, title, cve !== undefined);
  const provider = alert.cloudProvider;
  if (provider && orcaCloudOf(provider) === undefined) {
    read.warn(
      [...alert.assetType.at, "CloudProvider"],
      `has an unknown cloud provider "${provider}"`,
      "other",
    );
  }
  const assetType = alert.assetType.value || fallback(read, alert.assetType, "is missing", "unknown");
  const asset = mapOrcaAssetType(assetType, provider);
  if (alert.assetType.value && asset.type.includes(".other.")) {
    read.warn(
      [...alert.assetType.at, alert.assetType.key],
      `has an unknown asset type "${assetType}"`,
      asset.type,
    );
  }
  const resource = {
    id:
      alert.resourceId.value ||
      fallback(
        read,
        alert.resourceId,
        "is missing: the alert names no asset",
        `orca-alert:${alert.nativeId}`,
      ),
    type: asset.type,
    nativeType: assetType,
    name: alert.assetName,
    cloud: asset.cloud,
    accountId: alert.accountId.value || fallback(read, alert.accountId, "is missing", ""),
  } as Resource;
  if (alert.accountName) resource.accountName = alert.accountName;
  if (alert.region) resource.region = alert.region;
  resource.tags = toTags(alert.tags);
  const firstSeen =
    toIso(alert.createdAt.value) ??
    fallback(
      read,
      alert.createdAt,
      timeProblem(alert.createdAt.value),
      toIso(alert.lastSeen.value) ?? fetchedAt,
    );
  const lastSeen =
    toIso(alert.lastSeen.value) ??
    (alert.lastSeen.value === undefined
      ? firstSeen
      : fallback(read, alert.lastSeen, timeProblem(alert.lastSeen.value), firstSeen));
  const controls = attackControls(alert.techniques);
  return assembleFinding({
    source: {
      platform: "orca",
      nativeId: alert.nativeId,
      nativeSeverity,
      nativeStatus: alert.status.value ?? "",
      url: `${consoleUrl}/alerts/${encodeURIComponent(alert.nativeId)}`,
      fetchedAt,
    },
    category,
    severity,
    status,
    title,
    description: alert.description,
    rule:
      alert.remediation === undefined
        ? { id: ruleId, name: title, controls }
        : { id: ruleId, name: title, remediation: alert.remediation, controls },
    resource,
    firstSeen,
    lastSeen,
    vulnerability: cve === undefined ? undefined : { cve },
    raw,
  });
}

/** The severity from the risk level or legacy label, else the legacy score, else {@link fallbackSeverity} with a warning. */
function severityOf(alert: Extracted, read: FieldReader): { severity: Severity; nativeSeverity: string } {
  const word = alert.severity.value;
  if (word) {
    const severity = mapOrcaSeverity(word);
    if (severity) return { severity, nativeSeverity: word };
  }
  const score = alert.legacyScore.value;
  if (score !== undefined) {
    const severity = mapOrcaLegacyScore(score);
    if (severity) return { severity, nativeSeverity: String(score) };
  }
  if (word)
    return {
      severity: fallback(read, alert.severity, `has an unknown severity "${word}"`, fallbackSeverity),
      nativeSeverity: word,
    };
  if (score !== undefined) {
    return {
      severity: fallback(read, alert.legacyScore, `has an unknown score ${score}`, fallbackSeverity),
      nativeSeverity: String(score),
    };
  }
  return {
    severity: fallback(read, alert.severity, "is missing", fallbackSeverity),
    nativeSeverity: "",
  };
}

/** The mapped status, else `open` with a warning (an alert Orca reports is open unless it says otherwise). */
function statusOf(status: Located<string>, read: FieldReader): FindingStatus {
  if (status.value === undefined) return fallback(read, status, "is missing", "open");
  return (
    mapOrcaStatus(status.value) ?? fallback(read, status, `has an unknown status "${status.value}"`, "open")
  );
}

/** `value` after a `fallback` warning that the field `field` names could not be used (`problem`). */
function fallback<T>(read: FieldReader, field: Located<unknown>, problem: string, value: T): T {
  read.warn([...field.at, field.key], problem, value);
  return value;
}

function timeProblem(value: string | undefined): string {
  return value === undefined ? "is missing" : `is not a timestamp: "${value}"`;
}

/** A serving-layer value: `{ value: x }` → x; anything else as it is. */
function unwrap(value: unknown): unknown {
  // A list never holds a `value` key, so this needs no `isFields` (called for every field of a row).
  return typeof value === "object" && value !== null && "value" in value ? value.value : value;
}

/** Where a related object of a row (`Inventory`, `CloudAccount`) and its possible wrappings sit. */
interface RelatedPaths {
  holder: Path;
  key: "Inventory" | "CloudAccount";
  plain: Path;
  value: Path;
  data: Path;
  valueData: Path;
}

function relatedPaths(holder: Path, key: "Inventory" | "CloudAccount"): RelatedPaths {
  const plain = [...holder, key];
  return {
    holder,
    key,
    plain,
    value: [...plain, "value"],
    data: [...plain, "data"],
    valueData: [...plain, "value", "data"],
  };
}

/** The paths of a row's parts, for rows nested under `data` and for flat ones; built once. */
interface RowPaths {
  inventory: RelatedPaths;
  cloudAccount: RelatedPaths;
  assetData: Path;
}

function rowPaths(at: Path): RowPaths {
  return {
    inventory: relatedPaths(at, "Inventory"),
    cloudAccount: relatedPaths(at, "CloudAccount"),
    assetData: [...at, "AssetData"],
  };
}

const nestedRowPaths = rowPaths(dataPath);
const flatRowPaths = rowPaths(rootPath);

/**
 * A related object of a row (`Inventory`, `CloudAccount`) where `paths` say: `{ data: {...} }`,
 * `{ value: {...} }` or plain.
 */
function related(
  holder: Fields,
  paths: RelatedPaths,
  read: FieldReader,
): { fields: Fields; path: Path } | undefined {
  const outer = read.optionalObject(holder[paths.key], paths.holder, paths.key);
  if (outer === undefined) return undefined;
  const wrapped = "value" in outer;
  const value = wrapped ? read.object(outer.value, paths.plain, "value") : outer;
  if (isFields(value.data)) return { fields: value.data, path: wrapped ? paths.valueData : paths.data };
  return { fields: value, path: wrapped ? paths.value : paths.plain };
}

/**
 * The key of the later of two timestamps (either may be missing), else the first: an alert closed or
 * snoozed after the scanner last saw it has a newer "last updated" than "last seen", and incremental
 * runs (`updatedAfter`) must still see that change.
 */
function laterKey(holder: Fields, first: string, second: string): string {
  const a = unwrap(holder[first]);
  const b = unwrap(holder[second]);
  if (a === undefined || a === null) return b === undefined || b === null ? first : second;
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

/** ISO-8601 in UTC from Orca's timestamps (`2025-03-02T10:11:12+00:00`, with or without fractions); `undefined` when absent or unreadable. */
function toIso(value: string | undefined): string | undefined {
  return value === undefined ? undefined : isoFromText(value);
}
