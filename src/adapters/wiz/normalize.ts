import { NormalizationError } from "../../core/errors.js";
import type { Category, Control, Finding, Resource, Vulnerability } from "../../core/finding.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import { mapWizCategory } from "./map-category.js";
import { mapWizCloud, mapWizResourceType } from "./map-resource-type.js";
import { mapWizSeverity } from "./map-severity.js";
import { mapWizStatus } from "./map-status.js";

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
  const read = new FieldReader("wiz", kind, options);
  const portal = options.portalUrl?.replace(/\/+$/, "") ?? defaultPortalUrl;
  const draft =
    kind === "issue"
      ? fromIssue(fields, read, portal)
      : kind === "configuration"
        ? fromConfiguration(fields, read, portal)
        : kind === "vulnerability"
          ? fromVulnerability(fields, read)
          : kind === "detection"
            ? fromDetection(fields, read)
            : fromWebhook(fields, read, portal);
  return build(
    draft,
    read,
    options.fetchedAt ?? new Date().toISOString(),
    options.keepRaw ? record : undefined,
  );
}

/**
 * Says which kind of Wiz record this is, from the fields that only that kind carries.
 * @throws NormalizationError when the value is not a Wiz record.
 */
export function detectWizRecordKind(record: unknown): WizRecordKind {
  if (!isFields(record)) {
    throw new NormalizationError(`wiz: expected a Wiz record (an object), got ${describe(record)}`, {
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

// Where the objects a record nests sit (error paths are built from these only when a field fails).
const root: Path = [];
const sourceRulePath: Path = ["sourceRule"];
const snapshotPath: Path = ["entitySnapshot"];
const resourcePath: Path = ["resource"];
const resourceSubscriptionPath: Path = ["resource", "subscription"];
const rulePath: Path = ["rule"];
const subscriptionPath: Path = ["subscription"];
const assetPath: Path = ["vulnerableAsset"];
const webhookIssuePath: Path = ["issue"];
const controlPath: Path = ["control"];
const risksPath: Path = ["control", "risks"];
const ruleMatchPath: Path = ["ruleMatch"];
const matchedRulePath: Path = ["ruleMatch", "rule"];
const primaryPath: Path = ["primaryResource"];
const resourcesPath: Path = ["resources"];
const cloudAccountsPath: Path = ["cloudAccounts"];
const firstAccountPath: Path = ["cloudAccounts", 0];
const timeframePath: Path = ["timeframe"];
const mitrePath: Path = ["mitreTechniques"];
/** The fields of an optional object the record leaves out. */
const none: Fields = {};

/** The console link of an issue (docs/wiz.md, Sources: listing). */
function issueLink(portal: string, issueId: string): string {
  return `${portal}/issues#~(issue~'${encodeURIComponent(issueId)}')`;
}

/** What each record kind contributes before the shared mapping. */
interface Draft {
  nativeId: string;
  severity: { value: string; path: Path };
  status: { value: string; reason?: string; path: Path };
  category: Category;
  title: string;
  description: string;
  rule: { id: string; name: string; remediation?: string; controls: Control[] };
  /** `idPath` and `idFallbacks` name where the resource id comes from, when it can come out empty. */
  resource: Omit<Resource, "tags"> & { tags: unknown; idPath?: Path; idFallbacks?: string };
  vulnerability?: Vulnerability;
  firstSeen: { value: string; path: Path };
  lastSeen: { value: string; path: Path };
  url?: string;
}

function build(draft: Draft, read: FieldReader, fetchedAt: string, raw: unknown): Finding {
  const severity = mapWizSeverity(draft.severity.value);
  if (!severity) throw read.fail(draft.severity.path, `has an unknown severity "${draft.severity.value}"`);
  const status = mapWizStatus(draft.status.value, draft.status.reason);
  if (!status) throw read.fail(draft.status.path, `has an unknown status "${draft.status.value}"`);
  const native = draft.resource;
  if (native.id === "") {
    throw read.fail(
      native.idPath ?? [],
      `is empty (and ${native.idFallbacks} too): the record names no resource`,
    );
  }
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
    firstSeen: toIso(read, draft.firstSeen),
    lastSeen: toIso(read, draft.lastSeen),
    vulnerability: draft.vulnerability === undefined ? undefined : compact(draft.vulnerability),
    raw,
  });
}

function fromIssue(issue: Fields, read: FieldReader, portal: string): Draft {
  const nativeId = read.string(issue, "id", root);
  read.subject = `issue ${nativeId}`;
  const type = read.text(issue, "type", root);
  const rule = read.object(issue, "sourceRule", root);
  const snapshot = read.object(issue, "entitySnapshot", root);
  const ruleId = read.string(rule, "id", sourceRulePath);
  const ruleName = read.text(rule, "name", sourceRulePath);
  const subCategories = read.list(rule, "securitySubCategories", sourceRulePath);
  const graphType = read.string(snapshot, "type", snapshotPath);
  const nativeType = read.text(snapshot, "nativeType", snapshotPath);
  const cloud = mapWizCloud(read.text(snapshot, "cloudPlatform", snapshotPath));
  const createdAt = read.string(issue, "createdAt", root);
  const updatedAt = read.text(issue, "updatedAt", root);
  const statusChangedAt = updatedAt ? undefined : read.text(issue, "statusChangedAt", root);
  const fallback: Category =
    type === "TOXIC_COMBINATION" ? "exposure" : mapWizCategory([ruleName], "misconfiguration");
  const name = ruleName || ruleId;
  return {
    nativeId,
    severity: { value: read.string(issue, "severity", root), path: ["severity"] },
    status: {
      value: read.string(issue, "status", root),
      reason: read.text(issue, "resolutionReason", root),
      path: ["status"],
    },
    category: type === "THREAT_DETECTION" ? "threat" : mapWizCategory(categoryNames(subCategories), fallback),
    title: name,
    description:
      read.text(rule, "controlDescription", sourceRulePath) ??
      read.text(rule, "cloudConfigurationRuleDescription", sourceRulePath) ??
      read.text(rule, "cloudEventRuleDescription", sourceRulePath) ??
      read.text(rule, "description", sourceRulePath) ??
      "",
    rule: {
      id: ruleId,
      name,
      remediation:
        read.text(rule, "resolutionRecommendation", sourceRulePath) ??
        read.text(rule, "remediationInstructions", sourceRulePath),
      controls: toControls(subCategories),
    },
    resource: {
      id:
        read.text(snapshot, "providerId", snapshotPath) ||
        read.text(snapshot, "externalId", snapshotPath) ||
        read.text(snapshot, "id", snapshotPath) ||
        "",
      idPath: ["entitySnapshot", "providerId"],
      idFallbacks: "entitySnapshot.externalId, entitySnapshot.id",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name:
        read.text(snapshot, "name", snapshotPath) ?? read.text(snapshot, "externalId", snapshotPath) ?? "",
      cloud,
      accountId: read.textOr(snapshot, "subscriptionExternalId", snapshotPath, ""),
      accountName: read.text(snapshot, "subscriptionName", snapshotPath),
      region: read.text(snapshot, "region", snapshotPath),
      tags: snapshot.tags,
    },
    firstSeen: { value: createdAt, path: ["createdAt"] },
    lastSeen: updatedAt
      ? { value: updatedAt, path: ["updatedAt"] }
      : statusChangedAt
        ? { value: statusChangedAt, path: ["statusChangedAt"] }
        : { value: createdAt, path: ["createdAt"] },
    url: issueLink(portal, nativeId),
  };
}

function fromConfiguration(finding: Fields, read: FieldReader, portal: string): Draft {
  const nativeId = read.string(finding, "id", root);
  read.subject = `configuration ${nativeId}`;
  const resource = read.object(finding, "resource", root);
  const rule = read.object(finding, "rule", root);
  const subscription = read.optionalObject(finding, "subscription", root) ?? none;
  const resourceSubscription = read.optionalObject(resource, "subscription", resourcePath) ?? none;
  const ruleId = read.string(rule, "id", rulePath);
  const ruleName = read.text(rule, "name", rulePath);
  const subCategories = read.list(rule, "securitySubCategories", rulePath);
  const graphType = read.string(resource, "type", resourcePath);
  const nativeType = read.text(resource, "nativeType", resourcePath);
  const cloud = mapWizCloud(
    read.text(resource, "cloudPlatform", resourcePath) ??
      read.text(subscription, "cloudProvider", subscriptionPath),
  );
  const name = ruleName || read.text(rule, "shortId", rulePath) || ruleId;
  const firstSeenAt = read.text(finding, "firstSeenAt", root);
  const analyzedAt = read.text(finding, "analyzedAt", root);
  const firstSeen = firstSeenAt ?? analyzedAt;
  const lastSeen = analyzedAt ?? read.text(finding, "updatedAt", root) ?? firstSeen;
  if (!firstSeen || !lastSeen) throw read.fail(["analyzedAt"], "is missing (and firstSeenAt too)");
  return {
    nativeId,
    severity: { value: read.string(finding, "severity", root), path: ["severity"] },
    status: {
      value: read.string(finding, "status", root),
      reason: read.text(finding, "resolutionReason", root),
      path: ["status"],
    },
    category: mapWizCategory(categoryNames(subCategories), mapWizCategory([ruleName], "misconfiguration")),
    title: name,
    description: read.text(rule, "description", rulePath) ?? "",
    rule: {
      id: ruleId,
      name,
      remediation:
        read.text(finding, "remediation", root) ?? read.text(rule, "remediationInstructions", rulePath),
      controls: toControls(subCategories),
    },
    resource: {
      id:
        read.text(resource, "providerId", resourcePath) ||
        read.text(finding, "targetObjectProviderUniqueId", root) ||
        read.text(resource, "id", resourcePath) ||
        "",
      idPath: ["resource", "providerId"],
      idFallbacks: "targetObjectProviderUniqueId, resource.id",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name: read.text(resource, "name", resourcePath) ?? read.text(finding, "targetExternalId", root) ?? "",
      cloud,
      accountId:
        read.text(subscription, "externalId", subscriptionPath) ??
        read.textOr(resourceSubscription, "externalId", resourceSubscriptionPath, ""),
      accountName:
        read.text(subscription, "name", subscriptionPath) ??
        read.text(resourceSubscription, "name", resourceSubscriptionPath),
      region: read.text(resource, "region", resourcePath),
      tags: resource.tags,
    },
    firstSeen: { value: firstSeen, path: [firstSeenAt ? "firstSeenAt" : "analyzedAt"] },
    lastSeen: { value: lastSeen, path: [analyzedAt ? "analyzedAt" : "updatedAt"] },
    url: `${portal}/findings/configuration-findings/cloud#~(cloudConfigurationFinding~'${encodeURIComponent(nativeId)}')`,
  };
}

function fromVulnerability(finding: Fields, read: FieldReader): Draft {
  const nativeId = read.string(finding, "id", root);
  read.subject = `vulnerability ${nativeId}`;
  const asset = read.object(finding, "vulnerableAsset", root);
  const cve = read.string(finding, "name", root).trim().toUpperCase();
  const graphType = read.string(asset, "type", assetPath);
  const cloud = mapWizCloud(read.text(asset, "cloudPlatform", assetPath));
  const severity = read.text(finding, "vendorSeverity", root) ?? read.text(finding, "CVSSSeverity", root);
  const packageName = read.text(finding, "detailedName", root);
  const fixedVersion = read.text(finding, "fixedVersion", root);
  const firstDetectedAt = read.string(finding, "firstDetectedAt", root);
  const lastDetectedAt = read.text(finding, "lastDetectedAt", root);
  const portalUrl = read.text(finding, "portalUrl", root);
  return {
    nativeId,
    severity: { value: severity ?? "", path: ["vendorSeverity"] },
    status: {
      value: read.string(finding, "status", root),
      reason: read.text(finding, "resolutionReason", root),
      path: ["status"],
    },
    category: "vulnerability",
    title: packageName ? `${cve} in ${packageName}` : cve,
    description: read.text(finding, "CVEDescription", root) ?? read.text(finding, "description", root) ?? "",
    rule: {
      id: cve,
      name: cve,
      remediation:
        read.text(finding, "remediation", root) ??
        (fixedVersion && packageName ? `Upgrade ${packageName} to ${fixedVersion}.` : undefined),
      controls: [],
    },
    resource: {
      id: read.text(asset, "providerUniqueId", assetPath) || read.text(asset, "id", assetPath) || "",
      idPath: ["vulnerableAsset", "providerUniqueId"],
      idFallbacks: "vulnerableAsset.id",
      type: mapWizResourceType(cloud, graphType),
      nativeType: graphType,
      name: read.text(asset, "name", assetPath) ?? "",
      cloud,
      accountId: read.textOr(asset, "subscriptionExternalId", assetPath, ""),
      accountName: read.text(asset, "subscriptionName", assetPath),
      region: read.text(asset, "region", assetPath),
      tags: asset.tags,
    },
    vulnerability: {
      cve,
      cvss: inRange(read.number(finding, "score", root), 10),
      epss: inRange(read.number(finding, "epssProbability", root), 1),
      packageName,
      installedVersion: read.text(finding, "version", root),
      fixedVersion,
      exploitAvailable: read.flag(finding, "hasExploit", root),
      knownExploited: read.flag(finding, "hasCisaKevExploit", root),
    },
    firstSeen: { value: firstDetectedAt, path: ["firstDetectedAt"] },
    lastSeen: lastDetectedAt
      ? { value: lastDetectedAt, path: ["lastDetectedAt"] }
      : { value: firstDetectedAt, path: ["firstDetectedAt"] },
    url: isUrl(portalUrl) ? portalUrl : undefined,
  };
}

function fromWebhook(payload: Fields, read: FieldReader, portal: string): Draft {
  const issue = read.object(payload, "issue", root);
  const nativeId = read.string(issue, "id", webhookIssuePath);
  read.subject = `webhook issue ${nativeId}`;
  const status = read.string(issue, "status", webhookIssuePath);
  const created = read.string(issue, "created", webhookIssuePath);
  const resource = read.optionalObject(payload, "resource", root) ?? none;
  const control = read.optionalObject(payload, "control", root);
  if (!control) throw read.fail(["control"], "is missing; the rule is unknown");
  const controlId = read.string(control, "id", controlPath);
  const controlName = read.text(control, "name", controlPath);
  const cloud = mapWizCloud(read.text(resource, "cloudPlatform", resourcePath));
  const name = controlName || controlId;
  const graphType = read.text(resource, "type", resourcePath) || "unknown";
  return {
    nativeId,
    severity: {
      value:
        read.text(issue, "severity", webhookIssuePath) ?? read.text(control, "severity", controlPath) ?? "",
      path: ["issue", "severity"],
    },
    status: { value: status, path: ["issue", "status"] },
    category: controlId.startsWith("cer-")
      ? "threat"
      : mapWizCategory(
          [...texts(read, read.list(control, "risks", controlPath), risksPath), controlName],
          "misconfiguration",
        ),
    title: name,
    description: read.text(control, "description", controlPath) ?? "",
    rule: { id: controlId, name, controls: [] },
    resource: {
      // Wiz sends empty strings for resources it cannot name; fall back to the name, then the issue.
      id:
        read.text(resource, "id", resourcePath) ||
        read.text(resource, "name", resourcePath) ||
        `wiz-issue:${nativeId}`,
      type: mapWizResourceType(cloud, graphType),
      nativeType: graphType,
      name: read.text(resource, "name", resourcePath) ?? "",
      cloud,
      accountId: read.textOr(resource, "subscriptionId", resourcePath, ""),
      accountName: read.text(resource, "subscriptionName", resourcePath),
      region: read.text(resource, "region", resourcePath) || undefined,
      tags: resource.tags,
    },
    firstSeen: { value: created, path: ["issue", "created"] },
    lastSeen: { value: created, path: ["issue", "created"] },
    url: issueLink(portal, nativeId),
  };
}

function fromDetection(detection: Fields, read: FieldReader): Draft {
  const nativeId = read.string(detection, "id", root);
  read.subject = `detection ${nativeId}`;
  const match = read.optionalObject(detection, "ruleMatch", root) ?? none;
  const rule = read.optionalObject(match, "rule", ruleMatchPath);
  const ruleId = (rule && read.string(rule, "id", matchedRulePath)) || read.text(detection, "tdrId", root);
  if (!ruleId) throw read.fail(["ruleMatch", "rule"], "is missing, and no tdrId either");
  const title = read.text(detection, "title", root);
  const name = (rule && read.text(rule, "name", matchedRulePath)) || title || ruleId;
  const { resource, path } = primaryResource(detection, read);
  const own = read.optionalObject(resource, "cloudAccount", path);
  const account =
    own ??
    read.optionalObject(read.list(detection, "cloudAccounts", root) ?? [], 0, cloudAccountsPath) ??
    none;
  const accountAt = own ? [...path, "cloudAccount"] : firstAccountPath;
  const cloud = mapWizCloud(
    read.text(account, "cloudPlatform", accountAt) ?? read.text(account, "cloudProvider", accountAt),
  );
  const graphType = read.text(resource, "type", path) || "unknown";
  const nativeType = read.text(resource, "nativeType", path);
  const timeframe = read.optionalObject(detection, "timeframe", root) ?? none;
  const startedAt = read.text(detection, "startedAt", root);
  const endedAt = read.text(detection, "endedAt", root);
  const started = startedAt ?? read.text(timeframe, "start", timeframePath);
  const ended = endedAt ?? read.text(timeframe, "end", timeframePath);
  const createdAt = read.string(detection, "createdAt", root);
  const url =
    read.text(detection, "threatURL", root) ??
    read.text(read.optionalObject(detection, "issue", root) ?? none, "url", webhookIssuePath);
  return {
    nativeId,
    severity: { value: read.string(detection, "severity", root), path: ["severity"] },
    status: { value: "OPEN", path: [] },
    category: "threat",
    title: title || name,
    description: read.text(detection, "description", root) ?? "",
    rule: {
      id: ruleId,
      name,
      controls: [
        ...toControls(rule && read.list(rule, "securitySubCategories", matchedRulePath)),
        ...mitreControls(texts(read, read.list(detection, "mitreTechniques", root), mitrePath)),
      ],
    },
    resource: {
      id:
        read.text(resource, "providerUniqueId", path) ||
        read.text(resource, "externalId", path) ||
        read.text(resource, "id", path) ||
        `wiz-detection:${nativeId}`,
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name: read.text(resource, "name", path) ?? "",
      cloud,
      accountId: read.textual(account, "externalId", accountAt) ?? "",
      accountName: read.text(account, "name", accountAt),
      region: read.text(resource, "region", path) || undefined,
      tags: undefined,
    },
    firstSeen: started
      ? { value: started, path: startedAt ? ["startedAt"] : ["timeframe", "start"] }
      : { value: createdAt, path: ["createdAt"] },
    lastSeen: ended
      ? { value: ended, path: endedAt ? ["endedAt"] : ["timeframe", "end"] }
      : { value: createdAt, path: ["createdAt"] },
    url: isUrl(url) ? url : undefined,
  };
}

/**
 * The resource a detection is about, and where it sits: the query selects `primaryResource { id }` and the
 * full objects under `resources`; the webhook sends the full primary resource.
 */
function primaryResource(detection: Fields, read: FieldReader): { resource: Fields; path: Path } {
  const primary = read.optionalObject(detection, "primaryResource", root);
  const primaryId = primary && read.text(primary, "id", primaryPath);
  const resources = read.list(detection, "resources", root) ?? [];
  let first: Fields | undefined;
  for (let index = 0; index < resources.length; index++) {
    const candidate = read.object(resources, index, resourcesPath);
    if (primaryId && read.text(candidate, "id", [...resourcesPath, index]) === primaryId) {
      return { resource: candidate, path: [...resourcesPath, index] };
    }
    first ??= candidate;
  }
  if (primary) return { resource: primary, path: primaryPath };
  return first ? { resource: first, path: [...resourcesPath, 0] } : { resource: none, path: primaryPath };
}

/** The items of an optional list of strings (`at` is the list's path). */
function texts(read: FieldReader, list: readonly unknown[] | undefined, at: Path): string[] {
  const result: string[] = [];
  if (list) for (let index = 0; index < list.length; index++) result.push(read.text(list, index, at) ?? "");
  return result;
}

/** Compliance references from security sub-categories: `{ framework, control }`, the control id when the title starts with one. */
function toControls(subCategories: readonly unknown[] | undefined): Control[] {
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
function mitreControls(techniques: readonly string[]): Control[] {
  const ids = new Set<string>();
  for (const technique of techniques) {
    const id = /\bT\d{4}(?:\.\d{3})?\b/.exec(technique)?.[0];
    if (id) ids.add(id);
  }
  return [...ids].map((control) => ({ framework: "MITRE ATT&CK", control }));
}

/** The names of the sub-categories' categories, for category mapping. */
function categoryNames(subCategories: readonly unknown[] | undefined): string[] {
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
function toIso(read: FieldReader, { value, path }: { value: string; path: Path }): string {
  if (canonicalIso.test(value)) return value;
  let text = value.trim();
  if (/^\d{4}-\d{2}-\d{2} \d/.test(text)) text = text.replace(" ", "T");
  text = text.replace(/(\.\d{3})\d+/, "$1");
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += "Z";
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw read.fail(path, `is not a timestamp: "${value}"`);
  return new Date(time).toISOString();
}

function inRange(value: number | undefined, max: number): number | undefined {
  return value !== undefined && value >= 0 && value <= max ? value : undefined;
}

function isUrl(value: string | undefined): value is string {
  return value !== undefined && URL.canParse(value);
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
