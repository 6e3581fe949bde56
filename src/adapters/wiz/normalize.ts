import type { z } from "zod";
import { NormalizationError, toErrorIssues } from "../../core/errors.js";
import {
  type Category,
  type Control,
  type Finding,
  formatPath,
  type Resource,
  type Vulnerability,
} from "../../core/finding.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import {
  type Fields,
  isConfiguration,
  isDetection,
  isIssue,
  isVulnerability,
  isWebhook,
} from "./fast-checks.js";
import { mapWizCategory } from "./map-category.js";
import { mapWizCloud, mapWizResourceType } from "./map-resource-type.js";
import { mapWizSeverity } from "./map-severity.js";
import { mapWizStatus } from "./map-status.js";
import {
  type WizConfigurationFinding,
  type WizDetection,
  type WizDetectionResource,
  type WizIssue,
  type WizVulnerabilityFinding,
  type WizWebhookIssue,
  wizConfigurationFindingSchema,
  wizDetectionSchema,
  wizIssueSchema,
  wizVulnerabilityFindingSchema,
  wizWebhookIssueSchema,
} from "./schemas.js";

/** The kinds of Wiz record {@link normalize} accepts. */
export type WizRecordKind = "issue" | "configuration" | "vulnerability" | "detection" | "webhook-issue";

/** Options of {@link normalize}. */
export interface NormalizeOptions extends SourceNormalizeOptions {
  /**
   * The Wiz portal that console links point at (gov tenants use their own host).
   * @default "https://app.wiz.io"
   */
  portalUrl?: string;
}

/**
 * Turns one Wiz record into a Finding: an `issuesV2` node, a `configurationFindings` node, a
 * `vulnerabilityFindings` node, a Wiz Defend `detections` node, or an Automation Rule webhook payload
 * for an issue or a detection (the kind is detected). A detection becomes a `threat` finding, `open`
 * (detections have no status of their own), on its primary resource, linked to its threat issue.
 * Pure apart from the default `fetchedAt`.
 * @throws NormalizationError naming the missing or invalid field, e.g. `["entitySnapshot", "type"]`.
 * @example
 * const finding = normalize(issueNode, { fetchedAt: new Date().toISOString() });
 */
export function normalize(record: unknown, options: NormalizeOptions = {}): Finding {
  const kind = detectWizRecordKind(record);
  const fields = record as Fields; // an object: detectWizRecordKind checked
  const fetchedAt = options.fetchedAt ?? new Date().toISOString();
  const portal = options.portalUrl?.replace(/\/+$/, "") ?? defaultPortalUrl;
  // The hand-written checks below accept exactly what the zod schemas accept, at a fraction of the
  // cost; a record they reject goes through zod, which throws the NormalizationError naming the path.
  const draft =
    kind === "issue"
      ? fromIssue(isIssue(fields) ? (record as WizIssue) : parse(wizIssueSchema, record, kind), portal)
      : kind === "configuration"
        ? fromConfiguration(
            isConfiguration(fields)
              ? (record as WizConfigurationFinding)
              : parse(wizConfigurationFindingSchema, record, kind),
            portal,
          )
        : kind === "vulnerability"
          ? fromVulnerability(
              isVulnerability(fields)
                ? (record as WizVulnerabilityFinding)
                : parse(wizVulnerabilityFindingSchema, record, kind),
            )
          : kind === "detection"
            ? fromDetection(
                isDetection(fields) ? (record as WizDetection) : parse(wizDetectionSchema, record, kind),
              )
            : fromWebhook(
                isWebhook(fields) ? (record as WizWebhookIssue) : parse(wizWebhookIssueSchema, record, kind),
                portal,
              );
  return build(draft, fetchedAt, options.keepRaw ? record : undefined);
}

/**
 * Says which kind of Wiz record this is, from the fields that only that kind carries.
 * @throws NormalizationError when the value is not a Wiz record.
 */
export function detectWizRecordKind(record: unknown): WizRecordKind {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new NormalizationError("wiz: expected a Wiz record (an object), got " + describe(record), {
      platform: "wiz",
      path: [],
    });
  }
  if ("vulnerableAsset" in record) return "vulnerability";
  if ("entitySnapshot" in record || "sourceRule" in record) return "issue";
  if ("rule" in record && "resource" in record) return "configuration";
  if ("ruleMatch" in record || "tdrId" in record || "primaryResource" in record) return "detection";
  if ((record as { trigger?: { source?: unknown } }).trigger?.source === "DETECTIONS") return "detection";
  if ("issue" in record) return "webhook-issue";
  if ("vendorSeverity" in record || "CVSSSeverity" in record) return "vulnerability";
  throw new NormalizationError(
    "wiz: unrecognized record: expected an issue (entitySnapshot), a configuration finding (rule + resource), a vulnerability finding (vulnerableAsset), a detection (ruleMatch, tdrId, primaryResource or a DETECTIONS trigger) or a webhook payload (issue).",
    { platform: "wiz", path: [] },
  );
}

