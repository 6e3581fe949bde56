import { describe, expect, it } from "vitest";
import type { Drift } from "../../../src/agents/drift/detect.js";
import {
  defaultPlaybooks,
  fixFormats,
  fixImpact,
  planFix,
  playbookFor,
  unmetPreconditions,
  validatePlaybooks,
  verificationPasses,
} from "../../../src/agents/drift/playbooks.js";
import { defaultEntries } from "../../../src/agents/knowledge/knowledge-base.js";
import { ConfigurationError } from "../../../src/core/errors.js";
import { makeFinding } from "../../../src/testing/factories.js";

const drift: Drift = {
  id: "drf_1",
  resourceId: "arn:aws:s3:::acme-logs",
  resourceType: "aws.s3.bucket",
  path: "publicAccessBlock.BlockPublicAcls",
  before: true,
  after: false,
  baseline: {
    scope: "resource:arn:aws:s3:::acme-logs",
    version: 2,
    source: "terraform",
    approvedBy: "alice",
    iac: { tool: "terraform", address: "aws_s3_bucket.logs" },
  },
  change: { actor: "arn:aws:iam::1:user/bob", via: "console" },
  findingIds: ["wiz:1"],
  detectedAt: "2026-12-07T10:00:00.000Z",
};
const playbook = defaultPlaybooks.find((item) => item.id === "s3-block-public-access")!;

describe("playbooks", () => {
  it("are whole, and name archetypes the knowledge base has", () => {
    expect(() => validatePlaybooks(defaultPlaybooks)).not.toThrow();
    const known = new Set(defaultEntries().map((entry) => entry.id));
    for (const item of defaultPlaybooks)
      for (const archetype of item.archetypes) expect(known.has(archetype)).toBe(true);
    expect(() => validatePlaybooks([{ ...playbook, steps: { ...playbook.steps, console: [] } }])).toThrow(
      ConfigurationError,
    );
    expect(() => validatePlaybooks([playbook, playbook])).toThrow(/defined twice/);
  });

  it("match drifts by resource type and attribute path", () => {
    expect(playbookFor(drift)?.id).toBe("s3-block-public-access");
    expect(playbookFor({ resourceType: "aws.s3.bucket", path: "encryption.enabled" })?.id).toBe(
      "s3-enable-encryption",
    );
    expect(playbookFor({ resourceType: "aws.ec2.security-group", path: "sshOpenToWorld" })?.id).toBe(
      "sg-restrict-ingress",
    );
    expect(playbookFor({ resourceType: "aws.iam.role", path: "rule:wiz-admin" })?.id).toBe(
      "iam-detach-admin-policy",
    );
    expect(playbookFor({ resourceType: "aws.s3.bucket", path: "versioning" })).toBeUndefined();
  });

  it("render each route and format with the resource's values escaped", () => {
    const cli = planFix(playbook, drift, { route: "native", format: "cli" });
    expect(cli.steps[0]).toContain("--bucket acme-logs ");
    expect(cli.request).toEqual({
      operation: "s3:PutPublicAccessBlock",
      input: {
        bucket: "acme-logs",
        configuration: "BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets",
      },
    });
    expect(cli.rollback).toEqual(["aws s3api delete-public-access-block --bucket acme-logs"]);
    expect(planFix(playbook, drift, { route: "pipeline", format: "terraform" }).request).toEqual({
      inputs: { playbook: "s3-block-public-access", resource: "arn:aws:s3:::acme-logs", drift: "drf_1" },
    });
    expect(planFix(playbook, drift, { route: "pull-request", format: "terraform" }).request).toMatchObject({
      title: "Block public access on acme-logs",
      address: "aws_s3_bucket.logs",
    });
    const hostile = { ...drift, resourceId: "arn:aws:s3:::x;rm -rf ~" };
    expect(planFix(playbook, hostile, { route: "webhook", format: "cli" }).steps[0]).toContain(
      "--bucket 'x;rm -rf ~'",
    );
    for (const format of fixFormats)
      expect(planFix(playbook, drift, { route: "native", format }).steps.length).toBeGreaterThan(0);
  });

  it("check preconditions and verification on attributes", () => {
    expect(unmetPreconditions(playbook, { tags: { public: "yes" } })).toEqual([
      "The bucket is not tagged as an intended public share.",
    ]);
    expect(unmetPreconditions(playbook, { tags: {} })).toEqual([]);
    expect(
      verificationPasses(playbook, { publicAccessBlock: { BlockPublicAcls: true, BlockPublicPolicy: true } }),
    ).toBe(true);
    expect(
      verificationPasses(playbook, {
        publicAccessBlock: { BlockPublicAcls: false, BlockPublicPolicy: true },
      }),
    ).toBe(false);
  });

  it("say what a fix closes and what it could break", () => {
    const same = { id: "arn:aws:s3:::acme-logs", type: "aws.s3.bucket" };
    const related = makeFinding({ source: { nativeId: "r" }, resource: same });
    const unrelated = makeFinding({ source: { nativeId: "u" }, resource: same });
    const elsewhere = makeFinding({
      source: { nativeId: "e" },
      resource: { id: "other", type: "aws.s3.bucket" },
    });
    const impact = fixImpact(drift, playbook, {
      findings: [
        { finding: related, archetype: "aws-s3-public-read", caseId: "case-1" },
        { finding: unrelated, archetype: "aws-s3-versioning-disabled", caseId: "case-2" },
        { finding: elsewhere, archetype: "aws-s3-public-read", caseId: "case-3" },
      ],
      dependents: [{ id: "E123", type: "aws.cloudfront.distribution", relation: "origin of" }],
    });
    expect(impact.closes).toEqual({ findingIds: ["wiz:1", related.id], caseIds: ["case-1"] });
    expect(impact.mayBreak).toEqual([
      {
        id: "E123",
        type: "aws.cloudfront.distribution",
        relation: "origin of",
        why: expect.stringContaining("distribution"),
      },
    ]);
    const logging = defaultPlaybooks.find((item) => item.id === "s3-enable-logging")!;
    expect(
      fixImpact(drift, logging, {
        dependents: [{ id: "E1", type: "aws.cloudfront.distribution", relation: "origin of" }],
      }).mayBreak,
    ).toEqual([]);
  });
});
