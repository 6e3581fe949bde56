/**
 * The sandbox's vendor names come from the reference catalogs: every Prowler check and Lacework policy
 * in `catalogNames` is a row of the catalogs' copy in test/__fixtures__/catalogs/rule-names.json, with
 * the same title; and every platform names each estate rule in its own words.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { estateRules } from "../../src/testing/estate.js";
import {
  catalogNames,
  laceworkPolicyId,
  orcaAlertType,
  vendorRuleName,
  wizGuardDutyRuleId,
} from "../../src/testing/sandbox/vendor-rules.js";

const catalog = JSON.parse(
  readFileSync(new URL("../__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
) as { prowler: [string, string, string, ...unknown[]][]; vendor: [string, string, string, ...unknown[]][] };
const prowlerTitles = new Map(catalog.prowler.map(([, id, title]) => [id, title]));
const laceworkTitles = new Map(
  catalog.vendor.filter(([platform]) => platform === "lacework").map(([, id, name]) => [id, name]),
);

describe("sandbox vendor names", () => {
  it("takes every Prowler check and Lacework policy, with its title, from the catalogs", () => {
    for (const [archetype, names] of Object.entries(catalogNames)) {
      if (names.prowler) expect(prowlerTitles.get(names.prowler.id), archetype).toBe(names.prowler.title);
      if (names.lacework) {
        expect(laceworkTitles.get(names.lacework.id), archetype).toBe(names.lacework.title);
        if (names.lacework.legacyId)
          expect(laceworkTitles.get(names.lacework.legacyId), archetype).toBe(names.lacework.title);
      }
    }
  });

  it("names every catalogued posture rule differently on each platform", () => {
    for (const rule of estateRules) {
      const names = catalogNames[rule.archetype];
      if (!names?.prowler || rule.category === "data") continue;
      const given = (["wiz", "prisma", "orca", "lacework"] as const).map((platform) =>
        vendorRuleName(platform, rule),
      );
      // Lacework and Wiz may both quote a CIS title where Lacework has no policy of its own.
      expect(new Set(given).size, `${rule.archetype}: ${given.join(" | ")}`).toBeGreaterThanOrEqual(3);
      // Only a Lacework custom policy with no catalog title at all keeps the estate's own title.
      expect(given.slice(0, 3)).not.toContain(rule.title);
    }
  });

  it("gives the platforms' own id forms", () => {
    const rule = (archetype: string) => estateRules.find((candidate) => candidate.archetype === archetype)!;
    expect(laceworkPolicyId(rule("aws-s3-public-read"))).toBe("lacework-global-130");
    expect(laceworkPolicyId(rule("azure-storage-https-only-disabled"))).toBe("Azure_CIS_3_1");
    expect(laceworkPolicyId(rule("aws-ec2-imdsv1-enabled"))).toMatch(/^sandbox-\d{3}$/);
    expect(orcaAlertType(rule("aws-s3-public-read"))).toBe("s3_bucket_public_access");
    expect(vendorRuleName("orca", rule("aws-s3-public-read"))).toBe("S3 Bucket Public Access");
    expect(orcaAlertType(rule("cve:CVE-2021-44228"))).toBe("vulnerable_package");
    expect(wizGuardDutyRuleId(rule("threat-cryptomining"))).toBe(
      "cer-awsguardduty-cryptocurrency-ec2-bitcointool-b-dns",
    );
    expect(vendorRuleName("wiz", rule("threat-cryptomining"), "kubernetes.pod")).toBe(
      "CryptoCurrency:Runtime/BitcoinTool.B!DNS",
    );
    expect(vendorRuleName("prisma", rule("cve:CVE-2021-44228"))).toBe(rule("cve:CVE-2021-44228").title);
  });
});
