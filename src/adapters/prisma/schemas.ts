import { z } from "zod";

/**
 * The shapes of what Prisma Cloud answers (docs/prisma.md, Sources: listing, webhooks): the login token,
 * validated with zod, and the alert records as types. Records are not parsed here: `normalize` reads each
 * field with the shared `FieldReader`, which checks its type as it goes and names the path of a bad one.
 * Only what normalization needs is required; everything else is optional and nullable.
 */

/** The answer of `/login` and `/auth_token/extend`. */
export const prismaTokenSchema = z.object({ token: z.string().min(1) });

/** Epoch milliseconds; webhook templates may render them as strings. */
type Timestamp = number | string | null;

/**
 * An alert as the alert API returns it (`POST /v2/alert?detailed=true`, `GET /alert/{id}?detailed=true`):
 * the fields normalization reads. A listing that selected few fields may leave out all but `id`.
 */
export interface PrismaAlert {
  id: string;
  status?: string | null;
  reason?: string | null;
  firstSeen?: Timestamp;
  lastSeen?: Timestamp;
  alertTime?: Timestamp;
  lastUpdated?: Timestamp;
  policyId?: string | null;
  policy?: {
    policyId?: string | null;
    name?: string | null;
    policyType?: string | null;
    severity?: string | null;
    description?: string | null;
    recommendation?: string | null;
    complianceMetadata?: unknown[] | null;
    [key: string]: unknown;
  } | null;
  resource?: {
    rrn?: string | null;
    id?: string | null;
    name?: string | null;
    account?: string | null;
    accountId?: string | null;
    cloudType?: string | null;
    region?: string | null;
    regionId?: string | null;
    resourceType?: string | null;
    resourceApiName?: string | null;
    cloudServiceName?: string | null;
    resourceTags?: unknown;
    [key: string]: unknown;
  } | null;
  [key: string]: unknown;
}

/** One alert of a webhook integration's body (the body is an array of these, or one): the fields normalization reads. */
export interface PrismaWebhookAlert {
  alertId: string;
  alertStatus?: string | null;
  severity?: string | null;
  reason?: string | null;
  alertTs?: Timestamp;
  firstSeen?: Timestamp;
  lastSeen?: Timestamp;
  policyId?: string | null;
  policyName?: string | null;
  policyType?: string | null;
  policyDescription?: string | null;
  policyRecommendation?: string | null;
  complianceMetadata?: unknown[] | null;
  accountId?: string | null;
  accountName?: string | null;
  cloudType?: string | null;
  resourceId?: string | null;
  resourceName?: string | null;
  resourceType?: string | null;
  resourceRegion?: string | null;
  resourceRegionId?: string | null;
  resourceCloudService?: string | null;
  tags?: unknown;
  callbackUrl?: string | null;
  [key: string]: unknown;
}

/**
 * One asset's result for one policy, as the asset inventory's scan-info listing returns it (the shape
 * Elastic's Prisma Cloud misconfiguration stream reads): the fields normalization reads. It has no time.
 */
export interface PrismaScanResult {
  id: string;
  name?: string | null;
  accountId?: string | null;
  accountName?: string | null;
  cloudType?: string | null;
  regionId?: string | null;
  assetType?: string | null;
  overallPassed?: boolean | null;
  scannedPolicy: {
    id: string;
    name?: string | null;
    severity?: string | null;
    passed?: boolean | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
