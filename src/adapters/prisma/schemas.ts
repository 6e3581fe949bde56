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

/** An alert as the alert API returns it (`POST /v2/alert?detailed=true`, `GET /alert/{id}?detailed=true`): the fields normalization reads. */
export interface PrismaAlert {
  id: string;
  status: string;
  reason?: string | null;
  firstSeen?: Timestamp;
  lastSeen?: Timestamp;
  alertTime?: Timestamp;
  lastUpdated?: Timestamp;
  policyId?: string | null;
  policy: {
    policyId?: string | null;
    name: string;
    policyType?: string | null;
    severity: string;
    description?: string | null;
    recommendation?: string | null;
    complianceMetadata?: unknown[] | null;
    [key: string]: unknown;
  };
  resource: {
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
  };
  [key: string]: unknown;
}

/** One alert of a webhook integration's body (the body is an array of these, or one): the fields normalization reads. */
export interface PrismaWebhookAlert {
  alertId: string;
  alertStatus?: string | null;
  severity: string;
  reason?: string | null;
  alertTs?: Timestamp;
  firstSeen?: Timestamp;
  lastSeen?: Timestamp;
  policyId?: string | null;
  policyName: string;
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
