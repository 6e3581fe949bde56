import { NormalizationError } from "../../core/errors.js";
import {
  type Category,
  type Control,
  type Finding,
  formatPath,
  type Resource,
  type Vulnerability,
} from "../../core/finding.js";
import { memoize } from "../../core/memo.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import { resourceFacts } from "./map-resource.js";
import { mapLaceworkSeverity } from "./map-severity.js";
import { mapLaceworkStatus } from "./map-status.js";

/** The kinds of Lacework FortiCNAPP record {@link normalize} accepts. */
export type LaceworkRecordKind =
  | "alert"
  | "compliance"
  | "host-vulnerability"
  | "container-vulnerability"
  | "webhook"
  | "webhook-event";

/** Options of {@link normalize}. */
export interface NormalizeOptions extends SourceNormalizeOptions {
  /** When the record was fetched (ISO-8601); also the time of a webhook whose timestamp cannot be read. @default the current time */
  fetchedAt?: string;
  /** The console origin for links, e.g. `https://acme.lacework.net`; without it only links the record carries are kept. */
  consoleUrl?: string;
}

/**
 * Turns one Lacework FortiCNAPP record into a Finding, detecting its kind: an alert from `Alerts`/`Alerts/search`
 * (with `entityMap` when fetched with `scope=Details`, which names the resource), one compliance report
 * recommendation carrying exactly one `VIOLATIONS` entry (one failing resource), a host or container
 * vulnerability row, or an alert-channel webhook payload in the flat (`event_id`) or upper-case Events
 * (`EVENT_ID`) format. Pure apart from the default `fetchedAt`.
 * @throws NormalizationError naming the missing or invalid field, e.g. `["alertInfo", "subject"]`.
 * @example
 * const finding = normalize(alert, { consoleUrl: "https://acme.lacework.net" });
 */
export function normalize(record: unknown, options: NormalizeOptions = {}): Finding {
  const kind = detectLaceworkRecordKind(record);
  const fields = record as Fields;
  const fetchedAt = options.fetchedAt ?? new Date().toISOString();
  const consoleUrl = options.consoleUrl?.replace(/\/+$/, "");
  const draft =
    kind === "alert"
      ? fromAlert(fields, consoleUrl)
      : kind === "compliance"
        ? fromCompliance(fields)
        : kind === "host-vulnerability" || kind === "container-vulnerability"
          ? fromVulnerability(fields, kind)
          : kind === "webhook"
            ? fromWebhook(fields, fetchedAt)
            : fromWebhookEvent(fields, fetchedAt);
  return build(draft, fetchedAt, options.keepRaw ? record : undefined);
}

/**
 * Says which kind of Lacework record this is, from the fields only that kind carries.
 * @throws NormalizationError when the value is not a Lacework record.
 */
export function detectLaceworkRecordKind(record: unknown): LaceworkRecordKind {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new NormalizationError(
      `lacework: expected a Lacework record (an object), got ${describe(record)}`,
      {
        platform: "lacework",
        path: [],
      },
    );
  }
  if ("alertId" in record) return "alert";
  if ("REC_ID" in record) return "compliance";
  if ("vulnId" in record)
    return "imageId" in record || "image_id" in record ? "container-vulnerability" : "host-vulnerability";
  if ("event_id" in record || "event_title" in record) return "webhook";
  if ("EVENT_ID" in record) return "webhook-event";
  throw new NormalizationError(
    "lacework: unrecognized record: expected an alert (alertId), a compliance recommendation (REC_ID), a vulnerability row (vulnId) or a webhook payload (event_id or EVENT_ID).",
    { platform: "lacework", path: [] },
  );
}

// Internal helpers.

type Fields = Record<string, unknown>;

