/**
 * Fast validity checks for the Wiz records, one per schema in schemas.ts. Each accepts exactly the
 * records its schema accepts (keep them in step: test/adapters/wiz/fast-checks.test.ts compares both on
 * valid and mutated records). They only answer yes or no, much cheaper than a zod parse; on no,
 * `normalize` runs the schema, which names the failing path.
 */

export type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);
/** `z.string()`; `min1` for `.min(1)`. */
const isString = (value: unknown, min1 = false): boolean =>
  typeof value === "string" && (!min1 || value.length > 0);
/** `z.string().nullish()`. */
const isText = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === "string";
/** Every listed field is `z.string().nullish()`. */
const allText = (fields: Fields, names: readonly string[]): boolean => {
  for (const name of names) if (!isText(fields[name])) return false;
  return true;
};
const isNullishNumber = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === "number" && Number.isFinite(value));
const isNullishFlag = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === "boolean";
const isNullishArray = (value: unknown): boolean =>
  value === undefined || value === null || Array.isArray(value);
const isNullishObject = (value: unknown): value is Fields | null | undefined =>
  value === undefined || value === null || isObject(value);

const issueText = ["type", "updatedAt", "statusChangedAt", "resolvedAt", "dueAt", "resolutionReason"];
const sourceRuleText = [
  "__typename",
  "name",
  "controlDescription",
  "cloudEventRuleDescription",
  "cloudConfigurationRuleDescription",
  "description",
  "resolutionRecommendation",
  "remediationInstructions",
];
const snapshotText = [
  "id",
  "nativeType",
  "name",
  "cloudPlatform",
  "cloudProviderURL",
  "providerId",
  "externalId",
  "region",
  "subscriptionExternalId",
  "subscriptionName",
];

/** Accepts exactly what `wizIssueSchema` accepts. */
export function isIssue(record: Fields): boolean {
  const rule = record.sourceRule;
  const snapshot = record.entitySnapshot;
  return (
    isString(record.id, true) &&
    isString(record.status) &&
    isString(record.severity) &&
    isString(record.createdAt) &&
    allText(record, issueText) &&
    isObject(rule) &&
    isString(rule.id, true) &&
    allText(rule, sourceRuleText) &&
    isNullishArray(rule.securitySubCategories) &&
    isObject(snapshot) &&
    isString(snapshot.type, true) &&
    allText(snapshot, snapshotText)
  );
}

const configurationText = [
  "result",
  "firstSeenAt",
  "analyzedAt",
  "updatedAt",
  "remediation",
  "resolutionReason",
  "targetExternalId",
  "targetObjectProviderUniqueId",
];
const configurationResourceText = ["id", "providerId", "name", "nativeType", "region", "cloudPlatform"];
const configurationRuleText = ["shortId", "name", "description", "remediationInstructions"];

/** Accepts exactly what `wizConfigurationFindingSchema` accepts. */
export function isConfiguration(record: Fields): boolean {
  const { resource, rule, subscription } = record;
  return (
    isString(record.id, true) &&
    isString(record.severity) &&
    isString(record.status) &&
    allText(record, configurationText) &&
    isObject(resource) &&
    isString(resource.type, true) &&
    allText(resource, configurationResourceText) &&
    isNullishObject(resource.subscription) &&
    (!resource.subscription || allText(resource.subscription, ["name", "externalId"])) &&
    isObject(rule) &&
    isString(rule.id, true) &&
    allText(rule, configurationRuleText) &&
    isNullishArray(rule.securitySubCategories) &&
    isNullishObject(subscription) &&
    (!subscription || allText(subscription, ["id", "name", "externalId", "cloudProvider"]))
  );
}

const vulnerabilityText = [
  "portalUrl",
  "CVEDescription",
  "description",
  "remediation",
  "vendorSeverity",
  "CVSSSeverity",
  "lastDetectedAt",
  "detailedName",
  "version",
  "fixedVersion",
  "resolutionReason",
];
const assetText = [
  "id",
  "name",
  "region",
  "providerUniqueId",
  "cloudPlatform",
  "subscriptionName",
  "subscriptionExternalId",
];