// Internal helpers.

const defaultPortalUrl = "https://app.wiz.io";

/** The console link of an issue (docs/wiz.md, Sources: listing). */
function issueLink(portal: string, issueId: string): string {
  return `${portal}/issues#~(issue~'${encodeURIComponent(issueId)}')`;
}

/** What each record kind contributes before the shared mapping and validation. */
interface Draft {
  kind: WizRecordKind;
  nativeId: string;
  severity: { value: string; path: string[] };
  status: { value: string; reason?: string | null; path: string[] };
  category: Category;
  title: string;
  description: string;
  rule: { id: string; name: string; remediation?: string; controls: Control[] };
  resource: Omit<Resource, "tags"> & { tags: unknown; idPath: string[] };
  vulnerability?: Vulnerability;
  firstSeen: { value: string; path: string[] };
  lastSeen: { value: string; path: string[] };
  url?: string;
}

/** The error for an invalid mapped value (a module function: a closure per record cost measurably). */
function failure(draft: Draft, path: string[], message: string): NormalizationError {
  return new NormalizationError(`wiz: ${draft.kind} ${draft.nativeId}: ${formatPath(path)} ${message}`, {
    platform: "wiz",
    path,
    issues: [{ path, message }],
  });
}

function build(draft: Draft, fetchedAt: string, raw: unknown): Finding {
  const severity = mapWizSeverity(draft.severity.value);
  if (!severity)
    throw failure(draft, draft.severity.path, `has an unknown severity "${draft.severity.value}"`);
  const status = mapWizStatus(draft.status.value, draft.status.reason);
  if (!status) throw failure(draft, draft.status.path, `has an unknown status "${draft.status.value}"`);
  const native = draft.resource;
  if (native.id === "") throw failure(draft, native.idPath, "is empty: the record names no resource");
  // Field by field rather than rest + spread + compact: the hot path, and the key order stays the same.
  const resource = {
    id: native.id,
    type: native.type,
    nativeType: native.nativeType,
    name: native.name,
    cloud: native.cloud,
    accountId: native.accountId,
  } as Resource; // `tags` is set last, below
  if (native.accountName !== undefined) resource.accountName = native.accountName;
  if (native.region !== undefined) resource.region = native.region;
  resource.tags = toTags(native.tags);
  const source: Finding["source"] = {
    platform: "wiz",
    nativeId: draft.nativeId,
    nativeSeverity: draft.severity.value,
    nativeStatus: draft.status.value,
    fetchedAt,
  };
  if (draft.url !== undefined) source.url = draft.url;
  const { id, name, remediation, controls } = draft.rule;
  return assembleFinding({
    source,
    category: draft.category,
    severity,
    status,
    title: draft.title,
    description: draft.description,
    rule: remediation === undefined ? { id, name, controls } : { id, name, remediation, controls },
    resource,
    firstSeen: toIso(draft, draft.firstSeen),
    lastSeen: toIso(draft, draft.lastSeen),
    vulnerability: draft.vulnerability === undefined ? undefined : compact(draft.vulnerability),
    raw,
  });
}

function fromIssue(issue: WizIssue, portal: string): Draft {
  const rule = issue.sourceRule;
  const snapshot = issue.entitySnapshot;
  const cloud = mapWizCloud(snapshot.cloudPlatform);
  const subCategories = rule.securitySubCategories ?? [];
  const fallback: Category =
    issue.type === "TOXIC_COMBINATION" ? "exposure" : mapWizCategory([rule.name], "misconfiguration");
  const name = rule.name || rule.id;
  return {
    kind: "issue",
    nativeId: issue.id,
    severity: { value: issue.severity, path: ["severity"] },
    status: { value: issue.status, reason: issue.resolutionReason, path: ["status"] },
    category:
      issue.type === "THREAT_DETECTION" ? "threat" : mapWizCategory(categoryNames(subCategories), fallback),
    title: name,
    description:
      rule.controlDescription ??
      rule.cloudConfigurationRuleDescription ??
      rule.cloudEventRuleDescription ??
      rule.description ??
      "",
    rule: {
      id: rule.id,
      name,
      remediation: rule.resolutionRecommendation ?? rule.remediationInstructions ?? undefined,
      controls: toControls(subCategories),
    },
    resource: {
      id: snapshot.providerId || snapshot.externalId || snapshot.id || "",
      idPath: ["entitySnapshot", "providerId"],
      type: mapWizResourceType(cloud, snapshot.type, snapshot.nativeType),
      nativeType: snapshot.nativeType || snapshot.type,
      name: snapshot.name ?? snapshot.externalId ?? "",
      cloud,
      accountId: snapshot.subscriptionExternalId ?? "",
      accountName: snapshot.subscriptionName ?? undefined,
      region: snapshot.region ?? undefined,
      tags: snapshot.tags,
    },
    firstSeen: { value: issue.createdAt, path: ["createdAt"] },
    lastSeen: issue.updatedAt
      ? { value: issue.updatedAt, path: ["updatedAt"] }
      : issue.statusChangedAt
        ? { value: issue.statusChangedAt, path: ["statusChangedAt"] }
        : { value: issue.createdAt, path: ["createdAt"] },
    url: issueLink(portal, issue.id),
  };
}

