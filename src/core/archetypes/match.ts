import type { Category, Finding, Platform, Severity } from "../finding.js";
import { memoize } from "../memo.js";
import { builtInAliases } from "./aliases.js";
import type { ArchetypeMatcher } from "./matcher.js";
import { archetypeMatchers, categoryFallbacks, serviceWords, vulnerabilityArchetypes } from "./matchers.js";
import { aliasKey, embeddedIds, keywordText, ruleText } from "./text.js";

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

/** Options of {@link compileMatchers}. */
export interface CompileMatchersOptions {
  /**
   * Rule identifiers that name an archetype on any platform, keyed by `aliasKey` (`s3.8`,
   * `s3bucketpublicreadprohibited`, `lacework-global-72` → `laceworkglobal72`).
   * @default the built-in table generated from the rule catalogs; `false` for none
   */
  aliases?: ReadonlyMap<string, string> | false;
  /** Matchers tried before all of `matchers`, whatever their resource types (custom knowledge entries). */
  before?: readonly ArchetypeMatcher[];
}

/**
 * Compiles matchers into a fast, deterministic matching function. Precedence, highest first:
 * 1. an exact native rule id or rule name for the finding's platform;
 * 2. for a vulnerability with a CVE, `cve:<CVE-ID>` (dedup is per CVE; see `explanationArchetypeFor`);
 * 3. keywords in the rule name, title and identifier-like rule id (read as words), in this order of
 *    candidates: matchers for every type preferred for the finding's category (threats for a threat);
 *    the matchers of the resource type; the matchers of the services the rule names (`RDS`, `Key
 *    Vault`), in the order it names them; the matchers for every type; within each, in list order;
 * 4. an alias, when the words say nothing specific: the rule id or name (or a control id it carries,
 *    such as `S3.8` in `security-control/S3.8`) is a known identifier of an archetype: a Security Hub
 *    control, an AWS Config rule, a Prowler check, a Lacework policy. The platform's own words come
 *    first because they describe the record at hand; an identifier fills in when they are opaque;
 * 5. a category fallback (`categoryFallbacks`); otherwise `undefined`.
 * @example
 * const match = compileMatchers([...archetypeMatchers, myMatcher]);
 * match({ platform: "wiz", ruleId: "r1", ruleName: "Bucket is public", title: "…", category: "exposure", resourceType: "aws.s3.bucket" });
 */
export function compileMatchers(
  matchers: readonly ArchetypeMatcher[],
  options: CompileMatchersOptions = {},
): ArchetypeMatchFn {
  const before = options.before ?? [];
  const exact = new Map<string, string>();
  for (const matcher of [...before, ...matchers]) {
    for (const [platform, ids] of Object.entries(matcher.ruleIds ?? {})) {
      for (const id of ids ?? []) setOnce(exact, `${platform}\u0000id\u0000${id}`, matcher.id);
    }
    for (const [platform, names] of Object.entries(matcher.ruleNames ?? {})) {
      for (const name of names ?? [])
        setOnce(exact, `${platform}\u0000name\u0000${name.toLowerCase()}`, matcher.id);
    }
  }
  const aliases = options.aliases === false ? undefined : (options.aliases ?? builtInAliases());
  const engines = [...(before.length > 0 ? [keywordEngine(before)] : []), keywordEngine(matchers)];

  const byKeywords = memoize((category: string, resourceType: string, text: string): string | undefined => {
    for (const engine of engines) {
      const found = engine(category as Category, resourceType, text);
      if (found !== undefined) return found;
    }
    return undefined;
  }, MAX_CACHED_KEYS);

  const byAlias = aliases
    ? memoize((ruleId: string, ruleName: string): string | undefined => {
        for (const candidate of [ruleId, ruleName, ...embeddedIds(ruleId), ...embeddedIds(ruleName)]) {
          if (candidate === "") continue;
          const found = aliases.get(aliasKey(candidate));
          if (found !== undefined) return found;
        }
        return undefined;
      }, MAX_CACHED_KEYS)
    : undefined;

  const match = (input: MatchInput): string | undefined => {
    const byId = exact.get(`${input.platform}\u0000id\u0000${input.ruleId}`);
    if (byId) return byId;
    const byName = exact.get(`${input.platform}\u0000name\u0000${input.ruleName.toLowerCase()}`);
    if (byName) return byName;
    if (input.cve) return `cve:${input.cve.trim().toUpperCase()}`;
    return (
      byKeywords(input.category, input.resourceType.toLowerCase(), matchText(input)) ??
      byAlias?.(input.ruleId, input.ruleName) ??
      categoryFallbacks[input.category]
    );
  };
  // A finding's rule, title, category and resource type recur across a tenant's findings: the whole
  // match is computed once per distinct input (the text-keyed caches above still serve new titles).
  // Ordered so a title seen once adds one entry to an existing level. `cve` "" reads as none, as above.
  const matchOnce = memoize(
    (platform, category, resourceType, ruleId, ruleName, cve, title) =>
      match({ platform, category: category as Category, resourceType, ruleId, ruleName, cve, title }),
    MAX_CACHED_KEYS,
  );
  return (input) =>
    matchOnce(
      input.platform,
      input.category,
      input.resourceType,
      input.ruleId,
      input.ruleName,
      input.cve ?? "",
      input.title,
    );
}

