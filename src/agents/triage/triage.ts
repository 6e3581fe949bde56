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
import type { Stage, StageContext } from "../../core/stage.js";
import { type WithheldFinding, withheldFindings } from "../../core/withheld.js";
import { createTagReader, type TagContext, type TagKeys, type TagReader } from "../enrich/normalize.js";
import { CaseSamples, FindingTable, sortRows } from "./finding-table.js";
import { type GroupingOptions, type GroupKey, mergeValues, ownValues } from "./group.js";
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
   * priority still come from every finding. Triage holds a compact row per finding (42 bytes plus the id)
   * plus these samples, never every finding, and decodes a big case's `findingIds` as it emits the
   * case (docs/triage-and-enrich.md, "Memory").
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
      // A finding's tags are read for its owner, then for its priority factors: read them once.
      const readRowTags = rememberLastRead(readTags);
      const rowGrouping = { ...grouping, readTags: readRowTags };
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
            table.suppress(row, outcome.rule);
            continue;
          }
        } catch (error) {
          table.errors.set(row, { finding, error, stage: "suppression" });
          continue;
        }
        try {
          table.setGrouping(
            row,
            ownValues(finding, rowGrouping),
            factorsOf(finding, readRowTags),
            String(finding.resource.id),
          );
        } catch (error) {
          table.errors.set(row, { finding, error, stage: "grouping" });
          continue;
        }
        samples.offer(row, finding);
      }

      // 2–3. Dedup by id, suppression of the winners, cross-platform dedup (same dedupKey) and
      // grouping. Each step lets go of the columns it was the last to read.
      const suppressed = new Map<string, number>();
      const resurfaced = new Map<string, number>();
      const { live, scratch } = liveRows(table, suppressions, { suppressed, resurfaced }, failFinding);
      const grouped = groupRows(table, live, scratch, grouping.keys, weights, failFinding, fail);
      for (const { row, finding } of samples.entries()) {
        const index = grouped.groupOf[row]!;
        if (index >= 0) grouped.groups[index]!.sample.push({ row, finding });
      }
      for (const group of grouped.groups) group.sample.sort((a, b) => table.compare(a.row, b.row));
      const { groups, caseRows } = grouped;
      // The two row-long arrays of dedup and grouping are free now: the resource count sorts in them.
      countResources(groups, caseRows, table, new Int32Array(live.buffer, 0, table.length), grouped.groupOf);
      // From here on only the ids are read, when a case is emitted.
      table.releaseAllButIds();

      let cases: Case[] = [];
      const groupOfCase = new Map<string, Group>();
      for (const group of groups) {
        const findings = group.sample.slice(0, sampleSize).map((entry) => entry.finding);
        if (findings.length === 0) {
          // Every kept copy lost to a later copy in another case (possible only with repeated ids).
          warn({
            type: "other",
            source: "triage",
            feature: "triage.sample",
            message: `triage: case ${group.id} (${group.count} findings) has no finding left to show; it was not emitted. Raise \`sampleSize\`.`,
            details: { caseId: group.id, findings: group.count },
          });
          continue;
        }
        const item: Case = {
          id: group.id,
          groupKey: group.groupKey,
          findings,
          ...(group.count > findings.length && {
            findingCount: group.count,
            resourceCount: group.resources,
          }),
          platforms: [...group.platforms].sort(),
          severity: severitySchema.options[group.severity]!,
        };
        item.priority = scoreFactors(group.factors, weights);
        cases.push(item);
        groupOfCase.set(item.id, group);
      }

      // Provenance: the exceptions that withheld findings of a case's group before triage.
      nameExceptions(cases, withheldFindings(report), grouping);

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

      // 6. Emit, highest priority first. A big case's ids are decoded as it leaves, so triage never
      // holds them as strings (a consumer that keeps every case keeps every id).
      cases.sort((a, b) => (b.priority?.score ?? 0) - (a.priority?.score ?? 0) || (a.id < b.id ? -1 : 1));
      for (const item of cases) {
        signal.throwIfAborted();
        events.emit("case-created", { caseId: item.id, findings: findingCountOf(item) });
        const group = groupOfCase.get(item.id)!;
        yield item.findingCount === undefined ? item : withFindingIds(item, idsOf(group, caseRows, table));
      }
    },
  };
}

// Internal helpers.

/** `read`, answering again from its last read when given the same tags object twice in a row. */
function rememberLastRead(read: TagReader): TagReader {
  let lastTags: Readonly<Record<string, string>> | undefined;
  let last: TagContext | undefined;
  return (tags) => {
    if (last === undefined || tags !== lastTags) {
      last = read(tags);
      lastTags = tags;
    }
    return last;
  };
}

