import { describe, expect, it } from "vitest";
import { matchArchetype } from "../../src/core/archetypes/match.js";
import { type BuiltInPlatform, categorySchema } from "../../src/core/finding.js";
import { estateRules, generateEstate, mulberry32 } from "../../src/testing/estate.js";

describe("generateEstate", () => {
  it("is deterministic: the same seed gives the same estate, another seed another one", () => {
    expect(generateEstate({ seed: 5, size: 120 })).toEqual(generateEstate({ seed: 5, size: 120 }));
    expect(generateEstate({ seed: 6, size: 120 }).findings).not.toEqual(
      generateEstate({ seed: 5, size: 120 }).findings,
    );
    const random = mulberry32(1);
    expect([random(), random()]).toEqual([0.6270739405881613, 0.002735721180215478]);
  });

  it("gives every platform exactly `size` findings, some shared across platforms on the same resource", () => {
    const estate = generateEstate({ seed: 2, size: 150 });
    for (const platform of ["wiz", "prisma", "orca", "lacework"] as BuiltInPlatform[]) {
      expect(estate.findings.filter((finding) => finding.reportedBy[platform]).length).toBe(150);
    }
    const shared = estate.findings.filter((finding) => Object.keys(finding.reportedBy).length > 1);
    expect(shared.length).toBeGreaterThan(20);
    const nativeIds = estate.findings.flatMap((finding) => Object.values(finding.reportedBy));
    expect(new Set(nativeIds).size).toBe(nativeIds.length);
  });

  it("keeps the first platform's findings identical whatever other platforms are generated", () => {
    const all = generateEstate({ seed: 3, size: 50 });
    const wizOnly = generateEstate({ seed: 3, size: 50, platforms: ["wiz"] });
    expect(
      wizOnly.findings.map((finding) => [finding.id, finding.reportedBy.wiz, finding.resourceId]),
    ).toEqual(
      all.findings.slice(0, 50).map((finding) => [finding.id, finding.reportedBy.wiz, finding.resourceId]),
    );
  });

  it("covers every category, a realistic severity mix and four clouds", () => {
    const estate = generateEstate({ seed: 1, size: 1000, platforms: ["wiz"] });
    const categories = new Set(estate.findings.map((finding) => finding.category));
    expect([...categories].sort()).toEqual(
      categorySchema.options.filter((category) => category !== "other").sort(),
    );
    const share = (severity: string) =>
      estate.findings.filter((finding) => finding.severity === severity).length / estate.findings.length;
    expect(share("critical")).toBeGreaterThan(0.03);
    expect(share("critical")).toBeLessThan(share("medium"));
    expect(share("info")).toBeGreaterThan(0);
    expect(new Set(estate.accounts.map((account) => account.cloud))).toEqual(
      new Set(["aws", "azure", "gcp", "kubernetes"]),
    );
    expect(new Set(estate.findings.map((finding) => finding.wizKind))).toEqual(
      new Set(["issue", "configuration", "vulnerability"]),
    );
  });

  it("tags resources imperfectly: owners and teams, some missing, some conflicting", () => {
    const { resources, owners } = generateEstate({ seed: 1, size: 900 });
    const emails = new Set(owners.map((owner) => owner.email));
    const owned = resources.filter((resource) => resource.tags.owner ?? resource.tags.Owner);
    expect(owned.length).toBeGreaterThan(resources.length / 2);
    expect(owned.every((resource) => emails.has((resource.tags.owner ?? resource.tags.Owner)!))).toBe(true);
    expect(resources.some((resource) => !resource.tags.owner && !resource.tags.Owner)).toBe(true);
    expect(resources.some((resource) => resource.tags.owner && resource.tags.Owner)).toBe(true);
    expect(
      resources.some((resource) => resource.tags.env) &&
        resources.some((resource) => resource.tags.environment),
    ).toBe(true);
    expect(resources.some((resource) => resource.tags["data-classification"] === "pii")).toBe(true);
    expect(new Set(resources.map((resource) => resource.id)).size).toBe(resources.length);
  });

  it("uses rule archetypes the knowledge base recognises from the rule's own title", () => {
    for (const rule of estateRules) {
      for (const resourceType of rule.resourceTypes) {
        const matched = matchArchetype({
          platform: "wiz",
          ruleId: "estate-test",
          ruleName: rule.title,
          title: rule.title,
          category: rule.category,
          resourceType,
          cve: rule.vulnerability?.cve,
        });
        expect(matched, `${rule.title} on ${resourceType}`).toBe(rule.archetype);
      }
    }
  });
});
