import {
  assembleFinding,
  type Finding,
  formatPath,
  NormalizationError,
  type Platform,
  type Warning,
} from "../../toolkit.js";
import { mapOcsfCategory } from "./map-category.js";
import {
  cloudOfResource,
  mapOcsfCloud,
  mapOcsfResourceType,
  nativeTypeLabelOf,
  ocsfTags,
  parseArn,
} from "./map-resource.js";
import { fallbackSeverity, mapOcsfSeverity } from "./map-severity.js";
import { mapOcsfStatus } from "./map-status.js";
import { firstTime } from "./map-time.js";
import { type OcsfFinding, type OcsfResource, ocsfFindingSchema } from "./schemas.js";

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /**
   * The platform the finding is filed under: the prefix of its id (`<platform>:<finding_info.uid>`). A
   * lower-case name such as `prowler` or `securityhub`. @default "ocsf"
   */
  platform?: Platform;
  /** When the record was read (ISO-8601). @default the current time */
  fetchedAt?: string;
  /** Keep the native record in `raw`. @default false */
  keepRaw?: boolean;
  /**
   * Receives a `fallback` warning whenever a value could not be read and a safe default stood in (an
   * unknown severity read as `high`, a record naming no resource, no time at all…).
   */
  onWarning?: (warning: Warning) => void;
}

/**
 * Turns one OCSF finding event into a Finding: any class of the Findings category (Detection 2004 as
 * Prowler `-M json-ocsf` writes it, Compliance 2003, Vulnerability 2002, Security Finding 2001 of OCSF
 * 1.0, and the rest), from any producer (Prowler, AWS Security Hub v2, or another tool). Pure apart from
 * the default `fetchedAt`.
 *
 * Only the identity is required: a record without `finding_info.uid` throws. Every other value that cannot
 * be read falls back to a safe default and reports a `fallback` warning through `onWarning`: an unknown
 * severity reads as `high`, an unreadable status as `open`, a record naming no resource is filed on its
 * account (or on itself), a record without any time gets `fetchedAt`. docs/ocsf.md has the whole mapping.
 * @throws NormalizationError when the record is not an object, is an OCSF event of another category, or
 *   has no `finding_info.uid` (path `["finding_info", "uid"]`).
 * @example
 * const finding = normalize(prowlerRecord, { platform: "prowler" });
 * finding.rule.id; // "s3_bucket_public_access"
 */
export function normalize(record: unknown, options: NormalizeOptions = {}): Finding {
  const platform = options.platform ?? "ocsf";
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new NormalizationError(
      `${platform}: expected an OCSF finding (a JSON object), got ${describe(record)}.`,
      {
        platform,
        path: [],
      },
    );
  }
  const event = ocsfFindingSchema.parse(record);
  checkClass(event, platform);
  const info = event.finding_info ?? event.finding ?? {};
  const nativeId = identityOf(record, platform);
  const warn = (feature: string, message: string) =>
    options.onWarning?.({ type: "fallback", source: platform, feature, message: `${platform}: ${message}` });
  const fetchedAt = options.fetchedAt ?? new Date().toISOString();

  const severity = mapOcsfSeverity(event, event.vendor_attributes);
  if (severity.fallback) {
    warn(
      "severity",
      `a finding's severity could not be read (${quote(severity.native)}); it reads as ${fallbackSeverity}.`,
    );
  }
  const status = mapOcsfStatus(event);
  if (status.fallback)
    warn("status", `a finding's status could not be read (${quote(status.native)}); it stays open.`);

  const vulnerability = vulnerabilityOf(event);
  const analytic = info.analytic ?? event.analytic;
  const check = event.compliance?.checks?.[0];
  const title = firstText(info.title, analytic?.name, check?.name, event.metadata?.event_code, event.message);
  if (title === undefined) warn("title", "a finding has no title; its id stands in.");
  const ruleId =
    vulnerability?.cve ??
    firstText(
      event.metadata?.event_code,
      analytic?.type_id === undefined || analytic.type_id === 1 ? analytic?.uid : undefined,
      check?.uid,
      idLike(event.compliance?.control),
      analytic?.name,
      info.types?.find((type) => type.includes(":")),
      title,
    ) ??
    nativeId;
  const detail = firstText(event.status_detail, event.message);
  const description = [info.desc, detail !== info.desc && detail !== title ? detail : undefined]
    .filter((part): part is string => part !== undefined && part.trim() !== "")
    .join("\n\n");
  const remediation = firstText(event.remediation?.desc);

  const times = timesOf(event, info);
  if (times === undefined) warn("firstSeen", "a finding carries no time; the time it was read stands in.");

  const source: Finding["source"] = {
    platform,
    nativeId,
    nativeSeverity: severity.native,
    nativeStatus: status.native,
    fetchedAt,
  };
  const url = firstText(info.src_url);
  if (url !== undefined && /^https?:\/\//i.test(url) && URL.canParse(url)) source.url = url;

  return assembleFinding({
    source,
    category: mapOcsfCategory({
      classUid: event.class_uid,
      types: info.types,
      categories: event.unmapped?.categories,
      hasCve: vulnerability !== undefined,
      isCheck: event.status_code !== undefined || event.compliance !== undefined,
    }),
    severity: severity.severity,
    status: status.status,
    title: title ?? nativeId,
    description,
    rule: {
      id: ruleId,
      name: firstText(check?.name, title, analytic?.name) ?? ruleId,
      ...(remediation === undefined ? {} : { remediation }),
      controls: controlsOf(event),
    },
    resource: resourceOf(event, nativeId, warn),
    firstSeen: times?.firstSeen ?? fetchedAt,
    lastSeen: times?.lastSeen ?? fetchedAt,
    vulnerability,
    raw: options.keepRaw ? record : undefined,
  });
}

