import { NormalizationError } from "../../core/errors.js";
import type { Category, Cloud, Control, Finding, Resource, Vulnerability } from "../../core/finding.js";
import { describe, FieldReader, type Fields, isFields, type Path } from "../shared/fields.js";
import { assembleFinding } from "../shared/finding.js";
import type { SourceNormalizeOptions } from "../shared/options.js";
import { fallbackSeverity } from "../shared/severity.js";
import { toTags } from "../shared/tags.js";
import { isoFromText, plainUtcIso } from "../shared/time.js";
import { mapWizCategory } from "./map-category.js";
import { cloudOfOrigin, cloudOfResourceId, knownWizCloud, mapWizResourceType } from "./map-resource.js";
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
 * Turns one Wiz record into a Finding: an `issuesV2` node (or a legacy `issues` node with `control` and
 * `entity`), a `configurationFindings` node, a `vulnerabilityFindings` node, a Wiz Defend `detections`
 * node, or an Automation Rule webhook payload for an issue or a detection (the kind is detected). A
 * detection becomes a `threat` finding, `open` (detections have no status of their own), on its primary
 * resource, linked to its threat issue.
 *
 * Only the record's own id is required. Anything else the Finding needs but the record leaves out or
 * words in a way Wiz does not document — a query that did not select the rule, an unknown status or
 * severity, no resource id, no timestamp — reads as a safe default (`open`, `high`, an id made from the
 * record's, the fetch time) with a `fallback` warning to `onWarning` naming the field.
 * Pure apart from the default `fetchedAt`.
 * @throws NormalizationError when the record has no id, or a field has the wrong type (naming its path).
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
  // A webhook body names its issue under `issue` and has no id of its own (a template may add `entitySnapshot`).
  if (isFields(record.issue) && !("id" in record) && !("ruleMatch" in record)) return "webhook-issue";
  if ("entitySnapshot" in record || "sourceRule" in record) return "issue";
  if ("control" in record && "entity" in record) return "issue";
  if ("rule" in record && "resource" in record) return "configuration";
  if ("ruleMatch" in record || "tdrId" in record || "primaryResource" in record) return "detection";
  if ((record as { trigger?: { source?: unknown } }).trigger?.source === "DETECTIONS") return "detection";
  if ("issue" in record) return "webhook-issue";
  if ("vendorSeverity" in record || "CVSSSeverity" in record) return "vulnerability";
  throw new NormalizationError(
    "wiz: unrecognized record: expected an issue (entitySnapshot, or control + entity), a configuration finding (rule + resource), a vulnerability finding (vulnerableAsset), a detection (ruleMatch, tdrId, primaryResource or a DETECTIONS trigger) or a webhook payload (issue).",
    { platform: "wiz", path: [] },
  );
}

// Internal helpers.

const defaultPortalUrl = "https://app.wiz.io";

// Where the objects a record nests sit (error paths are built from these only when a field fails).
const root: Path = [];
const sourceRulePath: Path = ["sourceRule"];
const entitySnapshotPath: Path = ["entitySnapshot"];
const entityPath: Path = ["entity"];
const sourceRuleIdPath: Path = ["sourceRule", "id"];
const legacyRuleIdPath: Path = ["control", "id"];
const snapshotProviderIdPath: Path = ["entitySnapshot", "providerId"];
const legacyProviderIdPath: Path = ["entity", "providerId"];
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
const originsPath: Path = ["origins"];
/** The fields of an optional object the record leaves out. */
const none: Fields = {};

/** The console link of an issue (docs/wiz.md, Sources: listing). */
function issueLink(portal: string, issueId: string): string {
  return `${portal}/issues#~(issue~'${encodeURIComponent(issueId)}')`;
}

/** What each record kind contributes before the shared mapping. */
interface Draft {
  nativeId: string;
  /** `value` is `undefined` when the record leaves it out. */
  severity: { value: string | undefined; path: Path };
  status: { value: string | undefined; reason?: string; path: Path };
  category: Category;
  title: string;
  description: string;
  rule: { id: string; name: string; remediation?: string; controls: Control[] };
  /**
   * `idPath` and `idFallbacks` name where the resource id comes from; when it comes out empty, the id
   * is `<fallbackPrefix>:<nativeId>` (e.g. `wiz-issue:…`).
   */
  resource: Omit<Resource, "tags"> & {
    tags: unknown;
    idPath: Path;
    idFallbacks: string;
    fallbackPrefix: string;
  };
  vulnerability?: Vulnerability;
  /** `value` is `undefined` when the record leaves out every timestamp it could come from. */
  firstSeen: { value: string | undefined; path: Path };
  lastSeen: { value: string | undefined; path: Path };
  url?: string;
}