/** What each record kind contributes before the shared mapping. */
interface Draft {
  kind: LaceworkRecordKind;
  nativeId: string;
  severity: { value: string | number; path: string[] };
  status: { value: string; path: string[] };
  category: Category;
  title: string;
  description: string;
  rule: { id: string; name: string; remediation?: string; controls: Control[] };
  resource: Resource;
  vulnerability?: Vulnerability;
  firstSeen: string;
  lastSeen: string;
  url?: string;
}

function failure(kind: LaceworkRecordKind, nativeId: string, path: (string | number)[], message: string) {
  const where = nativeId ? `${kind} ${nativeId}` : kind;
  return new NormalizationError(`lacework: ${where}: ${formatPath(path)} ${message}`, {
    platform: "lacework",
    path,
    issues: [{ path, message }],
  });
}

function build(draft: Draft, fetchedAt: string, raw: unknown): Finding {
  const severity = mapLaceworkSeverity(draft.severity.value);
  if (!severity) {
    throw failure(
      draft.kind,
      draft.nativeId,
      draft.severity.path,
      `has an unknown severity "${draft.severity.value}"`,
    );
  }
  const status = mapLaceworkStatus(draft.status.value);
  if (!status)
    throw failure(
      draft.kind,
      draft.nativeId,
      draft.status.path,
      `has an unknown status "${draft.status.value}"`,
    );
  const source: Finding["source"] = {
    platform: "lacework",
    nativeId: draft.nativeId,
    nativeSeverity: String(draft.severity.value),
    nativeStatus: draft.status.value,
    fetchedAt,
  };
  if (draft.url !== undefined) source.url = draft.url;
  return assembleFinding({
    source,
    category: draft.category,
    severity,
    status,
    title: draft.title,
    description: draft.description,
    rule: draft.rule,
    resource: draft.resource,
    firstSeen: draft.firstSeen,
    lastSeen: draft.lastSeen,
    vulnerability: draft.vulnerability,
    raw,
  });
}

function fromAlert(alert: Fields, consoleUrl: string | undefined): Draft {
  const kind = "alert";
  const rawId = alert.alertId;
  if (
    !(typeof rawId === "number" && Number.isInteger(rawId)) &&
    !(typeof rawId === "string" && /^\d+$/.test(rawId))
  ) {
    throw failure(kind, "", ["alertId"], `must be an integer, got ${describe(rawId)}`);
  }
  const nativeId = String(rawId);
  const info = optionalObject(alert, "alertInfo", kind, nativeId);
  const derived = optionalObject(alert, "derivedFields", kind, nativeId);
  const name = optionalString(alert, "alertName") || optionalString(info, "subject");
  if (!name) throw failure(kind, nativeId, ["alertName"], "is missing (and alertInfo.subject too)");
  const startTime = requiredTime(alert, "startTime", kind, nativeId);
  const endTime = optionalString(alert, "endTime");
  const ruleId = optionalString(alert, "policyId") || optionalString(alert, "alertType") || name;
  const subCategory = optionalString(derived, "sub_category");
  const cve = cveIn(name);
  const category = alertCategory(optionalString(derived, "category"), subCategory, name, cve);
  const entityMap = alert.entityMap;
  const resource = resourceFromEntityMap(
    entityMap,
    optionalString(derived, "source"),
    ["entityMap"],
    kind,
    nativeId,
  );
  return {
    kind,
    nativeId,
    severity: { value: requiredString(alert, "severity", kind, nativeId), path: ["severity"] },
    status: { value: requiredString(alert, "status", kind, nativeId), path: ["status"] },
    category,
    title: name,
    description: optionalString(info, "description"),
    rule: { id: ruleId, name, controls: [] },
    resource,
    vulnerability: cve ? { cve } : undefined,
    firstSeen: startTime,
    lastSeen: (endTime && toIso(endTime)) || latestUpdate(alert) || startTime,
    url: consoleUrl ? `${consoleUrl}/ui/investigation/recents/EventDossier-${nativeId}` : undefined,
  };
}

