import { z } from "zod";

/**
 * Zod schemas for the Wiz records the adapter reads (docs/wiz.md, Sources: listing, webhooks). Only what normalization
 * needs is required; everything else is optional and nullable, because Wiz omits or nulls fields freely.
 */

const text = z.string().nullish();
const flag = z.boolean().nullish();
const number = z.number().nullish();

/**
 * Tags as an object map (issues, vulnerable assets), a `[{ key, value }]` list (configuration findings) or
 * null. Read defensively by the normalizer rather than validated here: tags are the largest part of a record.
 */
export const wizTagsSchema = z.unknown().optional();

/** Security sub-categories, read defensively by the normalizer (`{ title, category { name, framework { name } } }`). */
const subCategoriesSchema = z.array(z.unknown()).nullish();

/** An `issuesV2` node. */
export const wizIssueSchema = z.looseObject({
  id: z.string().min(1),
  type: text,
  status: z.string(),
  severity: z.string(),
  createdAt: z.string(),
  updatedAt: text,
  statusChangedAt: text,
  resolvedAt: text,
  dueAt: text,
  resolutionReason: text,
  sourceRule: z.looseObject({
    __typename: text,
    id: z.string().min(1),
    name: text,
    controlDescription: text,
    cloudEventRuleDescription: text,
    cloudConfigurationRuleDescription: text,
    description: text,
    resolutionRecommendation: text,
    remediationInstructions: text,
    securitySubCategories: subCategoriesSchema,
  }),
  entitySnapshot: z.looseObject({
    id: text,
    type: z.string().min(1),
    nativeType: text,
    name: text,
    cloudPlatform: text,
    cloudProviderURL: text,
    providerId: text,
    externalId: text,
    region: text,
    subscriptionExternalId: text,
    subscriptionName: text,
    tags: wizTagsSchema,
  }),
});
export type WizIssue = z.infer<typeof wizIssueSchema>;

/** A `configurationFindings` node. */
export const wizConfigurationFindingSchema = z.looseObject({
  id: z.string().min(1),
  result: text,
  severity: z.string(),
  status: z.string(),
  firstSeenAt: text,
  analyzedAt: text,
  updatedAt: text,
  remediation: text,
  resolutionReason: text,
  targetExternalId: text,
  targetObjectProviderUniqueId: text,
  resource: z.looseObject({
    id: text,
    providerId: text,
    name: text,
    type: z.string().min(1),
    nativeType: text,
    region: text,
    cloudPlatform: text,
    tags: wizTagsSchema,
    subscription: z.looseObject({ name: text, externalId: text }).nullish(),
  }),
  rule: z.looseObject({
    id: z.string().min(1),
    shortId: text,
    name: text,
    description: text,
    remediationInstructions: text,
    securitySubCategories: subCategoriesSchema,
  }),
  subscription: z.looseObject({ id: text, name: text, externalId: text, cloudProvider: text }).nullish(),
});
export type WizConfigurationFinding = z.infer<typeof wizConfigurationFindingSchema>;

/** A `vulnerabilityFindings` node. */
export const wizVulnerabilityFindingSchema = z.looseObject({
  id: z.string().min(1),
  portalUrl: text,
  name: z.string().min(1),
  CVEDescription: text,
  description: text,
  remediation: text,
  score: number,
  hasExploit: flag,
  hasCisaKevExploit: flag,
  status: z.string(),
  vendorSeverity: text,
  CVSSSeverity: text,
  firstDetectedAt: z.string(),
  lastDetectedAt: text,
  detailedName: text,
  version: text,
  fixedVersion: text,
  resolutionReason: text,
  epssProbability: number,
  vulnerableAsset: z.looseObject({
    id: text,
    type: z.string().min(1),
    name: text,
    region: text,
    providerUniqueId: text,
    cloudPlatform: text,
    subscriptionName: text,
    subscriptionExternalId: text,
    tags: wizTagsSchema,
  }),
});
export type WizVulnerabilityFinding = z.infer<typeof wizVulnerabilityFindingSchema>;

/** The default Automation Rule webhook body for issues (every field optional except the issue id). */
export const wizWebhookIssueSchema = z.looseObject({
  trigger: z.looseObject({ source: text, type: text, ruleId: text, ruleName: text }).nullish(),
  issue: z.looseObject({
    id: z.string().min(1),
    status: z.string(),
    severity: text,
    created: z.string(),
    dueAt: text,
    note: text,
  }),
  resource: z
    .looseObject({
      id: text,
      name: text,
      type: text,
      cloudPlatform: text,
      subscriptionId: text,
      subscriptionName: text,
      region: text,
      cloudProviderURL: text,
      tags: wizTagsSchema,
    })
    .nullish(),
  control: z
    .looseObject({
      id: z.string().min(1),
      name: text,
      description: text,
      severity: text,
      risks: z.array(z.string()).nullish(),
    })
    .nullish(),
});
export type WizWebhookIssue = z.infer<typeof wizWebhookIssueSchema>;

/** A Wiz cloud account as detections carry it; `externalId` (the AWS account id…) arrives as a number in webhook bodies. */
const detectionAccountSchema = z
  .looseObject({
    id: text,
    name: text,
    externalId: z.union([z.string(), z.number()]).nullish(),
    cloudPlatform: text,
    cloudProvider: text,
  })
  .nullish();

/** A resource a detection names. */
const detectionResourceSchema = z.looseObject({
  id: text,
  externalId: text,
  providerUniqueId: text,
  name: text,
  type: text,
  nativeType: text,
  region: text,
  cloudAccount: detectionAccountSchema,
});

/**
 * A Wiz Defend detection: a `detections` query node (`ruleMatch.rule`, `resources[]`, `primaryResource { id }`)
 * or the Automation Rule webhook body with `trigger.source: "DETECTIONS"` (`title`, `tdrId`, `threatURL`,
 * a full `primaryResource`, `timeframe`).
 */
export const wizDetectionSchema = z.looseObject({
  id: z.string().min(1),
  severity: z.string(),
  createdAt: z.string(),
  startedAt: text,
  endedAt: text,
  title: text,
  description: text,
  tdrId: text,
  threatId: text,
  threatURL: text,
  trigger: z.looseObject({ source: text, type: text, ruleId: text, ruleName: text }).nullish(),
  issue: z.looseObject({ id: text, url: text }).nullish(),
  ruleMatch: z
    .looseObject({
      rule: z
        .looseObject({ id: z.string().min(1), name: text, securitySubCategories: subCategoriesSchema })
        .nullish(),
    })
    .nullish(),
  primaryResource: detectionResourceSchema.nullish(),
  resources: z.array(detectionResourceSchema).nullish(),
  cloudAccounts: z.array(detectionAccountSchema).nullish(),
  timeframe: z.looseObject({ start: text, end: text }).nullish(),
  mitreTechniques: z.array(z.string()).nullish(),
});
export type WizDetection = z.infer<typeof wizDetectionSchema>;
export type WizDetectionResource = z.infer<typeof detectionResourceSchema>;

/** One page of a Wiz connection (`nodes` + `pageInfo`). */
export const wizConnectionSchema = z.object({
  nodes: z.array(z.unknown()),
  pageInfo: z.object({
    hasNextPage: z.boolean(),
    endCursor: z.string().nullish(),
  }),
});
