import type { Case } from "../../../src/core/case.js";
import { generateEstate } from "../../../src/testing/estate.js";
import { makeFinding } from "../../../src/testing/factories.js";

/**
 * One case per finding of a seeded sandbox estate (about 10,000 findings with the defaults), with
 * the account's environment as context: the worst case for explain's model budget, since nothing
 * is grouped before it.
 */
export function estateCases(seed = 11, size = 3700): Case[] {
  const estate = generateEstate({ seed, size });
  const resources = new Map(estate.resources.map((resource) => [resource.id, resource]));
  const environments = new Map(estate.accounts.map((account) => [account.id, account.environment]));
  const rules = new Map(estate.rules.map((rule) => [rule.archetype, rule]));
  const template = makeFinding({ source: { nativeId: "template" } });
  return estate.findings.map((finding) => {
    const resource = resources.get(finding.resourceId);
    const rule = rules.get(finding.archetype);
    if (!resource || !rule) throw new Error(`estate finding ${finding.id} has no resource or rule`);
    return {
      id: `case-${finding.id}`,
      groupKey: { finding: finding.id },
      platforms: ["wiz"],
      severity: finding.severity,
      context: {
        environment: { value: environments.get(resource.accountId) ?? "unknown", source: "account" },
      },
      findings: [
        {
          ...template,
          id: finding.id,
          category: rule.category,
          severity: finding.severity,
          title: rule.title,
          description: rule.description,
          rule: { id: rule.archetype, name: rule.title, controls: [] },
          resource: {
            id: resource.id,
            type: resource.type,
            nativeType: resource.nativeType,
            name: resource.name,
            cloud: resource.cloud,
            accountId: resource.accountId,
            region: resource.region,
            tags: resource.tags,
          },
          vulnerability: rule.vulnerability,
        },
      ],
    };
  });
}
