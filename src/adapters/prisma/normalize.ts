import { NormalizationError } from "../../core/errors.js";
import type { Control, Finding, Resource } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import { isoFromEpochMs } from "../shared/time.js";
import { mapPrismaCategory } from "./map-category.js";
import { mapPrismaCloud, mapPrismaResourceType } from "./map-resource.js";
import { mapPrismaSeverity } from "./map-severity.js";
import { mapPrismaStatus } from "./map-status.js";
import type { PrismaAlert, PrismaWebhookAlert } from "./schemas.js";

/** The kinds of Prisma Cloud record {@link normalize} accepts. */
export type PrismaRecordKind = "alert" | "webhook-alert";

/** Options of {@link normalize}. */
export interface NormalizeOptions extends SourceNormalizeOptions {
  /**
   * The tenant's console (`https://app2.eu.prismacloud.io`), for console links of listed alerts; without
   * it only webhook alerts (which carry `callbackUrl`) get a link.
   */
  appUrl?: string;
}

/**
 * Turns one Prisma Cloud record into a Finding: an `AlertModel` from the alert API (`detailed=true`) or
 * one alert of a webhook integration's body (the kind is detected). Every policy type is an alert:
 * `workload_vulnerability` alerts become `vulnerability` findings (with the CVE from the policy),
 * runtime types (`audit_event`, `anomaly`, `workload_incident`, `waas_event`) `threat` findings.
 * Pure apart from the default `fetchedAt`.
 * @throws NormalizationError naming the missing or invalid field, e.g. `["policy", "severity"]`.
 * @example
 * const finding = normalize(alert, { fetchedAt: new Date().toISOString(), appUrl: "https://app.prismacloud.io" });
 */
export function normalize(
  record: PrismaAlert | PrismaWebhookAlert | unknown,
  options: NormalizeOptions = {},
): Finding {
  const kind = detectPrismaRecordKind(record);
  const fields = record as Fields; // an object: detectPrismaRecordKind checked
  const read = new FieldReader("prisma", kind, options);
  const draft = kind === "alert" ? fromAlert(fields, read, options.appUrl) : fromWebhook(fields, read);
  return build(
    draft,
    read,
    options.fetchedAt ?? new Date().toISOString(),
    options.keepRaw ? record : undefined,
  );
}

/**
 * Says which kind of Prisma Cloud record this is: a webhook alert carries `alertId`, an alert `id` and `policy`.
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
  if ("policy" in record || "resource" in record) return "alert";
  throw new NormalizationError(
    "prisma: unrecognized record: expected an alert (id, policy, resource) or a webhook alert (alertId, policyName).",
    { platform: "prisma", path: [] },
  );
}

// Internal helpers.

type Time = string | number | undefined;

// Where the objects an alert nests sit (error paths are built from these only when a field fails).
const root: Path = [];
const policyPath: Path = ["policy"];
const resourcePath: Path = ["resource"];

/** What each record kind contributes before the shared mapping. */
interface Draft {
  nativeId: string;
  severity: string;
  severityPath: Path;
  status: string;
  statusPath: Path;
  policyType: string | undefined;
  ruleId: string;
  ruleName: string;
  description: string;
  remediation: string | undefined;
  compliance: readonly unknown[] | undefined;
  resourceId: string;
  /** Where the resource id comes from, for the error when it is empty. */
  resourcePath: Path;
  resourceFallbacks: string;
  cloudType: string | undefined;
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
  const policy = read.object(alert.policy, root, "policy");
  const resource = read.object(alert.resource, root, "resource");
  const ruleName = read.string(policy.name, policyPath, "name");
  const firstSeen = time(read, alert, "firstSeen");
  const firstSeenKey = firstSeen !== undefined ? "firstSeen" : "alertTime";
  const lastSeen = time(read, alert, "lastSeen");
  const lastUpdated = lastSeen === undefined ? time(read, alert, "lastUpdated") : undefined;
  const lastSeenKey =
    lastSeen !== undefined ? "lastSeen" : lastUpdated !== undefined ? "lastUpdated" : firstSeenKey;
  const first = firstSeen ?? time(read, alert, "alertTime");
  return {
    nativeId,
    severity: read.string(policy.severity, policyPath, "severity"),
    severityPath: ["policy", "severity"],
    status: read.string(alert.status, root, "status"),
    statusPath: ["status"],
    policyType: read.text(policy.policyType, policyPath, "policyType"),
    ruleId:
      read.text(policy.policyId, policyPath, "policyId") ||
      read.text(alert.policyId, root, "policyId") ||
      ruleName,
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
  const ruleName = read.string(alert.policyName, root, "policyName");
  const firstSeen = time(read, alert, "firstSeen");
  const firstSeenKey = firstSeen !== undefined ? "firstSeen" : "alertTs";
  const first = firstSeen ?? time(read, alert, "alertTs");
  const lastSeen = time(read, alert, "lastSeen");
  const callbackUrl = read.text(alert.callbackUrl, root, "callbackUrl");
  return {
    nativeId,
    severity: read.string(alert.severity, root, "severity"),
    severityPath: ["severity"],
    // Alert rules forward open alerts; state changes carry `alertStatus`.
    status: read.text(alert.alertStatus, root, "alertStatus") || "open",
    statusPath: ["alertStatus"],
    policyType: read.text(alert.policyType, root, "policyType"),
    ruleId: read.text(alert.policyId, root, "policyId") || ruleName,
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

function build(draft: Draft, read: FieldReader, fetchedAt: string, raw: unknown): Finding {
  const severity = mapPrismaSeverity(draft.severity);
  if (!severity) throw read.fail(draft.severityPath, `has an unknown severity "${draft.severity}"`);
  const status = mapPrismaStatus(draft.status);
  if (!status) throw read.fail(draft.statusPath, `has an unknown status "${draft.status}"`);
  if (draft.resourceId === "") {
    throw read.fail(
      draft.resourcePath,
      `is empty (and ${draft.resourceFallbacks} too): the alert names no resource`,
    );
  }
  const cloud = mapPrismaCloud(draft.cloudType);
  const category = mapPrismaCategory(draft.policyType, draft.ruleName);
  const resource = {
    id: draft.resourceId,
    type: mapPrismaResourceType(cloud, draft.resourceType, draft.apiName),
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
    nativeSeverity: draft.severity,
    nativeStatus: draft.status,
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
    firstSeen: toIso(read, draft.firstSeen, draft.firstSeenPath, "is missing (and firstSeen too)"),
    lastSeen: toIso(read, draft.lastSeen, draft.lastSeenPath),
    vulnerability: cve === undefined ? undefined : { cve },
    raw,
  });
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

/** Epoch milliseconds (a number or numeric string) or an ISO-8601 string, as ISO-8601. */
function toIso(read: FieldReader, value: Time, path: Path, missing = "is missing"): string {
  const time =
    typeof value === "number"
      ? value
      : typeof value === "string"
        ? /^\d+$/.test(value.trim())
          ? Number(value)
          : Date.parse(value)
        : Number.NaN;
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) {
    throw read.fail(path, value === undefined ? missing : `is not a timestamp: ${JSON.stringify(value)}`);
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
