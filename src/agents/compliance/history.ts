import { ConfigurationError } from "../../core/errors.js";
import type { Store } from "../../core/store.js";
import type { PostureSnapshot } from "./posture.js";

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

/** Posture snapshots per framework and scope, kept in a {@link Store}: "as of" questions and trends without raw findings. */
export interface PostureHistory {
  /** Keeps a snapshot; a second one for the same framework, scope and instant replaces it. Returns its size in bytes (UTF-8 JSON). */
  save(snapshot: PostureSnapshot): Promise<number>;
  /** Snapshots of a framework and scope in time order. */
  list(framework: string, scope: string, query?: PostureHistoryQuery): Promise<PostureSnapshot[]>;
  /** The last snapshot taken at or before `at`, if any. */
  asOf(framework: string, scope: string, at: Date | string): Promise<PostureSnapshot | undefined>;
}

/**
 * Posture history on any store: one entry per framework, scope and instant, listed in time order.
 * @example
 * const history = postureHistory(sqliteStore({ path: "cloudsteward.db" }));
 * for (const assessment of assessCompliance(findings, { mapper })) await history.save(toSnapshot(assessment));
 * const lastQuarter = await history.asOf("soc2", "all", "2026-09-30T23:59:59Z");
 */
export function postureHistory(store: Store, options: PostureHistoryOptions = {}): PostureHistory {
  const namespace = options.namespace ?? "compliance-snapshots";
  const prefixOf = (framework: string, scope: string) =>
    `${encodeURIComponent(framework)}/${encodeURIComponent(scope)}/`;

  const list: PostureHistory["list"] = async (framework, scope, query = {}) => {
    const since = query.since === undefined ? undefined : instant(query.since, "since");
    const until = query.until === undefined ? undefined : instant(query.until, "until");
    const snapshots: PostureSnapshot[] = [];
    for await (const { value } of store.list<PostureSnapshot>(namespace, {
      prefix: prefixOf(framework, scope),
    })) {
      if ((since === undefined || value.at >= since) && (until === undefined || value.at <= until))
        snapshots.push(value);
    }
    return snapshots.sort((a, b) => a.at.localeCompare(b.at));
  };

  return {
    async save(snapshot) {
      const at = instant(snapshot.at, "snapshot.at");
      await store.set(namespace, `${prefixOf(snapshot.framework, snapshot.scope)}${at}`, { ...snapshot, at });
      return Buffer.byteLength(JSON.stringify({ ...snapshot, at }));
    },
    list,
    async asOf(framework, scope, at) {
      return (await list(framework, scope, { until: at })).at(-1);
    },
  };
}

/** An instant as the ISO-8601 UTC string snapshots are keyed and compared by. */
function instant(value: Date | string, option: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ConfigurationError(`postureHistory: ${option} is not a date: ${String(value)}`, { option });
  return date.toISOString();
}
