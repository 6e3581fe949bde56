import { matchInputOf, ruleKeyFor } from "../../core/archetypes/match.js";
import type { Finding } from "../../core/finding.js";
import { canonicalResourceKey } from "../../core/fingerprint.js";
import type { TagReader } from "../enrich/normalize.js";

/** A built-in grouping key. */
export type GroupKeyName = "rule" | "resource" | "account" | "owner" | "dedupKey" | "cve" | "package";

/** A grouping key of your own: a name and how to read it from a finding. */
export interface CustomGroupKey {
  /** The key's name in `case.groupKey`. */
  name: string;
  /** Reads the key's value from a finding (the first of a set of cross-platform duplicates). */
  value: (finding: Finding) => string;
}

/** One part of the grouping key. */
export type GroupKey = GroupKeyName | CustomGroupKey;

/** How triage reads the built-in keys. */
export interface GroupingOptions {
  /** The parts of the group key, in order. */
  keys: readonly GroupKey[];
  /** Reads the owner (with its aliases) from tags. */
  readTags: TagReader;
  /** The rule key: the knowledge archetype, else `platform:rule.id`. */
  ruleKey?: (finding: Finding) => string;
}

/**
 * The rule key of a finding: its knowledge-base archetype (per CVE for vulnerabilities: `cve:<id>`),
 * else `platform:rule.id`. Category fallbacks (e.g. "any threat") are not used for grouping, so
 * unrelated rules never share a case.
 * @example
 * ruleKeyOf(finding); // "aws-s3-public-read" or "prisma:7a9c…"
 */
export function ruleKeyOf(finding: Finding): string {
  return ruleKeyFor(matchInputOf(finding));
}

/**
 * The group-key values of a set of duplicates (one finding per platform for the same dedupKey),
 * read from the first finding that has each value, in a stable order (by platform, then id), so the
 * same findings always give the same key whatever order they arrive in.
 */
export function groupValues(
  duplicates: readonly Finding[],
  options: GroupingOptions,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of options.keys) {
    if (typeof key === "object") {
      values[key.name] = key.value(duplicates[0]!);
      continue;
    }
    values[key] = builtInValue(key, duplicates, options);
  }
  return values;
}

/**
 * The group-key values one finding gives on its own, `undefined` where it has none (no owner tag, no
 * vulnerability): what triage keeps per finding, to merge with {@link mergeValues} once every
 * cross-platform copy of the issue is in.
 */
export function ownValues(finding: Finding, options: GroupingOptions): (string | undefined)[] {
  return options.keys.map((key) => {
    if (typeof key === "object") return key.value(finding);
    switch (key) {
      case "rule":
        return (options.ruleKey ?? ruleKeyOf)(finding);
      case "owner":
        return options.readTags(finding.resource.tags).owner?.value;
      case "cve":
        return finding.vulnerability ? (finding.vulnerability.cve ?? "none") : undefined;
      case "package":
        return finding.vulnerability?.packageName || undefined;
      default:
        return builtInValue(key, [finding], options);
    }
  });
}

/**
 * The group key of a set of duplicates from each one's {@link ownValues}, given in a stable order (by
 * platform, then id): the same key {@link groupValues} gives for the findings themselves.
 */
export function mergeValues(
  members: readonly (readonly (string | undefined)[])[],
  keys: readonly GroupKey[],
): Record<string, string> {
  const values: Record<string, string> = {};
  keys.forEach((key, index) => {
    const name = typeof key === "object" ? key.name : key;
    if (
      typeof key === "object" ||
      (key !== "rule" && key !== "owner" && key !== "cve" && key !== "package")
    ) {
      values[name] = members[0]![index]!;
      return;
    }
    if (key === "rule") {
      // Prefer an archetype (no platform prefix) so every platform's copy names the same rule.
      const ruleKeys = members.map((member) => member[index]!);
      values[name] = ruleKeys.find((value) => !platformPrefixed.test(value)) ?? ruleKeys[0]!;
      return;
    }
    const found = members.find((member) => member[index] !== undefined)?.[index];
    values[name] = found ?? (key === "owner" ? "unowned" : "none");
  });
  return values;
}

// Internal helpers.

function builtInValue(key: GroupKeyName, duplicates: readonly Finding[], options: GroupingOptions): string {
  const first = duplicates[0]!;
  switch (key) {
    case "rule": {
      const ruleKey = options.ruleKey ?? ruleKeyOf;
      const keys = duplicates.map(ruleKey);
      // Prefer an archetype (no platform prefix) so every platform's copy names the same rule.
      return keys.find((value) => !platformPrefixed.test(value)) ?? keys[0]!;
    }
    case "resource":
      return canonicalResourceKey(first.resource);
    case "account":
      return `${first.resource.cloud}:${first.resource.accountId}`;
    case "owner":
      for (const finding of duplicates) {
        const owner = options.readTags(finding.resource.tags).owner;
        if (owner) return owner.value;
      }
      return "unowned";
    case "dedupKey":
      return first.dedupKey;
    case "cve":
      return duplicates.find((finding) => finding.vulnerability)?.vulnerability?.cve ?? "none";
    case "package":
      return (
        duplicates.find((finding) => finding.vulnerability?.packageName)?.vulnerability?.packageName ?? "none"
      );
  }
}

const platformPrefixed = /^(wiz|prisma|orca|lacework):/;
