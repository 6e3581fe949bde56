import type { z } from "zod";
import { NormalizationError, toErrorIssues } from "../../core/errors.js";
import { type Control, type Finding, formatPath, type Resource } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import { type Fields, isAlert, isWebhookAlert } from "./fast-checks.js";
import {
  mapPrismaCategory,
  mapPrismaCloud,
  mapPrismaResourceType,
  mapPrismaSeverity,
  mapPrismaStatus,
} from "./map.js";
import {
  type PrismaAlert,
  type PrismaWebhookAlert,
  prismaAlertSchema,
  prismaWebhookAlertSchema,
} from "./schemas.js";

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
export function normalize(record: unknown, options: NormalizeOptions = {}): Finding {
  const kind = detectPrismaRecordKind(record);
  const fields = record as Fields; // an object: detectPrismaRecordKind checked
  const draft =
    kind === "alert"
      ? fromAlert(
          isAlert(fields) ? (record as PrismaAlert) : parse(prismaAlertSchema, record, kind),
          options.appUrl,
        )
      : fromWebhook(
          isWebhookAlert(fields)
            ? (record as PrismaWebhookAlert)
            : parse(prismaWebhookAlertSchema, record, kind),
        );
  return build(draft, options.fetchedAt ?? new Date().toISOString(), options.keepRaw ? record : undefined);
}

/**
 * Says which kind of Prisma Cloud record this is: a webhook alert carries `alertId`, an alert `id` and `policy`.
 * @throws NormalizationError when the value is not a Prisma Cloud alert.
 */
export function detectPrismaRecordKind(record: unknown): PrismaRecordKind {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    const got = record === null ? "null" : Array.isArray(record) ? "an array" : typeof record;
    throw new NormalizationError(`prisma: expected a Prisma Cloud alert (an object), got ${got}`, {
      platform: "prisma",
      path: [],
    });
  }
  if ("alertId" in record) return "webhook-alert";
  if ("policy" in record || "resource" in record) return "alert";
  throw new NormalizationError(
    "prisma: unrecognized record: expected an alert (id, policy, resource) or a webhook alert (alertId, policyName).",
    { platform: "prisma", path: [] },
  );
}

// Internal helpers.

type Time = string | number | null | undefined;

/** What each record kind contributes before the shared mapping. */
interface Draft {
  kind: PrismaRecordKind;
  nativeId: string;
  severity: string;
  severityPath: string[];
  status: string;
  statusPath: string[];
  policyType: string | null | undefined;
  ruleId: string;
  ruleName: string;
  description: string;
  remediation: string | null | undefined;
  compliance: readonly unknown[] | null | undefined;
  resourceId: string;
  resourcePath: string[];
  cloudType: string | null | undefined;
  resourceType: string | null | undefined;
  apiName: string | null | undefined;
  resourceName: string;
  accountId: string;
  accountName: string | null | undefined;
  region: string | null | undefined;
  tags: unknown;
  firstSeen: Time;
  firstSeenPath: string[];
  lastSeen: Time;
  lastSeenPath: string[];
  url: string | undefined;
}

function fromAlert(alert: PrismaAlert, appUrl: string | undefined): Draft {
  const { policy, resource } = alert;
  const firstSeenKey = alert.firstSeen != null ? "firstSeen" : "alertTime";
  const lastSeenKey =
    alert.lastSeen != null ? "lastSeen" : alert.lastUpdated != null ? "lastUpdated" : firstSeenKey;
  return {
    kind: "alert",
    nativeId: alert.id,
    severity: policy.severity,
    severityPath: ["policy", "severity"],
    status: alert.status,
    statusPath: ["status"],
    policyType: policy.policyType,
    ruleId: policy.policyId || alert.policyId || policy.name,
    ruleName: policy.name,
    description: policy.description ?? "",
    remediation: policy.recommendation,
    compliance: policy.complianceMetadata,
    resourceId: resource.id || resource.rrn || resource.name || "",
    resourcePath: ["resource", "id"],
    cloudType: resource.cloudType,
    resourceType: resource.resourceType,
    apiName: resource.resourceApiName,
    resourceName: resource.name ?? "",
    accountId: resource.accountId ?? "",
    accountName: resource.account,
    region: resource.regionId || resource.region,
    tags: resource.resourceTags,
    firstSeen: alert[firstSeenKey],
    firstSeenPath: [firstSeenKey],
    lastSeen: alert[lastSeenKey],
    lastSeenPath: [lastSeenKey],
    url: appUrl ? alertLink(appUrl, alert.id) : undefined,
  };
}

