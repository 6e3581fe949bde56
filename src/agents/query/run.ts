import type { Case } from "../../core/case.js";
import { type Finding, type Severity, severityRank } from "../../core/finding.js";
import type { RunRecorder } from "../../core/recorder.js";
import type { FindingSource } from "../../core/source.js";
import type { Store } from "../../core/store.js";
import { type ComplianceMapper, complianceMapper } from "../compliance/mapping.js";
import { type ExceptionRecord, exceptionNamespace, listExceptions } from "../exceptions/exceptions.js";
import { exceptionIndex } from "../exceptions/match.js";
import { casesNamespace } from "../governance/governance.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";
import { compilePlatform, type QueryPlan } from "./compile.js";
import { QueryError } from "./errors.js";
import {
  type AccountEnvironments,
  accountEnvironmentReader,
  archetypeReader,
  caseContextOf,
  compileFilters,
  type FindingContext,
  frameworkKeyOf,
  type SeenTimes,
  seenTimesOf,
  tagContext,
} from "./evaluate.js";
import {
  type GroupField,
  type PostureFilterName,
  type PostureQuery,
  type PostureQueryInput,
  postureQuerySchema,
} from "./schema.js";
import { casesOf, type StoredCases } from "./stored.js";

/** Where a query reads from, and what it reads with. */
export interface QueryOptions {
  /** The platforms to ask, for the `findings` subject. Without any, findings are read from the cases the Store keeps. */
  sources?: readonly FindingSource[];
  /** Answers `cases` and `exceptions`, the `exception` filter, and `findings` when no source is given. */
  store?: Store;
  /** A decoded copy of the Store's cases (`storedCases`) for repeated questions. @default the Store is read per query */
  cases?: StoredCases;
  /** The clock `asOf` defaults to. */
  now?: () => Date;
  /** Maps findings to requirements (framework filters, `requirement` groups). @default complianceMapper() */
  mapper?: ComplianceMapper;
  /** Gives archetypes. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
  /** The business context of a finding. @default the resource's tags, or a stored case's context */
  contextOf?: (finding: Finding) => FindingContext | undefined;
  /**
   * The environment of each cloud account (id → environment), e.g. the estate's account list or what
   * enrich's `fromMap` is given. With it, a finding's environment is its account's (unlisted accounts
   * are `unknown`), and an `environment` filter is sent to the platforms as those accounts.
   * @default the environment is read from tags (or a stored case's context), client-side only
   */
  accountEnvironments?: AccountEnvironments;
  /** Receives the sources' warnings and dead letters. */
  record?: RunRecorder;
  /** Called with every matching finding (not only the `limit` returned), e.g. to collect compliance gaps. */
  onMatch?: (finding: Finding) => void;
  signal?: AbortSignal;
}

/** A count of matches sharing the values of the `groupBy` fields. */
export interface QueryGroup {
  key: Partial<Record<GroupField, string>>;
  count: number;
}

/** What one platform returned for a query. */
export interface PlatformRead {
  platform: string;
  /** Findings the source yielded (after its own server-side filtering). */
  received: number;
  /** Of those, how many matched the whole query. */
  matched: number;
  elapsedMs: number;
  /** Set when the platform failed; the others still answer. */
  error?: string;
}

/** The answer to a posture query. */
export interface QueryResult {
  query: PostureQuery;
  plan: QueryPlan;
  /** How many records matched (all of them, not only the `limit` returned). */
  total: number;
  /** How many records were examined client-side. */
  scanned: number;
  /** The first `limit` matching findings in `sort` order (subject `findings`). */
  findings: Finding[];
  /** The first `limit` matching cases (subject `cases`). */
  cases: Case[];
  /** The first `limit` matching exception records (subject `exceptions`). */
  exceptions: ExceptionRecord[];
  /** Counts by `groupBy`, largest first. */
  groups?: QueryGroup[];
  /** Per platform, for the `findings` subject read from sources. */
  reads: PlatformRead[];
  warnings: string[];
  elapsedMs: number;
}

/** Options of {@link plan}. */
export type PlanOptions = Pick<QueryOptions, "sources" | "now" | "accountEnvironments">;

