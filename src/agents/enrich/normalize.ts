import type { DataClassification, Environment } from "../../core/case.js";
import { memoize } from "../../core/memo.js";

/** A business-criticality level, as `case.context.criticality` holds it. */
export type Criticality = "critical" | "high" | "medium" | "low";

/** {@link compact}, memoized: the same tag keys and values repeat across every resource of an estate. */
const compactMemo = memoize((value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, ""), 4096);

/**
 * Tag keys each context value is read from, in order of preference. Keys match whatever their case
 * and separators (`data-classification` also finds `data_classification`, `Data-Classification`,
 * `dataClassification` and `DATA CLASSIFICATION`), and a namespaced key is read by its last segment
 * when nothing matches it whole (`acme:owner`, `user:Owner`, `example.com/team`, `aws:createdBy`), just
 * after the plain keys of the same rank.
 */
export interface TagKeys {
  /** @default ["owner", "owner-email", "owned-by", "technical-owner", "application-owner", "maintainer", "team", "created-by", "contact", "contact-email"] */
  owner: string[];
  /** @default ["team", "squad", "group", "department", "business-unit", "cost-center"] */
  team: string[];
  /** @default ["environment", "env", "stage", "lifecycle", "deployment-environment", "environment-type", "env-type"] */
  environment: string[];
  /** @default ["business-criticality", "criticality", "business-impact", "tier"] */
  criticality: string[];
  /** @default ["internet-facing", "internet-exposed", "public", "exposure"] */
  internetExposed: string[];
  /** @default ["data-classification", "classification", "data-class", "data-sensitivity", "sensitivity", "confidentiality", "pii", "phi", "pci"] */
  dataClassification: string[];
}

/** The tag keys used when none are configured. */
export const defaultTagKeys: Readonly<TagKeys> = Object.freeze({
  owner: [
    "owner",
    "owner-email",
    "owned-by",
    "technical-owner",
    "application-owner",
    "maintainer",
    "team",
    "created-by",
    "contact",
    "contact-email",
  ],
  team: ["team", "squad", "group", "department", "business-unit", "cost-center"],
  environment: [
    "environment",
    "env",
    "stage",
    "lifecycle",
    "deployment-environment",
    "environment-type",
    "env-type",
  ],
  criticality: ["business-criticality", "criticality", "business-impact", "tier"],
  internetExposed: ["internet-facing", "internet-exposed", "public", "exposure"],
  dataClassification: [
    "data-classification",
    "classification",
    "data-class",
    "data-sensitivity",
    "sensitivity",
    "confidentiality",
    "pii",
    "phi",
    "pci",
  ],
});

/**
 * Normalizes an environment name: `prod`, `prd`, `production`, `live` → `production`; `stg`, `staging`,
 * `preprod`, `uat` → `staging`; `dev`, `deve`, `develop`, `development`, `sandbox` → `development`; `test`, `qa` → `test`.
 * Returns `undefined` for anything it does not recognise.
 * @example
 * normalizeEnvironment("PRD"); // "production"
 */
export function normalizeEnvironment(value: string): Environment | undefined {
  return environmentAliases.get(compact(value));
}

/**
 * Normalizes a business-criticality value (`tier-1`, `1 - most critical`, `mission critical`, `high`…).
 * Returns `undefined` for anything it does not recognise.
 * @example
 * normalizeCriticality("1 - most critical"); // "critical"
 */
export function normalizeCriticality(value: string): Criticality | undefined {
  const key = compact(value);
  // ServiceNow's `busines_criticality` choices read "1 - most critical" … "4 - not critical".
  const leading = /^([0-4])(?:mostcritical|somewhatcritical|lesscritical|notcritical)?$/.exec(key)?.[1];
  if (leading !== undefined)
    return (["critical", "critical", "high", "medium", "low"] as const)[Number(leading)];
  return criticalityAliases.get(key);
}