/**
 * The native id of an OCSF finding record, `finding_info.uid` (or OCSF 1.0's `finding.uid`), without
 * normalizing it: what `getFinding` compares. `undefined` when there is none.
 */
export function nativeIdOf(record: unknown): string | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const { finding_info: info, finding } = record as {
    finding_info?: { uid?: unknown };
    finding?: { uid?: unknown };
  };
  const uid = info?.uid ?? finding?.uid;
  if (typeof uid === "number" && Number.isFinite(uid)) return String(uid);
  return typeof uid === "string" && uid.trim() !== "" ? uid.trim() : undefined;
}

// Internal helpers.

function identityOf(record: object, platform: string): string {
  const uid = nativeIdOf(record);
  if (uid !== undefined) return uid;
  const path = ["finding_info", "uid"];
  const present = "finding_info" in record || !("finding" in record);
  const where = present ? path : ["finding", "uid"];
  throw new NormalizationError(
    `${platform}: ${formatPath(where)} is missing or empty: a finding without an id cannot be followed across runs.`,
    { platform, path: where, issues: [{ path: where, message: "a non-empty string is required" }] },
  );
}

/** OCSF Findings classes are 2001–2099 (category 2); anything else is another kind of event. */
function checkClass(event: OcsfFinding, platform: string): void {
  const classUid = event.class_uid;
  if (classUid === undefined || (classUid >= 2000 && classUid < 2100)) return;
  if (event.category_uid === 2) return;
  throw new NormalizationError(
    `${platform}: class_uid is ${classUid}, not an OCSF finding class (2001–2008, the Findings category).`,
    { platform, path: ["class_uid"], issues: [{ path: ["class_uid"], message: "not a Findings class" }] },
  );
}

function timesOf(
  event: OcsfFinding,
  info: NonNullable<OcsfFinding["finding_info"]>,
): { firstSeen: string; lastSeen: string } | undefined {
  const firstSeen = firstTime([
    [info.first_seen_time_dt, info.first_seen_time],
    [info.created_time_dt, info.created_time],
    [event.time_dt, event.time],
    [undefined, event.start_time],
  ]);
  const lastSeen = firstTime([
    [info.last_seen_time_dt, info.last_seen_time],
    [info.modified_time_dt, info.modified_time],
    [event.time_dt, event.time],
    [undefined, event.end_time],
  ]);
  const first = firstSeen ?? lastSeen;
  const last = lastSeen ?? firstSeen;
  if (first === undefined || last === undefined) return undefined;
  // A producer that writes the first sighting after the last one still gets an ordered pair.
  return first <= last ? { firstSeen: first, lastSeen: last } : { firstSeen: last, lastSeen: first };
}

/**
 * The resource: the first of `resources` (OCSF puts the primary one first), keyed by its ARN when
 * `uid` or `uid_alt` is one (Security Hub writes a bucket's name in `uid` and its ARN in `uid_alt`).
 */
function resourceOf(
  event: OcsfFinding,
  nativeId: string,
  warn: (feature: string, message: string) => void,
): Finding["resource"] {
  const resource: OcsfResource = event.resources?.[0] ?? event.resource ?? {};
  const cloudInfo = event.cloud ?? event.unmapped?.cloud;
  const arn = [resource.uid, resource.uid_alt].find((value) => value?.startsWith("arn:"));
  const accountUid = firstText(cloudInfo?.account?.uid, resource.owner?.account?.uid);
  let id = firstText(arn, resource.uid, resource.uid_alt, resource.name);
  let nativeType = firstText(resource.type) ?? "";
  if (id === undefined) {
    id = accountUid ?? nativeId;
    nativeType ||= accountUid === undefined ? "" : "Account";
    warn(
      "resource",
      accountUid === undefined
        ? "a finding names no resource and no account; it is filed on itself."
        : "a finding names no resource; it is filed on its account.",
    );
  }
  const arnFacts = parseArn(id);
  const cloud =
    mapOcsfCloud(cloudInfo?.provider) ??
    mapOcsfCloud(resource.provider) ??
    mapOcsfCloud(event.unmapped?.provider) ??
    mapOcsfCloud(resource.cloud_partition ?? cloudInfo?.cloud_partition) ??
    cloudOfResource(nativeType, id) ??
    "other";
  const accountId =
    accountUid ??
    arnFacts?.accountId ??
    (cloud === "kubernetes" ? firstText(event.unmapped?.provider_uid) : undefined) ??
    azureSubscriptionOf(id) ??
    "";
  const type =
    nativeType === "Account" && id === accountUid
      ? `${cloud}.account`
      : mapOcsfResourceType(cloud, nativeType, id, resource.group?.name);
  const mapped: Finding["resource"] = {
    id,
    type,
    nativeType: nativeTypeLabelOf(resource.labels) ?? (nativeType || "unknown"),
    name: firstText(resource.name, arnFacts?.name) ?? id,
    cloud,
    accountId,
    tags: ocsfTags(resource.labels, resource.tags),
  };
  const accountName = firstText(cloudInfo?.account?.name);
  if (accountName !== undefined) mapped.accountName = accountName;
  const region = firstText(resource.region, cloudInfo?.region, arnFacts?.region);
  if (region !== undefined) mapped.region = region;
  // Key order as the other adapters write it (tags last).
  const { tags, ...rest } = mapped;
  return { ...rest, tags };
}

