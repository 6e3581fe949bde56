import { NormalizationError } from "../../core/errors.js";
import type { Control, Finding, Resource } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { fallbackSeverity } from "../shared/severity.js";
import { toTags } from "../shared/tags.js";
import { isoFromEpochMs } from "../shared/time.js";
import { mapPrismaCategory } from "./map-category.js";
import { mapPrismaAssetType, mapPrismaCloud, mapPrismaResourceType } from "./map-resource.js";
import { mapPrismaSeverity } from "./map-severity.js";
import { mapPrismaStatus } from "./map-status.js";
import type { PrismaAlert, PrismaScanResult, PrismaWebhookAlert } from "./schemas.js";

/** The kinds of Prisma Cloud record {@link normalize} accepts. */
export type PrismaRecordKind = "alert" | "webhook-alert" | "scan-result";

/** Options of {@link normalize}. */
export interface NormalizeOptions extends SourceNormalizeOptions {
  /**
   * The tenant's console (`https://app2.eu.prismacloud.io`), for console links of listed alerts; without
   * it only webhook alerts (which carry `callbackUrl`) get a link.
   */
  appUrl?: string;
}

/**
 * Turns one Prisma Cloud record into a Finding: an `AlertModel` from the alert API (`detailed=true`, or
 * a listing that selected only some fields), one alert of a webhook integration's body, or an asset's
 * policy scan result (`scannedPolicy`, as Elastic's misconfiguration stream reads them; its id is
 * `<policy id>:<asset id>`) — the kind is detected. Every policy type is an alert:
 * `workload_vulnerability` alerts become `vulnerability` findings (with the CVE from the policy),
 * runtime types (`audit_event`, `anomaly`, `workload_incident`, `waas_event`) `threat` findings.
 *
 * Only the record's own id is required. Anything else the Finding needs but the record leaves out or
 * words in a way Prisma Cloud does not document — no policy name or severity, an unknown status, no
 * resource, no timestamp — reads as a safe default (the policy id, `high`, `open`, an id made from the
 * alert's, the fetch time) with a `fallback` warning to `onWarning` naming the field.
 * Pure apart from the default `fetchedAt`.
 * @throws NormalizationError when the record has no id, or a field has the wrong type (naming its path).
 * @example
 * const finding = normalize(alert, { fetchedAt: new Date().toISOString(), appUrl: "https://app.prismacloud.io" });
 */
export function normalize(
  record: PrismaAlert | PrismaWebhookAlert | PrismaScanResult | unknown,
  options: NormalizeOptions = {},
): Finding {
  const kind = detectPrismaRecordKind(record);
  const fields = record as Fields; // an object: detectPrismaRecordKind checked
  const read = new FieldReader("prisma", kind, options);
  const draft =
    kind === "alert"
      ? fromAlert(fields, read, options.appUrl)
      : kind === "webhook-alert"
        ? fromWebhook(fields, read)
        : fromScanResult(fields, read);
  return build(
    draft,
    read,
    options.fetchedAt ?? new Date().toISOString(),
    options.keepRaw ? record : undefined,
  );
}

/**
 * Says which kind of Prisma Cloud record this is: a webhook alert carries `alertId`, a scan result
 * `scannedPolicy`, an alert `policy` or `resource` (or, in a listing that selected few fields, at least an
 * `id` with `status` or a time).
 * @throws NormalizationError when the value is not a Prisma Cloud alert.
 */
export function detectPrismaRecordKind(record: unknown): PrismaRecordKind {
  if (!isFields(record)) {
    throw new NormalizationError(
      `prisma: expected a Prisma Cloud alert (an object), got ${describe(record)}`,
      {
        platform: "prisma",
        path: [],
      },
    );
  }
  if ("alertId" in record) return "webhook-alert";
  if ("scannedPolicy" in record) return "scan-result";
  if ("policy" in record || "resource" in record) return "alert";
  if ("id" in record && ("status" in record || "alertTime" in record || "firstSeen" in record))
    return "alert";
  throw new NormalizationError(
    "prisma: unrecognized record: expected an alert (id, policy, resource), a webhook alert (alertId, policyName) or a scan result (scannedPolicy).",
    { platform: "prisma", path: [] },
  );
}