/**
 * Parses a posture query given as TypeScript or JSON.
 * @throws QueryError naming the first invalid field.
 */
export function parsePostureQuery(input: unknown): PostureQuery {
  const result = postureQuerySchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".") || "(query)";
  throw new QueryError(`query: ${field}: ${issue.message}`, { field, cause: result.error });
}

/**
 * Shows, per platform, what a query runs server-side, the exact native request, and what is evaluated
 * client-side — without sending anything.
 * @example
 * const shown = plan({ filters: { severity: ["critical"] } }, { sources: [wiz(), prisma()] });
 * shown.platforms[0].requests[0]; // { method: "POST", path: "/graphql", body: { query, variables: { filterBy } } }
 */
export function plan(input: PostureQueryInput | PostureQuery, options: PlanOptions = {}): QueryPlan {
  const query = parsePostureQuery(input);
  return planOf(query, asOfOf(query, options.now), options.sources, options.accountEnvironments);
}

/**
 * Runs a read-only posture query: the platforms filter what they can server-side (see {@link plan}),
 * and every returned finding is checked against the whole query by one compiled predicate. Cases and
 * exceptions are read from the Store. Nothing is written anywhere.
 * @throws QueryError for an invalid query, or one that needs a Store it was not given.
 * @example
 * const result = await runQuery(
 *   { filters: { severity: ["critical"], environment: ["production"], olderThanDays: 30 } },
 *   { sources: [wiz(), prisma()] },
 * );
 * result.total; result.findings[0].source.url;
 */