function fromConfiguration(finding: WizConfigurationFinding, portal: string): Draft {
  const { resource, rule } = finding;
  const cloud = mapWizCloud(resource.cloudPlatform ?? finding.subscription?.cloudProvider);
  const subCategories = rule.securitySubCategories ?? [];
  const name = rule.name || rule.shortId || rule.id;
  const firstSeen = finding.firstSeenAt ?? finding.analyzedAt;
  const lastSeen = finding.analyzedAt ?? finding.updatedAt ?? firstSeen;
  if (!firstSeen || !lastSeen) {
    throw new NormalizationError(`wiz: configuration ${finding.id}: analyzedAt is missing`, {
      platform: "wiz",
      path: ["analyzedAt"],
      issues: [{ path: ["analyzedAt"], message: "missing (and no firstSeenAt either)" }],
    });
  }
  return {
    kind: "configuration",
    nativeId: finding.id,
    severity: { value: finding.severity, path: ["severity"] },
    status: { value: finding.status, reason: finding.resolutionReason, path: ["status"] },
    category: mapWizCategory(categoryNames(subCategories), mapWizCategory([rule.name], "misconfiguration")),
    title: name,
    description: rule.description ?? "",
    rule: {
      id: rule.id,
      name,
      remediation: finding.remediation ?? rule.remediationInstructions ?? undefined,
      controls: toControls(subCategories),
    },
    resource: {
      id: resource.providerId || finding.targetObjectProviderUniqueId || resource.id || "",
      idPath: ["resource", "providerId"],
      type: mapWizResourceType(cloud, resource.type, resource.nativeType),
      nativeType: resource.nativeType || resource.type,
      name: resource.name ?? finding.targetExternalId ?? "",
      cloud,
      accountId: finding.subscription?.externalId ?? resource.subscription?.externalId ?? "",
      accountName: finding.subscription?.name ?? resource.subscription?.name ?? undefined,
      region: resource.region ?? undefined,
      tags: resource.tags,
    },
    firstSeen: { value: firstSeen, path: [finding.firstSeenAt ? "firstSeenAt" : "analyzedAt"] },
    lastSeen: { value: lastSeen, path: [finding.analyzedAt ? "analyzedAt" : "updatedAt"] },
    url: `${portal}/findings/configuration-findings/cloud#~(cloudConfigurationFinding~'${encodeURIComponent(finding.id)}')`,
  };
}

function fromVulnerability(finding: WizVulnerabilityFinding): Draft {
  const asset = finding.vulnerableAsset;
  const cloud = mapWizCloud(asset.cloudPlatform);
  const severity = finding.vendorSeverity ?? finding.CVSSSeverity;
  const cve = finding.name.trim().toUpperCase();
  const packageName = finding.detailedName ?? undefined;
  return {
    kind: "vulnerability",
    nativeId: finding.id,
    severity: { value: severity ?? "", path: ["vendorSeverity"] },
    status: { value: finding.status, reason: finding.resolutionReason, path: ["status"] },
    category: "vulnerability",
    title: packageName ? `${cve} in ${packageName}` : cve,
    description: finding.CVEDescription ?? finding.description ?? "",
    rule: {
      id: cve,
      name: cve,
      remediation:
        finding.remediation ??
        (finding.fixedVersion && packageName
          ? `Upgrade ${packageName} to ${finding.fixedVersion}.`
          : undefined),
      controls: [],
    },
    resource: {
      id: asset.providerUniqueId || asset.id || "",
      idPath: ["vulnerableAsset", "providerUniqueId"],
      type: mapWizResourceType(cloud, asset.type),
      nativeType: asset.type,
      name: asset.name ?? "",
      cloud,
      accountId: asset.subscriptionExternalId ?? "",
      accountName: asset.subscriptionName ?? undefined,
      region: asset.region ?? undefined,
      tags: asset.tags,
    },
    vulnerability: {
      cve,
      cvss: inRange(finding.score, 10),
      epss: inRange(finding.epssProbability, 1),
      packageName,
      installedVersion: finding.version ?? undefined,
      fixedVersion: finding.fixedVersion ?? undefined,
      exploitAvailable: finding.hasExploit ?? undefined,
      knownExploited: finding.hasCisaKevExploit ?? undefined,
    },
    firstSeen: { value: finding.firstDetectedAt, path: ["firstDetectedAt"] },
    lastSeen: finding.lastDetectedAt
      ? { value: finding.lastDetectedAt, path: ["lastDetectedAt"] }
      : { value: finding.firstDetectedAt, path: ["firstDetectedAt"] },
    url: isUrl(finding.portalUrl) ? finding.portalUrl : undefined,
  };
}

