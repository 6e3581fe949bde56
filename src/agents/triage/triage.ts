import { type Case, findingCountOf } from "../../core/case.js";
import { mapConcurrent } from "../../core/concurrency.js";
import {
  type CloudstewardError,
  isCloudstewardError,
  NormalizationError,
  PolicyError,
} from "../../core/errors.js";
import { type Finding, type Platform, type Severity, severitySchema } from "../../core/finding.js";
import { stableHash } from "../../core/fingerprint.js";
import type { Warning } from "../../core/report.js";
import type { Stage } from "../../core/stage.js";
import { createTagReader, type TagKeys } from "../enrich/normalize.js";
import { CaseSamples, FindingTable } from "./finding-table.js";
import { type GroupKey, mergeValues, ownValues } from "./group.js";
import {
  addFactors,
  emptyFactors,
  factorsOf,
  type PriorityFactors,
  type PriorityWeightsInput,
  resolveWeights,
  scoreFactors,
} from "./priority.js";
import { type CompiledSuppression, compileSuppressions, type SuppressionRule } from "./suppression.js";
import { applyVerdict, type VerdictOptions } from "./verdict.js";

/** Options of {@link triage}. */
export interface TriageOptions {
  /**
   * Suppression rules, written in TypeScript or loaded from YAML/JSON (validated; see
   * `suppressionRuleSchema`). A rule past its `expiresAt` stops suppressing and raises a
   * `suppression-expired` warning and event. @default []
   */
  suppressions?: readonly SuppressionRule[] | readonly unknown[];
  /** Accept `expiresAt: "never"` on suppression rules. Off, so that every mute lapses some day. @default false */
  allowNoExpiry?: boolean;
  /**
   * What makes findings one case. `rule` is the knowledge archetype (per CVE for vulnerabilities) or
   * `platform:rule.id`; `owner` the owner tag or `"unowned"`; `resource` the canonical resource key;
   * `account` `cloud:accountId`; `cve` and `package` from the vulnerability (`"none"` otherwise).
   * @default ["rule", "owner"]
   */
  groupBy?: readonly GroupKey[];
  /** Tag keys for the owner (and, through `tagKeys`, the other context read from tags). @default defaultTagKeys.owner */
  ownerKeys?: string[];
  /** Owner aliases, keys in lower case: `{ "jdoe@acme.com": "payments" }`. @default {} */
  ownerAliases?: Record<string, string>;
  /** Tag keys for exposure, environment and data classification used by the priority. @default defaultTagKeys */
  tagKeys?: Partial<TagKeys>;
  /** Overrides the `rule` grouping key. @default ruleKeyOf */
  ruleKey?: (finding: Finding) => string;
  /** Priority weights, merged over `defaultPriorityWeights`. */
  weights?: PriorityWeightsInput;
  /** Ask a model whether each case is a likely false positive; it may only lower priority, within bounds. */
  verdict?: VerdictOptions;
  /**
   * Full findings a case keeps. A bigger case keeps its first `sampleSize` findings in case order and
   * carries `findingCount`, every id in `findingIds` and `resourceCount`; its severity, platforms and
   * priority still come from every finding. Triage holds a compact row per finding (about 100 bytes)
   * plus these samples, never every finding (docs/triage-and-enrich.md, "Memory").
   * @default 100
   */
  sampleSize?: number;
}

/**
 * The triage stage: drops duplicates (same `id`: the latest `lastSeen` wins), applies suppression rules,
 * merges the same issue reported by several platforms (same `dedupKey`) and groups findings into cases
 * with a stable id (`case_` + a hash of the group key), each with a priority score and its reasons.
 *
 * It is a batch stage: grouping needs the whole input, so it emits nothing until its input ends,
 * then emits the cases ordered by priority (highest first). Its memory grows with cases, not findings:
 * per finding it keeps a compact row (id, dedupKey, lastSeen, group values, priority factors), and per
 * case at most `sampleSize` full findings; a bigger case carries its totals and every id beside the
 * sample (see {@link Case}). Suppressed findings are counted in a warning (`feature: "triage.suppressed"`), never dropped silently.
 * @throws PolicyError at creation when a suppression rule is invalid (missing reason, owner or expiry…).
 * @example
 * const stage = triage({
 *   suppressions: [{ id: "dev-buckets", match: { "resource.type": "aws.s3.*", tags: { env: "dev" } },
 *     reason: "Dev data is synthetic", owner: "platform-team", expiresAt: "2026-12-31" }],
 *   groupBy: ["rule", "owner"],
 * });
 */
