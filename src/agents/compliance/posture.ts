import type { Finding } from "../../core/finding.js";
import type { ComplianceMapper, MappingRoute, RequirementMapping } from "./mapping.js";

/**
 * A requirement's status: `fail` when an open finding maps to it and no exception covers it, `pass`
 * when something assesses it (a check, archetype or rule, or a finding that maps to it) and nothing
 * fails, `not-assessed` when nothing does — never `pass`.
 */
export type RequirementStatus = "pass" | "fail" | "not-assessed";

/** A risk acceptance or exception that keeps findings from failing their requirements while in force. */
export interface ComplianceException {
  id: string;
  /** Findings it covers. */
  findingIds?: readonly string[];
  /** Resources it covers (every finding on them). */
  resourceIds?: readonly string[];
  reason: string;
  approvedBy?: string;
  approvedAt?: string;
  /** After this instant (ISO-8601) it no longer applies. */
  expiresAt?: string;
  /** The ticket or change that records it. */
  ticket?: string;
}

/** Which findings an assessment covers: all conditions must hold. */
export interface ComplianceScope {
  /** Names the scope in snapshots; @default a key built from the conditions, or `all` */
  name?: string;
  accounts?: readonly string[];
  /** Resource tags that must all match (`{ "business-unit": "payments" }`). */
  tags?: Readonly<Record<string, string>>;
}

/** Options of {@link assessCompliance}. */
export interface AssessComplianceOptions {
  mapper: ComplianceMapper;
  /** The instant assessed; exceptions expired by then, or approved after it, do not apply. @default now */
  at?: Date | string;
  scope?: ComplianceScope;
  exceptions?: readonly ComplianceException[];
  /** Assess only these of the mapper's frameworks. @default all of them */
  frameworks?: readonly string[];
}

/** A route a requirement's findings came by, and what it went through. */
export interface MappingRouteUse {
  route: MappingRoute;
  via: string;
}

/** One requirement as assessed, with the facts behind its status. */
export interface AssessedRequirement {
  id: string;
  title: string;
  section: string;
  status: RequirementStatus;
  /** Open findings not covered by an exception. */
  failing: string[];
  /** The resources of the failing findings, with how many failing findings each has, by id. */
  failingResources: { id: string; findings: number }[];
  /** Findings that map to it and are resolved, or excepted. */
  passing: string[];
  /** Exceptions in force that cover findings mapped to it (ids). */
  exceptions: string[];
  /** The routes its findings came by, with what they went through. */
  routes: MappingRouteUse[];
}

/** The assessment of one framework in one scope. */
export interface FrameworkAssessment {
  framework: string;
  name: string;
  version?: string;
  scope: string;
  at: string;
  /** Findings in scope. */
  findingCount: number;
  requirements: AssessedRequirement[];
}

/**
 * A compact record of one assessment: per requirement its status, failing resources and exceptions
 * in force; no findings. Its size grows with requirements and failing resources, not findings.
 */
export interface PostureSnapshot {
  framework: string;
  scope: string;
  at: string;
  findingCount: number;
  pass: string[];
  notAssessed: string[];
  /** Failing requirement → failing resource ids. */
  fail: Record<string, string[]>;
  /** Requirement → exception ids in force. */
  exceptions: Record<string, string[]>;
}

/**
 * Assesses findings against every framework of the mapper, in one scope and at one instant.
 * @example
 * const [soc2] = assessCompliance(findings, { mapper: complianceMapper({ frameworks: ["soc2"] }) });
 * soc2.requirements.filter((requirement) => requirement.status === "fail");
 */
export function assessCompliance(
  findings: Iterable<Finding>,
  options: AssessComplianceOptions,
): FrameworkAssessment[] {
  const list = Array.isArray(findings) ? (findings as readonly Finding[]) : [...findings];
  const idsOf = (positions: readonly number[]) => positions.map((position) => list[position]!.id);
  return assessPositions(list, options).map((assessment) => ({
    ...assessment,
    requirements: assessment.requirements.map((requirement) => ({
      ...requirement,
      failing: idsOf(requirement.failing),
      passing: idsOf(requirement.passing),
    })),
  }));
}

/** An assessed requirement whose findings are positions in the assessed list, not ids. */
export interface PositionedRequirement extends Omit<AssessedRequirement, "failing" | "passing"> {
  failing: number[];
  passing: number[];
}

/**
 * {@link assessCompliance} naming findings by their position in `findings`: what evidence packs
 * read, so they look findings up in an array instead of a map of ids.
 */