/**
 * Normalizes a data-classification value: `restricted`/`secret`/`phi`/`pci` → `restricted`,
 * `confidential`/`sensitive`/`pii` → `confidential`, `internal`/`private` → `internal`, `public` → `public`.
 * The value of a flag tag such as `pii=true` is read by {@link readContextTags}, not here.
 * @example
 * normalizeDataClassification("Highly Confidential"); // "restricted"
 */
export function normalizeDataClassification(value: string): DataClassification | undefined {
  return classificationAliases.get(compact(value));
}

/**
 * Reads a yes/no value: `true`/`yes`/`1`/`public`/`internet`/`internet-facing` → true,
 * `false`/`no`/`0`/`private`/`internal`/`none` → false, anything else → `undefined`.
 */
export function normalizeExposure(value: string | boolean): boolean | undefined {
  if (typeof value === "boolean") return value;
  const key = compact(value);
  if (truthy.has(key)) return true;
  if (falsy.has(key)) return false;
  return undefined;
}

/** Context values read from a resource's tags, each with the tag it came from (the key as written). */
export type TagContext = {
  [K in keyof TagKeys]?: { value: TagValue<K>; key: string };
};

type TagValue<K extends keyof TagKeys> = K extends "environment"
  ? Environment
  : K extends "criticality"
    ? Criticality
    : K extends "internetExposed"
      ? boolean
      : K extends "dataClassification"
        ? DataClassification
        : string;

/** Reads context from a resource's tags; made by {@link createTagReader}. */
export type TagReader = (tags: Readonly<Record<string, string>>) => TagContext;

/**
 * Compiles tag keys into a fast reader of owner, team, environment, criticality, exposure and data
 * classification, normalized. For each value the earliest key in its list whose tag value normalizes
 * wins; values that do not normalize are skipped. Keys are compared without case and separators, and a
 * namespaced key (`acme:owner`, `example.com/team`) counts by its last segment just after the plain keys
 * of the same rank. `owner` and `team` values pass through `aliases` (keys in lower case).
 *
 * Provider conventions are read too, below every configured key: the creator in AWS's `aws:createdBy`
 * tag (`IAMUser:AIDA…:alice` → `alice`) counts as an owner, and when no tag names the environment, the
 * environment word in a stack, cluster or group name the provider tagged the resource with
 * (`aws:cloudformation:stack-name`, `aws:autoscaling:groupName`, `eks:cluster-name`,
 * `goog-k8s-cluster-name`, …) is read when it holds exactly one (`payments-prod-api` → production).
 * Azure's internal `hidden-*` tags are ignored. Each value's `key` is the tag key as written.
 * @example
 * const read = createTagReader({ owner: ["owner", "team"] });
 * read({ Owner: "Payments", env: "prd" }); // { owner: { value: "Payments", key: "Owner" }, environment: { value: "production", key: "env" } }
 * read({ data_classification: "Highly Confidential" }); // { dataClassification: { value: "restricted", key: "data_classification" } }
 */
