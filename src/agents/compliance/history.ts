import { ConfigurationError } from "../../core/errors.js";
import type { Store } from "../../core/store.js";
import type { PostureSnapshot } from "./posture.js";

/**
 * What trends and status histories need from a snapshot, kept beside it: the passing requirements and
 * the failing ones with their count of failing resources. A few hundred bytes, whatever the estate.
 */
export interface PostureSummary {
  framework: string;
  scope: string;
  at: string;
  findingCount: number;
  pass: string[];
  /** Failing requirement → how many resources fail it. */
  fail: Record<string, number>;
  notAssessed: number;
}

/** Options of {@link postureHistory}. */
export interface PostureHistoryOptions {
  /** The store namespace snapshots are kept in. @default "compliance-snapshots" */
  namespace?: string;
}

/** Which snapshots {@link PostureHistory.list} returns. */
export interface PostureHistoryQuery {
  /** Snapshots at or after this instant. */
  since?: Date | string;
  /** Snapshots at or before this instant. */
  until?: Date | string;
}

/** Posture snapshots (and their summaries) per framework and scope, kept in a {@link Store}: "as of" questions and trends without raw findings. */
export interface PostureHistory {
  /** Keeps a snapshot; a second one for the same framework, scope and instant replaces it. Returns its size in bytes (UTF-8 JSON). */
  save(snapshot: PostureSnapshot): Promise<number>;
  /** Summaries of the snapshots of a framework and scope in time order: the cheap read for trends. */
  summaries(framework: string, scope: string, query?: PostureHistoryQuery): Promise<PostureSummary[]>;
  /** Snapshots of a framework and scope in time order. */
  list(framework: string, scope: string, query?: PostureHistoryQuery): Promise<PostureSnapshot[]>;
  /** The last snapshot taken at or before `at`, if any. */
  asOf(framework: string, scope: string, at: Date | string): Promise<PostureSnapshot | undefined>;
}

/**
 * Posture history on any store: one snapshot per framework, scope and instant, listed in time order,
 * and its summary beside it (namespace `<namespace>-summaries`) so trends read a few hundred bytes per
 * snapshot instead of every failing resource.
 * @example
 * const history = postureHistory(sqliteStore({ path: "cloudsteward.db" }));
 * for (const assessment of assessCompliance(findings, { mapper })) await history.save(toSnapshot(assessment));
 * const lastQuarter = await history.asOf("soc2", "all", "2026-09-30T23:59:59Z");
 */
export function postureHistory(store: Store, options: PostureHistoryOptions = {}): PostureHistory {
  const namespace = options.namespace ?? "compliance-snapshots";
  const prefixOf = (framework: string, scope: string) =>
    `${encodeURIComponent(framework)}/${encodeURIComponent(scope)}/`;

  const summaryNamespace = `${namespace}-summaries`;
  const read = async <T extends { at: string }>(
    space: string,
    framework: string,
    scope: string,
    query: PostureHistoryQuery,
  ): Promise<T[]> => {
    const since = query.since === undefined ? undefined : instant(query.since, "since");
    const until = query.until === undefined ? undefined : instant(query.until, "until");
    const found: T[] = [];
    for await (const { value } of store.list<T>(space, { prefix: prefixOf(framework, scope) }))
      if ((since === undefined || value.at >= since) && (until === undefined || value.at <= until))
        found.push(value);
    return found.sort((a, b) => a.at.localeCompare(b.at));
  };
  const list: PostureHistory["list"] = (framework, scope, query = {}) =>
    read<PostureSnapshot>(namespace, framework, scope, query);

  return {
    async save(snapshot) {
      const at = instant(snapshot.at, "snapshot.at");
      const key = `${prefixOf(snapshot.framework, snapshot.scope)}${at}`;
      await store.set(namespace, key, { ...snapshot, at });
      await store.set(summaryNamespace, key, summarize({ ...snapshot, at }));
      return Buffer.byteLength(JSON.stringify({ ...snapshot, at }));
    },
    summaries: (framework, scope, query = {}) =>
      read<PostureSummary>(summaryNamespace, framework, scope, query),
    list,
    async asOf(framework, scope, at) {
      return (await list(framework, scope, { until: at })).at(-1);
    },
  };
}

/** The summary kept beside a snapshot. */
export function summarize(snapshot: PostureSnapshot): PostureSummary {
  return {
    framework: snapshot.framework,
    scope: snapshot.scope,
    at: snapshot.at,
    findingCount: snapshot.findingCount,
    pass: snapshot.pass,
    fail: Object.fromEntries(Object.entries(snapshot.fail).map(([id, resources]) => [id, resources.length])),
    notAssessed: snapshot.notAssessed.length,
  };
}

/** An instant as the ISO-8601 UTC string snapshots are keyed and compared by. */
function instant(value: Date | string, option: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ConfigurationError(`postureHistory: ${option} is not a date: ${String(value)}`, { option });
  return date.toISOString();
}