function groupParts(groupKey: Record<string, string>): string[] {
  return Object.entries(groupKey).map(([key, value]) => `${key}=${value}`);
}

/** A case's id: stable for the same group key across runs. */
function caseIdOf(parts: readonly string[]): string {
  return `case_${stableHash(...parts)}`;
}

/**
 * Names, in each case, the exceptions that withheld findings of its group (`applyExceptions` before
 * triage), each with the findings it withheld; a withheld finding whose group has no case is named nowhere.
 */
function nameExceptions(
  cases: Case[],
  withheld: readonly WithheldFinding[],
  grouping: GroupingOptions,
): void {
  if (withheld.length === 0) return;
  const byId = new Map(cases.map((item) => [item.id, item]));
  for (const { finding, exception } of withheld) {
    const item = byId.get(caseIdOf(groupParts(mergeValues([ownValues(finding, grouping)], grouping.keys))));
    if (!item) continue;
    item.exceptions ??= [];
    const named = item.exceptions.find((entry) => entry.id === exception.id);
    if (named) named.findingIds.push(finding.id);
    else item.exceptions.push({ ...exception, findingIds: [finding.id] });
  }
}

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
  /** Its rows are `caseRows[start, start + count)`, in case order. */
  start: number;
  count: number;
  platforms: Set<Platform>;
  /** Rank in `severitySchema.options` of the highest severity. */
  severity: number;
  factors: PriorityFactors;
  /** Distinct resources (by `resource.id`). */
  resources: number;
  sample: { row: number; finding: Finding }[];
}

/**
 * Dedup by id (the copy with the latest `lastSeen` wins; ties: the later one), then suppression of
 * the winners: the rows that go on to grouping, in case order, and the sorts' scratch (one row long,
 * for {@link groupRows} to reuse). Rows and scratch are the two halves of one buffer of 8 bytes a
 * row, which the sorts also use whole for the rows packed with their sort keys. Counts suppressed and resurfaced findings per rule and fails the
 * winners whose suppression threw.
 */
function liveRows(
  table: FindingTable,
  suppressions: readonly CompiledSuppression[],
  counts: { suppressed: Map<string, number>; resurfaced: Map<string, number> },
  failFinding: (finding: Finding | undefined, error: unknown) => void,
): { live: Int32Array; scratch: Int32Array } {
  const packed = new Float64Array(table.length);
  const rows = new Int32Array(packed.buffer, 0, table.length);
  const scratch = new Int32Array(packed.buffer, 4 * table.length, table.length);
  for (let row = 0; row < rows.length; row++) rows[row] = row;
  table.sortById(rows, packed);
  // Winners, then live rows, are written over the front of `rows` (never ahead of the reader).
  let winnerCount = 0;
  for (let index = 0; index < rows.length; ) {
    let winner = rows[index]!;
    let next = index + 1;
    for (; next < rows.length && table.sameId(rows[next]!, winner); next++) {
      const row = rows[next]!;
      if (table.lastSeen.get(row) >= table.lastSeen.get(winner)) winner = row;
    }
    rows[winnerCount++] = winner;
    index = next;
  }
  table.releaseDedupColumns();
  let liveCount = 0;
  for (let index = 0; index < winnerCount; index++) {
    const row = rows[index]!;
    const rule = table.suppressedBy(row);
    const error = table.errors.get(row);
    if (rule >= 0) {
      const id = suppressions[rule]!.rule.id;
      counts.suppressed.set(id, (counts.suppressed.get(id) ?? 0) + 1);
      continue;
    }
    if (error?.stage === "suppression") {
      failFinding(error.finding, error.error);
      continue;
    }
    for (const index of table.lapsed.get(row) ?? []) {
      const id = suppressions[index]!.rule.id;
      counts.resurfaced.set(id, (counts.resurfaced.get(id) ?? 0) + 1);
    }
    rows[liveCount++] = row;
  }
  // Input order must not matter (replays diff cases): duplicates stay together, then by platform and id.
  const live = rows.subarray(0, liveCount);
  table.sortByCase(live, packed);
  return { live, scratch };
}

/**
 * Merges the copies of each issue (live rows sharing a dedupKey) and groups them: the groups with
 * their totals folded from every row, the group of each row (-1: none; written over `scratch`, one
 * row long), and every grouped row in case order, group after group.
 */
