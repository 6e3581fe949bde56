import type { Category } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/**
 * The category of an Orca alert from its `Category` (docs/orca.md, Sources: listing), refined by the rule title for
 * secrets (Orca files them under data or posture categories); an unknown category is `other`, a
 * vulnerability when the alert carries CVE ids.
 * @example
 * mapOrcaCategory("IAM misconfigurations", "Root account has access keys", false); // "identity"
 */
export function mapOrcaCategory(native: string | undefined, title: string, hasCves: boolean): Category {
  const base =
    native === undefined
      ? undefined
      : (categoryByOrca[native] ?? categoryByOrca[native.trim().toLowerCase()]);
  if (base === "vulnerability" || hasCves) return "vulnerability";
  if ((base === undefined || refinable.has(base)) && mentionsSecret(title)) return "secret";
  return base ?? "other";
}

/** The Orca categories whose alerts can normalize to one of `categories` (a superset, checked again client-side). */
export function toOrcaCategories(categories: readonly Category[]): string[] {
  const wanted = new Set(categories);
  const names: string[] = [];
  for (const [name, category] of orcaCategoryNames) {
    if (wanted.has(category) || (wanted.has("secret") && refinable.has(category))) names.push(name);
  }
  return names;
}

/** The Orca category an estate-style normalized category is filed under (used by the sandbox). */
export function toOrcaCategory(category: Category): string {
  return primaryCategory[category];
}

// Internal helpers.

/** The categories Orca reports (orca-skills `ALL_CATEGORIES`), lower case, with what each stands for. */
const orcaCategoryNames: readonly [string, Category][] = [
  ["Neglected assets", "misconfiguration"],
  ["Vendor services misconfigurations", "misconfiguration"],
  ["Workload misconfigurations", "misconfiguration"],
  ["Best practices", "misconfiguration"],
  ["Data protection", "data"],
  ["Data at risk", "data"],
  ["IAM misconfigurations", "identity"],
  ["Authentication", "identity"],
  ["Network misconfigurations", "exposure"],
  ["Logging and monitoring", "compliance"],
  ["Lateral movement", "threat"],
  ["Vulnerabilities", "vulnerability"],
  ["Source code vulnerabilities", "vulnerability"],
  ["Malware", "threat"],
  ["Malicious activity", "threat"],
  ["System integrity", "threat"],
  ["Suspicious activity", "threat"],
];

/** By Orca's spelling and by its lower case. */
const categoryByOrca: Record<string, Category> = Object.fromEntries(
  orcaCategoryNames.flatMap(([name, category]) => [
    [name, category],
    [name.toLowerCase(), category],
  ]),
);

const primaryCategory: Record<Category, string> = {
  misconfiguration: "Workload misconfigurations",
  vulnerability: "Vulnerabilities",
  identity: "IAM misconfigurations",
  exposure: "Network misconfigurations",
  threat: "Malicious activity",
  secret: "Data at risk",
  data: "Data protection",
  compliance: "Logging and monitoring",
  other: "Best practices",
};

/** Categories under which Orca files secret findings. */
const refinable: ReadonlySet<Category> = new Set(["data", "misconfiguration"]);

/** Whether a title speaks of a secret; memoized, as every alert of a rule has the same title. */
const mentionsSecret = memoize(
  (title: string) =>
    /\b(secrets?|credentials?|passwords?|private keys?|api keys?|tokens?)\b/i.test(title) &&
    !/\b(rotation|rotated|mfa)\b/i.test(title),
  4096,
);
