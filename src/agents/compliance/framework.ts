import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";
import { formatPath } from "../../core/finding.js";
import { bundledCatalog } from "./catalog-table.js";
import type { Framework } from "./types.js";

export type { Framework, FrameworkSource, Requirement } from "./types.js";

/** The shape of a framework of your own, as {@link defineFramework} and {@link loadFramework} accept it. */
export const frameworkInputSchema = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a lower-case key of letters, digits, ., - and _"),
  name: z.string().min(1),
  version: z.string().optional(),
  requirements: z
    .array(
      z.object({
        id: z.string().min(1),
        title: z.string().min(1),
        section: z.string().default(""),
        checks: z.array(z.string().min(1)).default([]),
        archetypes: z.array(z.string().min(1)).optional(),
        rules: z.array(z.string().min(1)).optional(),
      }),
    )
    .min(1),
});
/** A framework of your own before validation. */
export type FrameworkInput = z.input<typeof frameworkInputSchema>;

/** Keys of the bundled frameworks, in the order {@link bundledFrameworks} returns them. */
export const bundledFrameworkKeys = [
  "soc2",
  "iso27001-2022",
  "pci-dss-4.0",
  "hipaa",
  "nist-800-53-r5",
  "nist-csf-2.0",
  "cis-aws-7.0",
  "cis-azure-6.0",
  "cis-gcp-5.0",
  "cis-kubernetes-2.0.1",
] as const;
/** The key of a bundled framework. */
export type BundledFrameworkKey = (typeof bundledFrameworkKeys)[number];

/**
 * The bundled framework catalogs (SOC 2, ISO 27001:2022, PCI DSS 4.0, HIPAA Security Rule, NIST
 * 800-53 r5, NIST CSF 2.0, CIS AWS 7.0, Azure 6.0, GCP 5.0, Kubernetes 2.0.1), from Prowler's
 * compliance files (Apache-2.0; see NOTICE), or only those named.
 * @throws ConfigurationError naming a key that is not bundled.
 * @example
 * const [soc2] = bundledFrameworks(["soc2"]);
 */
export function bundledFrameworks(keys?: readonly string[]): Framework[] {
  const all = bundledCatalog().frameworks;
  if (keys === undefined) return [...all];
  return keys.map((key) => {
    const framework = all.find((candidate) => candidate.key === key);
    if (!framework)
      throw new ConfigurationError(
        `compliance: no bundled framework "${key}"; bundled: ${bundledFrameworkKeys.join(", ")}`,
        { option: "frameworks" },
      );
    return framework;
  });
}

/**
 * Validates a framework of your own: requirement ids, titles, sections and what assesses each
 * (Prowler `checks`, `archetypes`, or `rules` as findings name them).
 * @throws ConfigurationError naming the first invalid field, or a repeated requirement id.
 * @example
 * const internal = defineFramework({
 *   key: "acme-baseline",
 *   name: "ACME cloud baseline",
 *   requirements: [{ id: "ACME-1", title: "No public buckets", archetypes: ["aws-s3-public-read"] }],
 * });
 */
export function defineFramework(input: FrameworkInput): Framework {
  const result = frameworkInputSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigurationError(
      `compliance: invalid framework at ${formatPath(issue.path as (string | number)[])}: ${issue.message}`,
      { option: "framework", cause: result.error },
    );
  }
  const seen = new Set<string>();
  for (const requirement of result.data.requirements) {
    if (seen.has(requirement.id))
      throw new ConfigurationError(
        `compliance: framework "${result.data.key}" lists requirement "${requirement.id}" twice`,
        { option: "framework" },
      );
    seen.add(requirement.id);
  }
  return result.data;
}

/**
 * Reads a framework of your own from JSON or YAML text (the shape of {@link defineFramework}).
 * @throws ConfigurationError when the text does not parse or the framework is invalid.
 * @example
 * const framework = loadFramework(await readFile("acme-baseline.yaml", "utf8"));
 */
export function loadFramework(text: string): Framework {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigurationError(
      `compliance: the framework file does not parse: ${(error as Error).message}`,
      {
        option: "framework",
        cause: error,
      },
    );
  }
  return defineFramework(value as FrameworkInput);
}
