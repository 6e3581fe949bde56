import { z } from "zod";
import { NormalizationError, toErrorIssues } from "./errors.js";

/** The platforms cloudsteward ships adapters for; a source of your own names its platform freely. */
export const builtInPlatforms = ["wiz", "prisma", "orca", "lacework"] as const;

/**
 * Where a finding came from: one of {@link builtInPlatforms} or any other lower-case name
 * (`prowler`, `securityhub`, `my-scanner`). It prefixes the finding's id (`<platform>:<nativeId>`),
 * so it holds no colon.
 */
export const platformSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, "a lower-case name of letters, digits, - and _ (e.g. `wiz`, `my-scanner`)");
/** One of the four CNAPPs cloudsteward ships an adapter for. */
export type BuiltInPlatform = (typeof builtInPlatforms)[number];

/** A platform name; the built-in ones autocomplete, any other name is allowed. */
export type Platform = BuiltInPlatform | (string & {});

/** What kind of problem a finding describes. */
export const categorySchema = z.enum([
  "misconfiguration",
  "vulnerability",
  "identity",
  "exposure",
  "threat",
  "secret",
  "data",
  "compliance",
  "other",
]);
export type Category = z.infer<typeof categorySchema>;

/** Normalized severity; the platform's own value stays in `source.nativeSeverity`. */
export const severitySchema = z.enum(["critical", "high", "medium", "low", "info"]);
export type Severity = z.infer<typeof severitySchema>;

/** Severities from most to least severe. */
export const severities: readonly Severity[] = severitySchema.options;

/** Normalized status as the platform reports it (producer-owned). */
export const findingStatusSchema = z.enum(["open", "in_progress", "resolved", "suppressed", "risk_accepted"]);
export type FindingStatus = z.infer<typeof findingStatusSchema>;

/** Clouds a resource can live in. */
export const cloudSchema = z.enum(["aws", "azure", "gcp", "oci", "alibaba", "kubernetes", "other"]);
export type Cloud = z.infer<typeof cloudSchema>;

const isoDateTime = z.iso.datetime({ offset: true });

/** A compliance control a rule maps to, e.g. `{ framework: "PCI DSS 4.0", control: "3.4.1" }`. */
export const controlSchema = z.object({ framework: z.string().min(1), control: z.string().min(1) });
export type Control = z.infer<typeof controlSchema>;

/** Where a finding came from: producer-owned facts that re-ingestion may overwrite. */
export const findingSourceInfoSchema = z.object({
  platform: platformSchema,
  nativeId: z.string().min(1),
  nativeSeverity: z.string(),
  nativeStatus: z.string(),
  /** Console link to the finding in the platform. */
  url: z.url().optional(),
  fetchedAt: isoDateTime,
});

export const ruleSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  remediation: z.string().optional(),
  controls: z.array(controlSchema),
});
export type Rule = z.infer<typeof ruleSchema>;

export const resourceSchema = z.object({
  /** The platform's id for the resource: an ARN, an Azure resource id, a GCP full name… */
  id: z.string().min(1),
  /** `<cloud>.<service>.<kind>` in lower case, e.g. `aws.s3.bucket`. */
  type: z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/, "must be <cloud>.<service>.<kind> in lower case"),
  /** The platform's own type name. */
  nativeType: z.string(),
  name: z.string(),
  cloud: cloudSchema,
  accountId: z.string(),
  accountName: z.string().optional(),
  region: z.string().optional(),
  tags: z.record(z.string(), z.string()),
});
export type Resource = z.infer<typeof resourceSchema>;

export const vulnerabilitySchema = z.object({
  cve: z.string().min(1),
  cvss: z.number().min(0).max(10).optional(),
  epss: z.number().min(0).max(1).optional(),
  packageName: z.string().optional(),
  installedVersion: z.string().optional(),
  fixedVersion: z.string().optional(),
  exploitAvailable: z.boolean().optional(),
  /** Listed in CISA's Known Exploited Vulnerabilities catalogue. */
  knownExploited: z.boolean().optional(),
});
export type Vulnerability = z.infer<typeof vulnerabilitySchema>;

/** One normalized record from one platform. Every field here is producer-owned (docs/decisions/0005-producer-governance-split.md). */
export const findingSchema = z.object({
  /** Stable: same platform + same native id → same id, across runs. */
  id: z.string().min(1),
  /** Same rule archetype on the same canonical resource → same key, across platforms. */
  dedupKey: z.string().min(1),
  source: findingSourceInfoSchema,
  category: categorySchema,
  severity: severitySchema,
  status: findingStatusSchema,
  title: z.string().min(1),
  description: z.string(),
  rule: ruleSchema,
  resource: resourceSchema,
  vulnerability: vulnerabilitySchema.optional(),
  firstSeen: isoDateTime,
  lastSeen: isoDateTime,
  /** The native record, kept only when the caller asks for it. */
  raw: z.unknown().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/**
 * Validates `value` as a Finding.
 * @throws NormalizationError naming the first invalid field.
 * @example
 * const finding = parseFinding(JSON.parse(line));
 */
export function parseFinding(value: unknown, platform = "unknown"): Finding {
  const result = findingSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = toErrorIssues(result.error.issues);
  const first = issues[0]!;
  throw new NormalizationError(
    `${platform}: invalid finding at ${formatPath(first.path)}: ${first.message}`,
    {
      platform,
      path: first.path,
      issues,
      cause: result.error,
    },
  );
}

/** The stable id of a finding: the platform and its native id. */
export function findingId(platform: Platform, nativeId: string): string {
  return `${platform}:${nativeId}`;
}

/** Renders a path as `resource.tags["team"]` for error messages. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((part, index) =>
      typeof part === "number"
        ? `[${part}]`
        : /^[A-Za-z_$][\w$]*$/.test(part)
          ? `${index === 0 ? "" : "."}${part}`
          : `[${JSON.stringify(part)}]`,
    )
    .join("");
}

/** Rank of a severity: 4 for critical down to 0 for info. */
export function severityRank(severity: Severity): number {
  return severities.length - 1 - severities.indexOf(severity);
}
