import { z } from "zod";
import { type Case, dataClassificationSchema, environmentSchema, maxSeverity } from "../../core/case.js";
import {
  categorySchema,
  cloudSchema,
  type Finding,
  findingId,
  parseFinding,
  platformSchema,
  severitySchema,
  vulnerabilitySchema,
} from "../../core/finding.js";
import { dedupKey } from "../../core/fingerprint.js";

/** The labeled finding of an explanation or triage case: what a platform reports, without bookkeeping. */
export const labeledFindingSchema = z.strictObject({
  platform: platformSchema.default("wiz"),
  title: z.string().min(1),
  description: z.string().default(""),
  category: categorySchema,
  severity: severitySchema,
  rule: z.strictObject({
    id: z.string().min(1),
    name: z.string().min(1),
    remediation: z.string().optional(),
  }),
  resource: z.strictObject({
    type: z.string().min(1),
    name: z.string().min(1),
    cloud: cloudSchema.default("aws"),
    accountId: z.string().default("123456789012"),
    region: z.string().optional(),
    tags: z.record(z.string(), z.string()).default({}),
  }),
  vulnerability: vulnerabilitySchema.optional(),
});

/** The business context a labeled case was enriched with (each value as if from a tag). */
export const labeledContextSchema = z
  .strictObject({
    owner: z.string().min(1).optional(),
    environment: environmentSchema.optional(),
    dataClassification: dataClassificationSchema.optional(),
    internetExposed: z.boolean().optional(),
  })
  .default({});

/**
 * The case a labeled finding and context become: one finding (its id and dedup key derived like an
 * adapter's), the context with provenance `label`, at a fixed date so results are reproducible.
 * @throws NormalizationError when the labeled finding is not a valid Finding.
 */
export function labeledCase(
  id: string,
  finding: z.output<typeof labeledFindingSchema>,
  context: z.output<typeof labeledContextSchema>,
): Case {
  const at = "2026-01-15T09:30:00.000Z";
  const { platform, resource, ...rest } = finding;
  const resourceId = `${resource.cloud}:${resource.accountId}/${resource.type}/${resource.name}`;
  const full: Finding = parseFinding(
    {
      ...rest,
      id: findingId(platform, id),
      dedupKey: dedupKey(finding.rule.id, { ...resource, id: resourceId }),
      source: {
        platform,
        nativeId: id,
        nativeSeverity: finding.severity,
        nativeStatus: "OPEN",
        fetchedAt: at,
      },
      status: "open",
      rule: { ...finding.rule, controls: [] },
      resource: { ...resource, id: resourceId, nativeType: resource.type },
      firstSeen: at,
      lastSeen: at,
    },
    platform,
  );
  const labeled = (value: unknown) => ({ value, source: "label" });
  return {
    id: `case_${id}`,
    groupKey: { rule: `${platform}:${finding.rule.id}` },
    findings: [full],
    platforms: [platform],
    severity: maxSeverity([full]),
    context: Object.fromEntries(
      Object.entries(context)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, labeled(value)]),
    ) as Case["context"],
  };
}