// Internal helpers.

type Time = string | number | undefined;

// Where the objects an alert nests sit (error paths are built from these only when a field fails).
const root: Path = [];
const policyPath: Path = ["policy"];
const resourcePath: Path = ["resource"];
const scannedPolicyPath: Path = ["scannedPolicy"];
/** The fields of an optional object the record leaves out. */
const none: Fields = {};

/** What each record kind contributes before the shared mapping. */
interface Draft {
  nativeId: string;
  /** `undefined` when the record leaves it out. */
  severity: string | undefined;
  severityPath: Path;
  status: string | undefined;
  statusPath: Path;
  policyType: string | undefined;
  ruleId: string;
  ruleName: string;
  description: string;
  remediation: string | undefined;
  compliance: readonly unknown[] | undefined;
  /** `""` when the record names no resource: the id is then `prisma-alert:<nativeId>`. */
  resourceId: string;
  /** Where the resource id comes from, for the warning when it is empty. */
  resourcePath: Path;
  resourceFallbacks: string;
  cloudType: string | undefined;
  cloudTypePath: Path;
  /** The resource type when the record kind words it its own way (scan results' `assetType`). */
  type?: string;
  resourceType: string | undefined;
  apiName: string | undefined;
  resourceName: string;
  accountId: string;
  accountName: string | undefined;
  region: string | undefined;
  tags: unknown;
  firstSeen: Time;
  firstSeenPath: Path;
  lastSeen: Time;
  lastSeenPath: Path;
  url: string | undefined;
}

function fromAlert(alert: Fields, read: FieldReader, appUrl: string | undefined): Draft {
  const nativeId = read.string(alert.id, root, "id");
  read.subject = `alert ${nativeId}`;
  // A listing that selected few fields leaves out the policy, the resource, or both.
  const policy = read.optionalObject(alert.policy, root, "policy") ?? none;
  const resource = read.optionalObject(alert.resource, root, "resource") ?? none;
  const policyId =
    read.text(policy.policyId, policyPath, "policyId") || read.text(alert.policyId, root, "policyId");
  const ruleName = policyName(read, read.text(policy.name, policyPath, "name"), ["policy", "name"], policyId);
  const firstSeen = time(read, alert, "firstSeen");
  const firstSeenKey = firstSeen !== undefined ? "firstSeen" : "alertTime";
  const lastSeen = time(read, alert, "lastSeen");
  const lastUpdated = lastSeen === undefined ? time(read, alert, "lastUpdated") : undefined;
  const lastSeenKey =
    lastSeen !== undefined ? "lastSeen" : lastUpdated !== undefined ? "lastUpdated" : firstSeenKey;
  const first = firstSeen ?? time(read, alert, "alertTime");
  return {
    nativeId,
    severity: read.text(policy.severity, policyPath, "severity"),
    severityPath: ["policy", "severity"],
    status: read.text(alert.status, root, "status"),
    statusPath: ["status"],
    policyType: read.text(policy.policyType, policyPath, "policyType"),
    ruleId: policyId || ruleName,
    ruleName,
    description: read.text(policy.description, policyPath, "description") ?? "",
    remediation: read.text(policy.recommendation, policyPath, "recommendation"),
    compliance: read.list(policy.complianceMetadata, policyPath, "complianceMetadata"),
    resourceId:
      read.text(resource.id, resourcePath, "id") ||
      read.text(resource.rrn, resourcePath, "rrn") ||
      read.text(resource.name, resourcePath, "name") ||
      "",
    resourcePath: ["resource", "id"],
    resourceFallbacks: "resource.rrn, resource.name",
    cloudType: read.text(resource.cloudType, resourcePath, "cloudType"),
    cloudTypePath: ["resource", "cloudType"],
    resourceType: read.text(resource.resourceType, resourcePath, "resourceType"),
    apiName: read.text(resource.resourceApiName, resourcePath, "resourceApiName"),
    resourceName: read.text(resource.name, resourcePath, "name") ?? "",
    accountId: read.textOr(resource.accountId, resourcePath, "accountId", ""),
    accountName: read.text(resource.account, resourcePath, "account"),
    region:
      read.text(resource.regionId, resourcePath, "regionId") ||
      read.text(resource.region, resourcePath, "region"),
    tags: resource.resourceTags,
    firstSeen: first,
    firstSeenPath: [firstSeenKey],
    lastSeen: lastSeen ?? lastUpdated ?? first,
    lastSeenPath: [lastSeenKey],
    url: appUrl ? alertLink(appUrl, nativeId) : undefined,
  };
}

