import type { Severity } from "../../../core/finding.js";

/** The four platforms drafts compile to. */
export type DraftPlatform = "wiz" | "prisma" | "lacework" | "orca";

/** One compiled platform policy. */
export interface PlatformPolicy {
  platform: DraftPlatform;
  /** `rego` (Wiz), `rql` (Prisma Cloud), `lql` (Lacework), `sonar` (Orca). */
  language: "rego" | "rql" | "lql" | "sonar";
  /** The resource types the policy covers. */
  resourceTypes: string[];
  /** The policy text. */
  text: string;
  /** The body the platform's create API takes, for review or deployment (nothing is sent). */
  request: Record<string, unknown>;
}

/** A platform's severity name (Wiz and Prisma upper case, Lacework title case). */
export function severityName(severity: Severity, style: "upper" | "title" | "lower"): string {
  if (style === "upper") return severity.toUpperCase();
  if (style === "title") return severity.charAt(0).toUpperCase() + severity.slice(1);
  return severity;
}
