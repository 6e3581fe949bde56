import { isCloudstewardError } from "../../../core/errors.js";
import type { PortableRule } from "../rule.js";
import { compileLql } from "./lql.js";
import type { DraftPlatform, PlatformPolicy } from "./policy.js";
import { compileRego } from "./rego.js";
import { compileRql } from "./rql.js";
import { compileSonar } from "./sonar.js";

export { compileLql } from "./lql.js";
export { type PlatformTypeNames, platformTypeNames } from "./platforms.js";
export type { DraftPlatform, PlatformPolicy } from "./policy.js";
export { compileRego } from "./rego.js";
export { compileRql } from "./rql.js";
export { compileSonar } from "./sonar.js";

/** A platform a rule could not be compiled for, and why. */
export interface UncompiledPlatform {
  platform: DraftPlatform;
  reason: string;
}

/** The platform policies of a rule, and the platforms it could not be written for. */
export interface CompiledPolicies {
  policies: PlatformPolicy[];
  uncompiled: UncompiledPlatform[];
}

/**
 * Compiles a portable rule for every platform: a Wiz cloud configuration rule (Rego), Prisma Cloud
 * config policies (RQL), Lacework policies (LQL) and Orca Sonar rules. A platform whose language
 * cannot express the rule is listed in `uncompiled` with the reason, instead of getting a wrong policy.
 * @example
 * const { policies } = compilePolicies(draft.rule);
 * for (const policy of policies) console.log(policy.platform, policy.text);
 */
export function compilePolicies(rule: PortableRule): CompiledPolicies {
  const compilers: [DraftPlatform, (rule: PortableRule) => PlatformPolicy | PlatformPolicy[]][] = [
    ["wiz", compileRego],
    ["prisma", compileRql],
    ["lacework", compileLql],
    ["orca", compileSonar],
  ];
  const policies: PlatformPolicy[] = [];
  const uncompiled: UncompiledPlatform[] = [];
  for (const [platform, compile] of compilers) {
    try {
      policies.push(...[compile(rule)].flat());
    } catch (error) {
      if (!isCloudstewardError(error)) throw error;
      uncompiled.push({ platform, reason: error.message });
    }
  }
  return { policies, uncompiled };
}