function groupRows(
  table: FindingTable,
  live: Int32Array,
  scratch: Int32Array,
  keys: readonly GroupKey[],
  weights: ReturnType<typeof resolveWeights>,
  failFinding: (finding: Finding | undefined, error: unknown) => void,
  fail: StageContext["fail"],
): { groups: Group[]; groupOf: Int32Array; caseRows: Int32Array } {
  const byKey = new Map<string, Group>();
  const groups: Group[] = [];
  const groupOf = scratch.fill(-1);
  let grouped = 0;
  // The group of the copies that all carry one tuple (nearly every set: a single copy, or copies
  // that agree), by tuple: their merged key is the tuple's own.
  const groupOfTuple = new Map<number, Group>();
  for (let index = 0; index < live.length; ) {
    let next = index + 1;
    while (next < live.length && table.sameDedupKey(live[next]!, live[index]!)) next++;
    const members = live.subarray(index, next);
    index = next;
    const failed =
      table.errors.size === 0
        ? undefined
        : Array.from(members, (row) => table.errors.get(row)).find((error) => error !== undefined);
    if (failed) {
      for (const row of members) {
        const error = table.errors.get(row);
        if (error) failFinding(error.finding, failed.error);
        else fail(triageError(undefined, failed.error), { itemId: table.id(row) });
      }
      continue;
    }
    const tuple = table.tupleOf(members[0]!);
    const oneTuple = members.every((row) => table.tupleOf(row) === tuple);
    let group = oneTuple ? groupOfTuple.get(tuple) : undefined;
    if (group === undefined) {
      const groupKey = mergeValues(
        Array.from(members, (row) => table.tuples[table.tupleOf(row)]!),
        keys,
      );
      const parts = groupParts(groupKey);
      const joined = parts.join("\u0000");
      group = byKey.get(joined);
      if (group === undefined) {
        group = {
          index: groups.length,
          id: caseIdOf(parts),
          groupKey,
          start: 0,
          count: 0,
          severity: severityRank("info"),
          platforms: new Set(),
          factors: emptyFactors(),
          resources: 0,
          sample: [],
        };
        byKey.set(joined, group);
        groups.push(group);
      }
      if (oneTuple) groupOfTuple.set(tuple, group);
    }
    for (const row of members) {
      const factors = table.factorsOf(row);
      groupOf[row] = group.index;
      group.count++;
      group.severity = Math.min(group.severity, severityRank(factors.severity));
      group.platforms.add(table.platforms[table.platform.get(row)]!);
      addFactors(group.factors, factors, weights);
    }
    grouped += members.length;
  }
  // A counting sort by group keeps case order within each group.
  const caseRows = new Int32Array(grouped);
  const cursor = new Int32Array(groups.length);
  for (let index = 0, start = 0; index < groups.length; index++) {
    groups[index]!.start = cursor[index] = start;
    start += groups[index]!.count;
  }
  for (const row of live) {
    const group = groupOf[row]!;
    if (group >= 0) caseRows[cursor[group]!++] = row;
  }
  return { groups, groupOf, caseRows };
}

/**
 * Distinct resources per group: each group's rows sorted by the two hashes of `resource.id`, in
 * `rowsBuffer` with `scratch` (each at least as long as the biggest group; no array per group).
 */
function countResources(
  groups: readonly Group[],
  caseRows: Int32Array,
  table: FindingTable,
  rowsBuffer: Int32Array,
  scratch: Int32Array,
): void {
  for (const group of groups) {
    const rows = rowsBuffer.subarray(0, group.count);
    rows.set(caseRows.subarray(group.start, group.start + group.count));
    sortRows(
      rows,
      (a, b) =>
        table.resourceHash.get(a) - table.resourceHash.get(b) ||
        table.resourceHash2.get(a) - table.resourceHash2.get(b),
      scratch,
    );
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      const previous = rows[index - 1];
      if (
        previous === undefined ||
        table.resourceHash.get(previous) !== table.resourceHash.get(row) ||
        table.resourceHash2.get(previous) !== table.resourceHash2.get(row)
      )
        group.resources++;
    }
  }
}

/** Every finding id of a group, in case order. */
function idsOf(group: Group, caseRows: Int32Array, table: FindingTable): string[] {
  const ids = new Array<string>(group.count);
  for (let index = 0; index < group.count; index++) ids[index] = table.id(caseRows[group.start + index]!);
  return ids;
}

/** A big case with its `findingIds`, placed after `findingCount` as a case built whole has them. */
function withFindingIds(item: Case, findingIds: string[]): Case {
  const { id, groupKey, findings, findingCount, ...rest } = item;
  return { id, groupKey, findings, findingCount, findingIds, ...rest };
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