export function triage(options: TriageOptions = {}): Stage<Finding, Case> {
  const suppressions = compileSuppressions(options.suppressions ?? [], {
    allowNoExpiry: options.allowNoExpiry,
  });
  const readTags = createTagReader(
    { ...options.tagKeys, ...(options.ownerKeys && { owner: options.ownerKeys }) },
    options.ownerAliases,
  );
  const weights = resolveWeights(options.weights);
  const grouping = {
    keys: options.groupBy ?? (["rule", "owner"] as const),
    readTags,
    ruleKey: options.ruleKey,
  };
  if (grouping.keys.length === 0) throw new PolicyError("triage: `groupBy` needs at least one key.");
  const sampleSize = options.sampleSize ?? 100;
  if (!(Number.isInteger(sampleSize) && sampleSize >= 1))
    throw new PolicyError(`triage: sampleSize must be a whole number of at least 1, got ${sampleSize}.`);
  const verdict = options.verdict;
  const maxPriorityReduction = verdict?.maxPriorityReduction ?? 20;
  if (!(maxPriorityReduction >= 0 && maxPriorityReduction <= 100)) {
    throw new PolicyError(
      `triage: verdict.maxPriorityReduction must be between 0 and 100, got ${maxPriorityReduction}.`,
    );
  }

  return {
    name: "triage",
    async *run(input, { signal, events, report, now, warn, fail }) {
      const failFinding = (finding: Finding | undefined, error: unknown) =>
        fail(triageError(finding, error), {
          ...(typeof finding?.id === "string" ? { itemId: finding.id } : {}),
          item: finding,
        });
      // 1. One compact row per finding as it streams in: suppression, group values and priority
      // factors are read now, and only a bounded sample of full findings is kept (memory grows with
      // cases, not findings).
      const at = now().getTime();
      const table = new FindingTable();
      const samples = new CaseSamples(table, sampleSize);
      for await (const finding of input) {
        signal.throwIfAborted();
        if (typeof finding?.id !== "string") {
          failFinding(finding, new TypeError("the item is not a Finding (no id)"));
          continue;
        }
        let row: number;
        try {
          row = table.add(finding);
        } catch (error) {
          failFinding(finding, error);
          continue;
        }
        try {
          const outcome = suppressionOf(finding, suppressions, at);
          if (outcome.lapsed) table.lapsed.set(row, outcome.lapsed);
          if (outcome.rule >= 0) {
            table.suppressedBy.set(row, outcome.rule);
            continue;
          }
        } catch (error) {
          table.errors.set(row, { finding, error, stage: "suppression" });
          continue;
        }
        try {
          table.setGrouping(
            row,
            ownValues(finding, grouping),
            factorsOf(finding, readTags),
            String(finding.resource.id),
          );
        } catch (error) {
          table.errors.set(row, { finding, error, stage: "grouping" });
          continue;
        }
        samples.offer(row, finding);
      }

      // 2. Dedup by id: the copy with the latest lastSeen wins (ties: the later one).
      const byId = new Int32Array(table.length);
      for (let row = 0; row < byId.length; row++) byId[row] = row;
      byId.sort((a, b) => table.compareIds(a, b));
      // Winners are written over the front of `byId` (one slot per distinct id, never ahead of the reader).
      let winnerCount = 0;
      for (let index = 0; index < byId.length; ) {
        let winner = byId[index]!;
        let next = index + 1;
        for (; next < byId.length && table.sameId(byId[next]!, winner); next++) {
          const row = byId[next]!;
          if (table.lastSeen.get(row) >= table.lastSeen.get(winner)) winner = row;
        }
        byId[winnerCount++] = winner;
        index = next;
      }

      // 3. Suppression of the winners, then cross-platform dedup (same dedupKey) and grouping.
      const suppressed = new Map<string, number>();
      const resurfaced = new Map<string, number>();
      const liveRows = new Int32Array(winnerCount);
      let liveCount = 0;
      for (let index = 0; index < winnerCount; index++) {
        const row = byId[index]!;
        const rule = table.suppressedBy.get(row);
        const error = table.errors.get(row);
        if (rule >= 0) {
          const id = suppressions[rule]!.rule.id;
          suppressed.set(id, (suppressed.get(id) ?? 0) + 1);
          continue;
        }
        if (error?.stage === "suppression") {
          failFinding(error.finding, error.error);
          continue;
        }
        for (const index of table.lapsed.get(row) ?? []) {
          const id = suppressions[index]!.rule.id;
          resurfaced.set(id, (resurfaced.get(id) ?? 0) + 1);
        }
        liveRows[liveCount++] = row;
      }
      // Input order must not matter (replays diff cases): duplicates stay together, then by platform and id.
      const live = liveRows.subarray(0, liveCount).sort((a, b) => table.compare(a, b));

      const groups = new Map<string, Group>();
      const groupOf = new Int32Array(table.length).fill(-1);
      const groupList: Group[] = [];
      for (let index = 0; index < live.length; ) {
        let next = index + 1;
        while (next < live.length && table.sameDedupKey(live[next]!, live[index]!)) next++;
        const members = Array.from(live.subarray(index, next));
        index = next;
        const failed = members.map((row) => table.errors.get(row)).find((error) => error !== undefined);
        if (failed) {
          for (const row of members) {
            const error = table.errors.get(row);
            if (error) failFinding(error.finding, failed.error);
            else fail(triageError(undefined, failed.error), { itemId: table.id(row) });
          }
          continue;
        }
        const groupKey = mergeValues(
          members.map((row) => table.tuples[table.tuple.get(row)]!),
          grouping.keys,
        );
        const parts = Object.entries(groupKey).map(([key, value]) => `${key}=${value}`);
        const joined = parts.join("\u0000");
        let group = groups.get(joined);
        if (group === undefined) {
          group = {
            index: groupList.length,
            id: `case_${stableHash(...parts)}`,
            groupKey,
            severity: severityRank("info"),
            rows: [],
            platforms: new Set(),
            factors: emptyFactors(),
            resources: 0,
            sample: [],
          };
          groups.set(joined, group);
          groupList.push(group);
        }
        for (const row of members) {
          groupOf[row] = group.index;
          group.severity = Math.min(group.severity, severityRank(table.factorsOf(row).severity));
          group.rows.push(row);
          group.platforms.add(table.platforms[table.platform.get(row)]!);
          addFactors(group.factors, table.factorsOf(row), weights);
        }
      }
      countResources(live, groupOf, groupList, table);
      for (const { row, finding } of samples.entries()) {
        const index = groupOf[row]!;
        if (index >= 0) groupList[index]!.sample.push({ row, finding });
      }

      for (const group of groupList) group.sample.sort((a, b) => table.compare(a.row, b.row));
      // From here on only the ids are read: let the rest of the rows go before decoding them.
      table.releaseAllButIds();

      let cases: Case[] = [];
      for (const group of groupList) {
        const findings = group.sample.slice(0, sampleSize).map((entry) => entry.finding);
        if (findings.length === 0) {
          // Every kept copy lost to a later copy in another case (possible only with repeated ids).
          warn({
            type: "other",
            source: "triage",
            feature: "triage.sample",
            message: `triage: case ${group.id} (${group.rows.length} findings) has no finding left to show; it was not emitted. Raise \`sampleSize\`.`,
            details: { caseId: group.id, findings: group.rows.length },
          });
          continue;
        }
        const item: Case = {
          id: group.id,
          groupKey: group.groupKey,
          findings,
          ...(group.rows.length > findings.length && {
            findingCount: group.rows.length,
            findingIds: group.rows.map((row) => table.id(row)),
            resourceCount: group.resources,
          }),
          platforms: [...group.platforms].sort(),
          severity: severitySchema.options[group.severity]!,
        };
        item.priority = scoreFactors(group.factors, weights);
        cases.push(item);
      }
      groups.clear();

      // 4. The optional model verdict: it may lower a priority, nothing else.
      if (verdict) {
        const judged: Case[] = [];
        const ask = (
          item: Case,
        ): { item: Case; warning?: string } | Promise<{ item: Case; warning?: string }> =>
          verdict.when && !verdict.when(item)
            ? { item }
            : applyVerdict(item, { model: verdict.model, maxPriorityReduction, signal, report });
        for await (const result of mapConcurrent(cases, verdict.concurrency ?? 4, ask)) {
          if (result.warning) {
            warn({
              type: "fallback",
              source: "triage",
              feature: "verdict",
              message: result.warning,
            });
          }
          judged.push(result.item);
        }
        cases = judged;
      }

      // 5. Say loudly what was suppressed and what lapsed.
      for (const rule of suppressions) {
        if (rule.expiresAtMs > at) continue;
        const count = resurfaced.get(rule.rule.id) ?? 0;
        const warning: Warning = {
          type: "suppression-expired",
          source: "triage",
          message: `triage: suppression rule "${rule.rule.id}" (owner ${rule.rule.owner}, reason "${rule.rule.reason}") expired at ${rule.expiresAt}; ${count} finding${count === 1 ? "" : "s"} it matched ${count === 1 ? "is" : "are"} no longer suppressed. Renew it with a new expiresAt, or delete it.`,
          details: {
            ruleId: rule.rule.id,
            owner: rule.rule.owner,
            expiresAt: rule.expiresAt,
            resurfaced: count,
          },
        };
        warn(warning);
        events.emit("suppression-expired", {
          ruleId: rule.rule.id,
          owner: rule.rule.owner,
          expiredAt: rule.expiresAt,
        });
      }
      if (suppressed.size > 0) {
        const total = [...suppressed.values()].reduce((sum, count) => sum + count, 0);
        warn({
          type: "other",
          level: "info",
          source: "triage",
          feature: "triage.suppressed",
          message: `triage: ${total} finding${total === 1 ? "" : "s"} suppressed by ${suppressed.size} rule${suppressed.size === 1 ? "" : "s"} (${[...suppressed].map(([id, count]) => `${id}: ${count}`).join(", ")}).`,
          details: { total, byRule: Object.fromEntries(suppressed) },
        });
      }

      // 6. Emit, highest priority first.
      cases.sort((a, b) => (b.priority?.score ?? 0) - (a.priority?.score ?? 0) || (a.id < b.id ? -1 : 1));
      for (const item of cases) {
        signal.throwIfAborted();
        events.emit("case-created", { caseId: item.id, findings: findingCountOf(item) });
        yield item;
      }
    },
  };
}

