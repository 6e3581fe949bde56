import { NormalizationError } from "../../core/errors.js";
import type { Category, Control, Finding, Resource, Vulnerability } from "../../core/finding.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { toTags } from "../shared/tags.js";
import { isoFromEpochMs } from "../shared/time.js";
import { mapWizCategory } from "./map-category.js";
import { mapWizCloud, mapWizResourceType } from "./map-resource.js";
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
  const nativeId = read.string(issue.id, root, "id");
  read.subject = `issue ${nativeId}`;
  const type = read.text(issue.type, root, "type");
  const rule = read.object(issue.sourceRule, root, "sourceRule");
  const snapshot = read.object(issue.entitySnapshot, root, "entitySnapshot");
  const ruleId = read.string(rule.id, sourceRulePath, "id");
  const ruleName = read.text(rule.name, sourceRulePath, "name");
  const subCategories = read.list(rule.securitySubCategories, sourceRulePath, "securitySubCategories");
  const graphType = read.string(snapshot.type, snapshotPath, "type");
  const nativeType = read.text(snapshot.nativeType, snapshotPath, "nativeType");
  const cloud = mapWizCloud(read.text(snapshot.cloudPlatform, snapshotPath, "cloudPlatform"));
  const createdAt = read.string(issue.createdAt, root, "createdAt");
  const updatedAt = read.text(issue.updatedAt, root, "updatedAt");
  const statusChangedAt = updatedAt ? undefined : read.text(issue.statusChangedAt, root, "statusChangedAt");
  const fallback: Category =
    type === "TOXIC_COMBINATION" ? "exposure" : mapWizCategory([ruleName], "misconfiguration");
  const name = ruleName || ruleId;
  return {
    nativeId,
    severity: { value: read.string(issue.severity, root, "severity"), path: ["severity"] },
    status: {
      value: read.string(issue.status, root, "status"),
      reason: read.text(issue.resolutionReason, root, "resolutionReason"),
      path: ["status"],
    },
    category: type === "THREAT_DETECTION" ? "threat" : mapWizCategory(categoryNames(subCategories), fallback),
    title: name,
    description:
      read.text(rule.controlDescription, sourceRulePath, "controlDescription") ??
      read.text(
        rule.cloudConfigurationRuleDescription,
        sourceRulePath,
        "cloudConfigurationRuleDescription",
      ) ??
      read.text(rule.cloudEventRuleDescription, sourceRulePath, "cloudEventRuleDescription") ??
      read.text(rule.description, sourceRulePath, "description") ??
      "",
    rule: {
      id: ruleId,
      name,
      remediation:
        read.text(rule.resolutionRecommendation, sourceRulePath, "resolutionRecommendation") ??
        read.text(rule.remediationInstructions, sourceRulePath, "remediationInstructions"),
      controls: toControls(subCategories),
    },
    resource: {
      id:
        read.text(snapshot.providerId, snapshotPath, "providerId") ||
        read.text(snapshot.externalId, snapshotPath, "externalId") ||
        read.text(snapshot.id, snapshotPath, "id") ||
        "",
      idPath: ["entitySnapshot", "providerId"],
      idFallbacks: "entitySnapshot.externalId, entitySnapshot.id",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name:
        read.text(snapshot.name, snapshotPath, "name") ??
        read.text(snapshot.externalId, snapshotPath, "externalId") ??
        "",
      cloud,
      accountId: read.textOr(snapshot.subscriptionExternalId, snapshotPath, "subscriptionExternalId", ""),
      accountName: read.text(snapshot.subscriptionName, snapshotPath, "subscriptionName"),
      region: read.text(snapshot.region, snapshotPath, "region"),
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
  const nativeId = read.string(finding.id, root, "id");
  read.subject = `configuration ${nativeId}`;
  const resource = read.object(finding.resource, root, "resource");
  const rule = read.object(finding.rule, root, "rule");
  const subscription = read.optionalObject(finding.subscription, root, "subscription") ?? none;
  const resourceSubscription =
    read.optionalObject(resource.subscription, resourcePath, "subscription") ?? none;
  const ruleId = read.string(rule.id, rulePath, "id");
  const ruleName = read.text(rule.name, rulePath, "name");
  const subCategories = read.list(rule.securitySubCategories, rulePath, "securitySubCategories");
  const graphType = read.string(resource.type, resourcePath, "type");
  const nativeType = read.text(resource.nativeType, resourcePath, "nativeType");
  const cloud = mapWizCloud(
    read.text(resource.cloudPlatform, resourcePath, "cloudPlatform") ??
      read.text(subscription.cloudProvider, subscriptionPath, "cloudProvider"),
  );
  const name = ruleName || read.text(rule.shortId, rulePath, "shortId") || ruleId;
  const firstSeenAt = read.text(finding.firstSeenAt, root, "firstSeenAt");
  const analyzedAt = read.text(finding.analyzedAt, root, "analyzedAt");
  const firstSeen = firstSeenAt ?? analyzedAt;
  const lastSeen = analyzedAt ?? read.text(finding.updatedAt, root, "updatedAt") ?? firstSeen;
  if (!firstSeen || !lastSeen) throw read.fail(["analyzedAt"], "is missing (and firstSeenAt too)");
  return {
    nativeId,
    severity: { value: read.string(finding.severity, root, "severity"), path: ["severity"] },
    status: {
      value: read.string(finding.status, root, "status"),
      reason: read.text(finding.resolutionReason, root, "resolutionReason"),
      path: ["status"],
    },
    category: mapWizCategory(categoryNames(subCategories), mapWizCategory([ruleName], "misconfiguration")),
    title: name,
    description: read.text(rule.description, rulePath, "description") ?? "",
    rule: {
      id: ruleId,
      name,
      remediation:
        read.text(finding.remediation, root, "remediation") ??
        read.text(rule.remediationInstructions, rulePath, "remediationInstructions"),
      controls: toControls(subCategories),
    },
    resource: {
      id:
        read.text(resource.providerId, resourcePath, "providerId") ||
        read.text(finding.targetObjectProviderUniqueId, root, "targetObjectProviderUniqueId") ||
        read.text(resource.id, resourcePath, "id") ||
        "",
      idPath: ["resource", "providerId"],
      idFallbacks: "targetObjectProviderUniqueId, resource.id",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name:
        read.text(resource.name, resourcePath, "name") ??
        read.text(finding.targetExternalId, root, "targetExternalId") ??
        "",
      cloud,
      accountId:
        read.text(subscription.externalId, subscriptionPath, "externalId") ??
        read.textOr(resourceSubscription.externalId, resourceSubscriptionPath, "externalId", ""),
      accountName:
        read.text(subscription.name, subscriptionPath, "name") ??
        read.text(resourceSubscription.name, resourceSubscriptionPath, "name"),
      region: read.text(resource.region, resourcePath, "region"),
      tags: resource.tags,
    },
    firstSeen: { value: firstSeen, path: [firstSeenAt ? "firstSeenAt" : "analyzedAt"] },
    lastSeen: { value: lastSeen, path: [analyzedAt ? "analyzedAt" : "updatedAt"] },
    url: `${portal}/findings/configuration-findings/cloud#~(cloudConfigurationFinding~'${encodeURIComponent(nativeId)}')`,
  };
}

function fromVulnerability(finding: Fields, read: FieldReader): Draft {
  const nativeId = read.string(finding.id, root, "id");
  read.subject = `vulnerability ${nativeId}`;
  const asset = read.object(finding.vulnerableAsset, root, "vulnerableAsset");
  const cve = read.string(finding.name, root, "name").trim().toUpperCase();
  const graphType = read.string(asset.type, assetPath, "type");
  const cloud = mapWizCloud(read.text(asset.cloudPlatform, assetPath, "cloudPlatform"));
  const severity =
    read.text(finding.vendorSeverity, root, "vendorSeverity") ??
    read.text(finding.CVSSSeverity, root, "CVSSSeverity");
  const packageName = read.text(finding.detailedName, root, "detailedName");
  const fixedVersion = read.text(finding.fixedVersion, root, "fixedVersion");
  const firstDetectedAt = read.string(finding.firstDetectedAt, root, "firstDetectedAt");
  const lastDetectedAt = read.text(finding.lastDetectedAt, root, "lastDetectedAt");
  const portalUrl = read.text(finding.portalUrl, root, "portalUrl");
  return {
    nativeId,
    severity: { value: severity ?? "", path: ["vendorSeverity"] },
    status: {
      value: read.string(finding.status, root, "status"),
      reason: read.text(finding.resolutionReason, root, "resolutionReason"),
      path: ["status"],
    },
    category: "vulnerability",
    title: packageName ? `${cve} in ${packageName}` : cve,
    description:
      read.text(finding.CVEDescription, root, "CVEDescription") ??
      read.text(finding.description, root, "description") ??
      "",
    rule: {
      id: cve,
      name: cve,
      remediation:
        read.text(finding.remediation, root, "remediation") ??
        (fixedVersion && packageName ? `Upgrade ${packageName} to ${fixedVersion}.` : undefined),
      controls: [],
    },
    resource: {
      id:
        read.text(asset.providerUniqueId, assetPath, "providerUniqueId") ||
        read.text(asset.id, assetPath, "id") ||
        "",
      idPath: ["vulnerableAsset", "providerUniqueId"],
      idFallbacks: "vulnerableAsset.id",
      type: mapWizResourceType(cloud, graphType),
      nativeType: graphType,
      name: read.text(asset.name, assetPath, "name") ?? "",
      cloud,
      accountId: read.textOr(asset.subscriptionExternalId, assetPath, "subscriptionExternalId", ""),
      accountName: read.text(asset.subscriptionName, assetPath, "subscriptionName"),
      region: read.text(asset.region, assetPath, "region"),
      tags: asset.tags,
    },
    vulnerability: {
      cve,
      cvss: inRange(read.number(finding.score, root, "score"), 10),
      epss: inRange(read.number(finding.epssProbability, root, "epssProbability"), 1),
      packageName,
      installedVersion: read.text(finding.version, root, "version"),
      fixedVersion,
      exploitAvailable: read.flag(finding.hasExploit, root, "hasExploit"),
      knownExploited: read.flag(finding.hasCisaKevExploit, root, "hasCisaKevExploit"),
    },
    firstSeen: { value: firstDetectedAt, path: ["firstDetectedAt"] },
    lastSeen: lastDetectedAt
      ? { value: lastDetectedAt, path: ["lastDetectedAt"] }
      : { value: firstDetectedAt, path: ["firstDetectedAt"] },
    url: isUrl(portalUrl) ? portalUrl : undefined,
  };
}

function fromWebhook(payload: Fields, read: FieldReader, portal: string): Draft {
  const issue = read.object(payload.issue, root, "issue");
  const nativeId = read.string(issue.id, webhookIssuePath, "id");
  read.subject = `webhook issue ${nativeId}`;
  const status = read.string(issue.status, webhookIssuePath, "status");
  const created = read.string(issue.created, webhookIssuePath, "created");
  const resource = read.optionalObject(payload.resource, root, "resource") ?? none;
  const control = read.optionalObject(payload.control, root, "control");
  if (!control) throw read.fail(["control"], "is missing; the rule is unknown");
  const controlId = read.string(control.id, controlPath, "id");
  const controlName = read.text(control.name, controlPath, "name");
  const cloud = mapWizCloud(read.text(resource.cloudPlatform, resourcePath, "cloudPlatform"));
  const name = controlName || controlId;
  const graphType = read.text(resource.type, resourcePath, "type") || "unknown";
  return {
    nativeId,
    severity: {
      value:
        read.text(issue.severity, webhookIssuePath, "severity") ??
        read.text(control.severity, controlPath, "severity") ??
        "",
      path: ["issue", "severity"],
    },
    status: { value: status, path: ["issue", "status"] },
    category: controlId.startsWith("cer-")
      ? "threat"
      : mapWizCategory(
          [...texts(read, read.list(control.risks, controlPath, "risks"), risksPath), controlName],
          "misconfiguration",
        ),
    title: name,
    description: read.text(control.description, controlPath, "description") ?? "",
    rule: { id: controlId, name, controls: [] },
    resource: {
      // Wiz sends empty strings for resources it cannot name; fall back to the name, then the issue.
      id:
        read.text(resource.id, resourcePath, "id") ||
        read.text(resource.name, resourcePath, "name") ||
        `wiz-issue:${nativeId}`,
      type: mapWizResourceType(cloud, graphType),
      nativeType: graphType,
      name: read.text(resource.name, resourcePath, "name") ?? "",
      cloud,
      accountId: read.textOr(resource.subscriptionId, resourcePath, "subscriptionId", ""),
      accountName: read.text(resource.subscriptionName, resourcePath, "subscriptionName"),
      region: read.text(resource.region, resourcePath, "region") || undefined,
      tags: resource.tags,
    },
    firstSeen: { value: created, path: ["issue", "created"] },
    lastSeen: { value: created, path: ["issue", "created"] },
    url: issueLink(portal, nativeId),
  };
}

function fromDetection(detection: Fields, read: FieldReader): Draft {
  const nativeId = read.string(detection.id, root, "id");
  read.subject = `detection ${nativeId}`;
  const match = read.optionalObject(detection.ruleMatch, root, "ruleMatch") ?? none;
  const rule = read.optionalObject(match.rule, ruleMatchPath, "rule");
  const ruleId =
    (rule && read.string(rule.id, matchedRulePath, "id")) || read.text(detection.tdrId, root, "tdrId");
  if (!ruleId) throw read.fail(["ruleMatch", "rule"], "is missing, and no tdrId either");
  const title = read.text(detection.title, root, "title");
  const name = (rule && read.text(rule.name, matchedRulePath, "name")) || title || ruleId;
  const { resource, path } = primaryResource(detection, read);
  const own = read.optionalObject(resource.cloudAccount, path, "cloudAccount");
  const account =
    own ??
    read.optionalObject(
      (read.list(detection.cloudAccounts, root, "cloudAccounts") ?? [])[0],
      cloudAccountsPath,
      0,
    ) ??
    none;
  const accountAt = own ? [...path, "cloudAccount"] : firstAccountPath;
  const cloud = mapWizCloud(
    read.text(account.cloudPlatform, accountAt, "cloudPlatform") ??
      read.text(account.cloudProvider, accountAt, "cloudProvider"),
  );
  const graphType = read.text(resource.type, path, "type") || "unknown";
  const nativeType = read.text(resource.nativeType, path, "nativeType");
  const timeframe = read.optionalObject(detection.timeframe, root, "timeframe") ?? none;
  const startedAt = read.text(detection.startedAt, root, "startedAt");
  const endedAt = read.text(detection.endedAt, root, "endedAt");
  const started = startedAt ?? read.text(timeframe.start, timeframePath, "start");
  const ended = endedAt ?? read.text(timeframe.end, timeframePath, "end");
  const createdAt = read.string(detection.createdAt, root, "createdAt");
  const url =
    read.text(detection.threatURL, root, "threatURL") ??
    read.text((read.optionalObject(detection.issue, root, "issue") ?? none).url, webhookIssuePath, "url");
  return {
    nativeId,
    severity: { value: read.string(detection.severity, root, "severity"), path: ["severity"] },
    status: { value: "OPEN", path: [] },
    category: "threat",
    title: title || name,
    description: read.text(detection.description, root, "description") ?? "",
    rule: {
      id: ruleId,
      name,
      controls: [
        ...toControls(
          rule && read.list(rule.securitySubCategories, matchedRulePath, "securitySubCategories"),
        ),
        ...mitreControls(
          texts(read, read.list(detection.mitreTechniques, root, "mitreTechniques"), mitrePath),
        ),
      ],
    },
    resource: {
      id:
        read.text(resource.providerUniqueId, path, "providerUniqueId") ||
        read.text(resource.externalId, path, "externalId") ||
        read.text(resource.id, path, "id") ||
        `wiz-detection:${nativeId}`,
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name: read.text(resource.name, path, "name") ?? "",
      cloud,
      accountId: read.textual(account.externalId, accountAt, "externalId") ?? "",
      accountName: read.text(account.name, accountAt, "name"),
      region: read.text(resource.region, path, "region") || undefined,
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
  const primary = read.optionalObject(detection.primaryResource, root, "primaryResource");
  const primaryId = primary && read.text(primary.id, primaryPath, "id");
  const resources = read.list(detection.resources, root, "resources") ?? [];
  let first: Fields | undefined;
  for (let index = 0; index < resources.length; index++) {
    const candidate = read.object(resources[index], resourcesPath, index);
    if (primaryId && read.text(candidate.id, [...resourcesPath, index], "id") === primaryId) {
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
  if (list)
    for (let index = 0; index < list.length; index++) result.push(read.text(list[index], at, index) ?? "");
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
  return isoFromEpochMs(time);
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
