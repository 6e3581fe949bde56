import type { Category } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/**
 * The category a Wiz record describes, from the words of its security sub-categories, rule name and risks
 * (first match wins), else `fallback`.
 * @example
 * mapWizCategory(["Identity Management"], "misconfiguration"); // "identity"
 */
export function mapWizCategory(texts: readonly (string | null | undefined)[], fallback: Category): Category {
  return categoryOf(texts.filter(Boolean).join("\n")) ?? fallback;
}

// Internal helpers.

/** The category the keywords in `text` name, if any; memoized, as every finding of a rule has the same text. */
const categoryOf = memoize((text: string): Category | undefined => {
  const words = text.toLowerCase().replace(/[_-]+/g, " ");
  for (const [pattern, category] of keywords) if (pattern.test(words)) return category;
  return undefined;
}, 4096);

const keywords: readonly [RegExp, Category][] = [
  [/\b(threat|malware|crypto ?mining|intrusion)/, "threat"],
  [/\bsecret|\bcleartext (key|password)|\bexposed (key|credential)/, "secret"],
  [/\bvulnerab|\bcve-\d/, "vulnerability"],
  [/\bidentity|\biam\b|\bentitlement|\bexcessive permission|\baccess management/, "identity"],
  [/\bdata (security|exposure|classification)|\bsensitive data|\bpii\b/, "data"],
  [/\bexposure|\bnetwork exposure|\binternet[- ]facing|\bpublicly exposed/, "exposure"],
  [/\blogging|\bmonitoring|\baudit/, "compliance"],
];