function fromCompliance(rec: Fields): Draft {
  const kind = "compliance";
  const recId = requiredString(rec, "REC_ID", kind, "");
  const violations = rec.VIOLATIONS;
  if (!Array.isArray(violations) || violations.length !== 1) {
    throw failure(
      kind,
      recId,
      ["VIOLATIONS"],
      "must hold exactly one violation (one finding per failing resource)",
    );
  }
  const violation = violations[0] as Fields;
  if (typeof violation !== "object" || violation === null) {
    throw failure(kind, recId, ["VIOLATIONS", 0], "must be an object");
  }
  const resourceId = optionalString(violation, "resource");
  if (!resourceId) throw failure(kind, recId, ["VIOLATIONS", 0, "resource"], "is missing");
  const accountId = optionalString(rec, "ACCOUNT_ID");
  const nativeId = `${recId}:${accountId}:${resourceId}`;
  const title = requiredString(rec, "TITLE", kind, nativeId);
  const facts = resourceFacts(
    resourceId,
    cloudOfService(optionalString(rec, "SERVICE")),
    optionalString(rec, "SERVICE"),
  );
  const resource = toResource(
    resourceId,
    facts,
    accountId || facts.accountId || "",
    optionalString(rec, "ACCOUNT_ALIAS"),
    optionalString(violation, "region") || facts.region,
    undefined,
  );
  const started = rec.START_TIME;
  const firstSeen = typeof started === "number" ? new Date(started).toISOString() : undefined;
  const reportTime = optionalString(rec, "reportTime");
  const lastSeen = (reportTime && toIso(reportTime)) || firstSeen;
  if (!firstSeen || !lastSeen) throw failure(kind, nativeId, ["START_TIME"], "must be epoch milliseconds");
  const framework = optionalString(rec, "reportTitle") || optionalString(rec, "reportType");
  const reasons = violation.reasons;
  const suppressions = rec.SUPPRESSIONS;
  const status = requiredString(rec, "STATUS", kind, nativeId);
  return {
    kind,
    nativeId,
    severity: { value: rec.SEVERITY as number, path: ["SEVERITY"] },
    // A suppressed resource is listed under SUPPRESSIONS while the recommendation stays NonCompliant.
    status: {
      value: Array.isArray(suppressions) && suppressions.includes(resourceId) ? "Suppressed" : status,
      path: ["STATUS"],
    },
    category: postureCategory(`${optionalString(rec, "CATEGORY")}\n${title}`),
    title,
    description: Array.isArray(reasons)
      ? reasons.filter((reason) => typeof reason === "string").join(" ")
      : "",
    rule: { id: recId, name: title, controls: framework ? [{ framework, control: recId }] : [] },
    resource,
    firstSeen,
    lastSeen,
    url: optionalString(rec, "INFO_LINK") || undefined,
  };
}

function fromVulnerability(row: Fields, kind: "host-vulnerability" | "container-vulnerability"): Draft {
  const cve = requiredString(row, "vulnId", kind, "").trim().toUpperCase();
  const feature = optionalObject(row, "featureKey", kind, cve);
  const packageName = optionalString(feature, "name") || undefined;
  const installed =
    optionalString(feature, "version_installed") || optionalString(feature, "version") || undefined;
  const fix = optionalObject(row, "fixInfo", kind, cve);
  const fixedVersion = optionalString(fix, "fixed_version") || undefined;
  const props = optionalObject(row, "cveProps", kind, cve);
  let resource: Resource;
  let nativeId: string;
  if (kind === "host-vulnerability") {
    const mid = row.mid;
    if (typeof mid !== "number" && typeof mid !== "string") throw failure(kind, cve, ["mid"], "is missing");
    nativeId = `${cve}:${mid}:${packageName ?? ""}`;
    resource = hostResource(row, String(mid), kind, nativeId);
  } else {
    const imageId = requiredString(row, "imageId", kind, cve);
    nativeId = `${cve}:${imageId}:${packageName ?? ""}`;
    resource = imageResource(row, imageId, kind, nativeId);
  }
  const startTime = requiredTime(row, "startTime", kind, nativeId);
  const endTime = optionalString(row, "endTime");
  const title = packageName ? `${cve} in ${packageName}` : cve;
  return {
    kind,
    nativeId,
    severity: { value: requiredString(row, "severity", kind, nativeId), path: ["severity"] },
    status: { value: requiredString(row, "status", kind, nativeId), path: ["status"] },
    category: "vulnerability",
    title,
    description: optionalString(props, "description"),
    rule: {
      id: cve,
      name: cve,
      remediation: fixedVersion && packageName ? `Upgrade ${packageName} to ${fixedVersion}.` : undefined,
      controls: [],
    },
    resource,
    vulnerability: compactVulnerability(cve, packageName, installed, fixedVersion),
    firstSeen: startTime,
    lastSeen: (endTime && toIso(endTime)) || startTime,
    url: optionalString(props, "link") || undefined,
  };
}

