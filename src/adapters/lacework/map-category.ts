import type { Category } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/** Anomaly and Composite alerts are threats; a CVE makes a vulnerability; policy alerts go by their words. */
export function mapLaceworkAlertCategory(
  category: string | undefined,
  subCategory: string,
  name: string,
  cve: string | undefined,
): Category {
  if (cve || /vulnerab/i.test(subCategory)) return "vulnerability";
  const lower = (category ?? "").toLowerCase();
  if (lower === "anomaly" || lower === "composite") return "threat";
  if (/activity|file|machine|application/i.test(subCategory) && lower !== "policy") return "threat";
  return mapLaceworkPostureCategory(name);
}

/** The category the words of a posture rule name (memoized: every finding of a rule has the same text). */
export const mapLaceworkPostureCategory = memoize((text: string): Category => {
  const words = text.toLowerCase();
  for (const [pattern, category] of postureKeywords) if (pattern.test(words)) return category;
  return "misconfiguration";
}, 4096);

// Internal helpers.

const postureKeywords: readonly [RegExp, Category][] = [
  [/\b(malware|crypto ?min|intrusion|suspicious|unauthori[sz]ed)/, "threat"],
  [/\bsecrets?\b|\bplaintext (key|password)|\bcredentials? in\b/, "secret"],
  [
    /\biam\b|\bmfa\b|\baccess keys?\b|\bservice accounts?\b|\bidentity|\bprivilege|\bwildcard|\badmin/,
    "identity",
  ],
  [/\bpublic|\b0\.0\.0\.0|\binternet|\bexposed|\bopen to\b|\bunrestricted/, "exposure"],
  [/\blogging|\baudit|\brotation|\bvalidation|\bmonitoring|\bcloudtrail/, "compliance"],
];
