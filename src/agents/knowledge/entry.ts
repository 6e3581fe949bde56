import { z } from "zod";
import type { ArchetypeMatcher } from "../../core/archetypes/matchers.js";
import { controlSchema } from "../../core/finding.js";

/** A compensating control the knowledge base suggests: what stands in for the bypassed control, and how to verify it. */
export const compensatingControlGuideSchema = z.object({
  /** What is in place instead, e.g. "A web application firewall sits in front of {{resource.name}}". */
  description: z.string().min(1),
  /** How a reviewer checks it is in place. */
  verification: z.string().min(1),
});

/** A compensating control the knowledge base suggests (see `compensatingControlGuideSchema`). */
export type CompensatingControlGuide = z.infer<typeof compensatingControlGuideSchema>;

/**
 * One archetype in the knowledge base. Text fields are templates: `{{resource.name}}`,
 * `{{resource.id}}`, `{{resource.shortId}}` (the id's last segment, for CLI arguments), `{{resource.region}}`, `{{resource.accountId}}`, `{{resource.accountName}}`,
 * `{{resource.type}}`, `{{owner}}`, `{{environment}}`, `{{dataClassification}}`, `{{rule.name}}`,
 * `{{vulnerability.cve}}`, `{{vulnerability.packageName}}`, `{{vulnerability.installedVersion}}`
 * and `{{vulnerability.fixedVersion}}` are filled per case (see `templateVariables`).
 */
export const knowledgeEntrySchema = z.object({
  /** Kebab-case archetype id, as `matchArchetype` returns it. */
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be kebab-case"),
  /** A short name for people, e.g. "Publicly readable S3 bucket". */
  title: z.string().min(1),
  /** One line naming the resource and the exact misconfiguration. */
  headline: z.string().min(1),
  /** What can go wrong, in plain words. */
  risk: z.string().min(1),
  /** The business impact: data, money, customers, obligations. */
  impact: z.string().min(1),
  /** Why the configuration is probably there, most likely first. */
  intents: z.array(z.string().min(1)).min(1),
  /** One or two exact remediation steps. */
  remediation: z.array(z.string().min(1)).min(1).max(2),
  /** Fix snippets: CLI, Terraform, policy JSON, YAML. */
  snippets: z.array(
    z.object({ language: z.string().min(1), label: z.string().min(1), code: z.string().min(1) }),
  ),
  /** Compliance controls the weakness breaks. */
  controls: z.array(controlSchema).min(1),
  /** A console link template for the resource. */
  consoleUrl: z.string().optional(),
  /**
   * What can stand in for the fix while an exception lasts, each with how to verify it. Without it, the
   * compensating controls of the entry's weakness (its control bundles) apply (`compensatingControlsFor`).
   */
  compensatingControls: z.array(compensatingControlGuideSchema).optional(),
});

/** One archetype in the knowledge base (see `knowledgeEntrySchema`). */
export type KnowledgeEntry = z.infer<typeof knowledgeEntrySchema>;

/** A knowledge entry with how to recognise it; the form `createKnowledgeBase` accepts for custom entries. */
export type KnowledgeEntryInput = KnowledgeEntry & {
  /** How findings are matched to this entry; without it the entry is reachable only by id. */
  match?: Omit<ArchetypeMatcher, "id">;
};
