import type { Finding } from "../../toolkit.js";

type Category = Finding["category"];

/** What {@link mapOcsfCategory} reads from a finding. */
export interface OcsfCategoryFacts {
  classUid?: number;
  /** `finding_info.types`: ASFF-style `namespace/category/classifier` (Prowler's CheckType, Security Hub) or words. */
  types?: readonly string[];
  /** Prowler's `unmapped.categories` (`internet-exposed`, `secrets`, `identity-access`…). */
  categories?: readonly string[];
  /** The record names a CVE in `vulnerabilities`. */
  hasCve: boolean;
  /** The record is a check result (Prowler `status_code`, a `compliance` object): posture, not an event. */
  isCheck: boolean;
}

/**
 * The category of an OCSF finding, most specific evidence first: a CVE → vulnerability; Prowler's check
 * categories (`secrets` → secret, `vulnerabilities` → vulnerability, `internet-exposed` → exposure,
 * `identity-access`/`privilege-escalation` → identity); for a finding that is not a check result, the
 * ASFF type taxonomy in `finding_info.types` (`TTPs`, `Threats`, `Unusual Behaviors` → threat,
 * `Effects/Data Exposure` → exposure, `Sensitive Data Identifications` → data or secret,
 * `…/Vulnerabilities` → vulnerability); then the class: Vulnerability (2002) → vulnerability, Data
 * Security (2006) → data, IAM Analysis (2008) → identity, Incident (2005) → threat, a Detection (2004)
 * that is not a check result → threat; everything else (a failed check above all) → misconfiguration.
 * @example
 * mapOcsfCategory({ classUid: 2004, categories: ["internet-exposed"], hasCve: false, isCheck: true }); // "exposure"
 */
export function mapOcsfCategory(facts: OcsfCategoryFacts): Category {
  if (facts.hasCve) return "vulnerability";
  for (const category of facts.categories ?? []) {
    const mapped = prowlerCategories[category.trim().toLowerCase()];
    if (mapped) return mapped;
  }
  // A check result is posture, not an event: the types a check lists (Prowler's CheckType, `TTPs/…`,
  // `Effects/Data Exposure`) say what the gap could lead to, not what was found.
  const byType = facts.isCheck ? undefined : fromTypes(facts.types ?? []);
  if (byType) return byType;
  const byClass = facts.classUid === undefined ? undefined : classCategories[facts.classUid];
  if (byClass) return byClass;
  if (facts.classUid === 2004 && !facts.isCheck) return "threat";
  return "misconfiguration";
}

// Internal helpers.

/** Prowler's check categories (prowler/lib/check/models.py `VALID_CATEGORIES`) that name a Finding category. */
const prowlerCategories: Record<string, Category> = {
  secrets: "secret",
  vulnerabilities: "vulnerability",
  "internet-exposed": "exposure",
  "identity-access": "identity",
  "privilege-escalation": "identity",
};

const classCategories: Record<number, Category> = {
  2002: "vulnerability",
  2005: "threat",
  2006: "data",
  2008: "identity",
};

/** The ASFF finding-type taxonomy (namespace/category/classifier) and Security Hub v2's one-word types. */
function fromTypes(types: readonly string[]): Category | undefined {
  let found: Category | undefined;
  for (const type of types) {
    const lower = type.trim().toLowerCase();
    const category =
      lower.startsWith("ttps") || lower.startsWith("threats") || lower.startsWith("unusual behaviors")
        ? "threat"
        : lower.startsWith("sensitive data identifications/passwords") ||
            lower.startsWith("sensitive data identifications/security")
          ? "secret"
          : lower.startsWith("sensitive data")
            ? "data"
            : lower.includes("/vulnerabilities") || lower === "vulnerabilities"
              ? "vulnerability"
              : lower.startsWith("effects/data exposure") || lower === "exposure"
                ? "exposure"
                : undefined;
    // A threat or a vulnerability outranks the exposure or data effect listed beside it.
    if (category === "threat" || category === "vulnerability" || category === "secret") return category;
    found ??= category;
  }
  return found;
}
