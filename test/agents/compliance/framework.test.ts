import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bundledCatalog } from "../../../src/agents/compliance/catalog-table.js";
import {
  bundledFrameworkKeys,
  bundledFrameworks,
  defineFramework,
  loadFramework,
} from "../../../src/agents/compliance/framework.js";
import { isFallbackArchetype, matchArchetype } from "../../../src/core/archetypes/match.js";
import type { Category } from "../../../src/core/finding.js";

describe("bundled framework catalogs", () => {
  it("hold every requirement of the ten frameworks, with attribution", () => {
    const counts = Object.fromEntries(
      bundledFrameworks().map((framework) => [framework.key, framework.requirements.length]),
    );
    expect(counts).toEqual({
      soc2: 28,
      "iso27001-2022": 92,
      "pci-dss-4.0": 110,
      hipaa: 36,
      "nist-800-53-r5": 287,
      "nist-csf-2.0": 78,
      "cis-aws-7.0": 70,
      "cis-azure-6.0": 127,
      "cis-gcp-5.0": 93,
      "cis-kubernetes-2.0.1": 131,
    });
    expect(Object.keys(counts)).toEqual([...bundledFrameworkKeys]);
    for (const framework of bundledFrameworks()) {
      expect(framework.source).toMatchObject({
        repository: "github.com/prowler-cloud/prowler",
        commit: "3e000faa3109230b748e4418a13c11c9e59f5cfb",
        license: "Apache-2.0",
      });
      expect(new Set(framework.requirements.map((requirement) => requirement.id)).size).toBe(
        framework.requirements.length,
      );
    }
  });

  it("keeps ids, titles, sections and checks as the catalogs write them", () => {
    const [soc2, pci] = bundledFrameworks(["soc2", "pci-dss-4.0"]);
    const cc61 = soc2!.requirements.find((requirement) => requirement.id === "cc_6_1")!;
    expect(cc61.title).toMatch(/^CC6\.1 /);
    expect(cc61.section).toBe("CC6.0 - Logical and Physical Access");
    expect(cc61.checks).toContain("s3_bucket_public_access");
    // PCI's per-provider sub-ids (1.2.5.1, 1.2.5.2 …) are merged into the real requirement.
    const pci125 = pci!.requirements.find((requirement) => requirement.id === "1.2.5")!;
    expect(pci125).toMatchObject({
      title: "Network security controls (NSCs) are configured and maintained.",
    });
    expect(pci125.section).toBe("Requirement 1");
    expect(pci125.checks).toContain("elb_ssl_listeners");
    expect(pci!.requirements.some((requirement) => requirement.id === "1.2.5.1")).toBe(false);
  });

  it("names what is not bundled", () => {
    expect(() => bundledFrameworks(["soc3"])).toThrow(/no bundled framework "soc3"; bundled: soc2,/);
  });

  it("joins archetypes to Prowler checks in step with the matcher and the catalog fixture", () => {
    const names = JSON.parse(
      readFileSync(new URL("../../__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
    ) as { prowler: [string, string, string, string, Category][] };
    const expected = new Map<string, string[]>();
    for (const [, checkId, title, resourceType, category] of names.prowler) {
      const archetype = matchArchetype({
        platform: "prowler",
        ruleId: checkId,
        ruleName: title,
        title,
        category,
        resourceType,
      });
      if (!archetype || isFallbackArchetype(archetype) || archetype.startsWith("cve:")) continue;
      expected.set(archetype, [...(expected.get(archetype) ?? []), checkId]);
    }
    const actual = bundledCatalog().archetypeChecks;
    expect(actual.size).toBe(expected.size);
    for (const [archetype, checks] of expected)
      expect([...actual.get(archetype)!].sort()).toEqual(checks.sort());
    expect(actual.get("aws-s3-block-public-access-disabled")).toContain(
      "s3_bucket_level_public_access_block",
    );
  });
});

describe("frameworks of your own", () => {
  it("validates and keeps what assesses each requirement", () => {
    const framework = defineFramework({
      key: "acme-baseline",
      name: "ACME cloud baseline",
      requirements: [
        { id: "ACME-1", title: "No public buckets", archetypes: ["aws-s3-public-read"] },
        { id: "ACME-2", title: "Encrypted volumes", section: "Data", checks: ["ec2_ebs_volume_encryption"] },
      ],
    });
    expect(framework.requirements[0]).toEqual({
      id: "ACME-1",
      title: "No public buckets",
      section: "",
      checks: [],
      archetypes: ["aws-s3-public-read"],
    });
  });

  it("names the invalid field and repeated ids", () => {
    expect(() =>
      defineFramework({ key: "Bad Key", name: "x", requirements: [{ id: "1", title: "t" }] }),
    ).toThrow(/invalid framework at key: a lower-case key/);
    expect(() => defineFramework({ key: "k", name: "x", requirements: [{ id: "1", title: "" }] })).toThrow(
      /invalid framework at requirements\[0\]\.title/,
    );
    expect(() =>
      defineFramework({
        key: "k",
        name: "x",
        requirements: [
          { id: "1", title: "a" },
          { id: "1", title: "b" },
        ],
      }),
    ).toThrow(/lists requirement "1" twice/);
  });

  it("loads from YAML or JSON text", () => {
    const yaml =
      "key: acme\nname: ACME\nrequirements:\n  - id: A-1\n    title: MFA for admins\n    rules: [wc-id-42]\n";
    expect(loadFramework(yaml).requirements[0]!.rules).toEqual(["wc-id-42"]);
    expect(
      loadFramework(JSON.stringify({ key: "acme", name: "ACME", requirements: [{ id: "A", title: "T" }] }))
        .key,
    ).toBe("acme");
    expect(() => loadFramework("key: [unclosed")).toThrow(/the framework file does not parse/);
  });
});