export function assessPositions(
  findings: readonly Finding[],
  options: AssessComplianceOptions,
): (Omit<FrameworkAssessment, "requirements"> & { requirements: PositionedRequirement[] })[] {
  const at = new Date(options.at ?? Date.now()).toISOString();
  const scope = options.scope ?? {};
  const inScope = scopeFilter(scope);
  const exceptions = (options.exceptions ?? []).filter(
    (exception) =>
      (exception.expiresAt === undefined || exception.expiresAt > at) &&
      (exception.approvedAt === undefined || exception.approvedAt <= at),
  );
  const byFinding = new Map<string, string[]>();
  const byResource = new Map<string, string[]>();
  for (const exception of exceptions) {
    for (const id of exception.findingIds ?? [])
      byFinding.set(id, [...(byFinding.get(id) ?? []), exception.id]);
    for (const id of exception.resourceIds ?? [])
      byResource.set(id, [...(byResource.get(id) ?? []), exception.id]);
  }
  const none: readonly string[] = [];

  const frameworks = options.frameworks
    ? options.mapper.frameworks.filter((framework) => options.frameworks!.includes(framework.key))
    : options.mapper.frameworks;
  const state = new Map<string, Map<string, RequirementFacts>>();
  for (const framework of frameworks) state.set(framework.key, new Map());
  // The mapper hands out one mapping list per rule: resolve each list once to the requirements it reaches.
  const plans = new Map<readonly RequirementMapping[], RequirementFacts[]>();
  const planOf = (mappings: readonly RequirementMapping[]): RequirementFacts[] => {
    const reached = new Set<RequirementFacts>();
    for (const mapping of mappings) {
      const requirements = state.get(mapping.framework);
      if (!requirements) continue;
      let facts = requirements.get(mapping.requirement);
      if (!facts) {
        facts = { failing: [], resources: [], passing: [], exceptions: new Set(), routes: new Map() };
        requirements.set(mapping.requirement, facts);
      }
      facts.routes.set(`${mapping.route}\u0000${mapping.via}`, { route: mapping.route, via: mapping.via });
      reached.add(facts);
    }
    return [...reached];
  };
  // Resources are numbered as they come, so each requirement keeps numbers, not strings.
  const resourceIds: string[] = [];
  const resourceNumbers = new Map<string, number>();
  let findingCount = 0;
  for (let position = 0; position < findings.length; position++) {
    const finding = findings[position]!;
    if (!inScope(finding)) continue;
    findingCount++;
    const mappings = options.mapper.map(finding);
    if (mappings.length === 0) continue;
    let plan = plans.get(mappings);
    if (!plan) {
      plan = planOf(mappings);
      plans.set(mappings, plan);
    }
    const excepted =
      byFinding.size + byResource.size === 0
        ? none
        : [...(byFinding.get(finding.id) ?? none), ...(byResource.get(finding.resource.id) ?? none)];
    const platformException =
      finding.status === "risk_accepted" || finding.status === "suppressed"
        ? `${finding.source.platform}:${finding.status}:${finding.id}`
        : undefined;
    if (
      (finding.status === "open" || finding.status === "in_progress") &&
      excepted.length === 0 &&
      platformException === undefined
    ) {
      let resource = resourceNumbers.get(finding.resource.id);
      if (resource === undefined) {
        resource = resourceIds.push(finding.resource.id) - 1;
        resourceNumbers.set(finding.resource.id, resource);
      }
      for (const facts of plan) {
        facts.failing.push(position);
        facts.resources.push(resource);
      }
    } else
      for (const facts of plan) {
        facts.passing.push(position);
        for (const id of excepted) facts.exceptions.add(id);
        if (platformException !== undefined) facts.exceptions.add(platformException);
      }
  }
  const failingResources = resourceCounter(resourceIds);

  const scopeName = scopeKey(scope);
  return frameworks.map((framework) => {
    const requirements = state.get(framework.key)!;
    return {
      framework: framework.key,
      name: framework.name,
      ...(framework.version === undefined ? {} : { version: framework.version }),
      scope: scopeName,
      at,
      findingCount,
      requirements: framework.requirements.map((requirement) => {
        const facts = requirements.get(requirement.id);
        const status: RequirementStatus =
          facts && facts.failing.length > 0
            ? "fail"
            : facts || options.mapper.isAssessable(framework.key, requirement.id)
              ? "pass"
              : "not-assessed";
        return {
          id: requirement.id,
          title: requirement.title,
          section: requirement.section,
          status,
          failing: facts?.failing ?? [],
          failingResources: failingResources(facts?.resources ?? []),
          passing: facts?.passing ?? [],
          exceptions: [...(facts?.exceptions ?? [])].sort(),
          routes: [...(facts?.routes.values() ?? [])],
        };
      }),
    };
  });
}