function fromWebhook(alert: Fields, read: FieldReader): Draft {
  const nativeId = read.string(alert.alertId, root, "alertId");
  read.subject = `webhook-alert ${nativeId}`;
  const policyId = read.text(alert.policyId, root, "policyId");
  const ruleName = policyName(
    read,
    read.text(alert.policyName, root, "policyName"),
    ["policyName"],
    policyId,
  );
  const firstSeen = time(read, alert, "firstSeen");
  const firstSeenKey = firstSeen !== undefined ? "firstSeen" : "alertTs";
  const first = firstSeen ?? time(read, alert, "alertTs");
  const lastSeen = time(read, alert, "lastSeen");
  const callbackUrl = read.text(alert.callbackUrl, root, "callbackUrl");
  return {
    nativeId,
    severity: read.text(alert.severity, root, "severity"),
    severityPath: ["severity"],
    // Alert rules forward open alerts; state changes carry `alertStatus`.
    status: read.text(alert.alertStatus, root, "alertStatus") || "open",
    statusPath: ["alertStatus"],
    policyType: read.text(alert.policyType, root, "policyType"),
    ruleId: policyId || ruleName,
    ruleName,
    description: read.text(alert.policyDescription, root, "policyDescription") ?? "",
    remediation: read.text(alert.policyRecommendation, root, "policyRecommendation"),
    compliance: read.list(alert.complianceMetadata, root, "complianceMetadata"),
    resourceId:
      read.text(alert.resourceId, root, "resourceId") ||
      read.text(alert.resourceName, root, "resourceName") ||
      "",
    resourcePath: ["resourceId"],
    resourceFallbacks: "resourceName",
    cloudType: read.text(alert.cloudType, root, "cloudType"),
    cloudTypePath: ["cloudType"],
    resourceType: read.text(alert.resourceType, root, "resourceType"),
    apiName: undefined,
    resourceName: read.text(alert.resourceName, root, "resourceName") ?? "",
    accountId: read.textOr(alert.accountId, root, "accountId", ""),
    accountName: read.text(alert.accountName, root, "accountName"),
    region:
      read.text(alert.resourceRegionId, root, "resourceRegionId") ||
      read.text(alert.resourceRegion, root, "resourceRegion"),
    tags: alert.tags,
    firstSeen: first,
    firstSeenPath: [firstSeenKey],
    lastSeen: lastSeen ?? first,
    lastSeenPath: [lastSeen !== undefined ? "lastSeen" : firstSeenKey],
    url: callbackUrl && URL.canParse(callbackUrl) ? callbackUrl : undefined,
  };
}

