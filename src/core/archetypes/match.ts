import type { Category, Finding, Platform, Severity } from "../finding.js";
import { memoize } from "../memo.js";
import {
  type ArchetypeMatcher,
  archetypeMatchers,
  categoryFallbacks,
  vulnerabilityArchetypes,
} from "./matchers.js";

/** How many resource types and keyword texts each compiled matcher remembers. */
const MAX_CACHED_KEYS = 4096;

/** What the matcher needs to know about a finding; every field is already on a normalized Finding. */
export interface MatchInput {
  platform: Platform;
  ruleId: string;
  ruleName: string;
  title: string;
  category: Category;
  /** Normalized `<cloud>.<service>.<kind>`. */
  resourceType: string;
  cve?: string;
}

/** A compiled matcher function. */
export type ArchetypeMatchFn = (input: MatchInput) => string | undefined;

/**
 * Compiles matchers into a fast, deterministic matching function. Precedence, highest first:
 * 1. an exact native rule id or rule name for the finding's platform;
 * 2. for a vulnerability with a CVE, `cve:<CVE-ID>` (dedup is per CVE; see `explanationArchetypeFor`);
 * 3. keywords in the rule name or title, among the matchers for the resource type, in list order;
 * 4. a category fallback (`categoryFallbacks`); otherwise `undefined`.
 * @example
 * const match = compileMatchers([...archetypeMatchers, myMatcher]);
 * match({ platform: "wiz", ruleId: "r1", ruleName: "Bucket is public", title: "…", category: "exposure", resourceType: "aws.s3.bucket" });
 */
export function compileMatchers(matchers: readonly ArchetypeMatcher[]): ArchetypeMatchFn {
  const exact = new Map<string, string>();
  const byPrefix = new Map<string, Compiled[]>();
  matchers.forEach((matcher, order) => {
    for (const [platform, ids] of Object.entries(matcher.ruleIds ?? {})) {
      for (const id of ids ?? []) setOnce(exact, `${platform}\u0000id\u0000${id}`, matcher.id);
    }
    for (const [platform, names] of Object.entries(matcher.ruleNames ?? {})) {
      for (const name of names ?? [])
        setOnce(exact, `${platform}\u0000name\u0000${name.toLowerCase()}`, matcher.id);
    }
    const compiled: Compiled = {
      id: matcher.id,
      order,
      groups: matcher.keywords.map(keywordRegExp),
      exclude: matcher.exclude && matcher.exclude.length > 0 ? keywordRegExp(matcher.exclude) : undefined,
      categories: matcher.categories,
    };
    for (const prefix of matcher.resourceTypes) {
      const list = byPrefix.get(prefix) ?? [];
      list.push(compiled);
      byPrefix.set(prefix, list);
    }
  });

  const candidatesFor = memoize((resourceType: string): Compiled[] => {
    const merged = new Set<Compiled>(byPrefix.get("*"));
    const parts = resourceType.split(".");
    for (let length = 1; length <= parts.length; length++) {
      for (const compiled of byPrefix.get(parts.slice(0, length).join(".")) ?? []) merged.add(compiled);
    }
    return [...merged].sort((a, b) => a.order - b.order);
  }, MAX_CACHED_KEYS);
  // Keyword matching is the costly step and depends only on these three values, which repeat across
  // every finding of a rule: key `category\0resourceType\0text`.
  const byKeywords = memoize((category: string, resourceType: string, text: string): string | undefined => {
    for (const candidate of candidatesFor(resourceType)) {
      if (candidate.categories && !candidate.categories.includes(category as Category)) continue;
      if (candidate.exclude?.test(text)) continue;
      if (candidate.groups.every((group) => group.test(text))) return candidate.id;
    }
    return categoryFallbacks[category as Category];
  }, MAX_CACHED_KEYS);

  return (input) => {
    const byId = exact.get(`${input.platform}\u0000id\u0000${input.ruleId}`);
    if (byId) return byId;
    const byName = exact.get(`${input.platform}\u0000name\u0000${input.ruleName.toLowerCase()}`);
    if (byName) return byName;
    if (input.cve) return `cve:${input.cve.trim().toUpperCase()}`;
    const text = input.ruleName === input.title ? input.title : `${input.ruleName}\n${input.title}`;
    return byKeywords(input.category, input.resourceType.toLowerCase(), text.toLowerCase());
  };
}