/**
 * The archetype of a finding with the built-in matchers: an archetype id such as
 * `aws-s3-public-read`, `cve:<CVE-ID>` for a vulnerability, or `undefined` when nothing applies.
 * Adapters call it in `normalize` to build the `dedupKey`.
 * @example
 * matchArchetype({ platform: "wiz", ruleId: "wc-id-1", ruleName: "S3 bucket allows public read", title: "S3 bucket allows public read", category: "exposure", resourceType: "aws.s3.bucket" });
 * // → "aws-s3-public-read"
 */
export const matchArchetype: ArchetypeMatchFn = (input) => builtInMatcher()(input);

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

/** True when an archetype id is a category fallback (`threat-detected`…), not a specific archetype. */
export function isFallbackArchetype(archetypeId: string): boolean {
  return fallbackIds.has(archetypeId);
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

// Internal helpers.

interface Compiled {
  id: string;
  order: number;
  groups: RegExp[];
  exclude: RegExp | undefined;
  categories: readonly Category[] | undefined;
}

type Engine = (category: Category, resourceType: string, text: string) => string | undefined;

/** The keyword stage over one list of matchers (see the precedence in {@link compileMatchers}). */
function keywordEngine(matchers: readonly ArchetypeMatcher[]): Engine {
  const byPrefix = new Map<string, Compiled[]>();
  const anyType: Compiled[] = [];
  const preferred = new Map<Category, Compiled[]>();
  matchers.forEach((matcher, order) => {
    const compiled: Compiled = {
      id: matcher.id,
      order,
      groups: matcher.keywords.map(keywordRegExp),
      exclude: matcher.exclude && matcher.exclude.length > 0 ? keywordRegExp(matcher.exclude) : undefined,
      categories: matcher.categories,
    };
    for (const prefix of matcher.resourceTypes) {
      if (prefix === "*") {
        anyType.push(compiled);
        for (const category of matcher.preferredFor ?? []) {
          preferred.set(category, [...(preferred.get(category) ?? []), compiled]);
        }
        continue;
      }
      const list = byPrefix.get(prefix) ?? [];
      list.push(compiled);
      byPrefix.set(prefix, list);
    }
  });
  const services = compileServices(byPrefix);

  /** The matchers of a resource type's prefixes, in list order, and the prefixes that had any. */
  const ofType = memoize((resourceType: string): { candidates: Compiled[]; prefixes: Set<string> } => {
    const merged = new Set<Compiled>();
    const prefixes = new Set<string>();
    const parts = resourceType.split(".");
    for (let length = 1; length <= parts.length; length++) {
      const prefix = parts.slice(0, length).join(".");
      const list = byPrefix.get(prefix);
      if (!list) continue;
      prefixes.add(prefix);
      for (const compiled of list) merged.add(compiled);
    }
    return { candidates: [...merged].sort((a, b) => a.order - b.order), prefixes };
  }, MAX_CACHED_KEYS);

  // Many matchers share a keyword group (a service's required words, a problem kind's keywords), and
  // `keywordRegExp` returns one RegExp per distinct group: each is tested once per text.
  const first = (
    candidates: Iterable<Compiled>,
    category: Category,
    text: string,
    tested: Map<RegExp, boolean>,
  ): string | undefined => {
    const hits = (group: RegExp) => {
      let hit = tested.get(group);
      if (hit === undefined) {
        hit = group.test(text);
        tested.set(group, hit);
      }
      return hit;
    };
    for (const candidate of candidates) {
      if (candidate.categories && !candidate.categories.includes(category)) continue;
      if (candidate.exclude && hits(candidate.exclude)) continue;
      if (candidate.groups.every(hits)) return candidate.id;
    }
    return undefined;
  };

  return (category, resourceType, text) => {
    const tested = new Map<RegExp, boolean>();
    const preferredFirst = preferred.get(category);
    const early = preferredFirst ? first(preferredFirst, category, text, tested) : undefined;
    if (early !== undefined) return early;
    const typed = ofType(resourceType);
    const byType = first(typed.candidates, category, text, tested);
    if (byType !== undefined) return byType;
    const dot = resourceType.indexOf(".");
    const cloud = dot > 0 ? resourceType.slice(0, dot) : resourceType;
    const tried = new Set(typed.candidates);
    for (const prefix of services(text, cloud)) {
      if (typed.prefixes.has(prefix)) continue;
      const list = (byPrefix.get(prefix) ?? []).filter((compiled) => !tried.has(compiled));
      const found = first(list, category, text, tested);
      if (found !== undefined) return found;
      for (const compiled of list) tried.add(compiled);
    }
    return first(anyType, category, text, tested);
  };
}

/**
 * The services a text names, per cloud, in the order it names them (a prefix of `serviceWords` that
 * has matchers). A resource type of an unknown cloud (`other…`) considers every cloud; Kubernetes
 * words count on every cloud.
 */
function compileServices(
  byPrefix: ReadonlyMap<string, Compiled[]>,
): (text: string, cloud: string) => string[] {
  const perCloud = new Map<string, { pattern: RegExp; prefixesOf: Map<string, string[]> }>();
  const all = new Map<string, string[]>();
  const add = (cloud: string, word: string, prefix: string) => {
    let entry = perCloud.get(cloud);
    if (!entry) {
      entry = { pattern: /$^/, prefixesOf: new Map() };
      perCloud.set(cloud, entry);
    }
    const key = keywordText(word);
    entry.prefixesOf.set(key, [...(entry.prefixesOf.get(key) ?? []), prefix]);
  };
  for (const [prefix, words] of Object.entries(serviceWords)) {
    if (!byPrefix.has(prefix)) continue;
    const cloud = prefix.split(".")[0] as string;
    for (const word of words) {
      add(cloud, word, prefix);
      if (cloud === "kubernetes") for (const other of ["aws", "azure", "gcp"]) add(other, word, prefix);
      const key = keywordText(word);
      all.set(key, [...(all.get(key) ?? []), prefix]);
    }
  }
  for (const entry of perCloud.values()) entry.pattern = wordsRegExp([...entry.prefixesOf.keys()]);
  const anyCloud = { pattern: wordsRegExp([...all.keys()]), prefixesOf: all };

  return (text, cloud) => {
    const entry = perCloud.get(cloud) ?? anyCloud;
    const found: string[] = [];
    for (const match of text.matchAll(entry.pattern)) {
      for (const prefix of entry.prefixesOf.get(match[0]) ?? []) {
        if (!found.includes(prefix)) found.push(prefix);
      }
    }
    return found;
  };
}

/** The text keywords are tested against: rule name, title and an identifier-like rule id, as words. */
function matchText(input: MatchInput): string {
  let text = wordsOf(input.ruleName);
  if (input.title !== input.ruleName && input.title !== "") text = join(text, wordsOf(input.title));
  if (input.ruleId !== input.ruleName && input.ruleId !== input.title)
    text = join(text, idWordsOf(input.ruleId));
  return text;
}

function join(text: string, more: string): string {
  return text === "" ? more : more === "" ? text : `${text}\n${more}`;
}

/**
 * A part of a rule's name as words; rule names and titles repeat across a tenant's findings, so each is
 * read once. A leading `[DEPRECATED]` (Prowler marks retired checks so) says nothing about the problem.
 */
const wordsOf = memoize(
  (part: string): string =>
    ruleText(part.charCodeAt(0) === 91 /* [ */ ? part.replace(/^\[deprecated\]\s*/i, "") : part),
  MAX_CACHED_KEYS,
);

/**
 * A rule id as words when it is an identifier made of words (`s3_bucket_public_access`,
 * `s3-bucket-public-read-prohibited`: three or more words), else "". Opaque ids (`wc-id-123`,
 * `lacework-global-45`), ARNs and paths say nothing about the problem.
 */
const idWordsOf = memoize((ruleId: string): string => {
  if (/[:/\s]/.test(ruleId)) return "";
  const words = ruleId.split(/[_.-]+/).filter((part) => /^[a-z][a-z0-9]+$/i.test(part));
  return words.length >= 3 ? wordsOf(ruleId) : "";
}, MAX_CACHED_KEYS);

/**
 * One regex, for lower-cased text, that hits when any keyword starts at a word boundary; keywords of
 * three characters or fewer must also end at one (`log` does not hit `login`, `rds` does not hit `rdsx`).
 */
function keywordRegExp(keywords: readonly string[]): RegExp {
  const key = keywords.join("\u0000");
  let compiled = compiledGroups.get(key);
  if (compiled === undefined) {
    compiled = compileKeywords(keywords);
    compiledGroups.set(key, compiled);
  }
  return compiled;
}

/** Compiled keyword groups by their keywords: identical groups share one RegExp (see `first`). */
const compiledGroups = new Map<string, RegExp>();

function compileKeywords(keywords: readonly string[]): RegExp {
  const alternatives = keywords.map((keyword) => {
    const text = keywordText(keyword);
    const escaped = text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const start = /^\w/.test(text) ? "\\b" : "";
    const end = (text.length <= 3 && /\w$/.test(text)) || /\d$/.test(text) ? "\\b" : "";
    return `${start}${escaped}${end}`;
  });
  return new RegExp(alternatives.join("|"));
}

/** Like {@link keywordRegExp}, global, longest alternatives first, so `matchAll` returns the words found. */
function wordsRegExp(words: readonly string[]): RegExp {
  const sorted = [...words].sort((a, b) => b.length - a.length);
  return new RegExp(
    sorted
      .map((word) => {
        const escaped = word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
        const end = (word.length <= 3 && /\w$/.test(word)) || /\d$/.test(word) ? "\\b" : "";
        return `${/^\w/.test(word) ? "\\b" : ""}${escaped}${end}`;
      })
      .join("|"),
    "g",
  );
}

function setOnce(map: Map<string, string>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, value);
}

const fallbackIds: ReadonlySet<string> = new Set(Object.values(categoryFallbacks));

// The built-in matcher is compiled on first use, not when an adapter is imported.
let builtIn: ArchetypeMatchFn | undefined;
function builtInMatcher(): ArchetypeMatchFn {
  builtIn ??= compileMatchers(archetypeMatchers);
  return builtIn;
}
