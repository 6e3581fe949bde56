import { isFallbackArchetype, matchInputOf } from "../../core/archetypes/match.js";
import type { CaseContext, DataClassification, Environment } from "../../core/case.js";
import type { Finding } from "../../core/finding.js";
import { bundledFrameworkKeys } from "../compliance/framework.js";
import {
  bundledFrameworkKeyOf,
  type ComplianceMapper,
  complianceMapper,
  requirementKey,
} from "../compliance/mapping.js";
import { createTagReader } from "../enrich/normalize.js";
import type { ExceptionIndex } from "../exceptions/match.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";
import { QueryError } from "./errors.js";
import type { PostureFilters } from "./schema.js";

/** The business context a query filters on: a case's enrich context, or read from the resource's tags. */
export interface FindingContext {
  owner?: string;
  team?: string;
  environment?: Environment;
  dataClassification?: DataClassification;
  internetExposed?: boolean;
}

/** What {@link compileFilters} needs besides the filters. */
export interface EvaluationOptions {
  /** The time point ages are measured from. */
  asOf: Date;
  /** Maps findings to framework requirements. @default complianceMapper over the bundled frameworks */
  mapper?: ComplianceMapper;
  /** Gives archetypes. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
  /** The live exceptions; required by the `exception` filter. */
  exceptions?: ExceptionIndex;
  /**
   * The context of a finding. @default read from the resource's tags (the same reader enrich's
   * `fromTags` uses), or the case's context when the subject is cases
   */
  contextOf?: (finding: Finding) => FindingContext | undefined;
  /**
   * The environment of each cloud account (account / subscription / project id → environment). When
   * given, it alone decides a finding's environment: a finding in a listed account has that account's
   * environment whatever its tags or case context say, and one in an unlisted account is `unknown`.
   * This is what lets the platforms filter `environment` server-side, as a list of accounts.
   */
  accountEnvironments?: AccountEnvironments;
}

/** The environment of each cloud account (id as the cloud knows it → environment). */
export type AccountEnvironments = Readonly<Record<string, Environment>>;

/**
 * A compiled filter: call it on each finding, optionally with the context its case carries and its
 * first- and last-seen instants already parsed (a caller that keeps findings decoded parses them once,
 * not per query).
 */
export type FindingPredicate = (finding: Finding, context?: FindingContext, seen?: SeenTimes) => boolean;

/** A finding's `firstSeen` and `lastSeen`, parsed (epoch milliseconds). */
export interface SeenTimes {
  first: number;
  last: number;
}

/** Parses a finding's `firstSeen` and `lastSeen`. */
export function seenTimesOf(finding: Finding): SeenTimes {
  return { first: Date.parse(finding.firstSeen), last: Date.parse(finding.lastSeen) };
}

const day = 86_400_000;

/**
 * Compiles filters into one predicate, once: each filter becomes one check (sets, parsed instants,
 * per-rule caches), and the predicate runs only the checks the filters ask for, cheapest first.
 * @throws QueryError when `requirement` is given without `framework`, the framework is unknown, or the
 * `exception` filter is used without an exception index.
 * @example
 * const matches = compileFilters({ severity: ["critical"], olderThanDays: 30 }, { asOf: new Date() });
 * findings.filter((finding) => matches(finding));
 */
