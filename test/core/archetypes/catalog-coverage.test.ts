import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtInAliases } from "../../../src/core/archetypes/aliases.js";
import {
  compileMatchers,
  isFallbackArchetype,
  type MatchInput,
  matchArchetype,
} from "../../../src/core/archetypes/match.js";
import { archetypeIds, archetypeMatchers } from "../../../src/core/archetypes/matchers.js";
import { aliasKey, ruleText } from "../../../src/core/archetypes/text.js";
import type { Category } from "../../../src/core/finding.js";

/**
 * The real rule names of the catalogs in ../shared/reference/catalogs, as
 * scripts/generate-archetype-aliases.ts writes them: every Prowler check (1,038) and every named
 * Lacework, Wiz and Orca rule.
 */
interface RuleNames {
  prowler: [provider: string, checkId: string, title: string, resourceType: string, category: Category][];
  vendor: [platform: string, id: string, name: string, resourceType: string, category: Category][];
}

const names = JSON.parse(
  readFileSync(new URL("../../__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
) as RuleNames;

/** Keywords only: no alias table, so the figures measure how the matcher reads names. */
const byWords = compileMatchers(archetypeMatchers, { aliases: false });

const specific = (archetype: string | undefined) =>
  archetype !== undefined && !isFallbackArchetype(archetype) && !archetype.startsWith("cve:");

const untyped = (resourceType: string) => `${resourceType.split(".")[0]}.other.resource`;

function share<Row>(
  rows: readonly Row[],
  input: (row: Row) => MatchInput,
): { share: number; misses: string[] } {
  const misses: string[] = [];
  for (const row of rows) {
    const value = input(row);
    if (!specific(byWords(value))) misses.push(`${value.ruleId || value.ruleName}`);
  }
  return { share: 1 - misses.length / rows.length, misses };
}

describe("coverage of real rule catalogs", () => {
  it("holds every Prowler check and named vendor rule", () => {
    expect(names.prowler.length).toBe(1038);
    expect(names.vendor.length).toBeGreaterThanOrEqual(420);
  });

  it("maps ≥ 90% of Prowler checks to a specific archetype by their title, with the resource type an adapter gives", () => {
    const { share: covered, misses } = share(names.prowler, ([, , title, resourceType, category]) => ({
      platform: "prowler",
      ruleId: "",
      ruleName: title,
      title,
      category,
      resourceType,
    }));
    expect(covered, misses.join(", ")).toBeGreaterThanOrEqual(0.95);
  });

  it("maps ≥ 90% of Prowler checks by title alone, when the resource type says nothing (`aws.other.resource`)", () => {
    const { share: covered, misses } = share(names.prowler, ([, , title, resourceType, category]) => ({
      platform: "prowler",
      ruleId: "",
      ruleName: title,
      title,
      category,
      resourceType: untyped(resourceType),
    }));
    expect(covered, misses.join(", ")).toBeGreaterThanOrEqual(0.93);
  });

  it("maps ≥ 90% of Prowler checks by their identifier alone (`s3_bucket_public_access` read as words)", () => {
    const { share: covered, misses } = share(names.prowler, ([, checkId, , resourceType, category]) => ({
      platform: "prowler",
      ruleId: checkId,
      ruleName: checkId,
      title: checkId,
      category,
      resourceType,
    }));
    expect(covered, misses.join(", ")).toBeGreaterThanOrEqual(0.9);
  });

  it("maps ≥ 90% of the named Lacework, Wiz and Orca rules to a specific archetype", () => {
    const { share: covered, misses } = share(
      names.vendor,
      ([platform, id, name, resourceType, category]) => ({
        platform,
        ruleId: id,
        ruleName: name,
        title: name,
        category,
        resourceType,
      }),
    );
    expect(covered, misses.join(", ")).toBeGreaterThanOrEqual(0.92);
  });

  it("covers every provider and the services that matter, not a few big ones", () => {
    const byProvider = new Map<string, { total: number; covered: number }>();
    for (const [provider, , title, resourceType, category] of names.prowler) {
      const entry = byProvider.get(provider) ?? { total: 0, covered: 0 };
      entry.total++;
      if (
        specific(byWords({ platform: "prowler", ruleId: "", ruleName: title, title, category, resourceType }))
      )
        entry.covered++;
      byProvider.set(provider, entry);
    }
    for (const [provider, { total, covered }] of byProvider) {
      expect(covered / total, provider).toBeGreaterThanOrEqual(0.9);
    }
    for (const prefix of ["aws-", "azure-", "gcp-", "k8s-", "threat-", "secret-"]) {
      expect(archetypeIds.filter((id) => id.startsWith(prefix)).length, prefix).toBeGreaterThanOrEqual(
        prefix.startsWith("aws") ? 300 : prefix.length > 6 ? 4 : 60,
      );
    }
  });

  it("gives the same archetype to a check's title and to its identifier, for ≥ 85% of checks", () => {
    let same = 0;
    for (const [, checkId, title, resourceType, category] of names.prowler) {
      const byTitle = byWords({
        platform: "prowler",
        ruleId: "",
        ruleName: title,
        title,
        category,
        resourceType,
      });
      const byId = byWords({
        platform: "prowler",
        ruleId: checkId,
        ruleName: checkId,
        title: checkId,
        category,
        resourceType,
      });
      if (specific(byTitle) && byTitle === byId) same++;
    }
    expect(same / names.prowler.length).toBeGreaterThanOrEqual(0.85);
  });
});

describe("the alias table from the catalogs' joins", () => {
  const input = (ruleId: string, platform = "securityhub"): MatchInput => ({
    platform,
    ruleId,
    ruleName: "Opaque vendor title",
    title: "Opaque vendor title",
    category: "misconfiguration",
    resourceType: "aws.other.resource",
  });

  it("names the same archetype for a Prowler check, its Security Hub control and its AWS Config rule", () => {
    expect(matchArchetype(input("S3.8"))).toBe("aws-s3-block-public-access-disabled");
    expect(matchArchetype(input("security-control/S3.8"))).toBe("aws-s3-block-public-access-disabled");
    expect(
      matchArchetype(
        input("arn:aws:securityhub:::control/aws-foundational-security-best-practices/v/1.0.0/RDS.3"),
      ),
    ).toBe("aws-rds-unencrypted");
    expect(matchArchetype(input("rds-instance-public-access-check"))).toBe("aws-rds-public");
    expect(matchArchetype(input("RDS_INSTANCE_PUBLIC_ACCESS_CHECK"))).toBe("aws-rds-public");
    expect(matchArchetype(input("lambda-function-public-access-prohibited"))).toBe("aws-lambda-public");
    expect(matchArchetype(input("IAM.4"))).toBe("aws-root-access-key");
  });

  it("reads a control id in front of a title", () => {
    expect(
      matchArchetype({
        ...input("sh-123"),
        ruleName: "[EC2.6] VPC flow logging should be enabled in all VPCs",
      }),
    ).toBe("aws-vpc-flow-logs-disabled");
  });

  it("joins Lacework's legacy ids and their lacework-global successors", () => {
    expect(matchArchetype(input("LW_S3_1", "lacework"))).toBe("aws-s3-public-read");
    expect(matchArchetype(input("AWS_CIS_1_13", "lacework"))).toBe("aws-root-mfa-disabled");
    expect(matchArchetype(input("lacework-global-35", "lacework"))).toBe("aws-root-mfa-disabled");
  });

  it("leaves out identifiers whose checks disagree (EC2.21 covers both SSH and RDP), so keywords decide", () => {
    expect(builtInAliases().has(aliasKey("EC2.21"))).toBe(false);
    expect(
      matchArchetype({
        ...input("EC2.21"),
        ruleName: "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22",
      }),
    ).toBe("aws-nacl-ssh-open");
  });

  it("points every alias at an archetype the matcher knows", () => {
    const known = new Set(archetypeIds);
    for (const archetype of new Set(builtInAliases().values()))
      expect(known.has(archetype), archetype).toBe(true);
  });
});

describe("ruleText", () => {
  it("reads identifier-style names as words", () => {
    expect(ruleText("s3_bucket_public_access")).toBe("s3 bucket public access");
    expect(ruleText("S3_BUCKET_PUBLIC_READ_PROHIBITED")).toBe("s3 bucket public read prohibited");
    expect(ruleText("lacework-global-72")).toBe("lacework global 72");
    expect(ruleText("core_minimize_hostPID_containers")).toBe(
      "core minimize hostpid containers\ncore minimize host pid containers",
    );
    expect(ruleText("allowPrivilegeEscalation")).toBe("allowprivilegeescalation\nallow privilege escalation");
    expect(ruleText("S3.8")).toBe("s3.8");
  });

  it("matches the same problem whatever the naming style", () => {
    const input = (name: string): MatchInput => ({
      platform: "wiz",
      ruleId: "x",
      ruleName: name,
      title: name,
      category: "misconfiguration",
      resourceType: "aws.s3.bucket",
    });
    for (const name of [
      "s3_bucket_server_access_logging_enabled",
      "S3_BUCKET_LOGGING_ENABLED",
      "s3BucketLoggingEnabled",
      "S3 bucket server access logging is disabled",
    ]) {
      expect(byWords(input(name)), name).toBe("aws-s3-access-logging-disabled");
    }
  });
});