export function createTagReader(
  keys: Partial<TagKeys> = {},
  aliases: Readonly<Record<string, string>> = {},
): TagReader {
  const resolved = resolveTagKeys(keys);
  const index = new Map<string, [keyof TagKeys, number][]>();
  for (const field of Object.keys(resolved) as (keyof TagKeys)[]) {
    resolved[field].forEach((key, rank) => {
      const compacted = compact(key);
      const targets = index.get(compacted) ?? [];
      if (!targets.some(([existing]) => existing === field)) targets.push([field, rank]);
      index.set(compacted, targets);
    });
  }
  const normalizers: { [K in keyof TagKeys]: (value: string, key: string) => TagValue<K> | undefined } = {
    owner: (value, key) => alias(ownerValue(value, key), aliases),
    team: (value) => alias(value, aliases),
    environment: normalizeEnvironment,
    criticality: normalizeCriticality,
    internetExposed: normalizeExposure,
    dataClassification: (value, key) => {
      const flag = flagClassification[key];
      if (flag === undefined) return normalizeDataClassification(value);
      return normalizeExposure(value) === true ? flag : undefined;
    },
  };
  // Below every configured key: provider conventions read when nothing better is found.
  const conventionRank = Number.MAX_SAFE_INTEGER;
  // One function for every read, not a closure per read: the reader runs for every finding of a run.
  const offer = (
    result: Record<string, { value: unknown; key: string }>,
    ranks: Record<string, number>,
    field: keyof TagKeys,
    rank: number,
    value: string,
    key: string,
    compacted: string,
  ) => {
    if ((ranks[field] ?? Number.POSITIVE_INFINITY) <= rank) return;
    const normalized = (normalizers[field] as (value: string, key: string) => unknown)(value, compacted);
    if (normalized === undefined) return;
    result[field] = { value: normalized, key };
    ranks[field] = rank;
  };
  return (tags) => {
    const result: Record<string, { value: unknown; key: string }> = {};
    const ranks: Record<string, number> = {};
    let nameHint: { value: string; key: string } | undefined;
    for (const key in tags) {
      const value = tags[key]?.trim();
      if (!value) continue;
      const lower = key.toLowerCase();
      if (lower.startsWith("hidden-")) continue;
      const compacted = compact(key);
      let targets = index.get(compacted);
      let penalty = 0;
      let readAs = compacted;
      if (targets === undefined) {
        const segment = lastSegment(key);
        if (segment !== undefined) {
          readAs = compact(segment);
          targets = index.get(readAs);
          penalty = 0.5;
        }
      }
      for (const [field, rank] of targets ?? [])
        offer(result, ranks, field, rank + penalty, value, key, readAs);
      if (compacted === "awscreatedby") offer(result, ranks, "owner", conventionRank, value, key, compacted);
      if (nameHint === undefined && nameTags.has(compacted)) nameHint = { value, key };
    }
    if (result.environment === undefined && nameHint) {
      const environment = environmentInName(nameHint.value);
      if (environment) result.environment = { value: environment, key: nameHint.key };
    }
    return result as TagContext;
  };
}

/** The guarded fields a tag can name but not readably: environment, criticality, exposure, data classification. */
export type UnreadableTags = Partial<
  Record<
    "environment" | "criticality" | "internetExposed" | "dataClassification",
    { value: string; key: string; rank: number }
  >
>;

/**
 * The rank of a tag key among the configured keys of a field (0 is the first; a namespaced key
 * read by its last segment ranks half a place lower), or `Infinity` when the field does not list it
 * (a provider convention such as a stack name).
 */
export function contextTagRank(field: keyof TagKeys, key: string, keys: Partial<TagKeys> = {}): number {
  const wanted = resolveTagKeys(keys)[field].map(compact);
  const rank = wanted.indexOf(compact(key));
  if (rank !== -1) return rank;
  const segment = lastSegment(key);
  const index = segment === undefined ? -1 : wanted.indexOf(compact(segment));
  return index === -1 ? Number.POSITIVE_INFINITY : index + 0.5;
}

/**
 * The environment, criticality, exposure and data-classification tags whose value cannot be read
 * (`env: prod-eu-1`, `data-classification: PII/PHI`), the best-ranked per field, with the key as
 * written. `fromTags` hands them to `enrich`, which routes them as the most guarded value.
 * @example
 * unreadableContextTags({ env: "prod-eu-1" }); // { environment: { value: "prod-eu-1", key: "env" } }
 */
export function unreadableContextTags(
  tags: Readonly<Record<string, string>>,
  keys: Partial<TagKeys> = {},
): UnreadableTags {
  return createUnreadableTagReader(keys)(tags);
}

/**
 * {@link unreadableContextTags} with `keys` compiled once (each field's wanted keys, compacted), for
 * reading many resources: `fromTags` reads every resource of every case.
 */
