import { NormalizationError } from "../../core/errors.js";
import type { Category, Control, Finding, Resource, Vulnerability } from "../../core/finding.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { fallbackSeverity } from "../shared/severity.js";
import { toTags } from "../shared/tags.js";
import { isoFromEpochMs, isoFromText } from "../shared/time.js";
import { mapLaceworkAlertCategory, mapLaceworkPostureCategory } from "./map-category.js";
import { laceworkCloudOf, resourceFacts } from "./map-resource.js";
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
 * vulnerability row, an alert-channel webhook payload in the flat (`event_id`) or upper-case Events
 * (`EVENT_ID`, also inside an Amazon EventBridge envelope's `detail`) format, or a v1 Events row or
 * event-details record (`event_id`/`EVENT_ID` with `ENTITY_MAP`). A field the Finding can do without (a
 * name, a time, the resource, an unknown severity or status word) is replaced by a fallback with a
 * `fallback` warning to `onWarning`, naming the field. Pure apart from the default `fetchedAt`.
 * @throws NormalizationError when the record names no id, or a field it does carry has the wrong type,
 * naming its path, e.g. `["alertInfo", "subject"]`.
 * @example
 * const finding = normalize(alert, { consoleUrl: "https://acme.lacework.net" });
 */
export function normalize(record: unknown, options: NormalizeOptions = {}): Finding {
  const kind = detectLaceworkRecordKind(record);
  // The Amazon EventBridge (CloudWatch alert channel) form carries the event as its `detail`.
  const fields =
    kind === "webhook-event" && !("EVENT_ID" in (record as Fields))
      ? ((record as Fields).detail as Fields)
      : (record as Fields);
  const read = new FieldReader("lacework", kind, options);
  const fetchedAt = options.fetchedAt ?? new Date().toISOString();
  const consoleUrl = options.consoleUrl?.replace(/\/+$/, "");
  const draft =
    kind === "alert"
      ? fromAlert(fields, read, consoleUrl, fetchedAt)
      : kind === "compliance"
        ? fromCompliance(fields, read, fetchedAt)
        : kind === "host-vulnerability" || kind === "container-vulnerability"
          ? fromVulnerability(fields, read, kind, fetchedAt)
          : kind === "webhook"
            ? fromWebhook(fields, read, fetchedAt)
            : fromWebhookEvent(fields, read, fetchedAt);
  return build(draft, read, fetchedAt, options.keepRaw ? record : undefined);
}

/**
 * Says which kind of Lacework record this is, from the fields only that kind carries.
 * @throws NormalizationError when the value is not a Lacework record.
 */
export function detectLaceworkRecordKind(record: unknown): LaceworkRecordKind {
  if (!isFields(record)) {
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
  if ("EVENT_ID" in record || (isFields(record.detail) && "EVENT_ID" in record.detail))
    return "webhook-event";
  throw new NormalizationError(
    "lacework: unrecognized record: expected an alert (alertId), a compliance recommendation (REC_ID), a vulnerability row (vulnId) or an event (event_id, EVENT_ID or an EventBridge detail.EVENT_ID).",
    { platform: "lacework", path: [] },
  );
}

// Internal helpers.

// Where the objects a record nests sit (error paths are built from these only when a field fails).
const root: Path = [];
const infoPath: Path = ["alertInfo"];
const derivedPath: Path = ["derivedFields"];
const alertNamePath: Path = ["alertName"];
const startTimePath: Path = ["startTime"];
const severityPath: Path = ["severity"];
const statusPath: Path = ["status"];
const upperSeverityPath: Path = ["SEVERITY"];
const upperStatusPath: Path = ["STATUS"];
const eventSeverityPath: Path = ["event_severity"];
const violationsPath: Path = ["VIOLATIONS"];
const violationPath: Path = ["VIOLATIONS", 0];
const featurePath: Path = ["featureKey"];
const fixPath: Path = ["fixInfo"];
const propsPath: Path = ["cveProps"];
const machineTagsPath: Path = ["machineTags"];
const contextPath: Path = ["evalCtx"];
const imagePath: Path = ["evalCtx", "image_info"];
const eventDetailsPath: Path = ["EVENT_DETAILS"];
const eventDataPath: Path = ["EVENT_DETAILS", "data"];
/** The fields of an optional object the record leaves out. */
const none: Fields = {};

/** What each record kind contributes before the shared mapping. */
interface Draft {
  nativeId: string;
  severity: { value: string; path: Path };
  status: { value: string; path: Path };
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

function build(draft: Draft, read: FieldReader, fetchedAt: string, raw: unknown): Finding {
  const severity =
    mapLaceworkSeverity(draft.severity.value) ??
    fallback(read, draft.severity.path, problemWith("severity", draft.severity.value), fallbackSeverity);
  const status =
    mapLaceworkStatus(draft.status.value) ??
    fallback(read, draft.status.path, problemWith("status", draft.status.value), "open");
  const source: Finding["source"] = {
    platform: "lacework",
    nativeId: draft.nativeId,
    nativeSeverity: draft.severity.value,
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

function fromAlert(
  alert: Fields,
  read: FieldReader,
  consoleUrl: string | undefined,
  fetchedAt: string,
): Draft {
  const rawId = alert.alertId;
  if (
    !(typeof rawId === "number" && Number.isInteger(rawId)) &&
    !(typeof rawId === "string" && /^\d+$/.test(rawId))
  ) {
    throw read.fail(["alertId"], `must be an integer, got ${describe(rawId)}`);
  }
  const nativeId = String(rawId);
  read.subject = `alert ${nativeId}`;
  const info = read.optionalObject(alert.alertInfo, root, "alertInfo") ?? none;
  const derived = read.optionalObject(alert.derivedFields, root, "derivedFields") ?? none;
  const name =
    read.textual(alert.alertName, root, "alertName") ||
    read.textual(info.subject, infoPath, "subject") ||
    read.textual(alert.alertType, root, "alertType") ||
    fallback(
      read,
      alertNamePath,
      "is missing (and alertInfo.subject and alertType too)",
      `Lacework alert ${nativeId}`,
    );
  const endTime = toIso(read.textual(alert.endTime, root, "endTime") ?? "");
  const startTime = timeOr(
    read,
    read.textual(alert.startTime, root, "startTime"),
    startTimePath,
    endTime ?? fetchedAt,
  );
  const ruleId =
    read.textual(alert.policyId, root, "policyId") ||
    read.textual(alert.alertType, root, "alertType") ||
    name;
  const subCategory = read.textual(derived.sub_category, derivedPath, "sub_category") ?? "";
  const cve = cveIn(name);
  const category = mapLaceworkAlertCategory(
    read.textual(derived.category, derivedPath, "category"),
    subCategory,
    name,
    cve,
  );
  const source = sourceOf(read, derived.source, derivedPath, "source");
  const description = read.textual(info.description, infoPath, "description") ?? "";
  const resource = resourceFromEntityMap(alert.entityMap, source, alertEntityPaths, read, nativeId);
  if (resource.accountId === "" && resource.id.startsWith("lacework-alert:")) {
    resource.accountId = accountIn(description);
  }
  return {
    nativeId,
    severity: { value: read.textual(alert.severity, root, "severity") ?? "", path: severityPath },
    status: { value: read.textual(alert.status, root, "status") ?? "", path: statusPath },
    category,
    title: name,
    description,
    rule: { id: ruleId, name, controls: [] },
    resource,
    vulnerability: cve ? { cve } : undefined,
    firstSeen: startTime,
    lastSeen: endTime || latestUpdate(alert, read) || startTime,
    url: consoleUrl ? `${consoleUrl}/ui/investigation/recents/EventDossier-${nativeId}` : undefined,
  };
}

function fromCompliance(rec: Fields, read: FieldReader, fetchedAt: string): Draft {
  const recId = read.string(rec.REC_ID, root, "REC_ID");
  read.subject = `compliance ${recId}`;
  const violations = rec.VIOLATIONS;
  if (!Array.isArray(violations) || violations.length !== 1) {
    throw read.fail(["VIOLATIONS"], "must hold exactly one violation (one finding per failing resource)");
  }
  const violation = read.object(violations[0], violationsPath, 0);
  const resourceId = read.textual(violation.resource, violationPath, "resource");
  if (!resourceId) throw read.fail(["VIOLATIONS", 0, "resource"], "is missing");
  const accountId = read.textual(rec.ACCOUNT_ID, root, "ACCOUNT_ID") ?? "";
  const nativeId = `${recId}:${accountId}:${resourceId}`;
  read.subject = `compliance ${nativeId}`;
  const title = read.textual(rec.TITLE, root, "TITLE") || fallback(read, ["TITLE"], "is missing", recId);
  const service = read.textual(rec.SERVICE, root, "SERVICE") ?? "";
  const facts = resourceFacts(resourceId, cloudOfService(service), service);
  const resource = toResource(
    resourceId,
    facts,
    accountId || facts.accountId || "",
    read.textual(rec.ACCOUNT_ALIAS, root, "ACCOUNT_ALIAS"),
    read.textual(violation.region, violationPath, "region") || facts.region,
    undefined,
  );
  const started = read.number(rec.START_TIME, root, "START_TIME");
  const reportTime = toIso(read.textual(rec.reportTime, root, "reportTime") ?? "");
  const firstSeen =
    started !== undefined && Math.abs(started) <= 8.64e15
      ? isoFromEpochMs(started)
      : fallback(
          read,
          ["START_TIME"],
          started === undefined ? "is missing" : "is not epoch milliseconds",
          reportTime ?? fetchedAt,
        );
  const lastSeen = reportTime || firstSeen;
  const framework =
    read.textual(rec.reportTitle, root, "reportTitle") || read.textual(rec.reportType, root, "reportType");
  const reasons = read.list(violation.reasons, violationPath, "reasons") ?? [];
  const suppressions = read.list(rec.SUPPRESSIONS, root, "SUPPRESSIONS") ?? [];
  const status = read.textual(rec.STATUS, root, "STATUS") ?? "";
  return {
    nativeId,
    severity: { value: read.textual(rec.SEVERITY, root, "SEVERITY") ?? "", path: upperSeverityPath },
    // A suppressed resource is listed under SUPPRESSIONS while the recommendation stays NonCompliant.
    status: { value: suppressions.includes(resourceId) ? "Suppressed" : status, path: upperStatusPath },
    category: mapLaceworkPostureCategory(`${read.textual(rec.CATEGORY, root, "CATEGORY") ?? ""}\n${title}`),
    title,
    description: reasons.filter((reason) => typeof reason === "string").join(" "),
    rule: { id: recId, name: title, controls: framework ? [{ framework, control: recId }] : [] },
    resource,
    firstSeen,
    lastSeen,
    url: linkOf(read.textual(rec.INFO_LINK, root, "INFO_LINK") ?? ""),
  };
}

function fromVulnerability(
  row: Fields,
  read: FieldReader,
  kind: "host-vulnerability" | "container-vulnerability",
  fetchedAt: string,
): Draft {
  const cve = read.string(row.vulnId, root, "vulnId").trim().toUpperCase();
  read.subject = `${kind} ${cve}`;
  const feature = read.optionalObject(row.featureKey, root, "featureKey") ?? none;
  const packageName = read.textual(feature.name, featurePath, "name") || undefined;
  const installed =
    read.textual(feature.version_installed, featurePath, "version_installed") ||
    read.textual(feature.version, featurePath, "version") ||
    undefined;
  const fix = read.optionalObject(row.fixInfo, root, "fixInfo") ?? none;
  const fixedVersion = read.textual(fix.fixed_version, fixPath, "fixed_version") || undefined;
  const props = read.optionalObject(row.cveProps, root, "cveProps") ?? none;
  const context = read.optionalObject(row.evalCtx, root, "evalCtx") ?? none;
  let resource: Resource;
  let nativeId: string;
  if (kind === "host-vulnerability") {
    const mid = read.textual(row.mid, root, "mid");
    if (mid === undefined) throw read.fail(["mid"], "is missing");
    nativeId = `${cve}:${mid}:${packageName ?? ""}`;
    read.subject = `${kind} ${nativeId}`;
    const tags = read.optionalObject(row.machineTags, root, "machineTags") ?? none;
    resource =
      hostResource(read, mid, tags, machineTagsPath, context) ??
      fallback(read, ["mid"], "is empty", placeholderResource(nativeId, ""));
  } else {
    const imageId = read.string(row.imageId, root, "imageId");
    nativeId = `${cve}:${imageId}:${packageName ?? ""}`;
    read.subject = `${kind} ${nativeId}`;
    resource = imageResource(read, imageId, context);
  }
  const startTime = timeOr(read, read.textual(row.startTime, root, "startTime"), startTimePath, fetchedAt);
  const endTime = read.textual(row.endTime, root, "endTime");
  return {
    nativeId,
    severity: { value: read.textual(row.severity, root, "severity") ?? "", path: severityPath },
    status: { value: read.textual(row.status, root, "status") ?? "", path: statusPath },
    category: "vulnerability",
    title: packageName ? `${cve} in ${packageName}` : cve,
    description: read.textual(props.description, propsPath, "description") ?? "",
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
    url: linkOf(read.textual(props.link, propsPath, "link") ?? ""),
  };
}

function fromWebhook(payload: Fields, read: FieldReader, receivedAt: string): Draft {
  const link = read.textual(payload.event_link, root, "event_link") ?? "";
  const nativeId = idString(payload.event_id) ?? eventIdFromLink(link);
  if (!nativeId) throw read.fail(["event_id"], "is missing (and event_link names no EventDossier)");
  read.subject = `webhook ${nativeId}`;
  const eventType = read.textual(payload.event_type, root, "event_type") ?? "";
  const title =
    read.textual(payload.event_title, root, "event_title") ||
    eventType ||
    fallback(read, ["event_title"], "is missing (and event_type too)", `Lacework event ${nativeId}`);
  const source = sourceOf(read, payload.event_source, root, "event_source");
  const recId = read.textual(payload.rec_id, root, "rec_id");
  // The v1 Events rows (GetEventsForDateRange) carry start_time/end_time and severity instead.
  const time = lenientTime(
    read,
    read.textual(payload.event_timestamp, root, "event_timestamp") ||
      read.textual(payload.start_time, root, "start_time"),
    ["event_timestamp"],
    receivedAt,
  );
  const cve = cveIn(title);
  const lastSeen = toIso(read.textual(payload.end_time, root, "end_time") ?? "") || time;
  return {
    nativeId,
    severity: {
      value:
        read.textual(payload.event_severity, root, "event_severity") ??
        read.textual(payload.severity, root, "severity") ??
        "",
      path: eventSeverityPath,
    },
    status: { value: "Open", path: root },
    category: mapLaceworkAlertCategory(undefined, eventType, title, cve),
    title,
    description: read.textual(payload.event_description, root, "event_description") ?? "",
    rule: { id: recId || eventType || title, name: title, controls: [] },
    resource: placeholderResource(nativeId, source),
    vulnerability: cve ? { cve } : undefined,
    firstSeen: time,
    lastSeen,
    url: linkOf(link),
  };
}

function fromWebhookEvent(payload: Fields, read: FieldReader, receivedAt: string): Draft {
  const nativeId = idString(payload.EVENT_ID);
  if (!nativeId) throw read.fail(["EVENT_ID"], "must be an id (a number or a string)");
  read.subject = `webhook-event ${nativeId}`;
  const eventType = read.textual(payload.EVENT_TYPE, root, "EVENT_TYPE") ?? "";
  const summary = read.textual(payload.SUMMARY, root, "SUMMARY") ?? "";
  const title =
    read.textual(payload.EVENT_NAME, root, "EVENT_NAME") ||
    summary ||
    eventType ||
    fallback(
      read,
      ["EVENT_NAME"],
      "is missing (and SUMMARY and EVENT_TYPE too)",
      `Lacework event ${nativeId}`,
    );
  const details = read.optionalObject(payload.EVENT_DETAILS, root, "EVENT_DETAILS") ?? none;
  const data = read.list(details.data, eventDetailsPath, "data");
  // A v1 event-details record is the `EVENT_DETAILS.data[0]` item itself.
  const first = (data && read.optionalObject(data[0], eventDataPath, 0)) ?? payload;
  const entityPaths = first === payload ? topEntityPaths : eventEntityPaths;
  const source = sourceOf(read, payload.SOURCE, root, "SOURCE");
  const time = lenientTime(
    read,
    read.textual(first.START_TIME, entityPaths.at, "START_TIME") ||
      read.textual(payload.START_TIME, root, "START_TIME"),
    ["START_TIME"],
    receivedAt,
  );
  const lastSeen = toIso(read.textual(first.END_TIME, entityPaths.at, "END_TIME") ?? "") || time;
  const cve = cveIn(title);
  return {
    nativeId,
    severity: { value: read.textual(payload.SEVERITY, root, "SEVERITY") ?? "", path: upperSeverityPath },
    status: { value: "Open", path: root },
    category: mapLaceworkAlertCategory(
      read.textual(payload.EVENT_CATEGORY, root, "EVENT_CATEGORY"),
      eventType,
      title,
      cve,
    ),
    title,
    description: summary,
    rule: { id: eventType || title, name: title, controls: [] },
    resource: resourceFromEntityMap(first.ENTITY_MAP, source, entityPaths, read, nativeId),
    vulnerability: cve ? { cve } : undefined,
    firstSeen: time,
    lastSeen,
    url: linkOf(read.textual(payload.LINK, root, "LINK") ?? ""),
  };
}

/** Where the parts of an entity map sit, for error paths (built once per place an entity map can be). */
interface EntityPaths {
  /** The object holding the entity map (and the event's own times). */
  at: Path;
  map: Path;
  resources: Path;
  resource: Path;
  resourceKey: Path;
  resourceProps: Path;
  regions: Path;
  region: Path;
  regionKey: Path;
  accounts: Path;
  account: Path;
  accountKey: Path;
  accountProps: Path;
  machines: Path;
  machine: Path;
  machineKey: Path;
  machineProps: Path;
  machineTags: Path;
  violations: Path;
  violation: Path;
  regionAccounts: Path;
  ctUsers: Path;
  ctUser: Path;
}

function entityPaths(at: Path, key: string): EntityPaths {
  const map = [...at, key];
  const under = (...parts: (string | number)[]): Path => [...map, ...parts];
  return {
    at,
    map,
    resources: under("Resource"),
    resource: under("Resource", 0),
    resourceKey: under("Resource", 0, "KEY"),
    resourceProps: under("Resource", 0, "PROPS"),
    regions: under("Region"),
    region: under("Region", 0),
    regionKey: under("Region", 0, "KEY"),
    accounts: under("CloudAccount"),
    account: under("CloudAccount", 0),
    accountKey: under("CloudAccount", 0, "KEY"),
    accountProps: under("CloudAccount", 0, "PROPS"),
    machines: under("Machine"),
    machine: under("Machine", 0),
    machineKey: under("Machine", 0, "KEY"),
    machineProps: under("Machine", 0, "PROPS"),
    machineTags: under("Machine", 0, "PROPS", "tags"),
    violations: under("NewViolation"),
    violation: under("NewViolation", 0),
    regionAccounts: under("Region", 0, "ACCOUNT_LIST"),
    ctUsers: under("CT_User"),
    ctUser: under("CT_User", 0),
  };
}

const alertEntityPaths = entityPaths(root, "entityMap");
const eventEntityPaths = entityPaths(["EVENT_DETAILS", "data", 0], "ENTITY_MAP");
/** A v1 event-details record holds its `ENTITY_MAP` at the top level. */
const topEntityPaths = entityPaths(root, "ENTITY_MAP");

/**
 * The resource an entity map names (docs/lacework.md, Sources: listing): Alerts v2 entries are
 * `{ KEY, PROPS }` (`Resource[].KEY.resource_name` with `PROPS.resource_type`, `PROPS.account_id` and
 * `PROPS.tags`, `Region[].KEY.region`, `CloudAccount[].KEY.account_id`, `Machine[].KEY.mid` with
 * `PROPS.tags`); the v1 events and the EventBridge channel write flat upper-case entries
 * (`Region[].REGION` and `ACCOUNT_LIST`, `CT_User[].ACCOUNT_ID`, `NewViolation[].RESOURCE`,
 * `Machine[].HOSTNAME` and `INSTANCE_ID`). Else a placeholder naming the alert, so the finding still flows.
 * An entity type whose value is not a list (the `"{object}"` some exports write) is skipped with a warning.
 */
function resourceFromEntityMap(
  entityMap: unknown,
  source: string,
  paths: EntityPaths,
  read: FieldReader,
  nativeId: string,
): Resource {
  if (entityMap === undefined || entityMap === null) return placeholderResource(nativeId, source);
  if (!isFields(entityMap)) {
    read.warn(paths.map, `is ${describe(entityMap)}, not an object keyed by entity type`, "no entities");
    return placeholderResource(nativeId, source);
  }
  const account = firstEntry(read, entityMap, "CloudAccount", paths.accounts);
  const accountKey = read.optionalObject(account.KEY, paths.account, "KEY") ?? account;
  const regionEntry = firstEntry(read, entityMap, "Region", paths.regions);
  const regionKey = read.optionalObject(regionEntry.KEY, paths.region, "KEY") ?? none;
  const region =
    read.textual(regionKey.region, paths.regionKey, "region") ||
    read.textual(regionEntry.REGION, paths.region, "REGION") ||
    undefined;
  // v1 events name the account on the region and the CloudTrail user.
  const regionAccounts = read.list(regionEntry.ACCOUNT_LIST, paths.region, "ACCOUNT_LIST");
  const flatAccount =
    (regionAccounts && read.textual(regionAccounts[0], paths.regionAccounts, 0)) ||
    read.textual(
      firstEntry(read, entityMap, "CT_User", paths.ctUsers).ACCOUNT_ID,
      paths.ctUser,
      "ACCOUNT_ID",
    );
  const entry = firstEntry(read, entityMap, "Resource", paths.resources);
  const key = read.optionalObject(entry.KEY, paths.resource, "KEY") ?? none;
  const id =
    read.textual(key.resource_name, paths.resourceKey, "resource_name") ||
    read.textual(
      firstEntry(read, entityMap, "NewViolation", paths.violations).RESOURCE,
      paths.violation,
      "RESOURCE",
    );
  if (id) {
    const props = read.optionalObject(entry.PROPS, paths.resource, "PROPS") ?? none;
    const facts = resourceFacts(
      id,
      source,
      read.textual(props.resource_type, paths.resourceProps, "resource_type"),
    );
    const accountId =
      read.textual(props.account_id, paths.resourceProps, "account_id") ||
      read.textual(accountKey.account_id, paths.accountKey, "account_id") ||
      flatAccount ||
      facts.accountId ||
      fallback(read, [...paths.accountKey, "account_id"], "is missing", "");
    const accountProps = read.optionalObject(account.PROPS, paths.account, "PROPS") ?? none;
    const accountName =
      read.textual(accountProps.account_alias, paths.accountProps, "account_alias") || undefined;
    return toResource(id, facts, accountId, accountName, region ?? facts.region, props.tags);
  }
  const machine = firstEntry(read, entityMap, "Machine", paths.machines);
  const machineKey = read.optionalObject(machine.KEY, paths.machine, "KEY") ?? none;
  const machineProps = read.optionalObject(machine.PROPS, paths.machine, "PROPS") ?? none;
  const tags = read.optionalObject(machineProps.tags, paths.machineProps, "tags") ?? none;
  const mid = read.textual(machineKey.mid, paths.machineKey, "mid") ?? "";
  // A flat v1 machine: its hostname and instance id stand in for the tags an agent reports.
  const flat = {
    Hostname: read.textual(machine.HOSTNAME, paths.machine, "HOSTNAME") ?? "",
    InstanceId: read.textual(machine.INSTANCE_ID, paths.machine, "INSTANCE_ID") ?? "",
    Zone: region ?? "",
    Account: flatAccount ?? "",
  };
  const host =
    tags === none
      ? hostResource(read, mid, flat, paths.machine, none)
      : hostResource(read, mid, tags, paths.machineTags, none);
  return host ?? placeholderResource(nativeId, source);
}

/**
 * The first entry of the entity-map list `type`, which sits at `list` (`none` when the list is absent or
 * empty); a value that is not a list is skipped with a warning.
 */
function firstEntry(read: FieldReader, entityMap: Fields, type: string, list: Path): Fields {
  const entries = entityMap[type];
  if (entries === undefined || entries === null) return none;
  if (!Array.isArray(entries)) {
    read.warn(list, `is ${describe(entries)}, not a list of entities`, []);
    return none;
  }
  return read.optionalObject(entries[0], list, 0) ?? none;
}

/**
 * A host from its machine tags: an EC2 instance ARN, a GCE instance name, an Azure VM id, else the
 * machine id or hostname (`lacework-machine:<id>`); `undefined` when the tags name none of these.
 */
function hostResource(
  read: FieldReader,
  mid: string,
  tags: Fields,
  tagsAt: Path,
  context: Fields,
): Resource | undefined {
  const tag = (key: string) => read.textual(tags[key], tagsAt, key) ?? "";
  const hostname = tag("Hostname") || read.textual(context.hostname, contextPath, "hostname") || "";
  const zone = tag("Zone");
  const provider = tag("VmProvider").toLowerCase();
  const instanceId = tag("InstanceId");
  let id = "";
  if ((provider === "aws" || /^i-[0-9a-f]+$/.test(instanceId)) && instanceId) {
    const region = zone.replace(/[a-z]$/, "");
    id = `arn:aws:ec2:${region}:${tag("Account")}:instance/${instanceId}`;
  } else if (provider === "gcp" || provider === "gce") {
    const name = tag("InstanceName") || hostname;
    id = `//compute.googleapis.com/projects/${tag("ProjectId")}/zones/${zone}/instances/${name}`;
  } else if (tag("VmInstanceId").toLowerCase().startsWith("/subscriptions/")) {
    id = tag("VmInstanceId");
  }
  if (!id) {
    if (!mid && !hostname) return undefined;
    const machineId = `lacework-machine:${mid || hostname}`;
    const facts = {
      cloud: "other" as const,
      type: "other.host.machine",
      nativeType: "Machine",
      name: hostname || mid,
    };
    return toResource(machineId, facts, tag("Account") || tag("ProjectId"), undefined, undefined, tags);
  }
  const facts = resourceFacts(id);
  const accountId = tag("Account") || tag("ProjectId") || facts.accountId || "";
  const resource = toResource(id, facts, accountId, undefined, facts.region, tags);
  if (hostname && resource.name === "") resource.name = hostname;
  return resource;
}

/** A container image: `registry/repo@digest`, typed by its registry (ECR, ACR, Artifact Registry/GCR). */
function imageResource(read: FieldReader, imageId: string, context: Fields): Resource {
  const image = read.optionalObject(context.image_info, contextPath, "image_info") ?? none;
  const registry = read.textual(image.registry, imagePath, "registry") ?? "";
  const repo = read.textual(image.repo, imagePath, "repo") ?? "";
  const digest = read.textual(image.digest, imagePath, "digest") || imageId;
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

function latestUpdate(alert: Fields, read: FieldReader): string | undefined {
  // The SDK struct says lastUserUpdateTime, the fixtures lastUserUpdatedTime; "0" means never.
  const value =
    read.textual(alert.lastUserUpdatedTime, root, "lastUserUpdatedTime") ||
    read.textual(alert.lastUserUpdateTime, root, "lastUserUpdateTime");
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

/** ISO-8601 from Lacework's RFC 3339 strings (with or without milliseconds) and epoch-millisecond strings. */
function toIso(value: string): string | undefined {
  return /^\d{12,}$/.test(value) ? isoFromEpochMs(Number(value)) : isoFromText(value);
}

/** A timestamp as ISO-8601, else `fallbackTime` with a warning naming the field at `path`. */
function timeOr(read: FieldReader, value: string | undefined, path: Path, fallbackTime: string): string {
  if (value) {
    const iso = toIso(value);
    if (iso) return iso;
  }
  return fallback(read, path, value ? `is not a timestamp: "${value}"` : "is missing", fallbackTime);
}

/** Webhook and event timestamps may be human-formatted (`02 Mar 2025 10:11 GMT`): parsed leniently, else the receive time with a warning. */
function lenientTime(read: FieldReader, value: string | undefined, path: Path, receivedAt: string): string {
  return timeOr(read, value?.replace(/\bUTC\b/, "GMT"), path, receivedAt);
}

/** `value` after a `fallback` warning that the field at `path` could not be used (`problem`). */
function fallback<T>(read: FieldReader, path: Path, problem: string, value: T): T {
  read.warn(path, problem, value);
  return value;
}

/** `is missing` or `has an unknown <what> "<value>"`. */
function problemWith(what: string, value: string): string {
  return value === "" ? "is missing" : `has an unknown ${what} "${value}"`;
}

/** A source word (`derivedFields.source`, `event_source`, `SOURCE`), with a warning when Lacework is not known to send it. */
function sourceOf(read: FieldReader, value: unknown, at: Path, key: string): string {
  const source = read.textual(value, at, key) ?? "";
  if (laceworkCloudOf(source) === undefined)
    read.warn([...at, key], `is an unknown source "${source}"`, "other");
  return source;
}

/**
 * The cloud account a cloud-activity alert names only in its text (`For account: 0123456789 :`,
 * `For project: my-project (…)`), else `""`.
 */
function accountIn(description: string): string {
  return /\bFor (?:account|project):\s+([^\s:()]+)/.exec(description)?.[1] ?? "";
}