function fromWebhook(payload: Fields, receivedAt: string): Draft {
  const kind = "webhook";
  const nativeId = idString(payload.event_id) ?? eventIdFromLink(optionalString(payload, "event_link"));
  if (!nativeId) throw failure(kind, "", ["event_id"], "is missing (and event_link names no EventDossier)");
  const title = optionalString(payload, "event_title") || optionalString(payload, "event_type");
  if (!title) throw failure(kind, nativeId, ["event_title"], "is missing");
  const source = optionalString(payload, "event_source");
  const recId = optionalString(payload, "rec_id");
  const time = lenientTime(optionalString(payload, "event_timestamp"), receivedAt);
  const cve = cveIn(title);
  const severity = payload.event_severity;
  return {
    kind,
    nativeId,
    severity: {
      value: typeof severity === "number" ? severity : optionalString(payload, "event_severity"),
      path: ["event_severity"],
    },
    status: { value: "Open", path: [] },
    category: alertCategory(undefined, optionalString(payload, "event_type"), title, cve),
    title,
    description: optionalString(payload, "event_description"),
    rule: { id: recId || optionalString(payload, "event_type") || title, name: title, controls: [] },
    resource: placeholderResource(nativeId, source),
    vulnerability: cve ? { cve } : undefined,
    firstSeen: time,
    lastSeen: time,
    url: linkOf(optionalString(payload, "event_link")),
  };
}

function fromWebhookEvent(payload: Fields, receivedAt: string): Draft {
  const kind = "webhook-event";
  const nativeId = idString(payload.EVENT_ID);
  if (!nativeId) throw failure(kind, "", ["EVENT_ID"], "must be an id (a number or a string)");
  const title =
    optionalString(payload, "EVENT_NAME") ||
    optionalString(payload, "SUMMARY") ||
    optionalString(payload, "EVENT_TYPE");
  if (!title) throw failure(kind, nativeId, ["EVENT_NAME"], "is missing (and SUMMARY too)");
  const details = optionalObject(payload, "EVENT_DETAILS", kind, nativeId);
  const first = Array.isArray(details.data) ? (details.data[0] as Fields | undefined) : undefined;
  const source = optionalString(payload, "SOURCE");
  const time = lenientTime(
    optionalString(payload, "START_TIME") || optionalString(first ?? {}, "START_TIME"),
    receivedAt,
  );
  const cve = cveIn(title);
  const resource = resourceFromEntityMap(
    first?.ENTITY_MAP,
    source,
    ["EVENT_DETAILS", "data", 0, "ENTITY_MAP"],
    kind,
    nativeId,
  );
  return {
    kind,
    nativeId,
    severity: { value: payload.SEVERITY as string | number, path: ["SEVERITY"] },
    status: { value: "Open", path: [] },
    category: alertCategory(
      optionalString(payload, "EVENT_CATEGORY"),
      optionalString(payload, "EVENT_TYPE"),
      title,
      cve,
    ),
    title,
    description: optionalString(payload, "SUMMARY"),
    rule: { id: optionalString(payload, "EVENT_TYPE") || title, name: title, controls: [] },
    resource,
    vulnerability: cve ? { cve } : undefined,
    firstSeen: time,
    lastSeen: time,
    url: linkOf(optionalString(payload, "LINK")),
  };
}