export function createUnreadableTagReader(
  keys: Partial<TagKeys> = {},
): (tags: Readonly<Record<string, string>>) => UnreadableTags {
  const resolved = resolveTagKeys(keys);
  const wantedByField = guardedFields.map((field) => [field, resolved[field].map(compact)] as const);
  return (tags) => readUnreadable(tags, wantedByField);
}

const guardedFields = ["environment", "criticality", "internetExposed", "dataClassification"] as const;

function readUnreadable(
  tags: Readonly<Record<string, string>>,
  wantedByField: readonly (readonly [(typeof guardedFields)[number], string[]])[],
): UnreadableTags {
  const result: UnreadableTags = {};
  // Each tag's key is read once, not once per field.
  const read: { key: string; value: string; compacted: string; segment: string | undefined }[] = [];
  for (const key in tags) {
    const value = tags[key]?.trim();
    if (!value || key.toLowerCase().startsWith("hidden-")) continue;
    const segment = lastSegment(key);
    read.push({
      key,
      value,
      compacted: compact(key),
      segment: segment === undefined ? undefined : compact(segment),
    });
  }
  for (const [field, wanted] of wantedByField) {
    let best: { value: string; key: string; rank: number } | undefined;
    for (const { key, value, compacted, segment } of read) {
      let rank = wanted.indexOf(compacted);
      if (rank === -1 && segment !== undefined) {
        const index = wanted.indexOf(segment);
        if (index !== -1) rank = index + 0.5;
      }
      if (rank === -1 || (best !== undefined && best.rank <= rank)) continue;
      const readable =
        field === "environment"
          ? normalizeEnvironment(value)
          : field === "criticality"
            ? normalizeCriticality(value)
            : field === "internetExposed"
              ? normalizeExposure(value)
              : flagClassification[compacted] !== undefined || flagClassification[segment ?? ""] !== undefined
                ? normalizeExposure(value)
                : normalizeDataClassification(value);
      if (readable === undefined) best = { value, key, rank };
    }
    if (best) result[field] = best;
  }
  return result;
}

/**
 * Reads context from tags with the default keys, or with `keys` (compile them once with
 * {@link createTagReader} when reading many resources).
 * @example
 * readContextTags({ Owner: "Payments", env: "prd" }); // { owner: { value: "Payments", key: "Owner" }, environment: { value: "production", key: "env" } }
 */
export function readContextTags(tags: Readonly<Record<string, string>>, keys?: Partial<TagKeys>): TagContext {
  if (keys !== undefined) return createTagReader(keys)(tags);
  if (defaultReader === undefined) defaultReader = createTagReader();
  return defaultReader(tags);
}

/** Fills missing tag-key lists from {@link defaultTagKeys}. */
export function resolveTagKeys(keys: Partial<TagKeys> | undefined): TagKeys {
  return { ...defaultTagKeys, ...keys };
}

// Internal helpers.

let defaultReader: TagReader | undefined;

/**
 * Tags a provider or tool writes with a stack, cluster or group name, which often carries the
 * environment (compacted keys: `aws:cloudformation:stack-name` → `awscloudformationstackname`).
 */
const nameTags = new Set(
  [
    "aws:cloudformation:stack-name",
    "aws:autoscaling:groupName",
    "aws:eks:cluster-name",
    "eks:cluster-name",
    "alpha.eksctl.io/cluster-name",
    "elasticbeanstalk:environment-name",
    "goog-k8s-cluster-name",
    "goog-gke-cluster-name",
    "goog-dataproc-cluster-name",
    "aks-managed-cluster-name",
  ].map(compact),
);