export function compileFilters(filters: PostureFilters, options: EvaluationOptions): FindingPredicate {
  const checks: FindingPredicate[] = [];
  const asOf = options.asOf.getTime();
  const inSet = <T>(values: readonly T[] | undefined, read: (finding: Finding) => T) => {
    if (!values) return;
    const wanted = new Set(values);
    checks.push((finding) => wanted.has(read(finding)));
  };
  inSet(filters.severity, (finding) => finding.severity);
  inSet(filters.status, (finding) => finding.status);
  inSet(filters.category, (finding) => finding.category);
  inSet(filters.platform, (finding) => finding.source.platform);
  inSet(filters.cloud, (finding) => finding.resource.cloud);
  inSet(filters.accountId, (finding) => finding.resource.accountId);
  inSet(filters.ruleId, (finding) => finding.rule.id);
  if (filters.region) {
    const regions = new Set(filters.region.map((region) => region.toLowerCase()));
    checks.push((finding) => regions.has(finding.resource.region?.toLowerCase() ?? ""));
  }
  if (filters.resourceType) {
    const types = filters.resourceType.map((type) => type.toLowerCase());
    checks.push((finding) => types.some((type) => isTypeOrPrefix(finding.resource.type, type)));
  }
  if (filters.resourceKind) {
    const kinds = new Set(filters.resourceKind.map((kind) => kind.toLowerCase()));
    checks.push((finding) => kinds.has(lastPart(finding.resource.type)));
  }
  if (filters.exploitable !== undefined) {
    const wanted = filters.exploitable;
    checks.push(
      (finding) =>
        (finding.vulnerability?.exploitAvailable === true ||
          finding.vulnerability?.knownExploited === true) === wanted,
    );
  }
  // Times: every bound is a number compared with the parsed `firstSeen` / `lastSeen`.
  let firstAfter = Number.NEGATIVE_INFINITY;
  let firstBefore = asOf + 1;
  if (filters.olderThanDays !== undefined)
    firstBefore = Math.min(firstBefore, asOf - filters.olderThanDays * day + 1);
  if (filters.newerThanDays !== undefined)
    firstAfter = Math.max(firstAfter, asOf - filters.newerThanDays * day);
  if (filters.firstSeen?.after) firstAfter = Math.max(firstAfter, Date.parse(filters.firstSeen.after));
  if (filters.firstSeen?.before) firstBefore = Math.min(firstBefore, Date.parse(filters.firstSeen.before));
  checks.push((finding, _context, seen) => {
    const first = seen ? seen.first : Date.parse(finding.firstSeen);
    return first >= firstAfter && first < firstBefore;
  });
  if (filters.lastSeen) {
    const after = filters.lastSeen.after ? Date.parse(filters.lastSeen.after) : Number.NEGATIVE_INFINITY;
    const before = filters.lastSeen.before ? Date.parse(filters.lastSeen.before) : Number.POSITIVE_INFINITY;
    checks.push((finding, _context, seen) => {
      const last = seen ? seen.last : Date.parse(finding.lastSeen);
      return last >= after && last < before;
    });
  }
  if (filters.archetype) {
    const archetypes = new Set(filters.archetype);
    const archetypeOf = archetypeReader(options.knowledge ?? defaultKnowledge);
    checks.push((finding) => archetypes.has(archetypeOf(finding) ?? ""));
  }
  if (filters.requirement !== undefined && filters.framework === undefined)
    throw new QueryError("query: `requirement` needs `framework` (which framework's requirement?)", {
      field: "filters.requirement",
    });
  if (filters.framework !== undefined) {
    const framework = frameworkKeyOf(filters.framework);
    const mapper = options.mapper ?? complianceMapper({ frameworks: [framework] });
    const wanted = filters.requirement === undefined ? undefined : requirementKey(filters.requirement);
    checks.push((finding) =>
      mapper
        .map(finding)
        .some(
          (mapping) =>
            mapping.framework === framework &&
            (wanted === undefined || isRequirementOrChild(requirementKey(mapping.requirement), wanted)),
        ),
    );
  }
  if (filters.exception !== undefined) {
    const index = options.exceptions;
    if (!index)
      throw new QueryError("query: the `exception` filter needs the Store's exceptions (pass `store`)", {
        field: "filters.exception",
      });
    const wanted = filters.exception === "excepted";
    checks.push((finding) => (index.match(finding, options.asOf) !== undefined) === wanted);
  }
  if (filters.environment && options.accountEnvironments) {
    const wanted = new Set<string>(filters.environment);
    const environmentOf = accountEnvironmentReader(options.accountEnvironments);
    checks.push((finding) => wanted.has(environmentOf(finding)));
  }
  const contextChecks = contextPredicates(filters, options.accountEnvironments !== undefined);
  if (contextChecks.length > 0) {
    const contextOf = options.contextOf ?? tagContext();
    checks.push((finding, context) => {
      const resolved = context ?? contextOf(finding) ?? {};
      return contextChecks.every((check) => check(resolved));
    });
  }
  const count = checks.length;
  return (finding, context, seen) => {
    for (let index = 0; index < count; index++) if (!checks[index]!(finding, context, seen)) return false;
    return true;
  };
}

/**
 * The bundled framework key a name denotes: a key itself (`pci-dss-4.0`) or a name (`PCI DSS`,
 * `SOC 2`, `NIST 800-53`).
 * @throws QueryError naming the bundled keys when none matches.
 */
