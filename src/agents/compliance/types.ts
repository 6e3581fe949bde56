/** The compliance model: frameworks, their requirements and where their facts come from. */

/** Where a bundled framework's facts come from, for attribution (see NOTICE). */
export interface FrameworkSource {
  repository: string;
  paths: string[];
  commit: string;
  license: string;
}

/** One requirement of a framework and what assesses it. */
export interface Requirement {
  /** The id as the framework (or Prowler's catalog of it) writes it: `cc_6_1`, `A.8.24`, `1.2.5`. */
  id: string;
  /** One line. */
  title: string;
  section: string;
  /** Prowler check ids that assess it (the catalog route). */
  checks: readonly string[];
  /** Archetype ids that assess it directly (a framework of your own). */
  archetypes?: readonly string[];
  /** Rule ids as findings carry them (`finding.rule.id`) that assess it directly. */
  rules?: readonly string[];
}

/** A compliance framework: its requirements and where its facts come from. */
export interface Framework {
  /** What users name it by: `soc2`, `pci-dss-4.0`, `cis-aws-7.0`, or your own. */
  key: string;
  name: string;
  version?: string;
  /** Attribution of a bundled framework. */
  source?: FrameworkSource;
  requirements: readonly Requirement[];
}
