import { type Case, maxSeverity } from "../../core/case.js";
import { mapConcurrent } from "../../core/concurrency.js";
import {
  type CloudstewardError,
  isCloudstewardError,
  NormalizationError,
  PolicyError,
} from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { stableHash } from "../../core/fingerprint.js";
import type { Warning } from "../../core/report.js";
import type { Stage } from "../../core/stage.js";
import { createTagReader, type TagKeys } from "../enrich/normalize.js";
import { type GroupKey, groupValues } from "./group.js";
import { type PriorityWeightsInput, resolveWeights, scoreWith } from "./priority.js";
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
}

/**
 * The triage stage: drops duplicates (same `id`: the latest `lastSeen` wins), applies suppression rules,
 * merges the same issue reported by several platforms (same `dedupKey`) and groups findings into cases
 * with a stable id (`case_` + a hash of the group key), each with a priority score and its reasons.
 *
 * It is a batch stage: grouping needs the whole input, so it emits nothing until its input ends,
 * then emits the cases ordered by priority (highest first). It holds references to the findings, never
 * copies. Suppressed findings are counted in a warning (`feature: "triage.suppressed"`), never dropped silently.
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
      // 1. Dedup by id: the copy with the latest lastSeen wins (ties: the later one).
      const latest = new Map<string, Finding>();
      for await (const finding of input) {
        signal.throwIfAborted();
        if (typeof finding?.id !== "string") {
          failFinding(finding, new TypeError("the item is not a Finding (no id)"));
          continue;
        }
        const previous = latest.get(finding.id);
        if (previous === undefined || Date.parse(finding.lastSeen) >= Date.parse(previous.lastSeen))
          latest.set(finding.id, finding);
      }

      // 2. Suppression, then cross-platform dedup by dedupKey.
      const at = now().getTime();
      const suppressed = new Map<string, number>();
      const resurfaced = new Map<string, number>();
      const duplicates = new Map<string, Finding[]>();
      for (const finding of latest.values()) {
        try {
          if (isSuppressed(finding, suppressions, at, suppressed, resurfaced)) continue;
        } catch (error) {
          failFinding(finding, error);
          continue;
        }
        const list = duplicates.get(finding.dedupKey);
        if (list) list.push(finding);
        else duplicates.set(finding.dedupKey, [finding]);
      }
      latest.clear();

      // 3. Grouping into cases.
      const groups = new Map<string, { id: string; groupKey: Record<string, string>; findings: Finding[] }>();
      for (const list of duplicates.values()) {
        list.sort(byPlatformThenId);
        let groupKey: Record<string, string>;
        try {
          groupKey = groupValues(list, grouping);
        } catch (error) {
          for (const finding of list) failFinding(finding, error);
          continue;
        }
        const parts = Object.entries(groupKey).map(([key, value]) => `${key}=${value}`);
        const joined = parts.join("\u0000");
        const group = groups.get(joined);
        if (group) group.findings.push(...list);
        else groups.set(joined, { id: `case_${stableHash(...parts)}`, groupKey, findings: list });
      }
      duplicates.clear();

      let cases: Case[] = [];
      for (const { id, groupKey, findings } of groups.values()) {
        // Input order must not matter (replays diff cases): duplicates stay together, then by platform and id.
        findings.sort(byDedupKeyThenPlatform);
        const item: Case = {
          id,
          groupKey,
          findings,
          platforms: [...new Set(findings.map((finding) => finding.source.platform))].sort(),
          severity: maxSeverity(findings),
        };
        item.priority = scoreWith(item, weights, readTags);
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
        events.emit("case-created", { caseId: item.id, findings: item.findings.length });
        yield item;
      }
    },
  };
}

// Internal helpers.

/** Applies the first live matching rule; a lapsed rule that matches is counted as resurfaced instead. */
function isSuppressed(
  finding: Finding,
  rules: readonly CompiledSuppression[],
  at: number,
  suppressed: Map<string, number>,
  resurfaced: Map<string, number>,
): boolean {
  const lapsed: string[] = [];
  for (const rule of rules) {
    if (!rule.matches(finding)) continue;
    if (rule.expiresAtMs > at) {
      suppressed.set(rule.rule.id, (suppressed.get(rule.rule.id) ?? 0) + 1);
      return true;
    }
    lapsed.push(rule.rule.id);
  }
  for (const id of lapsed) resurfaced.set(id, (resurfaced.get(id) ?? 0) + 1);
  return false;
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

function byDedupKeyThenPlatform(a: Finding, b: Finding): number {
  return a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : byPlatformThenId(a, b);
}

function byPlatformThenId(a: Finding, b: Finding): number {
  return a.source.platform < b.source.platform
    ? -1
    : a.source.platform > b.source.platform
      ? 1
      : a.id < b.id
        ? -1
        : 1;
}
