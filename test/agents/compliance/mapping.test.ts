import { describe, expect, it } from "vitest";
import { defineFramework } from "../../../src/agents/compliance/framework.js";
import {
  bundledFrameworkKeyOf,
  complianceMapper,
  requirementKey,
} from "../../../src/agents/compliance/mapping.js";
import { makeFinding } from "../../../src/testing/factories.js";

const publicBucket = makeFinding({
  rule: {
    id: "wc-id-1",
    name: "S3 bucket allows public read access",
    controls: [
      { framework: "SOC 2", control: "CC6.6" },
      { framework: "PCI DSS v4.0.1", control: "1.3.1" },
      { framework: "CIS Amazon Web Services Foundations Benchmark v3.0.0", control: "2.1.4" },
    ],
  },
});

describe("complianceMapper", () => {
  it("maps through the vendor, the catalog and the knowledge base, naming the route", () => {
    const mappings = complianceMapper({ frameworks: ["soc2", "pci-dss-4.0", "cis-aws-7.0"] }).map(
      publicBucket,
    );
    const routes = (framework: string, requirement: string) =>
      mappings
        .filter((mapping) => mapping.framework === framework && mapping.requirement === requirement)
        .map((mapping) => mapping.route)
        .sort();
    expect(routes("soc2", "cc_6_6")).toContain("vendor");
    expect(
      mappings.find((mapping) => mapping.route === "vendor" && mapping.requirement === "cc_6_6")?.via,
    ).toBe("SOC 2 CC6.6");
    expect(routes("pci-dss-4.0", "1.3.1")).toContain("vendor");
    // The catalog route: archetype → Prowler checks → requirements.
    const catalog = mappings.filter((mapping) => mapping.route === "catalog");
    expect(catalog.length).toBeGreaterThan(0);
    expect(catalog.every((mapping) => /^archetype aws-s3-[a-z-]+ → s3_/.test(mapping.via))).toBe(true);
    expect(routes("soc2", "cc_6_1")).toContain("catalog");
    // The knowledge base's SOC 2 / PCI controls of the archetype.
    const knowledge = mappings.filter((mapping) => mapping.route === "knowledge-base");
    expect(knowledge.map((mapping) => `${mapping.framework} ${mapping.requirement}`)).toContain(
      "soc2 cc_6_1",
    );
    // A CIS benchmark of another version is another framework: no vendor mapping to CIS AWS 7.0.
    expect(
      mappings.some((mapping) => mapping.framework === "cis-aws-7.0" && mapping.route === "vendor"),
    ).toBe(false);
  });

  it("maps a Prowler check id directly and once per framework, requirement and route", () => {
    const finding = makeFinding({
      source: { platform: "prowler" },
      rule: {
        id: "s3_bucket_public_access",
        name: "Ensure there are no S3 buckets open to Everyone",
        controls: [],
      },
    });
    const mappings = complianceMapper({ frameworks: ["soc2"] }).map(finding);
    expect(mappings).toContainEqual({
      framework: "soc2",
      requirement: "cc_6_1",
      route: "catalog",
      via: "check s3_bucket_public_access",
    });
    const keys = mappings.map((mapping) => `${mapping.framework}|${mapping.requirement}|${mapping.route}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("maps nothing for a finding no route knows", () => {
    const finding = makeFinding({
      category: "other",
      title: "Quarterly cost report ready",
      rule: {
        id: "x-1",
        name: "Quarterly cost report ready",
        controls: [{ framework: "Internal", control: "Q1" }],
      },
      resource: { type: "aws.ce.report" },
    });
    expect(complianceMapper().map(finding)).toEqual([]);
  });

  it("takes frameworks of your own: by archetype, rule and the framework's own name", () => {
    const acme = defineFramework({
      key: "acme",
      name: "ACME baseline",
      requirements: [
        { id: "ACME-1", title: "No public buckets", archetypes: ["aws-s3-public-read"] },
        { id: "ACME-2", title: "Rule wc-id-1 stays closed", rules: ["wc-id-1"] },
        { id: "ACME-3", title: "Vendor-tagged", section: "x" },
        { id: "ACME-4", title: "Nothing assesses this" },
      ],
    });
    const finding = makeFinding({
      rule: {
        id: "wc-id-1",
        name: "S3 bucket allows public read access",
        controls: [{ framework: "ACME baseline", control: "ACME-3" }],
      },
    });
    const mapper = complianceMapper({ frameworks: [acme] });
    const mappings = mapper.map(finding);
    expect(mappings).toEqual(
      expect.arrayContaining([
        { framework: "acme", requirement: "ACME-3", route: "vendor", via: "ACME baseline ACME-3" },
        { framework: "acme", requirement: "ACME-2", route: "catalog", via: "rule wc-id-1" },
      ]),
    );
    expect(mapper.isAssessable("acme", "ACME-2")).toBe(true);
    expect(mapper.isAssessable("acme", "ACME-4")).toBe(false);
  });

  it("refuses a framework given twice", () => {
    expect(() => complianceMapper({ frameworks: ["soc2", "soc2"] })).toThrow(/"soc2" is given twice/);
  });
});

describe("bundledFrameworkKeyOf", () => {
  it.each([
    ["SOC 2", "soc2"],
    ["SOC2 Type II", "soc2"],
    ["ISO/IEC 27001:2022", "iso27001-2022"],
    ["ISO 27001:2013", undefined],
    ["PCI DSS v4.0.1", "pci-dss-4.0"],
    ["PCI DSS v3.2.1", undefined],
    ["HIPAA Security Rule", "hipaa"],
    ["NIST SP 800-53 Rev. 5", "nist-800-53-r5"],
    ["NIST 800-53 Rev 4", undefined],
    ["NIST CSF 2.0", "nist-csf-2.0"],
    ["NIST CSF v1.1", undefined],
    ["CIS Amazon Web Services Foundations Benchmark v7.0.0", "cis-aws-7.0"],
    ["CIS AWS Foundations 3.0", undefined],
    ["CIS Microsoft Azure Foundations Benchmark 6.0.0", "cis-azure-6.0"],
    ["CIS Google Cloud Platform Foundation Benchmark v5.0", "cis-gcp-5.0"],
    ["CIS Kubernetes 2.0.1", "cis-kubernetes-2.0.1"],
    ["CIS EKS Kubernetes Benchmark 2.0", undefined],
    ["MITRE ATT&CK", undefined],
  ])("%s → %s", (name, key) => {
    expect(bundledFrameworkKeyOf(name)).toBe(key);
  });
});

describe("requirementKey", () => {
  it("meets the spellings of one id", () => {
    expect(requirementKey("CC6.1")).toBe(requirementKey("cc_6_1"));
    expect(requirementKey("AC-6(5)")).toBe(requirementKey("ac_6_5"));
    expect(requirementKey("164.312(a)(1)")).toBe(requirementKey("164_312_a_1"));
    expect(requirementKey("1.11")).not.toBe(requirementKey("11.1"));
  });
});
