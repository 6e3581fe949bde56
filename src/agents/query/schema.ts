import { z } from "zod";
import { dataClassificationSchema, environmentSchema } from "../../core/case.js";
import {
  categorySchema,
  cloudSchema,
  findingStatusSchema,
  platformSchema,
  severitySchema,
} from "../../core/finding.js";

const instant = z.iso.datetime({ offset: true });
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100);
const word = z.string().min(1).max(200);

/** A time window: `after` inclusive, `before` exclusive (ISO-8601 instants). */
export const timeWindowSchema = z.strictObject({
  after: instant.optional(),
  before: instant.optional(),
});
/** A time window of a {@link PostureQuery}. */
export type TimeWindow = z.infer<typeof timeWindowSchema>;

/** Where an exception stands for a finding: covered by an approved, live exception, or not. */
export const exceptionFilterSchema = z.enum(["excepted", "not-excepted"]);

/** The states of an exception record (cloudsteward/exceptions). */
export const exceptionStateSchema = z.enum([
  "requested",
  "approved",
  "rejected",
  "active",
  "expired",
  "revoked",
]);

/**
 * The filters of a {@link PostureQuery}: every field is optional, the fields AND together and the
 * values of one list OR. Strings are compared as values, never read as a query language.
 */
export const postureFiltersSchema = z.strictObject({
  severity: list(severitySchema).optional(),
  status: list(findingStatusSchema).optional(),
  category: list(categorySchema).optional(),
  /** The platform a finding came from (`wiz`, `prisma`…): other platforms are not asked at all. */
  platform: list(platformSchema).optional(),
  cloud: list(cloudSchema).optional(),
  /** Cloud account / subscription / project ids. */
  accountId: list(word).optional(),
  region: list(word).optional(),
  /** `<cloud>.<service>.<kind>` or a dotted prefix of it (`aws.s3` covers `aws.s3.bucket`). */
  resourceType: list(word).optional(),
  /** The last part of the resource type, across clouds (`bucket`, `instance`, `role`). */
  resourceKind: list(word).optional(),
  /** Rule ids as the platform names them. */
  ruleId: list(word).optional(),
  /** From the enrich context (a case's context, or the resource's tags). */
  environment: list(environmentSchema).optional(),
  /** Owner or team, compared without case. */
  owner: list(word).optional(),
  dataClassification: list(dataClassificationSchema).optional(),
  internetExposed: z.boolean().optional(),
  /** A vulnerability with a public exploit or in CISA's KEV catalogue (`true`), or neither (`false`). */
  exploitable: z.boolean().optional(),
  /** First seen at least this many days before `asOf`. */
  olderThanDays: z.number().int().min(0).max(36_500).optional(),
  /** First seen less than this many days before `asOf`. */
  newerThanDays: z.number().int().min(1).max(36_500).optional(),
  firstSeen: timeWindowSchema.optional(),
  lastSeen: timeWindowSchema.optional(),
  /** A bundled framework key (`pci-dss-4.0`) or name (`PCI DSS`): findings mapped to it (cloudsteward/compliance). */
  framework: word.optional(),
  /** A requirement of `framework` (`8.3`, `CC6.1`); sub-requirements count (`8.3` covers `8.3.1`). */
  requirement: word.optional(),
  /** Knowledge-base archetype ids (`aws-s3-public-read`). */
  archetype: list(word).optional(),
  /** Covered by an approved, live exception (cloudsteward/exceptions) or not. */
  exception: exceptionFilterSchema.optional(),
  /** For the `exceptions` subject: the states of the exception records to list. */
  exceptionState: list(exceptionStateSchema).optional(),
});
/** The filters of a {@link PostureQuery}. */
export type PostureFilters = z.infer<typeof postureFiltersSchema>;
/** One filter name. */
export type PostureFilterName = keyof PostureFilters;

/** What a query may group and count by. */
export const groupFieldSchema = z.enum([
  "severity",
  "status",
  "category",
  "platform",
  "cloud",
  "accountId",
  "region",
  "resourceType",
  "environment",
  "owner",
  "ruleId",
  "archetype",
  "requirement",
]);
/** A field to group and count by. */
export type GroupField = z.infer<typeof groupFieldSchema>;

/** What a query may sort by; `age` is the time since first seen. */
export const sortFieldSchema = z.enum(["severity", "firstSeen", "lastSeen", "age", "priority"]);

/**
 * A read-only posture question: which findings (or stored cases, or exceptions) match, counted and
 * grouped. It has no field that can write, and no field whose text is run as a query language: the
 * native requests are built from its values as data. Parse with {@link parsePostureQuery}.
 * @example
 * const query = parsePostureQuery({
 *   filters: { severity: ["critical"], environment: ["production"], olderThanDays: 30 },
 *   groupBy: ["platform"],
 * });
 */
export const postureQuerySchema = z.strictObject({
  /** Live findings from the platforms, the cases the Store keeps, or the Store's exceptions. */
  subject: z.enum(["findings", "cases", "exceptions"]).default("findings"),
  filters: postureFiltersSchema.default({}),
  /** Count the matches by up to two fields. */
  groupBy: z.array(groupFieldSchema).min(1).max(2).optional(),
  sort: z.strictObject({ by: sortFieldSchema, order: z.enum(["asc", "desc"]).default("desc") }).optional(),
  /** How many matches to return (all are counted). */
  limit: z.number().int().min(1).max(1_000).default(50),
  /** The time point ages and windows are measured from; findings first seen after it are left out. @default now */
  asOf: instant.optional(),
});
/** A parsed posture query (defaults applied). */
export type PostureQuery = z.output<typeof postureQuerySchema>;
/** A posture query as written (TypeScript or JSON), before defaults. */
export type PostureQueryInput = z.input<typeof postureQuerySchema>;