/** An asset's result for one policy (`scannedPolicy`): open while it fails, resolved once it passes. It carries no time. */
function fromScanResult(row: Fields, read: FieldReader): Draft {
  const policy = read.object(row.scannedPolicy, root, "scannedPolicy");
  const policyId = read.string(policy.id, scannedPolicyPath, "id");
  const assetId = read.string(row.id, root, "id");
  const nativeId = `${policyId}:${assetId}`;
  read.subject = `scan-result ${nativeId}`;
  const passed =
    read.flag(policy.passed, scannedPolicyPath, "passed") ??
    read.flag(row.overallPassed, root, "overallPassed");
  const cloudType = read.text(row.cloudType, root, "cloudType");
  return {
    nativeId,
    severity: read.text(policy.severity, scannedPolicyPath, "severity"),
    severityPath: ["scannedPolicy", "severity"],
    status: passed === undefined ? undefined : passed ? "resolved" : "open",
    statusPath: ["scannedPolicy", "passed"],
    policyType: undefined,
    ruleId: policyId,
    ruleName: policyName(
      read,
      read.text(policy.name, scannedPolicyPath, "name"),
      ["scannedPolicy", "name"],
      policyId,
    ),
    description: "",
    remediation: undefined,
    compliance: undefined,
    resourceId: assetId,
    resourcePath: ["id"],
    resourceFallbacks: "",
    cloudType,
    cloudTypePath: ["cloudType"],
    type: mapPrismaAssetType(mapPrismaCloud(cloudType), read.text(row.assetType, root, "assetType")),
    resourceType: read.text(row.assetType, root, "assetType"),
    apiName: undefined,
    resourceName: read.text(row.name, root, "name") ?? "",
    accountId: read.textOr(row.accountId, root, "accountId", ""),
    accountName: read.text(row.accountName, root, "accountName"),
    region: read.text(row.regionId, root, "regionId"),
    tags: undefined,
    firstSeen: undefined,
    firstSeenPath: ["firstSeen"],
    lastSeen: undefined,
    lastSeenPath: ["lastSeen"],
    url: undefined,
  };
}

function build(draft: Draft, read: FieldReader, fetchedAt: string, raw: unknown): Finding {
  const nativeSeverity = draft.severity ?? "";
  let severity = mapPrismaSeverity(nativeSeverity);
  if (!severity) {
    severity = fallbackSeverity;
    read.warn(draft.severityPath, unknownWord("severity", draft.severity), severity);
  }
  const nativeStatus = draft.status ?? "";
  let status = mapPrismaStatus(nativeStatus);
  if (!status) {
    status = "open";
    read.warn(draft.statusPath, unknownWord("status", draft.status), status);
  }
  let resourceId = draft.resourceId;
  if (resourceId === "") {
    resourceId = `prisma-alert:${draft.nativeId}`;
    read.warn(draft.resourcePath, `is missing (and ${draft.resourceFallbacks} too)`, resourceId);
  }
  const cloud = mapPrismaCloud(draft.cloudType);
  if (cloud === "other" && draft.cloudType) {
    read.warn(draft.cloudTypePath, unknownWord("cloud type", draft.cloudType), cloud);
  }
  const category = mapPrismaCategory(draft.policyType, draft.ruleName);
  const resource = {
    id: resourceId,
    type: draft.type ?? mapPrismaResourceType(cloud, draft.resourceType, draft.apiName),
    nativeType: draft.resourceType || draft.apiName || "",
    name: draft.resourceName,
    cloud,
    accountId: draft.accountId,
  } as Resource; // `tags` is set last, below
  if (draft.accountName) resource.accountName = draft.accountName;
  if (draft.region) resource.region = draft.region;
  resource.tags = toTags(draft.tags);
  const cve =
    category === "vulnerability"
      ? (cvePattern.exec(draft.ruleName) ?? cvePattern.exec(draft.description))?.[0].toUpperCase()
      : undefined;
  const source: Finding["source"] = {
    platform: "prisma",
    nativeId: draft.nativeId,
    nativeSeverity,
    nativeStatus,
    fetchedAt,
  };
  if (draft.url !== undefined) source.url = draft.url;
  const controls = toControls(draft.compliance);
  return assembleFinding({
    source,
    category,
    severity,
    status,
    title: draft.ruleName,
    description: draft.description,
    rule: draft.remediation
      ? { id: draft.ruleId, name: draft.ruleName, remediation: draft.remediation, controls }
      : { id: draft.ruleId, name: draft.ruleName, controls },
    resource,
    firstSeen: toIso(read, draft.firstSeen, draft.firstSeenPath, fetchedAt),
    lastSeen: toIso(read, draft.lastSeen, draft.lastSeenPath, fetchedAt),
    vulnerability: cve === undefined ? undefined : { cve },
    raw,
  });
}