/** Accepts exactly what `wizVulnerabilityFindingSchema` accepts. */
export function isVulnerability(record: Fields): boolean {
  const asset = record.vulnerableAsset;
  return (
    isString(record.id, true) &&
    isString(record.name, true) &&
    isString(record.status) &&
    isString(record.firstDetectedAt) &&
    allText(record, vulnerabilityText) &&
    isNullishNumber(record.score) &&
    isNullishNumber(record.epssProbability) &&
    isNullishFlag(record.hasExploit) &&
    isNullishFlag(record.hasCisaKevExploit) &&
    isObject(asset) &&
    isString(asset.type, true) &&
    allText(asset, assetText)
  );
}

const webhookResourceText = [
  "id",
  "name",
  "type",
  "cloudPlatform",
  "subscriptionId",
  "subscriptionName",
  "region",
  "cloudProviderURL",
];

/** Accepts exactly what `wizWebhookIssueSchema` accepts. */
export function isWebhook(record: Fields): boolean {
  const { trigger, issue, resource, control } = record;
  return (
    isNullishObject(trigger) &&
    (!trigger || allText(trigger, ["source", "type", "ruleId", "ruleName"])) &&
    isObject(issue) &&
    isString(issue.id, true) &&
    isString(issue.status) &&
    isString(issue.created) &&
    allText(issue, ["severity", "dueAt", "note"]) &&
    isNullishObject(resource) &&
    (!resource || allText(resource, webhookResourceText)) &&
    isNullishObject(control) &&
    (!control ||
      (isString(control.id, true) &&
        allText(control, ["name", "description", "severity"]) &&
        (control.risks === undefined ||
          control.risks === null ||
          (Array.isArray(control.risks) && control.risks.every((risk) => typeof risk === "string")))))
  );
}

const detectionText = ["startedAt", "endedAt", "title", "description", "tdrId", "threatId", "threatURL"];
const detectionResourceText = [
  "id",
  "externalId",
  "providerUniqueId",
  "name",
  "type",
  "nativeType",
  "region",
];
const detectionAccountText = ["id", "name", "cloudPlatform", "cloudProvider"];

/** `detectionAccountSchema`: a nullish object whose `externalId` may be a string or a number. */
const isNullishAccount = (account: unknown): boolean => {
  if (account === undefined || account === null) return true;
  if (!isObject(account) || !allText(account, detectionAccountText)) return false;
  const externalId = account.externalId;
  return isText(externalId) || (typeof externalId === "number" && Number.isFinite(externalId));
};
const isDetectionResource = (resource: unknown): boolean =>
  isObject(resource) && allText(resource, detectionResourceText) && isNullishAccount(resource.cloudAccount);

/** Accepts exactly what `wizDetectionSchema` accepts. */
export function isDetection(record: Fields): boolean {
  const { trigger, issue, ruleMatch, primaryResource, resources, cloudAccounts, timeframe, mitreTechniques } =
    record;
  const rule = isObject(ruleMatch) ? ruleMatch.rule : undefined;
  return (
    isString(record.id, true) &&
    isString(record.severity) &&
    isString(record.createdAt) &&
    allText(record, detectionText) &&
    isNullishObject(trigger) &&
    (!trigger || allText(trigger, ["source", "type", "ruleId", "ruleName"])) &&
    isNullishObject(issue) &&
    (!issue || allText(issue, ["id", "url"])) &&
    isNullishObject(ruleMatch) &&
    isNullishObject(rule) &&
    (!rule || (isString(rule.id, true) && isText(rule.name) && isNullishArray(rule.securitySubCategories))) &&
    (primaryResource === undefined || primaryResource === null || isDetectionResource(primaryResource)) &&
    (resources === undefined ||
      resources === null ||
      (Array.isArray(resources) && resources.every(isDetectionResource))) &&
    (cloudAccounts === undefined ||
      cloudAccounts === null ||
      (Array.isArray(cloudAccounts) && cloudAccounts.every(isNullishAccount))) &&
    isNullishObject(timeframe) &&
    (!timeframe || allText(timeframe, ["start", "end"])) &&
    (mitreTechniques === undefined ||
      mitreTechniques === null ||
      (Array.isArray(mitreTechniques) && mitreTechniques.every((technique) => typeof technique === "string")))
  );
}