/**
 * The resource an alert's `entityMap` names (docs/lacework.md, Sources: listing, keys inferred): the first
 * `Resource[].KEY.resource_name`, with `PROPS.resource_type`, `PROPS.account_id` and `PROPS.tags`,
 * `Region[].KEY.region` and `CloudAccount[].KEY.account_id`; else a `Machine` (its `PROPS.tags` as on host
 * vulnerabilities); else a placeholder naming the alert, so the finding still flows.
 */
function resourceFromEntityMap(
  entityMap: unknown,
  source: string,
  path: (string | number)[],
  kind: LaceworkRecordKind,
  nativeId: string,
): Resource {
  if (entityMap === undefined || entityMap === null) return placeholderResource(nativeId, source);
  if (typeof entityMap !== "object" || Array.isArray(entityMap))
    throw failure(kind, nativeId, path, "must be an object keyed by entity type");
  const map = entityMap as Fields;
  const account = firstEntry(map.CloudAccount);
  const region =
    optionalString((firstEntry(map.Region)?.KEY as Fields | undefined) ?? {}, "region") || undefined;
  const entry = firstEntry(map.Resource);
  if (entry) {
    const key = (entry.KEY ?? {}) as Fields;
    const props = (entry.PROPS ?? {}) as Fields;
    const id = optionalString(key, "resource_name");
    if (!id) throw failure(kind, nativeId, [...path, "Resource", 0, "KEY", "resource_name"], "is missing");
    const facts = resourceFacts(id, source, optionalString(props, "resource_type"));
    const accountId =
      optionalString(props, "account_id") ||
      optionalString((account?.KEY ?? {}) as Fields, "account_id") ||
      facts.accountId ||
      "";
    const accountName = optionalString((account?.PROPS ?? {}) as Fields, "account_alias") || undefined;
    return toResource(id, facts, accountId, accountName, region ?? facts.region, props.tags);
  }
  const machine = firstEntry(map.Machine);
  if (machine)
    return hostResource(
      {
        machineTags: (machine.PROPS as Fields | undefined)?.tags,
        mid: (machine.KEY as Fields | undefined)?.mid,
      },
      String((machine.KEY as Fields | undefined)?.mid ?? nativeId),
      kind,
      nativeId,
    );
  return placeholderResource(nativeId, source);
}

function firstEntry(value: unknown): Fields | undefined {
  const entry = Array.isArray(value) ? value[0] : undefined;
  return typeof entry === "object" && entry !== null ? (entry as Fields) : undefined;
}

/** A host from its machine tags: an EC2 instance ARN, a GCE instance name, else the machine id. */
function hostResource(row: Fields, mid: string, kind: LaceworkRecordKind, nativeId: string): Resource {
  const tags = (
    typeof row.machineTags === "object" && row.machineTags !== null ? row.machineTags : {}
  ) as Fields;
  const context = (typeof row.evalCtx === "object" && row.evalCtx !== null ? row.evalCtx : {}) as Fields;
  const hostname = optionalString(tags, "Hostname") || optionalString(context, "hostname");
  const zone = optionalString(tags, "Zone");
  const provider = optionalString(tags, "VmProvider").toLowerCase();
  const instanceId = optionalString(tags, "InstanceId");
  let id = `lacework-machine:${mid}`;
  if ((provider === "aws" || /^i-[0-9a-f]+$/.test(instanceId)) && instanceId) {
    const region = zone.replace(/[a-z]$/, "");
    id = `arn:aws:ec2:${region}:${optionalString(tags, "Account")}:instance/${instanceId}`;
  } else if (provider === "gcp" || provider === "gce") {
    const name = optionalString(tags, "InstanceName") || hostname;
    id = `//compute.googleapis.com/projects/${optionalString(tags, "ProjectId")}/zones/${zone}/instances/${name}`;
  } else if (optionalString(tags, "VmInstanceId").toLowerCase().startsWith("/subscriptions/")) {
    id = optionalString(tags, "VmInstanceId");
  }
  if (id.startsWith("lacework-machine:") && !mid) throw failure(kind, nativeId, ["mid"], "is missing");
  const facts = id.startsWith("lacework-machine:")
    ? { cloud: "other" as const, type: "other.host.machine", nativeType: "Machine", name: hostname || mid }
    : resourceFacts(id);
  const accountId =
    optionalString(tags, "Account") || optionalString(tags, "ProjectId") || facts.accountId || "";
  const resource = toResource(id, facts, accountId, undefined, facts.region, tags);
  if (hostname && resource.name === "") resource.name = hostname;
  return resource;
}

