import type { Category } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/** Prisma Cloud's `policy.policyType` values (docs/prisma.md, Sources: listing). */
export type PrismaPolicyType =
  | "config"
  | "network"
  | "audit_event"
  | "anomaly"
  | "data"
  | "iam"
  | "workload_vulnerability"
  | "workload_incident"
  | "waas_event"
  | "attack_path";

/**
 * The category of an alert: from its policy type (`workload_vulnerability` → vulnerability, runtime
 * types → threat, `iam` → identity, `data` → data, `network`/`attack_path` → exposure), and for
 * config policies from the words of the policy name (memoized), else `misconfiguration`.
 */
export function mapPrismaCategory(policyType: string | null | undefined, policyName: string): Category {
  const byType = categoryByPolicyType[(policyType ?? "").toLowerCase()];
  return byType ?? configCategory(policyName);
}

// Internal helpers.

const categoryByPolicyType: Record<string, Category> = {
  workload_vulnerability: "vulnerability",
  audit_event: "threat",
  anomaly: "threat",
  workload_incident: "threat",
  waas_event: "threat",
  attack_path: "exposure",
  network: "exposure",
  iam: "identity",
  data: "data",
};

/** Config policy names: first matching words win. */
const configKeywords: readonly [RegExp, Category][] = [
  [/\b(plain ?text|hard-?coded) (secret|password|credential)|\bsecrets? in\b/, "secret"],
  [/\b(personal|sensitive) data\b|\bpii\b/, "data"],
  [
    /0\.0\.0\.0\/0|::\/0|\bfrom the internet\b|\bpublicly (accessible|readable|exposed)\b|\ball traffic\b/,
    "exposure",
  ],
  [/\biam\b|\bmfa\b|\bservice account\b|\baccess key\b|\bprivileges?\b|\broot account\b/, "identity"],
  [/\blogging\b|\blog (file )?validation\b|\bkey rotation\b|\bflow logs?\b|\baudit/, "compliance"],
];

const configCategory = memoize((name: string): Category => {
  const text = name.toLowerCase();
  for (const [pattern, category] of configKeywords) if (pattern.test(text)) return category;
  return "misconfiguration";
}, 4096);