/**
 * Controls from OCSF `compliance` (each standard with each requirement, or with `control` when it is an
 * id) and from Prowler's `unmapped.compliance` (`{ "CIS-2.0": ["1.20"] }`), without duplicates.
 */
function controlsOf(event: OcsfFinding): Finding["rule"]["controls"] {
  const controls: Finding["rule"]["controls"] = [];
  const seen = new Set<string>();
  const add = (framework: unknown, control: unknown) => {
    if (typeof framework !== "string" || typeof control !== "string") return;
    const name = framework.trim();
    const id = control.trim();
    const key = `${name}\u0000${id}`;
    if (name === "" || id === "" || seen.has(key)) return;
    seen.add(key);
    controls.push({ framework: name, control: id });
  };
  const compliance = event.compliance;
  if (compliance) {
    const standards = compliance.standards ?? [];
    const requirements = compliance.requirements?.length
      ? compliance.requirements
      : [idLike(compliance.control)].filter((value): value is string => value !== undefined);
    for (const requirement of requirements) {
      // `CIS AWS 2.0.0 2.1.5` names its standard (as toOcsf writes it): it belongs to that one alone.
      const own = standards.find((standard) => requirement.startsWith(`${standard} `));
      if (own !== undefined) add(own, requirement.slice(own.length + 1));
      else for (const standard of standards) add(standard, requirement);
    }
  }
  for (const [framework, requirements] of Object.entries(event.unmapped?.compliance ?? {})) {
    for (const requirement of Array.isArray(requirements) ? requirements : [requirements])
      add(framework, requirement);
  }
  return controls;
}

/** The first entry of `vulnerabilities` that names a CVE. */
function vulnerabilityOf(event: OcsfFinding): Finding["vulnerability"] {
  for (const entry of event.vulnerabilities ?? []) {
    const cve = firstText(entry.cve?.uid)?.toUpperCase();
    if (cve === undefined) continue;
    const vulnerability: NonNullable<Finding["vulnerability"]> = { cve };
    const scores = (entry.cve?.cvss ?? [])
      .map((cvss) => cvss.base_score)
      .filter((score): score is number => score !== undefined && score >= 0 && score <= 10);
    if (scores.length > 0) vulnerability.cvss = Math.max(...scores);
    const epss = Number(entry.cve?.epss?.score);
    if (entry.cve?.epss?.score !== undefined && Number.isFinite(epss) && epss >= 0 && epss <= 1)
      vulnerability.epss = epss;
    const affected = entry.affected_packages?.[0];
    if (affected?.name) vulnerability.packageName = affected.name;
    if (affected?.version) vulnerability.installedVersion = affected.version;
    if (affected?.fixed_in_version) vulnerability.fixedVersion = affected.fixed_in_version;
    if (entry.is_exploit_available !== undefined) vulnerability.exploitAvailable = entry.is_exploit_available;
    return vulnerability;
  }
  return undefined;
}

function azureSubscriptionOf(id: string): string | undefined {
  return /^\/?subscriptions\/([^/]+)/i.exec(id)?.[1];
}

/** A short identifier such as `S3.1` or `1.20` (Prowler's universal compliance output puts prose in `control`). */
function idLike(value: string | undefined): string | undefined {
  return value !== undefined && /^[\w.:/-]{1,64}$/.test(value.trim()) ? value.trim() : undefined;
}

function firstText(...values: (string | undefined)[]): string | undefined {
  for (const value of values) if (value !== undefined && value.trim() !== "") return value.trim();
  return undefined;
}

/**
 * A native value plain enough to quote in a warning (a short word such as `Sev-X`, or a small number);
 * anything else, which could be a token pasted into the wrong field, is not repeated.
 */
function quote(value: string): string {
  if (value === "") return "none given";
  return /^([A-Za-z][A-Za-z .-]{0,15}|\d{1,3})$/.test(value) ? `"${value}"` : "an unreadable value";
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