/** A container image: `registry/repo@digest`, typed by its registry (ECR, ACR, Artifact Registry/GCR). */
function imageResource(row: Fields, imageId: string, kind: LaceworkRecordKind, nativeId: string): Resource {
  const context = optionalObject(row, "evalCtx", kind, nativeId);
  const image = (
    typeof context.image_info === "object" && context.image_info !== null ? context.image_info : {}
  ) as Fields;
  const registry = optionalString(image, "registry");
  const repo = optionalString(image, "repo");
  const digest = optionalString(image, "digest") || imageId;
  const cloud = /\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(registry)
    ? "aws"
    : registry.endsWith(".azurecr.io")
      ? "azure"
      : /(^|\.)gcr\.io$|-docker\.pkg\.dev$/.test(registry)
        ? "gcp"
        : "other";
  const type = {
    aws: "aws.ecr.image",
    azure: "azure.containerregistry.image",
    gcp: "gcp.artifactregistry.image",
    other: "other.container.image",
  }[cloud];
  const accountId = cloud === "aws" ? (registry.split(".")[0] ?? "") : "";
  return {
    id: registry && repo ? `${registry}/${repo}@${digest}` : imageId,
    type,
    nativeType: "ContainerImage",
    name: repo || imageId,
    cloud,
    accountId,
    tags: {},
  };
}

function toResource(
  id: string,
  facts: { cloud: Resource["cloud"]; type: string; nativeType: string; name: string },
  accountId: string,
  accountName: string | undefined,
  region: string | undefined,
  tags: unknown,
): Resource {
  const resource = {
    id,
    type: facts.type,
    nativeType: facts.nativeType,
    name: facts.name,
    cloud: facts.cloud,
    accountId,
  } as Resource;
  if (accountName) resource.accountName = accountName;
  if (region) resource.region = region;
  resource.tags = toTags(tags);
  return resource;
}

/**
 * The resource of a record that names none (a list alert without details, a flat webhook): the alert
 * itself, with no account (a webhook's `lacework_account` is the Lacework tenant, not a cloud account).
 */
function placeholderResource(alertId: string, source: string): Resource {
  const id = `lacework-alert:${alertId}`;
  return toResource(id, resourceFacts(id, source, "alert"), "", undefined, undefined, undefined);
}

/** Anomaly and Composite alerts are threats; a CVE makes a vulnerability; policy alerts go by their words. */
function alertCategory(
  category: string | undefined,
  subCategory: string,
  name: string,
  cve: string | undefined,
): Category {
  if (cve || /vulnerab/i.test(subCategory)) return "vulnerability";
  const lower = (category ?? "").toLowerCase();
  if (lower === "anomaly" || lower === "composite") return "threat";
  if (/activity|file|machine|application/i.test(subCategory) && lower !== "policy") return "threat";
  return postureCategory(name);
}