export async function runQuery(
  input: PostureQueryInput | PostureQuery,
  options: QueryOptions = {},
): Promise<QueryResult> {
  const started = performance.now();
  const query = parsePostureQuery(input);
  const asOf = asOfOf(query, options.now);
  const shown = planOf(
    query,
    asOf,
    query.subject === "findings" ? options.sources : undefined,
    options.accountEnvironments,
  );
  if (query.subject !== "findings" || !options.sources?.length) {
    if (!options.store)
      throw new QueryError(
        `query: the ${query.subject} subject is answered from the Store; pass \`store\`${query.subject === "findings" ? " or `sources`" : ""}`,
        { field: "subject" },
      );
  }
  const knowledge = options.knowledge ?? defaultKnowledge;
  const frameworkKey = query.filters.framework ? frameworkKeyOf(query.filters.framework) : undefined;
  const mapper =
    options.mapper ??
    (frameworkKey || query.groupBy?.includes("requirement")
      ? complianceMapper(frameworkKey ? { frameworks: [frameworkKey] } : {})
      : undefined);
  const exceptions =
    query.filters.exception !== undefined && options.store
      ? exceptionIndex(await collect(listExceptions({ store: options.store }, ["approved", "active"])))
      : undefined;
  const contextOf = options.contextOf ?? tagContext();
  const result: QueryResult = {
    query,
    plan: shown,
    total: 0,
    scanned: 0,
    findings: [],
    cases: [],
    exceptions: [],
    reads: [],
    warnings: [...shown.warnings],
    elapsedMs: 0,
  };
  if (query.subject === "exceptions") {
    await answerExceptions(query, options.store!, result);
  } else {
    const matches = compileFilters(query.filters, {
      asOf,
      mapper,
      knowledge,
      exceptions,
      contextOf,
      accountEnvironments: options.accountEnvironments,
    });
    const environmentOf =
      options.accountEnvironments && accountEnvironmentReader(options.accountEnvironments);
    const grouper =
      query.groupBy &&
      groupReader(query.groupBy, { contextOf, environmentOf, knowledge, mapper, frameworkKey });
    const counts = new Map<string, QueryGroup>();
    const count = (finding: Finding, context: FindingContext | undefined) => {
      if (!grouper) return;
      for (const key of grouper(finding, context)) {
        const id = JSON.stringify(key);
        const group = counts.get(id);
        if (group) group.count++;
        else counts.set(id, { key, count: 1 });
      }
    };
    if (query.subject === "cases") {
      const matched: Case[] = [];
      for await (const value of casesOf(options.store!, options.cases)) {
        result.scanned++;
        const context = caseContextOf(value.context);
        const hit = value.findings.find((finding) => matches(finding, context));
        if (!hit) continue;
        matched.push(value);
        count(hit, context);
        if (options.onMatch)
          for (const finding of value.findings) if (matches(finding, context)) options.onMatch(finding);
      }
      result.total = matched.length;
      result.cases = sortCases(matched, query).slice(0, query.limit);
    } else {
      const matched: Finding[] = [];
      // The first-seen instants of `matched`, where the findings come with them parsed.
      const matchedFirst: number[] = [];
      const take = (finding: Finding, context?: FindingContext, seen?: SeenTimes) => {
        result.scanned++;
        if (!matches(finding, context, seen)) return false;
        matched.push(finding);
        if (seen) matchedFirst.push(seen.first);
        count(finding, context);
        options.onMatch?.(finding);
        return true;
      };
      if (options.sources?.length) {
        await Promise.all(
          options.sources.map((source, index) =>
            readSource(source, shown.platforms[index]!, take, options, result),
          ),
        );
      } else if (options.cases && !options.contextOf) {
        // Only the severities asked for are scanned: nearly every question names some.
        const bySeverity = findingsWithContext(await options.cases.read());
        for (const severity of query.filters.severity ?? bySeverity.keys())
          for (const entry of bySeverity.get(severity) ?? []) take(entry.finding, entry.context, entry.seen);
      } else {
        const seen = new Set<string>();
        for await (const value of casesOf(options.store!, options.cases)) {
          const context = caseContextOf(value.context);
          for (const finding of value.findings) {
            if (seen.has(finding.id)) continue;
            seen.add(finding.id);
            take(finding, context);
          }
        }
      }
      result.total = matched.length;
      result.findings = firstFindings(
        matched,
        matchedFirst.length === matched.length ? matchedFirst : undefined,
        query,
        asOf,
      );
    }
    if (grouper) result.groups = [...counts.values()].sort(byCount);
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

// --- Internal helpers ---------------------------------------------------------------------------------

/** A finding of the stored cases, once, with the context queries read it with and its times parsed. */
interface FindingEntry {
  finding: Finding;
  context: FindingContext | undefined;
  seen: SeenTimes;
}

/** Per decoded copy of the cases: their findings by severity, each once, with their contexts read once. */
const entriesOf = new WeakMap<readonly Case[], Map<Severity, FindingEntry[]>>();

/**
 * Builds, for a decoded copy of the cases, what every query over it reads (below), which the first
 * query over the copy would otherwise pay for: the MCP server calls it as each copy is read.
 */
export function prepareQueries(cases: readonly Case[]): void {
  findingsWithContext(cases);
}

/**
 * The findings of a decoded copy, each once, by severity (a query reads only the severities it asks
 * for), with the context every query would read — the case's enrich context, else the resource's
 * tags — and their first- and last-seen instants parsed. Built once per copy, so a query only filters
 * (parsing 100,000 timestamps per query cost more than the filters).
 */
function findingsWithContext(cases: readonly Case[]): Map<Severity, FindingEntry[]> {
  let entries = entriesOf.get(cases);
  if (entries) return entries;
  entries = new Map();
  const seen = new Set<string>();
  const fromTags = tagContext();
  for (const item of cases) {
    const context = caseContextOf(item.context);
    for (const finding of item.findings) {
      if (seen.has(finding.id)) continue;
      seen.add(finding.id);
      const entry = { finding, context: context ?? fromTags(finding), seen: seenTimesOf(finding) };
      const bucket = entries.get(finding.severity);
      if (bucket) bucket.push(entry);
      else entries.set(finding.severity, [entry]);
    }
  }
  entriesOf.set(cases, entries);
  return entries;
}

function asOfOf(query: PostureQuery, now: (() => Date) | undefined): Date {
  return query.asOf ? new Date(query.asOf) : (now?.() ?? new Date());
}

function planOf(
  query: PostureQuery,
  asOf: Date,
  sources: readonly FindingSource[] | undefined,
  accountEnvironments: AccountEnvironments | undefined,
): QueryPlan {
  const used = (Object.keys(query.filters) as PostureFilterName[]).filter(
    (name) => query.filters[name] !== undefined,
  );
  const warnings: string[] = [];
  checkSubject(query);
  if (query.subject !== "findings" || !sources?.length) {
    return {
      subject: query.subject,
      asOf: asOf.toISOString(),
      platforms: [],
      storeNamespace: query.subject === "exceptions" ? exceptionNamespace : casesNamespace,
      clientSideOnly: used,
      warnings,
    };
  }
  const platforms = sources.map((source) =>
    compilePlatform(source.platform, query, asOf, { accountEnvironments }),
  );
  for (const platform of platforms) warnings.push(...platform.warnings);
  const clientSideOnly = used.filter((name) =>
    platforms.every((platform) => platform.skipped || platform.clientSide.includes(name)),
  );
  return { subject: query.subject, asOf: asOf.toISOString(), platforms, clientSideOnly, warnings };
}

/** Filters that mean nothing for the exceptions subject, and the one that means something only there. */
function checkSubject(query: PostureQuery): void {
  const used = (Object.keys(query.filters) as PostureFilterName[]).filter(
    (name) => query.filters[name] !== undefined,
  );
  if (query.subject === "exceptions") {
    const allowed = new Set<PostureFilterName>(["severity", "ruleId", "accountId", "exceptionState"]);
    const wrong = used.find((name) => !allowed.has(name));
    if (wrong)
      throw new QueryError(
        `query: the exceptions subject filters by severity, ruleId, accountId and exceptionState only, not ${wrong}`,
        { field: `filters.${wrong}` },
      );
    if (query.groupBy?.some((field) => field !== "severity"))
      throw new QueryError("query: exceptions group by severity only", { field: "groupBy" });
  } else if (query.filters.exceptionState) {
    throw new QueryError(
      "query: exceptionState applies to the exceptions subject; use `exception: excepted` for findings",
      { field: "filters.exceptionState" },
    );
  }
}

async function readSource(
  source: FindingSource,
  platform: QueryPlan["platforms"][number],
  take: (finding: Finding) => boolean,
  options: QueryOptions,
  result: QueryResult,
): Promise<void> {
  const read: PlatformRead = { platform: source.platform, received: 0, matched: 0, elapsedMs: 0 };
  result.reads.push(read);
  if (platform.skipped) return;
  const started = performance.now();
  try {
    for await (const finding of source.findings(platform.findingQuery, {
      signal: options.signal,
      record: options.record,
    })) {
      read.received++;
      if (take(finding)) read.matched++;
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    read.error = error instanceof Error ? error.message : String(error);
    result.warnings.push(`${source.platform}: the read failed (${read.error}); the answer leaves it out.`);
  }
  read.elapsedMs = performance.now() - started;
}

async function answerExceptions(query: PostureQuery, store: Store, result: QueryResult): Promise<void> {
  const { severity, ruleId, accountId, exceptionState } = query.filters;
  const matched: ExceptionRecord[] = [];
  for await (const record of listExceptions({ store }, exceptionState)) {
    result.scanned++;
    if (severity && !severity.includes(record.severity)) continue;
    if (ruleId && !record.targets.some((target) => ruleId.includes(target.ruleId))) continue;
    if (accountId && !record.targets.some((target) => accountId.includes(target.accountId ?? ""))) continue;
    matched.push(record);
  }
  result.total = matched.length;
  matched.sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
  result.exceptions = matched.slice(0, query.limit);
  if (query.groupBy) {
    const counts = new Map<string, number>();
    for (const record of matched) counts.set(record.severity, (counts.get(record.severity) ?? 0) + 1);
    result.groups = [...counts].map(([value, count]) => ({ key: { severity: value }, count }));
    result.groups.sort(byCount);
  }
}

function groupReader(
  fields: readonly GroupField[],
  readers: {
    contextOf: (finding: Finding) => FindingContext | undefined;
    /** The environment by account, when the query was given `accountEnvironments`. */
    environmentOf: ((finding: Finding) => string) | undefined;
    knowledge: KnowledgeBase;
    mapper: ComplianceMapper | undefined;
    frameworkKey: string | undefined;
  },
): (finding: Finding, context: FindingContext | undefined) => Partial<Record<GroupField, string>>[] {
  const archetypeOf = archetypeReader(readers.knowledge);
  const value = (field: GroupField, finding: Finding, context: FindingContext | undefined): string[] => {
    switch (field) {
      case "severity":
        return [finding.severity];
      case "status":
        return [finding.status];
      case "category":
        return [finding.category];
      case "platform":
        return [finding.source.platform];
      case "cloud":
        return [finding.resource.cloud];
      case "accountId":
        return [finding.resource.accountId];
      case "region":
        return [finding.resource.region ?? "(none)"];
      case "resourceType":
        return [finding.resource.type];
      case "ruleId":
        return [finding.rule.id];
      case "archetype":
        return [archetypeOf(finding) ?? "(none)"];
      case "environment":
        return [
          readers.environmentOf?.(finding) ??
            (context ?? readers.contextOf(finding))?.environment ??
            "unknown",
        ];
      case "owner": {
        const resolved = context ?? readers.contextOf(finding);
        return [resolved?.owner ?? resolved?.team ?? "(unowned)"];
      }
      case "requirement": {
        const mapped = (readers.mapper?.map(finding) ?? []).filter(
          (mapping) => readers.frameworkKey === undefined || mapping.framework === readers.frameworkKey,
        );
        const keys = new Set(mapped.map((mapping) => `${mapping.framework} ${mapping.requirement}`));
        return keys.size > 0 ? [...keys] : ["(none)"];
      }
    }
  };
  return (finding, context) => {
    let keys: Partial<Record<GroupField, string>>[] = [{}];
    for (const field of fields)
      keys = keys.flatMap((key) => value(field, finding, context).map((item) => ({ ...key, [field]: item })));
    return keys;
  };
}

/**
 * The first `limit` findings in `sort` order (ties by id, in code-unit order), selected without sorting
 * every match: a query over a large Store may match tens of thousands. `first` holds the findings'
 * parsed first-seen instants when known.
 */
function firstFindings(
  findings: readonly Finding[],
  first: readonly number[] | undefined,
  query: PostureQuery,
  asOf: Date,
): Finding[] {
  const by = query.sort?.by ?? "severity";
  const sign = (query.sort?.order ?? "desc") === "desc" ? -1 : 1;
  const time = asOf.getTime();
  const score = (finding: Finding, index: number): number => {
    const firstSeen = first ? first[index]! : Date.parse(finding.firstSeen);
    switch (by) {
      case "severity":
      case "priority":
        return severityRank(finding.severity) * 1e13 + (time - firstSeen) / 1000;
      case "firstSeen":
        return firstSeen;
      case "lastSeen":
        return Date.parse(finding.lastSeen);
      case "age":
        return time - firstSeen;
    }
  };
  const before = (a: Scored, b: Scored) =>
    sign * (a.score - b.score) || (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0);
  // The best `limit` so far, in order; a finding enters only when it comes before the last of them.
  const best: Scored[] = [];
  findings.forEach((finding, index) => {
    const scored = { finding, score: score(finding, index) };
    if (best.length === query.limit && before(scored, best[best.length - 1]!) >= 0) return;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(best[middle]!, scored) <= 0) low = middle + 1;
      else high = middle;
    }
    best.splice(low, 0, scored);
    if (best.length > query.limit) best.pop();
  });
  return best.map((item) => item.finding);
}

/** A finding with its sort score. */
interface Scored {
  finding: Finding;
  score: number;
}

function sortCases(cases: Case[], query: PostureQuery): Case[] {
  const sign = (query.sort?.order ?? "desc") === "desc" ? -1 : 1;
  const score = (item: Case) =>
    query.sort?.by === "priority" || query.sort === undefined
      ? (item.priority?.score ?? 0) + severityRank(item.severity) * 1000
      : severityRank(item.severity);
  return [...cases].sort((a, b) => sign * (score(a) - score(b)) || a.id.localeCompare(b.id));
}

/** Largest group first; equal counts in key order, so answers are stable. */
function byCount(a: QueryGroup, b: QueryGroup): number {
  return b.count - a.count || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