/**
 * The compact snapshot of an assessment, to keep in a {@link postureHistory}.
 * @example
 * await history.save(toSnapshot(soc2));
 */
export function toSnapshot(assessment: FrameworkAssessment): PostureSnapshot {
  const snapshot: PostureSnapshot = {
    framework: assessment.framework,
    scope: assessment.scope,
    at: assessment.at,
    findingCount: assessment.findingCount,
    pass: [],
    notAssessed: [],
    fail: {},
    exceptions: {},
  };
  for (const requirement of assessment.requirements) {
    if (requirement.status === "pass") snapshot.pass.push(requirement.id);
    else if (requirement.status === "not-assessed") snapshot.notAssessed.push(requirement.id);
    else snapshot.fail[requirement.id] = requirement.failingResources.map((resource) => resource.id);
    if (requirement.exceptions.length > 0) snapshot.exceptions[requirement.id] = requirement.exceptions;
  }
  return snapshot;
}

/** What a snapshot or its summary says of statuses: the passing requirements, and the failing ones as keys. */
export type SnapshotStatuses = Pick<PostureSnapshot, "pass"> & { fail: Record<string, unknown> };

/** A requirement's status in a snapshot or its summary. */
export function snapshotStatus(snapshot: SnapshotStatuses, requirement: string): RequirementStatus {
  if (requirement in snapshot.fail) return "fail";
  return snapshot.pass.includes(requirement) ? "pass" : "not-assessed";
}

/** The share of assessed requirements that pass, from 0 to 1 (`undefined` when none is assessed). */
export function complianceScore(snapshot: SnapshotStatuses): number | undefined {
  const assessed = snapshot.pass.length + Object.keys(snapshot.fail).length;
  return assessed === 0 ? undefined : snapshot.pass.length / assessed;
}

/** The name a scope is stored under: its `name`, or its conditions (`accounts=1,2;tags=env:prod`), or `all`. */
export function scopeKey(scope: ComplianceScope = {}): string {
  if (scope.name) return scope.name;
  const parts: string[] = [];
  if (scope.accounts?.length) parts.push(`accounts=${[...scope.accounts].sort().join(",")}`);
  const tags = Object.entries(scope.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (tags.length) parts.push(`tags=${tags.map(([key, value]) => `${key}:${value}`).join(",")}`);
  return parts.length === 0 ? "all" : parts.join(";");
}

// --- Internal helpers ---------------------------------------------------------------------------------

interface RequirementFacts {
  /** Positions of the failing findings. */
  failing: number[];
  /** The number of each failing finding's resource (see `resourceCounter`). */
  resources: number[];
  /** Positions of the passing findings. */
  passing: number[];
  exceptions: Set<string>;
  routes: Map<string, MappingRouteUse>;
}

/**
 * Turns the resource numbers of a requirement's failing findings into its failing resources, by id,
 * with their counts: numbers are ranked by id once, so each requirement sorts integers.
 */
function resourceCounter(
  ids: readonly string[],
): (numbers: readonly number[]) => { id: string; findings: number }[] {
  const order = ids
    .map((_, index) => index)
    .sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const rank = new Int32Array(ids.length);
  order.forEach((number, position) => {
    rank[number] = position;
  });
  return (numbers) => {
    const ranks = new Int32Array(numbers.length);
    for (let index = 0; index < numbers.length; index++) ranks[index] = rank[numbers[index]!]!;
    ranks.sort();
    const counted: { id: string; findings: number }[] = [];
    for (let index = 0; index < ranks.length; ) {
      let end = index + 1;
      while (end < ranks.length && ranks[end] === ranks[index]) end++;
      counted.push({ id: ids[order[ranks[index]!]!]!, findings: end - index });
      index = end;
    }
    return counted;
  };
}

function scopeFilter(scope: ComplianceScope): (finding: Finding) => boolean {
  const accounts = scope.accounts?.length ? new Set(scope.accounts) : undefined;
  const tags = Object.entries(scope.tags ?? {});
  return (finding) =>
    (accounts === undefined || accounts.has(finding.resource.accountId)) &&
    tags.every(([key, value]) => finding.resource.tags[key] === value);
}