export function frameworkKeyOf(name: string): string {
  const lower = name.toLowerCase();
  if ((bundledFrameworkKeys as readonly string[]).includes(lower)) return lower;
  const key = bundledFrameworkKeyOf(name);
  if (key) return key;
  throw new QueryError(
    `query: "${name}" is not a bundled framework; use one of ${bundledFrameworkKeys.join(", ")}`,
    { field: "filters.framework" },
  );
}

/** The context of a stored case, as the query reads it. */
export function caseContextOf(context: CaseContext | undefined): FindingContext | undefined {
  if (!context) return undefined;
  return {
    owner: context.owner?.value,
    team: context.team?.value,
    environment: context.environment?.value,
    dataClassification: context.dataClassification?.value,
    internetExposed: context.internetExposed?.value,
  };
}

/**
 * The context of a finding read from its resource's tags (enrich's default tag keys), cached per
 * resource for the life of the reader.
 */
export function tagContext(): (finding: Finding) => FindingContext {
  const read = createTagReader();
  const cache = new Map<string, FindingContext>();
  return (finding) => {
    const key = finding.resource.id;
    let context = cache.get(key);
    if (context === undefined) {
      const tags = read(finding.resource.tags);
      context = {
        owner: tags.owner?.value,
        team: tags.team?.value,
        environment: tags.environment?.value,
        dataClassification: tags.dataClassification?.value,
        internetExposed: tags.internetExposed?.value,
      };
      if (cache.size >= 200_000) cache.clear();
      cache.set(key, context);
    }
    return context;
  };
}

/** A finding's environment by its account: the account's mapped environment, else `unknown`. */
export function accountEnvironmentReader(
  environments: AccountEnvironments,
): (finding: Finding) => Environment {
  const byAccount = new Map(Object.entries(environments));
  return (finding) => byAccount.get(finding.resource.accountId) ?? "unknown";
}

/** The specific archetype of a finding (no category fallback), cached per rule and resource type. */
export function archetypeReader(knowledge: KnowledgeBase): (finding: Finding) => string | undefined {
  const cache = new Map<string, string | null>();
  return (finding) => {
    const key = `${finding.source.platform}\u0000${finding.rule.id}\u0000${finding.rule.name}\u0000${finding.title}\u0000${finding.category}\u0000${finding.resource.type}\u0000${finding.vulnerability?.cve ?? ""}`;
    let archetype = cache.get(key);
    if (archetype === undefined) {
      const matched = knowledge.match(matchInputOf(finding));
      archetype = matched === undefined || isFallbackArchetype(matched) ? null : matched;
      if (cache.size >= 50_000) cache.clear();
      cache.set(key, archetype);
    }
    return archetype ?? undefined;
  };
}

/** True when `requirement` is `wanted` or one of its sub-requirements (`8.3.1` under `8.3`). */
export function isRequirementOrChild(requirement: string, wanted: string): boolean {
  return requirement === wanted || requirement.startsWith(`${wanted}.`);
}

// --- Internal helpers ---------------------------------------------------------------------------------

function contextPredicates(
  filters: PostureFilters,
  byAccount: boolean,
): ((context: FindingContext) => boolean)[] {
  const checks: ((context: FindingContext) => boolean)[] = [];
  if (filters.environment && !byAccount) {
    const wanted = new Set<string>(filters.environment);
    checks.push((context) => wanted.has(context.environment ?? "unknown"));
  }
  if (filters.owner) {
    const wanted = new Set(filters.owner.map((owner) => owner.toLowerCase()));
    checks.push(
      (context) =>
        wanted.has(context.owner?.toLowerCase() ?? "\u0000") ||
        wanted.has(context.team?.toLowerCase() ?? "\u0000"),
    );
  }
  if (filters.dataClassification) {
    const wanted = new Set<string>(filters.dataClassification);
    checks.push((context) => wanted.has(context.dataClassification ?? "unknown"));
  }
  if (filters.internetExposed !== undefined) {
    const wanted = filters.internetExposed;
    checks.push((context) => (context.internetExposed === true) === wanted);
  }
  return checks;
}

function isTypeOrPrefix(type: string, wanted: string): boolean {
  return type === wanted || (type.startsWith(wanted) && type.charCodeAt(wanted.length) === 46);
}

function lastPart(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}
