import { beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { compileSuppressions } from "../../../src/agents/triage/suppression.js";
import { triage } from "../../../src/agents/triage/triage.js";
import { isCloudstewardError, PolicyError } from "../../../src/core/errors.js";
import type { Finding } from "../../../src/core/finding.js";
import { makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { runStage, stageContext } from "./stage-context.js";

beforeEach(() => resetFactories());

const base = { reason: "Accepted noise", owner: "platform-team", expiresAt: "2026-12-31" };

function matching(match: Record<string, unknown>, finding: Finding): boolean {
  const [rule] = compileSuppressions([{ id: "r", match, ...base }]);
  return rule!.matches(finding);
}

describe("suppression rule matching", () => {
  const bucket = makeFinding({
    severity: "low",
    title: "Bucket tmp-scratch-01 allows public read",
    resource: { name: "tmp-scratch-01", tags: { Environment: "dev", team: "data" } },
  });
  const vulnerability = makeFinding({
    category: "vulnerability",
    severity: "medium",
    resource: { type: "aws.ec2.instance", nativeType: "EC2", id: "i-0abc", name: "web-1" },
    vulnerability: { cve: "CVE-2024-3094", packageName: "xz" },
  });

  it("tests equality, lists and absent values", () => {
    expect(matching({ severity: "low" }, bucket)).toBe(true);
    expect(matching({ severity: ["low", "info"] }, bucket)).toBe(true);
    expect(matching({ severity: ["high", "critical"] }, bucket)).toBe(false);
    expect(matching({ category: ["vulnerability"], "vulnerability.packageName": "xz" }, vulnerability)).toBe(
      true,
    );
    expect(matching({ "vulnerability.fixedVersion": null }, vulnerability)).toBe(true);
    expect(matching({ "vulnerability.cve": null }, vulnerability)).toBe(false);
  });

  it("tests RegExp objects and /…/flags strings", () => {
    expect(matching({ "resource.name": /^tmp-/ }, bucket)).toBe(true);
    expect(matching({ title: "/PUBLIC READ/i" }, bucket)).toBe(true);
    expect(matching({ title: "/PUBLIC READ/" }, bucket)).toBe(false);
    // A global flag must not make the test stateful across findings.
    const [rule] = compileSuppressions([{ id: "g", match: { "resource.name": /tmp/g }, ...base }]);
    expect([rule!.matches(bucket), rule!.matches(bucket), rule!.matches(bucket)]).toEqual([true, true, true]);
  });

  it("matches tags by key (case-insensitively) and value", () => {
    expect(matching({ tags: { environment: "dev" } }, bucket)).toBe(true);
    expect(matching({ tags: { Environment: ["dev", "test"], team: "/^da/" } }, bucket)).toBe(true);
    expect(matching({ "resource.tags.team": "data" }, bucket)).toBe(true);
    expect(matching({ tags: { team: "payments" } }, bucket)).toBe(false);
    expect(matching({ tags: { owner: null } }, bucket)).toBe(true);
  });

  it("treats resource types as globs", () => {
    expect(matching({ "resource.type": "aws.s3.*" }, bucket)).toBe(true);
    expect(matching({ "resource.type": "aws.*" }, vulnerability)).toBe(true);
    expect(matching({ "resource.type": "aws.s3.*" }, vulnerability)).toBe(false);
    expect(matching({ "resource.type": "aws.s?.bucket" }, bucket)).toBe(true);
  });

  it("reads through arrays (rule.controls.framework)", () => {
    expect(matching({ "rule.controls.framework": "CIS AWS 3.0" }, bucket)).toBe(true);
    expect(matching({ "rule.controls.framework": "PCI DSS 4.0" }, bucket)).toBe(false);
  });

  it("requires every condition", () => {
    expect(matching({ severity: "low", "resource.type": "aws.ec2.*" }, bucket)).toBe(false);
  });

  it("loads rules from YAML, regular expressions written as /…/flags", () => {
    const rules = compileSuppressions(
      parseYaml(`
- id: scratch-buckets
  match:
    resource.type: aws.s3.*
    resource.name: /^tmp-/i
    tags: { environment: [dev, test] }
  reason: Scratch buckets hold no customer data
  owner: data-platform
  expiresAt: 2026-09-30T00:00:00Z
`),
    );
    expect(rules[0]!.matches(bucket)).toBe(true);
    expect(rules[0]!.expiresAt).toBe("2026-09-30T00:00:00.000Z");
  });
});

describe("suppression rule validation", () => {
  const expectPolicyError = (rules: unknown, pattern: RegExp, options = {}) => {
    let thrown: unknown;
    try {
      compileSuppressions(rules, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyError);
    expect(isCloudstewardError(thrown, "POLICY")).toBe(true);
    expect((thrown as Error).message).toMatch(pattern);
  };

  it("refuses a rule without expiry, reason or owner", () => {
    expectPolicyError(
      [{ id: "a", match: { severity: "low" }, reason: "x", owner: "y" }],
      /"a" has no expiresAt/,
    );
    expectPolicyError(
      [{ id: "b", match: { severity: "low" }, owner: "y", expiresAt: "2026-12-31" }],
      /"b".*reason/,
    );
    expectPolicyError(
      [{ id: "c", match: { severity: "low" }, reason: "x", owner: " ", expiresAt: "2026-12-31" }],
      /"c".*owner/,
    );
    expectPolicyError(
      [{ id: "d", match: { severity: "low" }, ...base, expiresAt: "next week" }],
      /"d".*expiresAt/,
    );
  });

  it('refuses "never" unless allowNoExpiry is set', () => {
    const rule = { id: "forever", match: { severity: "info" }, ...base, expiresAt: "never" };
    expectPolicyError([rule], /never expires.*allowNoExpiry/);
    const [compiled] = compileSuppressions([rule], { allowNoExpiry: true });
    expect(compiled!.expiresAtMs).toBe(Number.POSITIVE_INFINITY);
    expect(() => triage({ suppressions: [rule] })).toThrow(PolicyError);
    expect(() => triage({ suppressions: [rule], allowNoExpiry: true })).not.toThrow();
  });

  it("refuses unknown fields, empty matches, bad regular expressions and duplicate ids", () => {
    expectPolicyError(
      [{ id: "typo", match: { "resource.tpye": "aws.s3.bucket" }, ...base }],
      /"resource.tpye".*not a Finding field/,
    );
    expectPolicyError([{ id: "object", match: { resource: "x" }, ...base }], /not a Finding field/);
    expectPolicyError([{ id: "empty", match: {}, ...base }], /empty match/);
    expectPolicyError([{ id: "empty-tags", match: { tags: {} }, ...base }], /empty match/);
    expectPolicyError([{ id: "regex", match: { title: "/([a-z/" }, ...base }], /invalid regular expression/);
    expectPolicyError(
      [
        { id: "same", match: { severity: "low" }, ...base },
        { id: "same", match: { severity: "info" }, ...base },
      ],
      /share the id "same"/,
    );
  });
});

describe("triage suppression", () => {
  const devBucket = (nativeId: string) =>
    makeFinding({ source: { nativeId }, severity: "low", resource: { tags: { env: "dev", team: "data" } } });
  const prodBucket = makeFinding({ source: { nativeId: "prod-1" } });

  it("suppresses matching findings and counts them in the report", async () => {
    const stage = triage({
      suppressions: [
        { id: "dev-buckets", match: { "resource.type": "aws.s3.*", tags: { env: "dev" } }, ...base },
      ],
    });
    const { context } = stageContext({ now: "2026-06-01T00:00:00Z" });
    const cases = await runStage(stage, [devBucket("d1"), devBucket("d2"), prodBucket], context);
    expect(cases.flatMap((item) => item.findings.map((finding) => finding.id))).toEqual([prodBucket.id]);
    const summary = context.report.warnings.find((warning) => warning.feature === "triage.suppressed");
    expect(summary?.details).toEqual({ total: 2, byRule: { "dev-buckets": 2 } });
    expect(summary?.message).toContain("2 findings suppressed by 1 rule");
  });

  it("brings findings back loudly when a rule has expired, once per rule per run", async () => {
    const stage = triage({
      suppressions: [
        { id: "dev-buckets", match: { tags: { env: "dev" } }, ...base, expiresAt: "2026-03-31" },
        { id: "unused", match: { severity: "info" }, ...base, expiresAt: "2026-01-01T00:00:00Z" },
        { id: "still-live", match: { severity: "critical" }, ...base },
      ],
    });
    const { context, emitted } = stageContext({ now: "2026-06-01T00:00:00Z" });
    const cases = await runStage(stage, [devBucket("d1"), devBucket("d2"), devBucket("d3")], context);
    expect(cases.flatMap((item) => item.findings)).toHaveLength(3);
    const expired = context.report.warnings.filter((warning) => warning.type === "suppression-expired");
    expect(expired.map((warning) => warning.details?.ruleId)).toEqual(["dev-buckets", "unused"]);
    expect(expired[0]!.details).toMatchObject({
      owner: "platform-team",
      resurfaced: 3,
      expiresAt: "2026-04-01T00:00:00.000Z",
    });
    expect(expired[0]!.message).toMatch(/"dev-buckets".*expired.*3 findings.*no longer suppressed.*Renew/);
    const events = emitted
      .filter((event) => event.name === "suppression-expired")
      .map((event) => event.payload);
    expect(events).toEqual([
      { ruleId: "dev-buckets", owner: "platform-team", expiredAt: "2026-04-01T00:00:00.000Z" },
      { ruleId: "unused", owner: "platform-team", expiredAt: "2026-01-01T00:00:00.000Z" },
    ]);
    expect(context.report.warnings.some((warning) => warning.feature === "triage.suppressed")).toBe(false);
  });

  it("keeps a date-only expiry valid through that day (UTC), by the injected clock", async () => {
    const rules = [{ id: "dev", match: { tags: { env: "dev" } }, ...base, expiresAt: "2026-06-01" }];
    const lastMinute = stageContext({ now: "2026-06-01T23:59:00Z" });
    expect(await runStage(triage({ suppressions: rules }), [devBucket("d1")], lastMinute.context)).toEqual(
      [],
    );
    const nextDay = stageContext({ now: "2026-06-02T00:00:00Z" });
    expect(await runStage(triage({ suppressions: rules }), [devBucket("d1")], nextDay.context)).toHaveLength(
      1,
    );
  });

  it("lets a live rule win over a lapsed one for the same finding", async () => {
    const stage = triage({
      suppressions: [
        { id: "old", match: { tags: { env: "dev" } }, ...base, expiresAt: "2026-01-01" },
        { id: "new", match: { tags: { env: "dev" } }, ...base, expiresAt: "2027-01-01" },
      ],
    });
    const { context } = stageContext({ now: "2026-06-01T00:00:00Z" });
    expect(await runStage(stage, [devBucket("d1")], context)).toEqual([]);
    const expired = context.report.warnings.find((warning) => warning.type === "suppression-expired");
    expect(expired?.details).toMatchObject({ ruleId: "old", resurfaced: 0 });
  });
});