/**
 * The one environment a resource, stack or cluster name states, or `undefined` if it states none or
 * several. The name is split into words at separators and camelCase humps, and a word's trailing
 * digits are dropped (`prod01`, `dev2`); each word is read as {@link normalizeEnvironment} reads a
 * value, so the short forms of naming conventions count (`deve`, `devel`, `stag`, `stg`, `prd`, `uat`).
 * @example
 * environmentInName("payments-api-deve"); // "development"
 * environmentInName("checkoutProd01"); // "production"
 * environmentInName("dev-to-prod-migration"); // undefined (two environments)
 */
export function environmentInName(name: string): Environment | undefined {
  const found = new Set<Environment>();
  const words = name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  for (const word of words) {
    const environment = environmentAliases.get(word.replace(/\d+$/, ""));
    if (environment && environment !== "unknown") found.add(environment);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** The last segment of a namespaced key (`acme:owner` → `owner`, `example.com/team` → `team`), if it has one. */
function lastSegment(key: string): string | undefined {
  const index = Math.max(key.lastIndexOf(":"), key.lastIndexOf("/"));
  return index > 0 && index < key.length - 1 ? key.slice(index + 1) : undefined;
}

/** The owner in a tag value: AWS's `aws:createdBy` holds `IAMUser:AIDA…:alice`; the principal's name is last. */
function ownerValue(value: string, compactedKey: string): string {
  if (compactedKey !== "awscreatedby" && compactedKey !== "createdby") return value;
  const principal = value.slice(value.lastIndexOf(":") + 1).trim();
  return /^(IAMUser|AssumedRole|FederatedUser|Root)$/i.test(value.split(":")[0] ?? "") && principal
    ? principal
    : value;
}

/** Flag tags (`pii=true`) and the classification their presence implies. */
const flagClassification: Record<string, DataClassification | undefined> = {
  pii: "confidential",
  phi: "restricted",
  pci: "restricted",
};

const environmentAliases = aliasMap<Environment>({
  production: ["prod", "prd", "production", "live"],
  staging: ["stg", "stag", "stage", "staging", "preprod", "preproduction", "uat", "nonprod"],
  development: ["dev", "deve", "devel", "develop", "development", "sandbox", "sbx", "local"],
  test: ["test", "tst", "testing", "qa", "qas", "integration", "int", "ci"],
  unknown: [],
});

const criticalityAliases = aliasMap<Criticality>({
  critical: ["critical", "missioncritical", "tier0", "tier1", "crown", "crownjewel", "crit", "veryhigh"],
  high: ["high", "tier2", "businesscritical", "important"],
  medium: ["medium", "moderate", "tier3", "med"],
  low: ["low", "tier4", "noncritical", "notcritical", "minimal"],
});

const classificationAliases = aliasMap<DataClassification>({
  restricted: [
    "restricted",
    "secret",
    "topsecret",
    "highlyconfidential",
    "phi",
    "pci",
    "cardholder",
    "regulated",
  ],
  confidential: ["confidential", "sensitive", "pii", "personal", "customerdata"],
  internal: ["internal", "private", "internaluse", "company"],
  public: ["public", "open", "unclassified"],
  unknown: [],
});

const truthy = new Set([
  "true",
  "yes",
  "y",
  "1",
  "public",
  "internet",
  "internetfacing",
  "exposed",
  "external",
]);
const falsy = new Set(["false", "no", "n", "0", "private", "internal", "none", "notexposed"]);

function aliasMap<T extends string>(groups: Record<T, string[]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [value, names] of Object.entries(groups) as [T, string[]][]) {
    for (const name of names) map.set(name, value);
  }
  return map;
}

/** Lower-cases and drops everything but letters and digits: `Pre-Prod` → `preprod`. */
function compact(value: string): string {
  return compactMemo(value);
}

function alias(value: string, aliases: Readonly<Record<string, string>>): string {
  const lower = value.toLowerCase();
  if (Object.hasOwn(aliases, lower)) return aliases[lower]!;
  return Object.hasOwn(aliases, value) ? aliases[value]! : value;
}