/** The category the words of a posture rule name (memoized: every finding of a rule has the same text). */
const postureCategory = memoize((text: string): Category => {
  const words = text.toLowerCase();
  for (const [pattern, category] of postureKeywords) if (pattern.test(words)) return category;
  return "misconfiguration";
}, 4096);

const postureKeywords: readonly [RegExp, Category][] = [
  [/\b(malware|crypto ?min|intrusion|suspicious|unauthori[sz]ed)/, "threat"],
  [/\bsecrets?\b|\bplaintext (key|password)|\bcredentials? in\b/, "secret"],
  [
    /\biam\b|\bmfa\b|\baccess keys?\b|\bservice accounts?\b|\bidentity|\bprivilege|\bwildcard|\badmin/,
    "identity",
  ],
  [/\bpublic|\b0\.0\.0\.0|\binternet|\bexposed|\bopen to\b|\bunrestricted/, "exposure"],
  [/\blogging|\baudit|\brotation|\bvalidation|\bmonitoring|\bcloudtrail/, "compliance"],
];

function cloudOfService(service: string): string {
  return service.includes(":") ? (service.split(":")[0] ?? "") : service;
}

const cvePattern = /\bCVE-\d{4}-\d{4,}\b/i;

function cveIn(text: string): string | undefined {
  return cvePattern.exec(text)?.[0].toUpperCase();
}

function compactVulnerability(
  cve: string,
  packageName?: string,
  installedVersion?: string,
  fixedVersion?: string,
): Vulnerability {
  const vulnerability: Vulnerability = { cve };
  if (packageName) vulnerability.packageName = packageName;
  if (installedVersion) vulnerability.installedVersion = installedVersion;
  if (fixedVersion) vulnerability.fixedVersion = fixedVersion;
  return vulnerability;
}

function latestUpdate(alert: Fields): string | undefined {
  // The SDK struct says lastUserUpdateTime, the fixtures lastUserUpdatedTime; "0" means never.
  const value = optionalString(alert, "lastUserUpdatedTime") || optionalString(alert, "lastUserUpdateTime");
  return value && value !== "0" ? toIso(value) : undefined;
}

function idString(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function eventIdFromLink(link: string): string | undefined {
  return /EventDossier-(\d+)/.exec(link)?.[1];
}

function linkOf(value: string): string | undefined {
  return value && URL.canParse(value) ? value : undefined;
}

function optionalString(record: Fields, key: string): string {
  const value = record[key];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function requiredString(record: Fields, key: string, kind: LaceworkRecordKind, nativeId: string): string {
  const value = record[key];
  if (typeof value === "string" && value !== "") return value;
  throw failure(
    kind,
    nativeId,
    [key],
    value === undefined || value === null ? "is missing" : `must be a string, got ${describe(value)}`,
  );
}

function optionalObject(record: Fields, key: string, kind: LaceworkRecordKind, nativeId: string): Fields {
  const value = record[key];
  if (value === undefined || value === null) return {};
  if (typeof value === "object" && !Array.isArray(value)) return value as Fields;
  throw failure(kind, nativeId, [key], `must be an object, got ${describe(value)}`);
}

function requiredTime(record: Fields, key: string, kind: LaceworkRecordKind, nativeId: string): string {
  const iso = toIso(requiredString(record, key, kind, nativeId));
  if (!iso) throw failure(kind, nativeId, [key], `is not a timestamp: "${String(record[key])}"`);
  return iso;
}

const canonicalIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ISO-8601 from Lacework's RFC 3339 strings (with or without milliseconds) and epoch-millisecond strings. */
function toIso(value: string): string | undefined {
  if (canonicalIso.test(value)) return value;
  const time = /^\d{12,}$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Webhook timestamps are human-formatted (`02 Mar 2025 10:11 GMT`): parse leniently, else the receive time. */
function lenientTime(value: string, receivedAt: string): string {
  return (value && toIso(value.replace(/\bUTC\b/, "GMT"))) || receivedAt;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