function build(draft: Draft, read: FieldReader, fetchedAt: string, raw: unknown): Finding {
  const nativeSeverity = draft.severity.value ?? "";
  let severity = mapWizSeverity(nativeSeverity);
  if (!severity) {
    severity = fallbackSeverity;
    read.warn(draft.severity.path, unknownWord("severity", draft.severity.value), severity);
  }
  const nativeStatus = draft.status.value ?? "";
  let status = mapWizStatus(nativeStatus, draft.status.reason);
  if (!status) {
    status = "open";
    read.warn(draft.status.path, unknownWord("status", draft.status.value), status);
  }
  const native = draft.resource;
  let resourceId = native.id;
  if (resourceId === "") {
    resourceId = `${native.fallbackPrefix}:${draft.nativeId}`;
    read.warn(native.idPath, `is missing (and ${native.idFallbacks} too)`, resourceId);
  }
  // Field by field rather than rest + spread + compact: the hot path, and the key order stays the same.
  const resource = {
    id: resourceId,
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
    nativeSeverity,
    nativeStatus,
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
    firstSeen: toIso(read, draft.firstSeen, fetchedAt),
    lastSeen: toIso(read, draft.lastSeen, fetchedAt),
    vulnerability: draft.vulnerability === undefined ? undefined : compact(draft.vulnerability),
    raw,
  });
}

