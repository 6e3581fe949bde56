import { isFallbackArchetype, matchInputOf } from "../../core/archetypes/match.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Control, Finding } from "../../core/finding.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";
import { bundledCatalog } from "./catalog-table.js";
import { bundledFrameworks } from "./framework.js";
import type { Framework, Requirement } from "./types.js";

/**
 * How a finding reached a requirement: what the `vendor` says (the controls its adapter kept from
 * Wiz security sub-categories, Prisma compliance metadata, Lacework report names…), the framework
 * `catalog` (the finding's archetype or rule → Prowler checks → requirements, or a framework of your
 * own naming the archetype or rule), or the `knowledge-base` entry of its archetype.
 */
export type MappingRoute = "vendor" | "catalog" | "knowledge-base";

/** One requirement a finding maps to, and the route it came by. */
export interface RequirementMapping {
  /** The framework's key (`soc2`). */
  framework: string;
  /** The requirement's id as the framework writes it (`cc_6_1`). */
  requirement: string;
  route: MappingRoute;
  /** What the route went through: `SOC 2 CC6.1`, `archetype aws-s3-public-read → s3_bucket_public_access`, `check s3_bucket_public_access`. */
  via: string;
}

/** Options of {@link complianceMapper}. */
export interface ComplianceMapperOptions {
  /** Bundled framework keys or frameworks of your own. @default every bundled framework */
  frameworks?: readonly (string | Framework)[];
  /** Gives archetypes and their controls. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
}

/** Maps findings to the requirements of a set of frameworks. */
export interface ComplianceMapper {
  readonly frameworks: readonly Framework[];
  /** Every requirement the finding maps to, once per framework, requirement and route. */
  map(finding: Finding): RequirementMapping[];
  /** True when the requirement has something that assesses it (a check, an archetype or a rule). */
  isAssessable(framework: string, requirement: string): boolean;
}

/**
 * Builds a mapper from findings to framework requirements through three routes, each mapping
 * naming its own: vendor, catalog and knowledge base. Results are cached per rule, so mapping many
 * findings of few rules is cheap.
 * @example
 * const mapper = complianceMapper({ frameworks: ["soc2", "pci-dss-4.0"] });
 * mapper.map(finding); // [{ framework: "soc2", requirement: "cc_6_1", route: "catalog", via: "archetype … → s3_bucket_public_access" }, …]
 */
export function complianceMapper(options: ComplianceMapperOptions = {}): ComplianceMapper {
  const knowledge = options.knowledge ?? defaultKnowledge;
  const frameworks = resolveFrameworks(options.frameworks);
  const { archetypeChecks } = bundledCatalog();
  const indexes = frameworks.map(indexFramework);
  const knownChecks = new Set<string>();
  for (const index of indexes) for (const check of index.byCheck.keys()) knownChecks.add(check);
  const cache = new Map<string, RequirementMapping[]>();

  const compute = (finding: Finding): RequirementMapping[] => {
    const found = new Map<string, RequirementMapping>();
    const add = (framework: string, requirement: string, route: MappingRoute, via: string) => {
      const key = `${framework}\u0000${requirement}\u0000${route}`;
      if (!found.has(key)) found.set(key, { framework, requirement, route, via });
    };
    const archetype = specific(knowledge.match(matchInputOf(finding)));
    const checks: [check: string, via: string][] = [];
    if (knownChecks.has(finding.rule.id)) checks.push([finding.rule.id, `check ${finding.rule.id}`]);
    if (archetype)
      for (const check of archetypeChecks.get(archetype) ?? [])
        checks.push([check, `archetype ${archetype} → ${check}`]);
    const kbControls = archetype ? (knowledge.get(archetype)?.controls ?? []) : [];
    for (const index of indexes) {
      const key = index.framework.key;
      for (const control of finding.rule.controls)
        for (const requirement of index.controlRequirements(control))
          add(key, requirement, "vendor", `${control.framework} ${control.control}`);
      for (const [check, via] of checks)
        for (const requirement of index.byCheck.get(check) ?? []) add(key, requirement, "catalog", via);
      for (const requirement of index.byRule.get(finding.rule.id) ?? [])
        add(key, requirement, "catalog", `rule ${finding.rule.id}`);
      if (archetype)
        for (const requirement of index.byArchetype.get(archetype) ?? [])
          add(key, requirement, "catalog", `archetype ${archetype}`);
      for (const control of kbControls)
        for (const requirement of index.controlRequirements(control))
          add(
            key,
            requirement,
            "knowledge-base",
            `archetype ${archetype}: ${control.framework} ${control.control}`,
          );
    }
    return [...found.values()];
  };

  return {
    frameworks,
    map(finding) {
      const key = cacheKey(finding);
      let mappings = cache.get(key);
      if (mappings === undefined) {
        mappings = compute(finding);
        if (cache.size >= 50_000) cache.clear();
        cache.set(key, mappings);
      }
      return mappings;
    },
    isAssessable(framework, requirement) {
      return indexes.find((index) => index.framework.key === framework)?.assessable.has(requirement) ?? false;
    },
  };
}

/**
 * The bundled framework a vendor's or the knowledge base's framework name denotes (`SOC 2`,
 * `PCI DSS v4.0.1`, `CIS Amazon Web Services Foundations Benchmark v7.0.0`), or `undefined` when none
 * does — a CIS benchmark of another version is another framework.
 * @example
 * bundledFrameworkKeyOf("NIST SP 800-53 Rev. 5"); // "nist-800-53-r5"
 */
export function bundledFrameworkKeyOf(name: string): string | undefined {
  const text = name.toLowerCase();
  // The major version written as `v4.0.1`, `4.0` or `2.0`, ignoring the numbers in the framework's name.
  const major = /\bv?(\d+)(?:\.\d+)+\b|\bv(\d+)\b/.exec(
    text.replace(/800-53|27001(:\d+)?|\bsoc\s*-?2\b/g, ""),
  );
  const version = major?.[1] ?? major?.[2];
  const when = (expected: string, key: string) =>
    version === undefined || version === expected ? key : undefined;
  if (/\bsoc\s*-?2\b/.test(text)) return "soc2";
  if (/27001/.test(text)) return /2013/.test(text) ? undefined : "iso27001-2022";
  if (/\bpci\b/.test(text)) return when("4", "pci-dss-4.0");
  if (/hipaa/.test(text)) return "hipaa";
  if (/800-53/.test(text)) return /rev(ision)?\.?\s*4|\br4\b/.test(text) ? undefined : "nist-800-53-r5";
  if (/\bcsf\b|cybersecurity framework/.test(text)) return when("2", "nist-csf-2.0");
  if (/\bcis\b/.test(text)) {
    const cloud = /\b(aws|amazon)\b/.test(text)
      ? ["cis-aws-7.0", "7"]
      : /\b(azure|microsoft)\b/.test(text)
        ? ["cis-azure-6.0", "6"]
        : /\b(gcp|google)\b/.test(text)
          ? ["cis-gcp-5.0", "5"]
          : /\bkubernetes\b/.test(text) && !/\b(eks|gke|aks)\b/.test(text)
            ? ["cis-kubernetes-2.0.1", "2"]
            : undefined;
    return cloud && version === cloud[1] ? cloud[0] : undefined;
  }
  return undefined;
}

/**
 * The form under which two spellings of one requirement id compare equal: lower case, letters and
 * digits split into dotted parts, so `CC6.1` and `cc_6_1`, `AC-6(5)` and `ac_6_5`, `164.312(a)(1)` and
 * `164_312_a_1` meet.
 */
export function requirementKey(id: string): string {
  return id
    .toLowerCase()
    .replace(/([a-z])(?=\d)|(\d)(?=[a-z])/g, "$1$2.")
    .replace(/[^a-z0-9]+/g, ".")
    .replace(/^\.+|\.+$/g, "");
}

// --- Internal helpers ---------------------------------------------------------------------------------

interface FrameworkIndex {
  framework: Framework;
  byCheck: Map<string, string[]>;
  byRule: Map<string, string[]>;
  byArchetype: Map<string, string[]>;
  assessable: Set<string>;
  /** Requirements a control names, when the control's framework is this one. */
  controlRequirements(control: Control): readonly string[];
}

function resolveFrameworks(frameworks: ComplianceMapperOptions["frameworks"]): Framework[] {
  if (frameworks === undefined) return bundledFrameworks();
  const resolved = frameworks.map((framework) =>
    typeof framework === "string" ? bundledFrameworks([framework])[0]! : framework,
  );
  const keys = new Set<string>();
  for (const framework of resolved) {
    if (keys.has(framework.key))
      throw new ConfigurationError(`compliance: framework "${framework.key}" is given twice`, {
        option: "frameworks",
      });
    keys.add(framework.key);
  }
  return resolved;
}

function indexFramework(framework: Framework): FrameworkIndex {
  const byCheck = new Map<string, string[]>();
  const byRule = new Map<string, string[]>();
  const byArchetype = new Map<string, string[]>();
  const byKey = new Map<string, string>();
  const assessable = new Set<string>();
  const push = (map: Map<string, string[]>, key: string, requirement: Requirement) => {
    const list = map.get(key);
    if (list) list.push(requirement.id);
    else map.set(key, [requirement.id]);
    assessable.add(requirement.id);
  };
  for (const requirement of framework.requirements) {
    for (const check of requirement.checks) push(byCheck, check, requirement);
    for (const rule of requirement.rules ?? []) push(byRule, rule, requirement);
    for (const archetype of requirement.archetypes ?? []) push(byArchetype, archetype, requirement);
    byKey.set(requirementKey(requirement.id), requirement.id);
    // Titles often start with the id as the framework writes it: `CC6.1 …`, `AC-2(1) …`, `GV.OC-1`.
    const leading = /^\S*\d\S*/.exec(requirement.title)?.[0];
    if (leading && !byKey.has(requirementKey(leading))) byKey.set(requirementKey(leading), requirement.id);
  }
  const frameworkOf = new Map<string, boolean>();
  return {
    framework,
    byCheck,
    byRule,
    byArchetype,
    assessable,
    controlRequirements(control) {
      let mine = frameworkOf.get(control.framework);
      if (mine === undefined) {
        mine =
          control.framework === framework.key ||
          control.framework === framework.name ||
          bundledFrameworkKeyOf(control.framework) === framework.key;
        frameworkOf.set(control.framework, mine);
      }
      if (!mine) return [];
      // A sub-requirement the catalog does not list counts against the nearest one it does.
      let key = requirementKey(control.control);
      while (key !== "") {
        const requirement = byKey.get(key);
        if (requirement !== undefined) return [requirement];
        key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
      }
      return [];
    },
  };
}

function specific(archetype: string | undefined): string | undefined {
  return archetype !== undefined && !isFallbackArchetype(archetype) && !archetype.startsWith("cve:")
    ? archetype
    : undefined;
}

function cacheKey(finding: Finding): string {
  let key = `${finding.source.platform}\u0000${finding.rule.id}\u0000${finding.rule.name}\u0000${finding.title}\u0000${finding.category}\u0000${finding.resource.type}\u0000${finding.vulnerability?.cve ?? ""}`;
  for (const control of finding.rule.controls) key += `\u0000${control.framework}\u0001${control.control}`;
  return key;
}