/** The policy's name, else its id, else `unknown`, with a `fallback` warning on `path` (a listing that did not select it). */
function policyName(
  read: FieldReader,
  name: string | undefined,
  path: Path,
  policyId: string | undefined,
): string {
  if (name) return name;
  const fallback = policyId || "unknown";
  read.warn(path, "is missing", fallback);
  return fallback;
}

/** How a warning words a vocabulary word that is missing or unknown. */
function unknownWord(what: string, value: string | undefined): string {
  return value ? `has an unknown ${what} ${JSON.stringify(value)}` : "is missing";
}

/** A timestamp as Prisma sends it: epoch milliseconds (a number; a numeric string in webhook templates) or ISO-8601. */
function time(read: FieldReader, holder: Fields, key: string): Time {
  return typeof holder[key] === "number"
    ? read.number(holder[key], root, key)
    : read.text(holder[key], root, key);
}

const cvePattern = /\bCVE-\d{4}-\d{4,}\b/i;

/** The console's alert view filtered to one alert (the link format is inferred: docs/prisma.md, What is inferred or unverified). */
function alertLink(appUrl: string, alertId: string): string {
  // `filters={"alert.id":["<id>"]}`, URL-encoded; only the id changes from alert to alert.
  const id = /["\\]/.test(alertId) ? JSON.stringify(alertId).slice(1, -1) : alertId;
  return `${linkPrefix(appUrl)}${encodeURIComponent(id)}%22%5D%7D`;
}

const linkPrefix = memoize(
  (appUrl: string) =>
    `${appUrl.replace(/\/+$/, "")}/alerts/overview?viewId=default&filters=${encodeURIComponent('{"alert.id":["')}`,
  64,
);

/**
 * Epoch milliseconds (a number or numeric string) or an ISO-8601 string, as ISO-8601; a missing or
 * unreadable one is `fetchedAt`, with a `fallback` warning.
 */
function toIso(read: FieldReader, value: Time, path: Path, fetchedAt: string): string {
  const time =
    typeof value === "number"
      ? value
      : typeof value === "string"
        ? /^\d+$/.test(value.trim())
          ? Number(value)
          : Date.parse(value)
        : Number.NaN;
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) {
    read.warn(
      path,
      value === undefined ? "is missing" : `is not a timestamp: ${JSON.stringify(value)}`,
      fetchedAt,
    );
    return fetchedAt;
  }
  return isoFromEpochMs(time);
}

/** Controls from `complianceMetadata`: the standard and its section (else requirement), once each. */
function toControls(metadata: readonly unknown[] | undefined): Control[] {
  const controls: Control[] = [];
  if (!metadata) return controls;
  for (const item of metadata) {
    if (item === null || typeof item !== "object") continue;
    const { standardName, sectionId, requirementId } = item as Fields;
    const framework = typeof standardName === "string" ? standardName.trim() : "";
    const control =
      typeof sectionId === "string" && sectionId.trim() !== ""
        ? sectionId.trim()
        : typeof requirementId === "string"
          ? requirementId.trim()
          : "";
    if (framework === "" || control === "") continue;
    if (controls.some((known) => known.framework === framework && known.control === control)) continue;
    controls.push({ framework, control });
  }
  return controls;
}