function fromWebhook(alert: PrismaWebhookAlert): Draft {
  const firstSeenKey = alert.firstSeen != null ? "firstSeen" : "alertTs";
  return {
    kind: "webhook-alert",
    nativeId: alert.alertId,
    severity: alert.severity,
    severityPath: ["severity"],
    // Alert rules forward open alerts; state changes carry `alertStatus`.
    status: alert.alertStatus || "open",
    statusPath: ["alertStatus"],
    policyType: alert.policyType,
    ruleId: alert.policyId || alert.policyName,
    ruleName: alert.policyName,
    description: alert.policyDescription ?? "",
    remediation: alert.policyRecommendation,
    compliance: alert.complianceMetadata,
    resourceId: alert.resourceId || alert.resourceName || "",
    resourcePath: ["resourceId"],
    cloudType: alert.cloudType,
    resourceType: alert.resourceType,
    apiName: undefined,
    resourceName: alert.resourceName ?? "",
    accountId: alert.accountId ?? "",
    accountName: alert.accountName,
    region: alert.resourceRegionId || alert.resourceRegion,
    tags: alert.tags,
    firstSeen: alert[firstSeenKey],
    firstSeenPath: [firstSeenKey],
    lastSeen: alert.lastSeen ?? alert[firstSeenKey],
    lastSeenPath: [alert.lastSeen != null ? "lastSeen" : firstSeenKey],
    url: alert.callbackUrl && URL.canParse(alert.callbackUrl) ? alert.callbackUrl : undefined,
  };
}

function build(draft: Draft, fetchedAt: string, raw: unknown): Finding {
  const severity = mapPrismaSeverity(draft.severity);
  if (!severity) throw failure(draft, draft.severityPath, `has an unknown severity "${draft.severity}"`);
  const status = mapPrismaStatus(draft.status);
  if (!status) throw failure(draft, draft.statusPath, `has an unknown status "${draft.status}"`);
  if (draft.resourceId === "")
    throw failure(draft, draft.resourcePath, "is empty: the alert names no resource");
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
    firstSeen: toIso(draft, draft.firstSeen, draft.firstSeenPath),
    lastSeen: toIso(draft, draft.lastSeen, draft.lastSeenPath),
    vulnerability: cve === undefined ? undefined : { cve },
    raw,
  });
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

function failure(draft: Draft, path: string[], message: string): NormalizationError {
  return new NormalizationError(`prisma: ${draft.kind} ${draft.nativeId}: ${formatPath(path)} ${message}`, {
    platform: "prisma",
    path,
    issues: [{ path, message }],
  });
}

function parse<T>(schema: z.ZodType<T>, record: unknown, kind: PrismaRecordKind): T {
  const result = schema.safeParse(record);
  if (result.success) return result.data;
  const issues = toErrorIssues(result.error.issues);
  const first = issues[0]!;
  const id = (record as { id?: unknown; alertId?: unknown }).id ?? (record as { alertId?: unknown }).alertId;
  throw new NormalizationError(
    `prisma: ${kind}${typeof id === "string" ? ` ${id}` : ""}: ${formatPath(first.path)}: ${first.message}`,
    { platform: "prisma", path: first.path, issues, cause: result.error },
  );
}

/** Epoch milliseconds (a number or numeric string) or an ISO-8601 string, as ISO-8601. */
function toIso(draft: Draft, value: Time, path: string[]): string {
  const time =
    typeof value === "number"
      ? value
      : typeof value === "string"
        ? /^\d+$/.test(value.trim())
          ? Number(value)
          : Date.parse(value)
        : Number.NaN;
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) {
    throw failure(draft, path, value == null ? "is missing" : `is not a timestamp: ${JSON.stringify(value)}`);
  }
  return new Date(time).toISOString();
}

/** Controls from `complianceMetadata`: the standard and its section (else requirement), once each. */
function toControls(metadata: readonly unknown[] | null | undefined): Control[] {
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