function fromWebhook(payload: WizWebhookIssue, portal: string): Draft {
  const { issue } = payload;
  const resource = payload.resource ?? {};
  const control = payload.control;
  if (!control) {
    throw new NormalizationError(`wiz: webhook issue ${issue.id}: control is missing; the rule is unknown`, {
      platform: "wiz",
      path: ["control"],
      issues: [{ path: ["control"], message: "missing" }],
    });
  }
  const cloud = mapWizCloud(resource.cloudPlatform);
  const name = control.name || control.id;
  return {
    kind: "webhook-issue",
    nativeId: issue.id,
    severity: { value: issue.severity ?? control.severity ?? "", path: ["issue", "severity"] },
    status: { value: issue.status, path: ["issue", "status"] },
    category: control.id.startsWith("cer-")
      ? "threat"
      : mapWizCategory([...(control.risks ?? []), control.name], "misconfiguration"),
    title: name,
    description: control.description ?? "",
    rule: { id: control.id, name, controls: [] },
    resource: {
      // Wiz sends empty strings for resources it cannot name; fall back to the name, then the issue.
      id: resource.id || resource.name || `wiz-issue:${issue.id}`,
      idPath: ["resource", "id"],
      type: mapWizResourceType(cloud, resource.type || "unknown"),
      nativeType: resource.type || "unknown",
      name: resource.name ?? "",
      cloud,
      accountId: resource.subscriptionId ?? "",
      accountName: resource.subscriptionName ?? undefined,
      region: resource.region || undefined,
      tags: resource.tags,
    },
    firstSeen: { value: issue.created, path: ["issue", "created"] },
    lastSeen: { value: issue.created, path: ["issue", "created"] },
    url: issueLink(portal, issue.id),
  };
}

function fromDetection(detection: WizDetection): Draft {
  const rule = detection.ruleMatch?.rule;
  const ruleId = rule?.id || detection.tdrId;
  if (!ruleId) {
    throw new NormalizationError(`wiz: detection ${detection.id}: names no rule (ruleMatch.rule or tdrId)`, {
      platform: "wiz",
      path: ["ruleMatch", "rule"],
      issues: [{ path: ["ruleMatch", "rule"], message: "missing, and no tdrId either" }],
    });
  }
  // The query selects `primaryResource { id }` and the full objects under `resources`; the webhook
  // sends the full primary resource.
  const primary = detection.primaryResource;
  const resource: WizDetectionResource =
    detection.resources?.find((candidate) => primary?.id && candidate.id === primary.id) ??
    primary ??
    detection.resources?.[0] ??
    {};
  const account = resource.cloudAccount ?? detection.cloudAccounts?.[0] ?? undefined;
  const cloud = mapWizCloud(account?.cloudPlatform ?? account?.cloudProvider);
  const name = rule?.name || detection.title || ruleId;
  const graphType = resource.type || "unknown";
  const started = detection.startedAt ?? detection.timeframe?.start;
  const ended = detection.endedAt ?? detection.timeframe?.end;
  const url = detection.threatURL ?? detection.issue?.url;
  return {
    kind: "detection",
    nativeId: detection.id,
    severity: { value: detection.severity, path: ["severity"] },
    status: { value: "OPEN", path: [] },
    category: "threat",
    title: detection.title || name,
    description: detection.description ?? "",
    rule: {
      id: ruleId,
      name,
      controls: [...toControls(rule?.securitySubCategories), ...mitreControls(detection.mitreTechniques)],
    },
    resource: {
      id: resource.providerUniqueId || resource.externalId || resource.id || `wiz-detection:${detection.id}`,
      idPath: ["primaryResource", "externalId"],
      type: mapWizResourceType(cloud, graphType, resource.nativeType),
      nativeType: resource.nativeType || graphType,
      name: resource.name ?? "",
      cloud,
      accountId:
        account?.externalId === undefined || account.externalId === null ? "" : String(account.externalId),
      accountName: account?.name ?? undefined,
      region: resource.region || undefined,
      tags: undefined,
    },
    firstSeen: started
      ? { value: started, path: detection.startedAt ? ["startedAt"] : ["timeframe", "start"] }
      : { value: detection.createdAt, path: ["createdAt"] },
    lastSeen: ended
      ? { value: ended, path: detection.endedAt ? ["endedAt"] : ["timeframe", "end"] }
      : { value: detection.createdAt, path: ["createdAt"] },
    url: isUrl(url) ? url : undefined,
  };
}

