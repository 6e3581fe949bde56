/**
 * Fast validity checks for the Prisma Cloud records, one per schema in schemas.ts. Each accepts exactly
 * the records its schema accepts (test/adapters/prisma/fast-checks.test.ts compares both on valid and
 * mutated records); on a rejection `normalize` runs the schema, which names the failing path.
 */

/** A record's fields. */
export type Fields = Record<string, unknown>;

/** Accepts exactly what `prismaAlertSchema` accepts. */
export function isAlert(record: Fields): boolean {
  const policy = record.policy;
  const resource = record.resource;
  return (
    isString(record.id, true) &&
    typeof record.status === "string" &&
    isText(record.reason) &&
    isText(record.policyId) &&
    allTimestamps(record, alertTimes) &&
    isObject(policy) &&
    isString(policy.name, true) &&
    typeof policy.severity === "string" &&
    allText(policy, policyText) &&
    isNullishArray(policy.complianceMetadata) &&
    isObject(resource) &&
    allText(resource, resourceText)
  );
}

/** Accepts exactly what `prismaWebhookAlertSchema` accepts. */
export function isWebhookAlert(record: Fields): boolean {
  return (
    isString(record.alertId, true) &&
    typeof record.severity === "string" &&
    isString(record.policyName, true) &&
    allText(record, webhookText) &&
    allTimestamps(record, webhookTimes) &&
    isNullishArray(record.complianceMetadata)
  );
}

// Internal helpers.

const alertTimes = ["firstSeen", "lastSeen", "alertTime", "lastUpdated"];
const policyText = ["policyId", "policyType", "description", "recommendation"];
const resourceText = [
  "rrn",
  "id",
  "name",
  "account",
  "accountId",
  "cloudType",
  "region",
  "regionId",
  "resourceType",
  "resourceApiName",
  "cloudServiceName",
];
const webhookTimes = ["alertTs", "firstSeen", "lastSeen"];
const webhookText = [
  "alertStatus",
  "reason",
  "policyId",
  "policyType",
  "policyDescription",
  "policyRecommendation",
  "accountId",
  "accountName",
  "cloudType",
  "resourceId",
  "resourceName",
  "resourceType",
  "resourceRegion",
  "resourceRegionId",
  "resourceCloudService",
  "callbackUrl",
];

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isString(value: unknown, nonEmpty: boolean): boolean {
  return typeof value === "string" && (!nonEmpty || value.length > 0);
}

function isText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === "string";
}

function allText(fields: Fields, names: readonly string[]): boolean {
  for (const name of names) if (!isText(fields[name])) return false;
  return true;
}

function allTimestamps(fields: Fields, names: readonly string[]): boolean {
  for (const name of names) {
    const value = fields[name];
    if (value === undefined || value === null || typeof value === "string") continue;
    if (typeof value !== "number" || !Number.isFinite(value)) return false;
  }
  return true;
}

function isNullishArray(value: unknown): boolean {
  return value === undefined || value === null || Array.isArray(value);
}