/**
 * The archetype of a finding with the built-in matchers: an archetype id such as
 * `aws-s3-public-read`, `cve:<CVE-ID>` for a vulnerability, or `undefined` when nothing applies.
 * Adapters call it in `normalize` to build the `dedupKey`.
 * @example
 * matchArchetype({ platform: "wiz", ruleId: "wc-id-1", ruleName: "S3 bucket allows public read", title: "S3 bucket allows public read", category: "exposure", resourceType: "aws.s3.bucket" });
 * // → "aws-s3-public-read"
 */
export const matchArchetype: ArchetypeMatchFn = compileMatchers(archetypeMatchers);

/** The matcher input of a normalized finding. */
export function matchInputOf(finding: Finding): MatchInput {
  return {
    platform: finding.source.platform,
    ruleId: finding.rule.id,
    ruleName: finding.rule.name,
    title: finding.title,
    category: finding.category,
    resourceType: finding.resource.type,
    cve: finding.vulnerability?.cve,
  };
}

/**
 * The rule key that deduplicates and groups findings: the specific archetype (per CVE for a
 * vulnerability), else `platform:ruleId`. Category fallbacks ("some threat") never serve as a key,
 * so two unrelated rules on one resource never share a `dedupKey` or a case.
 * @example
 * ruleKeyFor({ platform: "wiz", ruleId: "r1", ruleName: "S3 bucket allows public read", … }); // "aws-s3-public-read"
 */
export function ruleKeyFor(input: MatchInput): string {
  const archetype = matchArchetype(input);
  return archetype !== undefined && !fallbackIds.has(archetype)
    ? archetype
    : `${input.platform}:${input.ruleId}`;
}

/** What `explanationArchetypeFor` needs to know about a vulnerability. */
export interface VulnerabilityFacts {
  severity?: Severity;
  exploitAvailable?: boolean;
  knownExploited?: boolean;
}

/**
 * The knowledge-base archetype that explains a matched id. A dedup id `cve:<CVE-ID>` maps to
 * `log4shell-class-rce` for the Log4Shell CVEs, to `exploitable-critical-cve` when the CVE is
 * critical, has a public exploit or is known-exploited, and to `vulnerable-package` otherwise; any
 * other id is returned as is.
 * @example
 * explanationArchetypeFor("cve:CVE-2021-44228"); // → "log4shell-class-rce"
 */
export function explanationArchetypeFor(archetypeId: string, facts: VulnerabilityFacts = {}): string {
  if (!archetypeId.startsWith("cve:")) return archetypeId;
  const cve = archetypeId.slice(4);
  if ((vulnerabilityArchetypes.log4shell.cves as readonly string[]).includes(cve)) {
    return vulnerabilityArchetypes.log4shell.id;
  }
  if (facts.severity === "critical" || facts.exploitAvailable || facts.knownExploited) {
    return vulnerabilityArchetypes.exploitable.id;
  }
  return vulnerabilityArchetypes.generic.id;
}

interface Compiled {
  id: string;
  order: number;
  groups: RegExp[];
  exclude: RegExp | undefined;
  categories: readonly Category[] | undefined;
}

/** One regex, for lower-cased text, that hits when any keyword starts at a word boundary. */
function keywordRegExp(keywords: readonly string[]): RegExp {
  const alternatives = keywords.map((keyword) => {
    const escaped = keyword.toLowerCase().replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    return /^\w/.test(keyword) ? `\\b${escaped}` : escaped;
  });
  return new RegExp(alternatives.join("|"));
}

function setOnce(map: Map<string, string>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, value);
}

const fallbackIds: ReadonlySet<string> = new Set(Object.values(categoryFallbacks));