// Internal helpers.

/** The first live matching rule (-1: none) and the lapsed rules that matched before it. */
function suppressionOf(
  finding: Finding,
  rules: readonly CompiledSuppression[],
  at: number,
): { rule: number; lapsed?: number[] } {
  let lapsed: number[] | undefined;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    if (!rule.matches(finding)) continue;
    if (rule.expiresAtMs > at) return { rule: index };
    if (lapsed === undefined) lapsed = [];
    lapsed.push(index);
  }
  return { rule: -1, lapsed };
}

/** A case being built from rows. */
interface Group {
  index: number;
  id: string;
  groupKey: Record<string, string>;
  /** Every finding's row, in case order. */
  rows: number[];
  platforms: Set<Platform>;
  /** Rank in `severitySchema.options` of the highest severity. */
  severity: number;
  factors: PriorityFactors;
  /** Distinct resources (by `resource.id`). */
  resources: number;
  sample: { row: number; finding: Finding }[];
}

/** Distinct resources per group: rows sorted by group, then by the two hashes of `resource.id`. */
function countResources(live: Int32Array, groupOf: Int32Array, groups: Group[], table: FindingTable) {
  const rows = live.filter((row) => groupOf[row]! >= 0);
  rows.sort(
    (a, b) =>
      groupOf[a]! - groupOf[b]! ||
      table.resourceHash.get(a) - table.resourceHash.get(b) ||
      table.resourceHash2.get(a) - table.resourceHash2.get(b),
  );
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    const previous = index > 0 ? rows[index - 1]! : -1;
    if (
      previous < 0 ||
      groupOf[previous] !== groupOf[row] ||
      table.resourceHash.get(previous) !== table.resourceHash.get(row) ||
      table.resourceHash2.get(previous) !== table.resourceHash2.get(row)
    )
      groups[groupOf[row]!]!.resources++;
  }
}

function severityRank(severity: Severity): number {
  return severitySchema.options.indexOf(severity);
}

/** The typed error of a finding triage could not handle (malformed input, or a throwing custom group key). */
function triageError(finding: Finding | undefined, error: unknown): CloudstewardError {
  if (isCloudstewardError(error)) return error;
  const platform = typeof finding?.source?.platform === "string" ? finding.source.platform : "unknown";
  return new NormalizationError(
    `triage: finding ${finding?.id ?? "(no id)"} could not be triaged: ${error instanceof Error ? error.message : String(error)}. Check it with parseFinding().`,
    { platform, cause: error },
  );
}
