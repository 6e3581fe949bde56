import { z } from "zod";

/**
 * Zod schemas for the Prisma Cloud records the adapter reads (docs/prisma.md, Sources: listing, webhooks). Only what
 * normalization needs is required; everything else is optional and nullable. `normalize` runs them
 * only on records the fast checks reject, to name the failing path.
 */

const text = z.string().nullish();
/** Epoch milliseconds; webhook templates may render them as strings. */
const timestamp = z.union([z.number(), z.string()]).nullish();

/** An `AlertModel` from `POST /v2/alert?detailed=true` or `GET /alert/{id}?detailed=true`. */
export const prismaAlertSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  reason: text,
  firstSeen: timestamp,
  lastSeen: timestamp,
  alertTime: timestamp,
  lastUpdated: timestamp,
  policyId: text,
  policy: z.looseObject({
    policyId: text,
    name: z.string().min(1),
    policyType: text,
    severity: z.string(),
    description: text,
    recommendation: text,
    complianceMetadata: z.array(z.unknown()).nullish(),
  }),
  resource: z.looseObject({
    rrn: text,
    id: text,
    name: text,
    account: text,
    accountId: text,
    cloudType: text,
    region: text,
    regionId: text,
    resourceType: text,
    resourceApiName: text,
    cloudServiceName: text,
    resourceTags: z.unknown().optional(),
  }),
});
/** An alert as the alert API returns it (the fields normalization reads; the rest pass through). */
export type PrismaAlert = z.infer<typeof prismaAlertSchema>;

/** One alert of a webhook integration's body (the body is an array of these, or one). */
export const prismaWebhookAlertSchema = z.looseObject({
  alertId: z.string().min(1),
  alertStatus: text,
  severity: z.string(),
  reason: text,
  alertTs: timestamp,
  firstSeen: timestamp,
  lastSeen: timestamp,
  policyId: text,
  policyName: z.string().min(1),
  policyType: text,
  policyDescription: text,
  policyRecommendation: text,
  complianceMetadata: z.array(z.unknown()).nullish(),
  accountId: text,
  accountName: text,
  cloudType: text,
  resourceId: text,
  resourceName: text,
  resourceType: text,
  resourceRegion: text,
  resourceRegionId: text,
  resourceCloudService: text,
  tags: z.unknown().optional(),
  callbackUrl: text,
});
/** One alert of a webhook body (the fields normalization reads; the rest pass through). */
export type PrismaWebhookAlert = z.infer<typeof prismaWebhookAlertSchema>;