function fromIssue(issue: Fields, read: FieldReader, portal: string): Draft {
  const nativeId = read.string(issue.id, root, "id");
  read.subject = `issue ${nativeId}`;
  const type = read.text(issue.type, root, "type");
  // issuesV2 nodes carry `sourceRule` and `entitySnapshot`; the legacy `issues` query `control` and `entity`.
  const legacy = issue.sourceRule === undefined && issue.entitySnapshot === undefined;
  const ruleAt = legacy ? controlPath : sourceRulePath;
  const snapshotAt = legacy ? entityPath : entitySnapshotPath;
  const rule =
    read.optionalObject(legacy ? issue.control : issue.sourceRule, root, legacy ? "control" : "sourceRule") ??
    none;
  const snapshot =
    read.optionalObject(
      legacy ? issue.entity : issue.entitySnapshot,
      root,
      legacy ? "entity" : "entitySnapshot",
    ) ?? none;
  const ruleName = read.text(rule.name, ruleAt, "name");
  const subCategories = read.list(rule.securitySubCategories, ruleAt, "securitySubCategories");
  const graphType = read.text(snapshot.type, snapshotAt, "type") || "unknown";
  const nativeType = read.text(snapshot.nativeType, snapshotAt, "nativeType");
  const providerId = read.text(snapshot.providerId, snapshotAt, "providerId");
  const externalId = read.text(snapshot.externalId, snapshotAt, "externalId");
  const cloud =
    cloudOfResourceId(providerId || externalId) ??
    platformCloud(read, snapshot.cloudPlatform, snapshotAt, "cloudPlatform");
  const createdAt = read.text(issue.createdAt, root, "createdAt");
  const updatedAt = read.text(issue.updatedAt, root, "updatedAt");
  const statusChangedAt = updatedAt ? undefined : read.text(issue.statusChangedAt, root, "statusChangedAt");
  const fallback: Category =
    type === "TOXIC_COMBINATION" ? "exposure" : mapWizCategory([ruleName], "misconfiguration");
  const ruleId = ruleIdOf(
    read,
    read.text(rule.id, ruleAt, "id"),
    legacy ? legacyRuleIdPath : sourceRuleIdPath,
    ruleName,
    type,
  );
  const name = ruleName || ruleId;
  const resourceName = read.text(snapshot.name, snapshotAt, "name");
  return {
    nativeId,
    severity: { value: read.text(issue.severity, root, "severity"), path: ["severity"] },
    status: {
      value: read.text(issue.status, root, "status"),
      reason: read.text(issue.resolutionReason, root, "resolutionReason"),
      path: ["status"],
    },
    category: type === "THREAT_DETECTION" ? "threat" : mapWizCategory(categoryNames(subCategories), fallback),
    title: name,
    description:
      read.text(rule.controlDescription, ruleAt, "controlDescription") ??
      read.text(rule.cloudConfigurationRuleDescription, ruleAt, "cloudConfigurationRuleDescription") ??
      read.text(rule.cloudEventRuleDescription, ruleAt, "cloudEventRuleDescription") ??
      read.text(rule.description, ruleAt, "description") ??
      "",
    rule: {
      id: ruleId,
      name,
      remediation:
        read.text(rule.resolutionRecommendation, ruleAt, "resolutionRecommendation") ??
        read.text(rule.remediationInstructions, ruleAt, "remediationInstructions"),
      controls: toControls(subCategories),
    },
    resource: {
      id: providerId || externalId || read.text(snapshot.id, snapshotAt, "id") || resourceName || "",
      idPath: legacy ? legacyProviderIdPath : snapshotProviderIdPath,
      idFallbacks: "its externalId, id and name",
      fallbackPrefix: "wiz-issue",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name: resourceName ?? externalId ?? "",
      cloud,
      accountId: read.textOr(snapshot.subscriptionExternalId, snapshotAt, "subscriptionExternalId", ""),
      accountName: read.text(snapshot.subscriptionName, snapshotAt, "subscriptionName") || undefined,
      region: read.text(snapshot.region, snapshotAt, "region") || undefined,
      tags: snapshot.tags,
    },
    firstSeen: createdAt
      ? { value: createdAt, path: ["createdAt"] }
      : { value: updatedAt ?? statusChangedAt, path: ["createdAt"] },
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
  const resource = read.optionalObject(finding.resource, root, "resource") ?? none;
  const rule = read.optionalObject(finding.rule, root, "rule") ?? none;
  const subscription = read.optionalObject(finding.subscription, root, "subscription") ?? none;
  const resourceSubscription =
    read.optionalObject(resource.subscription, resourcePath, "subscription") ?? none;
  const ruleName = read.text(rule.name, rulePath, "name");
  const shortId = read.text(rule.shortId, rulePath, "shortId");
  // Sub-categories sit on the rule in the steampipe query, beside it in Elastic's.
  const subCategories =
    read.list(rule.securitySubCategories, rulePath, "securitySubCategories") ??
    read.list(finding.securitySubCategories, root, "securitySubCategories");
  const graphType = read.text(resource.type, resourcePath, "type") || "unknown";
  const nativeType = read.text(resource.nativeType, resourcePath, "nativeType");
  const providerId = read.text(resource.providerId, resourcePath, "providerId");
  const targetId = read.text(finding.targetObjectProviderUniqueId, root, "targetObjectProviderUniqueId");
  const targetExternalId = read.text(finding.targetExternalId, root, "targetExternalId");
  const cloud =
    cloudOfResourceId(providerId || targetExternalId) ??
    cloudOfResourceId(targetExternalId) ??
    (resource.cloudPlatform != null
      ? platformCloud(read, resource.cloudPlatform, resourcePath, "cloudPlatform")
      : subscription.cloudProvider != null
        ? platformCloud(read, subscription.cloudProvider, subscriptionPath, "cloudProvider")
        : platformCloud(read, resourceSubscription.cloudProvider, resourceSubscriptionPath, "cloudProvider"));
  const ruleId = ruleIdOf(read, read.text(rule.id, rulePath, "id"), ["rule", "id"], shortId, ruleName);
  const name = ruleName || shortId || read.text(finding.name, root, "name") || ruleId;
  const firstSeenAt = read.text(finding.firstSeenAt, root, "firstSeenAt");
  const analyzedAt = read.text(finding.analyzedAt, root, "analyzedAt");
  const updatedAt = analyzedAt ? undefined : read.text(finding.updatedAt, root, "updatedAt");
  // A finding the query did not select `status` for still says whether the check passed.
  const status = read.text(finding.status, root, "status");
  return {
    nativeId,
    severity: { value: read.text(finding.severity, root, "severity"), path: ["severity"] },
    status: {
      value: status ?? read.text(finding.result, root, "result"),
      reason: read.text(finding.resolutionReason, root, "resolutionReason"),
      path: [status === undefined && finding.result !== undefined ? "result" : "status"],
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
      id: providerId || targetId || read.text(resource.id, resourcePath, "id") || "",
      idPath: ["resource", "providerId"],
      idFallbacks: "targetObjectProviderUniqueId, resource.id",
      fallbackPrefix: "wiz-configuration",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name: read.text(resource.name, resourcePath, "name") ?? targetExternalId ?? "",
      cloud,
      accountId:
        read.text(subscription.externalId, subscriptionPath, "externalId") ??
        read.textOr(resourceSubscription.externalId, resourceSubscriptionPath, "externalId", ""),
      accountName:
        read.text(subscription.name, subscriptionPath, "name") ??
        read.text(resourceSubscription.name, resourceSubscriptionPath, "name"),
      region: read.text(resource.region, resourcePath, "region") || undefined,
      tags: resource.tags,
    },
    firstSeen: { value: firstSeenAt ?? analyzedAt ?? updatedAt, path: ["firstSeenAt"] },
    lastSeen: {
      value: analyzedAt ?? updatedAt ?? firstSeenAt,
      path: [analyzedAt ? "analyzedAt" : "updatedAt"],
    },
    url: `${portal}/findings/configuration-findings/cloud#~(cloudConfigurationFinding~'${encodeURIComponent(nativeId)}')`,
  };
}

function fromVulnerability(finding: Fields, read: FieldReader): Draft {
  const nativeId = read.string(finding.id, root, "id");
  read.subject = `vulnerability ${nativeId}`;
  const asset = read.optionalObject(finding.vulnerableAsset, root, "vulnerableAsset") ?? none;
  const cve = ruleIdOf(
    read,
    read.text(finding.name, root, "name")?.trim().toUpperCase(),
    ["name"],
    read.text(finding.vulnerabilityExternalId, root, "vulnerabilityExternalId"),
  );
  const graphType = read.text(asset.type, assetPath, "type") || "unknown";
  const providerId = read.text(asset.providerUniqueId, assetPath, "providerUniqueId");
  const cloud =
    cloudOfResourceId(providerId) ?? platformCloud(read, asset.cloudPlatform, assetPath, "cloudPlatform");
  const vendorSeverity = read.text(finding.vendorSeverity, root, "vendorSeverity");
  const packageName = read.text(finding.detailedName, root, "detailedName");
  const fixedVersion = read.text(finding.fixedVersion, root, "fixedVersion");
  const firstDetectedAt = read.text(finding.firstDetectedAt, root, "firstDetectedAt");
  const lastDetectedAt = read.text(finding.lastDetectedAt, root, "lastDetectedAt");
  const portalUrl = read.text(finding.portalUrl, root, "portalUrl");
  return {
    nativeId,
    severity: {
      value: vendorSeverity || read.text(finding.CVSSSeverity, root, "CVSSSeverity") || vendorSeverity,
      path: ["vendorSeverity"],
    },
    status: {
      value: read.text(finding.status, root, "status"),
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
      id: providerId || read.text(asset.id, assetPath, "id") || "",
      idPath: ["vulnerableAsset", "providerUniqueId"],
      idFallbacks: "vulnerableAsset.id",
      fallbackPrefix: "wiz-vulnerability",
      type: mapWizResourceType(cloud, graphType),
      nativeType: graphType,
      name: read.text(asset.name, assetPath, "name") ?? "",
      cloud,
      accountId: read.textOr(asset.subscriptionExternalId, assetPath, "subscriptionExternalId", ""),
      accountName: read.text(asset.subscriptionName, assetPath, "subscriptionName"),
      region: read.text(asset.region, assetPath, "region") || undefined,
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
    firstSeen: { value: firstDetectedAt ?? lastDetectedAt, path: ["firstDetectedAt"] },
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
  const created = read.text(issue.created, webhookIssuePath, "created");
  const resource = read.optionalObject(payload.resource, root, "resource") ?? none;
  // XSOAR's webhook mapper reads the cloud id from `entitySnapshot.providerId` when the template sends it.
  const snapshot = read.optionalObject(payload.entitySnapshot, root, "entitySnapshot") ?? none;
  const control = read.optionalObject(payload.control, root, "control") ?? none;
  const controlName = read.text(control.name, controlPath, "name");
  const controlId = ruleIdOf(read, read.text(control.id, controlPath, "id"), ["control", "id"], controlName);
  const resourceId =
    read.text(snapshot.providerId, entitySnapshotPath, "providerId") ||
    read.text(resource.id, resourcePath, "id");
  const cloud =
    cloudOfResourceId(resourceId) ??
    platformCloud(read, resource.cloudPlatform, resourcePath, "cloudPlatform");
  const name = controlName || controlId;
  const graphType = read.text(resource.type, resourcePath, "type") || "unknown";
  const nativeType = read.text(resource.nativeType, resourcePath, "nativeType");
  return {
    nativeId,
    severity: {
      value:
        read.text(issue.severity, webhookIssuePath, "severity") ??
        read.text(control.severity, controlPath, "severity"),
      path: ["issue", "severity"],
    },
    status: { value: read.text(issue.status, webhookIssuePath, "status"), path: ["issue", "status"] },
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
      id: resourceId || read.text(resource.name, resourcePath, "name") || "",
      idPath: ["resource", "id"],
      idFallbacks: "entitySnapshot.providerId, resource.name",
      fallbackPrefix: "wiz-issue",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
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
  const rule = read.optionalObject(match.rule, ruleMatchPath, "rule") ?? none;
  const title = read.text(detection.title, root, "title");
  const ruleName = read.text(rule.name, matchedRulePath, "name");
  const ruleId = ruleIdOf(
    read,
    read.text(rule.id, matchedRulePath, "id") || read.text(detection.tdrId, root, "tdrId"),
    ["ruleMatch", "rule", "id"],
    ruleName,
    title,
  );
  const name = ruleName || title || ruleId;
  const { resource, primary, path } = primaryResource(detection, read);
  const own =
    read.optionalObject(resource.cloudAccount, path, "cloudAccount") ??
    read.optionalObject(primary.cloudAccount, primaryPath, "cloudAccount");
  const account =
    own ??
    read.optionalObject(
      (read.list(detection.cloudAccounts, root, "cloudAccounts") ?? [])[0],
      cloudAccountsPath,
      0,
    ) ??
    none;
  const accountAt = own ? [...path, "cloudAccount"] : firstAccountPath;
  // The listing's `resources[]` item and the `primaryResource` it matches each carry part of the resource.
  const field = (key: string) =>
    read.text(resource[key], path, key) || read.text(primary[key], primaryPath, key);
  const providerId = field("providerUniqueId");
  const externalId = field("externalId");
  const cloud =
    cloudOfResourceId(providerId) ??
    (account.cloudPlatform != null
      ? platformCloud(read, account.cloudPlatform, accountAt, "cloudPlatform")
      : account.cloudProvider != null
        ? platformCloud(read, account.cloudProvider, accountAt, "cloudProvider")
        : (originCloud(read, detection) ?? "other"));
  const graphType = field("type") || "unknown";
  const nativeType = field("nativeType");
  const timeframe = read.optionalObject(detection.timeframe, root, "timeframe") ?? none;
  const startedAt = read.text(detection.startedAt, root, "startedAt");
  const endedAt = read.text(detection.endedAt, root, "endedAt");
  const started = startedAt ?? read.text(timeframe.start, timeframePath, "start");
  const ended = endedAt ?? read.text(timeframe.end, timeframePath, "end");
  const createdAt = read.text(detection.createdAt, root, "createdAt");
  const updatedAt = read.text(detection.updatedAt, root, "updatedAt");
  const url =
    read.text(detection.threatURL, root, "threatURL") ??
    read.text((read.optionalObject(detection.issue, root, "issue") ?? none).url, webhookIssuePath, "url");
  return {
    nativeId,
    severity: { value: read.text(detection.severity, root, "severity"), path: ["severity"] },
    status: { value: "OPEN", path: [] },
    category: "threat",
    title: title || name,
    description: read.text(detection.description, root, "description") ?? "",
    rule: {
      id: ruleId,
      name,
      controls: [
        ...toControls(read.list(rule.securitySubCategories, matchedRulePath, "securitySubCategories")),
        ...mitreControls(
          texts(read, read.list(detection.mitreTechniques, root, "mitreTechniques"), mitrePath),
        ),
      ],
    },
    resource: {
      id: providerId || externalId || field("id") || "",
      idPath: [...path, "providerUniqueId"],
      idFallbacks: "externalId, id",
      fallbackPrefix: "wiz-detection",
      type: mapWizResourceType(cloud, graphType, nativeType),
      nativeType: nativeType || graphType,
      name: field("name") ?? "",
      cloud,
      accountId: read.textual(account.externalId, accountAt, "externalId") ?? "",
      accountName: read.text(account.name, accountAt, "name"),
      region: field("region") || undefined,
      tags: undefined,
    },
    firstSeen: started
      ? { value: started, path: startedAt ? ["startedAt"] : ["timeframe", "start"] }
      : { value: createdAt, path: ["createdAt"] },
    lastSeen: ended
      ? { value: ended, path: endedAt ? ["endedAt"] : ["timeframe", "end"] }
      : updatedAt
        ? { value: updatedAt, path: ["updatedAt"] }
        : { value: createdAt, path: ["createdAt"] },
    url: isUrl(url) ? url : undefined,
  };
}

/**
 * The rule id a record names, else the first of `fallbacks` it has (the rule's short id or name), else
 * `unknown`, with a `fallback` warning on `path` (the record names no rule when the query did not select it).
 */
function ruleIdOf(
  read: FieldReader,
  id: string | undefined,
  path: Path,
  ...fallbacks: (string | undefined)[]
): string {
  if (id) return id;
  const fallback = fallbacks.find(Boolean) ?? "unknown";
  read.warn(path, "is missing", fallback);
  return fallback;
}

/**
 * The cloud of a `cloudPlatform`/`cloudProvider` value (`other` when absent); an undocumented value is
 * `other` with a `fallback` warning.
 */
function platformCloud(read: FieldReader, value: unknown, at: Path, key: string): Cloud {
  const platform = read.text(value, at, key);
  if (!platform) return "other";
  const cloud = knownWizCloud(platform);
  if (cloud !== undefined) return cloud;
  read.warn([...at, key], `has an unknown cloud platform ${JSON.stringify(platform)}`, "other");
  return "other";
}

/** The cloud a detection's event source names (`origins[]`, else the webhook's `tdrSource`), when it names one. */
function originCloud(read: FieldReader, detection: Fields): Cloud | undefined {
  const origins = read.list(detection.origins, root, "origins");
  const origin = origins?.length
    ? read.text(origins[0], originsPath, 0)
    : read.text(detection.tdrSource, root, "tdrSource");
  return cloudOfOrigin(origin);
}

/** How a warning words a vocabulary word that is missing or unknown. */
function unknownWord(what: string, value: string | undefined): string {
  return value ? `has an unknown ${what} ${JSON.stringify(value)}` : "is missing";
}

/**
 * The resource a detection is about, where it sits, and the `primaryResource` object: the query selects
 * `primaryResource { id … region }` and the full objects under `resources` (the region only on the
 * former, the provider id only on the latter); the webhook sends the full primary resource.
 */
function primaryResource(
  detection: Fields,
  read: FieldReader,
): { resource: Fields; primary: Fields; path: Path } {
  const primary = read.optionalObject(detection.primaryResource, root, "primaryResource") ?? none;
  const primaryId = read.text(primary.id, primaryPath, "id");
  const resources = read.list(detection.resources, root, "resources") ?? [];
  let first: Fields | undefined;
  for (let index = 0; index < resources.length; index++) {
    const candidate = read.object(resources[index], resourcesPath, index);
    if (primaryId && read.text(candidate.id, [...resourcesPath, index], "id") === primaryId) {
      return { resource: candidate, primary, path: [...resourcesPath, index] };
    }
    first ??= candidate;
  }
  if (primary !== none || !first) return { resource: primary, primary, path: primaryPath };
  return { resource: first, primary, path: [...resourcesPath, 0] };
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

/**
 * ISO-8601 from Wiz's timestamps, including webhook ones without `T`/`Z` and with nanoseconds; a missing
 * or unreadable one is `fetchedAt`, with a `fallback` warning.
 */
function toIso(
  read: FieldReader,
  { value, path }: { value: string | undefined; path: Path },
  fetchedAt: string,
): string {
  if (value === undefined) {
    read.warn(path, "is missing", fetchedAt);
    return fetchedAt;
  }
  // Wiz writes fractions of up to nine digits (`…:18.4470000Z` in its real payloads): cut to
  // milliseconds first, so those too are plain UTC and need no other rewriting.
  let text = value.trim().replace(/(\.\d{3})\d+/, "$1");
  const plain = plainUtcIso(text);
  if (plain !== undefined) return plain;
  if (/^\d{4}-\d{2}-\d{2} \d/.test(text)) text = text.replace(" ", "T");
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += "Z";
  const iso = isoFromText(text);
  if (iso === undefined) read.warn(path, `is not a timestamp: ${JSON.stringify(value)}`, fetchedAt);
  return iso ?? fetchedAt;
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
