import { beforeEach, describe, expect, it } from "vitest";
import { ruleKeyOf } from "../../../src/agents/triage/group.js";
import { scorePriority } from "../../../src/agents/triage/priority.js";
import { triage } from "../../../src/agents/triage/triage.js";
import type { Case } from "../../../src/core/case.js";
import { PolicyError } from "../../../src/core/errors.js";
import type { Finding } from "../../../src/core/finding.js";
import { dedupKey, stableHash } from "../../../src/core/fingerprint.js";
import { makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { runStage, stageContext } from "./stage-context.js";

beforeEach(() => resetFactories());

/** Replaces a finding's tags (the factory merges nested objects, so it would keep its default tags). */
function withTags(finding: Finding, tags: Record<string, string>): Finding {
  return { ...finding, resource: { ...finding.resource, tags } };
}

/** The same public bucket, as Wiz and as Prisma Cloud report it (different ids, rules and names). */
function crossPlatformPair() {
  const wiz = makeFinding({
    source: { platform: "wiz", nativeId: "wiz-issue-1" },
    dedupKey: "dk_bucket_public",
    rule: { id: "wc-s3-public", name: "S3 bucket allows public read access" },
    resource: { id: "arn:aws:s3:::acme-logs", name: "acme-logs", tags: { owner: "payments" } },
  });
  const prisma = makeFinding({
    source: { platform: "prisma", nativeId: "P-77" },
    dedupKey: "dk_bucket_public",
    severity: "critical",
    rule: { id: "b1f0c7a2-0000-4000-8000-000000000001", name: "AWS S3 buckets are accessible to public" },
    resource: { id: "acme-logs", name: "acme-logs", tags: { Owner: "payments" } },
  });
  return { wiz, prisma };
}

describe("triage dedup", () => {
  it("keeps one copy of a finding seen twice: the latest lastSeen wins, whatever the order", async () => {
    const newer = makeFinding({
      source: { nativeId: "same" },
      lastSeen: "2026-05-02T00:00:00Z",
      title: "newer copy",
    });
    const older = makeFinding({
      source: { nativeId: "same" },
      lastSeen: "2026-05-01T00:00:00Z",
      title: "older copy",
    });
    const { context } = stageContext();
    const cases = await runStage(triage(), [newer, older], context);
    expect(cases).toHaveLength(1);
    expect(cases[0]!.findings.map((finding) => finding.title)).toEqual(["newer copy"]);
  });

  it("merges the same issue from two platforms into one case that keeps both source findings", async () => {
    const { wiz, prisma } = crossPlatformPair();
    const { context, emitted } = stageContext();
    const cases = await runStage(triage(), [wiz, prisma], context);
    expect(cases).toHaveLength(1);
    const [item] = cases as [Case];
    expect(item.findings.map((finding) => finding.id).sort()).toEqual([prisma.id, wiz.id].sort());
    expect(item.platforms).toEqual(["prisma", "wiz"]);
    expect(item.severity).toBe("critical");
    expect(item.groupKey).toEqual({ rule: "aws-s3-public-read", owner: "payments" });
    expect(emitted.filter((event) => event.name === "case-created").map((event) => event.payload)).toEqual([
      { caseId: item.id, findings: 2 },
    ]);
  });

  it("merges a bucket reported as an ARN by Wiz and as a bare name by Prisma, through the core dedupKey", async () => {
    const wiz = makeFinding({
      source: { platform: "wiz", nativeId: "w-9" },
      resource: { id: "arn:aws:s3:::acme-data", name: "acme-data" },
    });
    const prisma = makeFinding({
      source: { platform: "prisma", nativeId: "p-9" },
      rule: { id: "prisma-s3-public", name: "AWS S3 buckets are accessible to public" },
      resource: { id: "acme-data", name: "acme-data", region: "eu-west-1" },
    });
    const keyed = [wiz, prisma].map((finding) => ({
      ...finding,
      dedupKey: dedupKey(ruleKeyOf(finding), finding.resource),
    }));
    expect(keyed[0]!.dedupKey).toBe(keyed[1]!.dedupKey);
    const cases = await runStage(triage(), keyed, stageContext().context);
    expect(cases.map((item) => item.platforms)).toEqual([["prisma", "wiz"]]);
  });

  it("names the rule of duplicates the same way whatever order they arrive in", async () => {
    const wiz = makeFinding({
      source: { platform: "wiz", nativeId: "w" },
      dedupKey: "dk_x",
      rule: { id: "custom-rule-1", name: "Custom rule one" },
      title: "Custom rule one",
      category: "other",
      resource: { type: "aws.other.thing", nativeType: "Thing", id: "thing-1", name: "thing-1" },
    });
    const orca = makeFinding({ ...wiz, id: undefined, source: { platform: "orca", nativeId: "o" } });
    const cases = await runStage(triage({ groupBy: ["rule"] }), [orca, wiz], stageContext().context);
    expect(cases).toHaveLength(1);
    expect(cases[0]!.groupKey).toEqual({ rule: "orca:custom-rule-1" });
  });
});

describe("triage grouping", () => {
  const bucket = (name: string, tags: Record<string, string>) =>
    withTags(makeFinding({ resource: { id: `arn:aws:s3:::${name}`, name } }), tags);

  it("groups by rule and owner by default, with a stable case id from the group key", async () => {
    const findings = [
      bucket("a", { owner: "payments" }),
      bucket("b", { team: "payments" }),
      bucket("c", { OWNER: "payments" }),
      bucket("d", { owner: "data" }),
      bucket("e", { env: "dev" }),
    ];
    const cases = await runStage(triage(), findings, stageContext().context);
    const byOwner: Record<string, Case> = Object.fromEntries(
      cases.map((item) => [item.groupKey.owner, item]),
    );
    expect(Object.keys(byOwner).sort()).toEqual(["data", "payments", "unowned"]);
    expect(byOwner.payments!.findings.map((finding) => finding.resource.name).sort()).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(byOwner.payments!.id).toBe(`case_${stableHash("rule=aws-s3-public-read", "owner=payments")}`);

    const again = await runStage(triage(), [...findings].reverse(), stageContext().context);
    expect(again).toEqual(cases);
  });

  it("applies owner keys and aliases", async () => {
    const findings = [
      bucket("a", { "cost-owner": "JDoe@acme.com" }),
      bucket("b", { "cost-owner": "payments" }),
    ];
    const cases = await runStage(
      triage({ ownerKeys: ["cost-owner"], ownerAliases: { "jdoe@acme.com": "payments" } }),
      findings,
      stageContext().context,
    );
    expect(cases.map((item) => [item.groupKey.owner, item.findings.length])).toEqual([["payments", 2]]);
  });

  it("groups by resource, account, CVE, package and custom keys", async () => {
    const vulnerable = (nativeId: string, cve: string, packageName: string, instance: string) =>
      makeFinding({
        source: { nativeId },
        category: "vulnerability",
        rule: { id: cve, name: cve },
        title: `${cve} in ${packageName}`,
        resource: { type: "aws.ec2.instance", nativeType: "EC2", id: instance, name: instance },
        vulnerability: { cve, packageName },
      });
    const findings = [
      vulnerable("1", "CVE-2021-44228", "log4j-core", "i-0000000000000000a"),
      vulnerable("2", "CVE-2021-45046", "log4j-core", "i-0000000000000000a"),
      vulnerable("3", "CVE-2021-44228", "log4j-core", "i-0000000000000000b"),
    ];
    const context = () => stageContext().context;
    expect(await runStage(triage({ groupBy: ["resource"] }), findings, context())).toHaveLength(2);
    expect(await runStage(triage({ groupBy: ["account"] }), findings, context())).toHaveLength(1);
    const byCve = await runStage(triage({ groupBy: ["cve"] }), findings, context());
    expect(byCve.map((item) => item.groupKey.cve).sort()).toEqual(["CVE-2021-44228", "CVE-2021-45046"]);
    const byPackage = await runStage(triage({ groupBy: ["package", "owner"] }), findings, context());
    expect(byPackage.map((item) => item.groupKey)).toEqual([{ package: "log4j-core", owner: "payments" }]);
    const byRule = await runStage(triage(), findings, context());
    expect(byRule.map((item) => item.groupKey.rule).sort()).toEqual([
      "cve:CVE-2021-44228",
      "cve:CVE-2021-45046",
    ]);
    const custom = await runStage(
      triage({ groupBy: [{ name: "region", value: (finding) => finding.resource.region ?? "global" }] }),
      findings,
      context(),
    );
    expect(custom.map((item) => item.groupKey)).toEqual([{ region: "us-east-1" }]);
    expect(() => triage({ groupBy: [] })).toThrow(PolicyError);
  });
});

describe("triage priority", () => {
  it("scores severity, exposure, exploitability, environment and data, with reasons", () => {
    const finding = makeFinding({
      severity: "critical",
      category: "vulnerability",
      vulnerability: { cve: "CVE-2021-44228", epss: 0.6, exploitAvailable: true, knownExploited: true },
      resource: { tags: { env: "prd", "data-classification": "PII", "internet-facing": "yes" } },
    });
    expect(scorePriority({ findings: [finding] })).toEqual({
      score: 100,
      reasons: [
        "critical severity (+40)",
        "internet exposed (+20)",
        "known exploited (CISA KEV) (+20)",
        "exploit available (+15)",
        "EPSS 0.60 (+9)",
        "production environment (+10)",
        "confidential data (+7)",
      ],
    });
    const quiet = withTags(makeFinding({ severity: "low" }), {});
    expect(scorePriority({ findings: [quiet] })).toEqual({ score: 5, reasons: ["low severity (+5)"] });
  });

  it("takes each factor once, from the worst finding, and lets context win over tags", () => {
    const findings = [
      makeFinding({ severity: "medium", resource: { tags: { env: "production" } } }),
      makeFinding({ severity: "high", category: "exposure", resource: { tags: { env: "production" } } }),
    ];
    expect(scorePriority({ findings }).reasons).toEqual([
      "high severity (+30)",
      "internet exposed (+20)",
      "production environment (+10)",
    ]);
    const context = { environment: { value: "development" as const, source: "cmdb:servicenow" } };
    expect(scorePriority({ findings, context }).score).toBe(50);
  });

  it("uses configured weights", () => {
    const finding = withTags(makeFinding({ severity: "high" }), { env: "prod" });
    expect(
      scorePriority({ findings: [finding] }, { weights: { severity: { high: 50 }, production: 25 } }),
    ).toEqual({
      score: 75,
      reasons: ["high severity (+50)", "production environment (+25)"],
    });
  });

  it("emits cases highest priority first", async () => {
    const findings = [
      withTags(makeFinding({ severity: "low" }), { owner: "a" }),
      withTags(makeFinding({ severity: "critical" }), { owner: "b" }),
      withTags(makeFinding({ severity: "medium" }), { owner: "c" }),
    ];
    const cases = await runStage(triage(), findings, stageContext().context);
    expect(cases.map((item) => item.severity)).toEqual(["critical", "medium", "low"]);
    expect(cases.map((item) => item.priority?.reasons[0])).toEqual([
      "critical severity (+40)",
      "medium severity (+15)",
      "low severity (+5)",
    ]);
  });
});

describe("triage robustness", () => {
  it("sends a malformed item or a throwing custom key to dead letters and keeps going", async () => {
    const good = makeFinding({ source: { nativeId: "good" } });
    const broken = {
      ...makeFinding({ source: { nativeId: "broken" } }),
      resource: undefined,
    } as unknown as Finding;
    const { context } = stageContext();
    const cases = await runStage(
      triage({
        suppressions: [
          { id: "t", match: { tags: { x: "y" } }, reason: "r", owner: "o", expiresAt: "2027-01-01" },
        ],
      }),
      [good, broken, null as unknown as Finding],
      context,
    );
    expect(cases.flatMap((item) => item.findings.map((finding) => finding.id))).toEqual([good.id]);
    expect(
      context.report.deadLetters.map((letter) => [letter.stage, letter.itemId, letter.error.code]),
    ).toEqual([
      ["triage", undefined, "NORMALIZATION"],
      ["triage", "wiz:broken", "NORMALIZATION"],
    ]);
    expect(context.report.deadLetters[1]!.error.message).toMatch(/finding wiz:broken could not be triaged/);

    const throwing = stageContext();
    const grouped = await runStage(
      triage({
        groupBy: [
          {
            name: "region",
            value: (finding) => {
              if (finding.id === good.id) throw new Error("no region");
              return "r";
            },
          },
        ],
      }),
      [good, makeFinding({ source: { nativeId: "other" } })],
      throwing.context,
    );
    expect(grouped).toHaveLength(1);
    expect(throwing.context.report.deadLetters.map((letter) => letter.itemId)).toEqual([good.id]);
  });
});

describe("triage memory model (big cases)", () => {
  /** Twelve findings of one rule and owner on six resources, one of them reported twice. */
  function bigGroup(): Finding[] {
    const findings = Array.from({ length: 12 }, (_, index) =>
      makeFinding({
        source: { nativeId: `n-${index}` },
        dedupKey: `dk_${String(index).padStart(2, "0")}`,
        severity: index === 7 ? "critical" : "medium",
        resource: { id: `arn:aws:s3:::bucket-${index % 6}`, name: `bucket-${index % 6}` },
      }),
    );
    return [...findings, { ...findings[3]!, lastSeen: "2020-01-01T00:00:00.000Z" }];
  }

  it("keeps a bounded sample in case order, with every id and the totals beside it", async () => {
    const input = bigGroup();
    const [full] = await runStage(triage(), input.slice().reverse(), stageContext().context);
    const [sampled] = await runStage(triage({ sampleSize: 5 }), input, stageContext().context);
    expect(full!.findingCount).toBeUndefined();
    expect(full!.findings).toHaveLength(12);
    expect(sampled!.id).toBe(full!.id);
    expect(sampled!.findings.map((finding) => finding.id)).toEqual(
      full!.findings.slice(0, 5).map((finding) => finding.id),
    );
    expect(sampled!.findingCount).toBe(12);
    expect(sampled!.findingIds).toEqual(full!.findings.map((finding) => finding.id));
    expect(sampled!.resourceCount).toBe(6);
    // Severity and priority come from every finding, not from the sample.
    expect(sampled!.severity).toBe("critical");
    expect(sampled!.priority).toEqual(full!.priority);
  });

  it("rejects a sampleSize below 1", () => {
    expect(() => triage({ sampleSize: 0 })).toThrow(PolicyError);
  });
});