function parse<T>(schema: z.ZodType<T>, record: unknown, kind: WizRecordKind): T {
  const result = schema.safeParse(record);
  if (result.success) return result.data;
  const issues = toErrorIssues(result.error.issues);
  const first = issues[0]!;
  const id =
    (record as { id?: unknown; issue?: { id?: unknown } }).id ??
    (record as { issue?: { id?: unknown } }).issue?.id;
  throw new NormalizationError(
    `wiz: ${kind}${typeof id === "string" ? ` ${id}` : ""}: ${formatPath(first.path)}: ${first.message}`,
    { platform: "wiz", path: first.path, issues, cause: result.error },
  );
}

/** Compliance references from security sub-categories: `{ framework, control }`, the control id when the title starts with one. */
function toControls(subCategories: readonly unknown[] | null | undefined): Control[] {
  const seen = new Set<string>();
  const controls: Control[] = [];
  for (const sub of subCategories ?? []) {
    const { title, category } = (sub ?? {}) as SubCategory;
    const framework = typeof category?.framework?.name === "string" ? category.framework.name.trim() : "";
    const text = typeof title === "string" ? title.trim() : "";
    if (!framework || !text) continue;
    const control = /^([A-Z]{0,5}[-\s]?\d+(?:\.\d+)*[a-z]?)\s/.exec(text)?.[1] ?? text;
    const key = `${framework}\u0000${control}`;
    if (seen.has(key)) continue;
    seen.add(key);
    controls.push({ framework, control });
  }
  return controls;
}

/** MITRE ATT&CK techniques from Wiz's `TA0043-T1595` (tactic-technique) or bare `T1595.001` values, once each. */
function mitreControls(techniques: readonly string[] | null | undefined): Control[] {
  const ids = new Set<string>();
  for (const technique of techniques ?? []) {
    const id = /\bT\d{4}(?:\.\d{3})?\b/.exec(technique)?.[0];
    if (id) ids.add(id);
  }
  return [...ids].map((control) => ({ framework: "MITRE ATT&CK", control }));
}

/** The names of the sub-categories' categories, for category mapping. */
function categoryNames(subCategories: readonly unknown[] | null | undefined): string[] {
  return (subCategories ?? [])
    .map((sub) => ((sub ?? {}) as SubCategory).category?.name)
    .filter((name): name is string => typeof name === "string");
}

interface SubCategory {
  title?: unknown;
  category?: { name?: unknown; framework?: { name?: unknown } | null } | null;
}

const canonicalIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ISO-8601 from Wiz's timestamps, including webhook ones without `T`/`Z` and with nanoseconds. */
function toIso(draft: Draft, { value, path }: { value: string; path: string[] }): string {
  if (canonicalIso.test(value)) return value;
  let text = value.trim();
  if (/^\d{4}-\d{2}-\d{2} \d/.test(text)) text = text.replace(" ", "T");
  text = text.replace(/(\.\d{3})\d+/, "$1");
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += "Z";
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw failure(draft, path, `is not a timestamp: "${value}"`);
  return new Date(time).toISOString();
}

function inRange(value: number | null | undefined, max: number): number | undefined {
  return typeof value === "number" && value >= 0 && value <= max ? value : undefined;
}

function isUrl(value: string | null | undefined): value is string {
  return typeof value === "string" && URL.canParse(value);
}

/**
 * A copy without the `undefined` properties (snapshots and JSON stay free of empty keys). Copying is
 * cheaper than `delete` in place, which turns the object into a slow dictionary-mode object.
 */
function compact<T extends object>(value: T): T {
  const result = {} as T;
  for (const key in value) if (value[key] !== undefined) result[key] = value[key];
  return result;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
