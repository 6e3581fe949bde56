import { z } from "zod";

/**
 * Zod schemas for the OCSF finding fields `normalize` reads (OCSF 1.0–1.x Findings category, as Prowler
 * `-M json-ocsf`, AWS Security Hub v2 and other producers write them). Only the identity
 * (`finding_info.uid`) is required, and `normalize` checks it apart to name its path; every other field
 * is optional and a value of the wrong type reads as absent, so one odd field never costs a record.
 * Unknown fields are left out (the record itself is what `keepRaw` keeps): a Prowler record's bulky
 * `resources[].data` is never copied.
 */

/** A string, or a number written where a string belongs (account ids are sometimes numbers). */
const text = z
  .union([z.string(), z.number().transform(String)])
  .optional()
  .catch(undefined);

/** An integer enum id (`severity_id`, `status_id`…), also as a numeric string. */
const enumId = z
  .union([
    z.number().int(),
    z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number),
  ])
  .optional()
  .catch(undefined);

/** A timestamp: OCSF `timestamp_t` (milliseconds; Prowler writes seconds) or a `*_dt` date-time string. */
const time = z.union([z.number(), z.string()]).optional().catch(undefined);

const texts = z
  .array(z.unknown())
  .transform((values) => values.filter((value): value is string => typeof value === "string"))
  .optional()
  .catch(undefined);

const boolean = z.boolean().optional().catch(undefined);

/** An optional object whose own fields are read leniently; anything but an object reads as absent. */
function lenient<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object(shape).optional().catch(undefined);
}

/** An optional list of objects; entries that are not objects are dropped. */
function lenientList<Item extends z.ZodType>(item: Item) {
  return z
    .array(z.unknown())
    .transform((values) =>
      values.flatMap((value) => {
        const parsed = item.safeParse(value);
        return parsed.success && parsed.data !== undefined ? [parsed.data as z.output<Item>] : [];
      }),
    )
    .optional()
    .catch(undefined);
}

const account = lenient({ uid: text, name: text });

const cloud = lenient({ provider: text, region: text, account, cloud_partition: text });

/** OCSF `resource_details` (and Prowler's use of it: `labels` as `key:value` strings, `group.name` the service). */
export const ocsfResourceSchema = z.object({
  uid: text,
  uid_alt: text,
  name: text,
  type: text,
  region: text,
  namespace: text,
  provider: text,
  cloud_partition: text,
  labels: texts,
  tags: z.unknown().optional(),
  group: lenient({ name: text }),
  owner: lenient({ account }),
});

const analytic = lenient({ uid: text, name: text, type: text, type_id: enumId });

const findingInfo = {
  uid: text,
  title: text,
  desc: text,
  types: texts,
  src_url: text,
  analytic,
  created_time: time,
  created_time_dt: time,
  first_seen_time: time,
  first_seen_time_dt: time,
  last_seen_time: time,
  last_seen_time_dt: time,
  modified_time: time,
  modified_time_dt: time,
};

const cvss = z.object({ base_score: z.number().optional().catch(undefined), version: text });

/** One entry of `vulnerabilities` (OCSF `vulnerability`). */
export const ocsfVulnerabilitySchema = z.object({
  title: text,
  desc: text,
  cve: lenient({
    uid: text,
    cvss: lenientList(cvss),
    epss: lenient({ score: z.union([z.number(), z.string()]).optional().catch(undefined) }),
  }),
  affected_packages: lenientList(z.object({ name: text, version: text, fixed_in_version: text })),
  is_exploit_available: boolean,
  fix_available: boolean,
  is_fix_available: boolean,
});

/** The fields of an OCSF finding event (any Findings class, 2001–2008) that `normalize` reads. */
export const ocsfFindingSchema = z.object({
  class_uid: enumId,
  class_name: text,
  category_uid: enumId,
  activity_id: enumId,
  message: text,
  severity_id: enumId,
  severity: text,
  status_id: enumId,
  status: text,
  /** Prowler writes its check result here: `PASS`, `FAIL` or `MANUAL`. */
  status_code: text,
  /** Prowler: the check's verdict on this resource, e.g. `S3 Bucket logs has a public policy.` */
  status_detail: text,
  /** OCSF 1.0 Security Finding (2001) workflow state, as `status_id` in later classes. */
  state_id: enumId,
  state: text,
  time: time,
  time_dt: time,
  start_time: time,
  end_time: time,
  metadata: lenient({
    uid: text,
    event_code: text,
    version: text,
    product: lenient({ uid: text, name: text, vendor_name: text }),
  }),
  finding_info: lenient(findingInfo),
  /** OCSF 1.0 Security Finding (2001) names the finding object `finding`. */
  finding: lenient(findingInfo),
  /** OCSF 1.0 Security Finding (2001) names the analytic at the top level. */
  analytic,
  cloud,
  resources: lenientList(ocsfResourceSchema),
  /** Some producers write one `resource` instead of `resources`. */
  resource: ocsfResourceSchema.optional().catch(undefined),
  compliance: lenient({
    control: text,
    standards: texts,
    requirements: texts,
    status_id: enumId,
    status: text,
    status_code: text,
    checks: lenientList(z.object({ uid: text, name: text })),
  }),
  remediation: lenient({ desc: text, references: texts }),
  vulnerabilities: lenientList(ocsfVulnerabilitySchema),
  vendor_attributes: lenient({ severity_id: enumId, severity: text }),
  /** Prowler: `compliance` ({ framework: [requirement…] }), `categories`, `provider`, `provider_uid`, `cloud`. */
  unmapped: lenient({
    compliance: z.record(z.string(), z.unknown()).optional().catch(undefined),
    categories: texts,
    provider: text,
    provider_uid: text,
    cloud,
  }),
});

/** An OCSF finding as `normalize` reads it. */
export type OcsfFinding = z.output<typeof ocsfFindingSchema>;
/** One OCSF `resource_details` entry as `normalize` reads it. */
export type OcsfResource = z.output<typeof ocsfResourceSchema>;
/** One OCSF `vulnerability` entry as `normalize` reads it. */
export type OcsfVulnerability = z.output<typeof ocsfVulnerabilitySchema>;
