import { describe, expect, it } from "vitest";
import { type Baseline, indexBaselines } from "../../../src/agents/drift/baseline.js";
import { changeSignals, detectDrift, driftsFromSignals } from "../../../src/agents/drift/detect.js";
import { makeFinding } from "../../../src/testing/factories.js";
import { driftEstate } from "../../../src/testing/sandbox/drift.js";

const now = () => new Date("2026-12-07T10:00:00Z");

const bucketBaseline: Baseline = {
  scope: "resource:arn:aws:s3:::acme-logs",
  resourceId: "arn:aws:s3:::acme-logs",
  attributes: { acl: "private", tags: { team: "platform" } },
  source: "terraform",
  iac: { tool: "terraform", address: "aws_s3_bucket.logs" },
  version: 3,
  approvedBy: "alice",
  approvedAt: "2026-12-01T00:00:00.000Z",
};
const bucketType: Baseline = {
  scope: "type:aws.s3.bucket",
  resourceType: "aws.s3.bucket",
  attributes: { publicAccessBlock: { BlockPublicAcls: true, BlockPublicPolicy: true } },
  source: "knowledge",
  archetypes: ["aws-s3-block-public-access-disabled"],
  version: 1,
  approvedBy: "carol",
  approvedAt: "2026-12-01T00:00:00.000Z",
};
const index = indexBaselines([bucketBaseline, bucketType]);

describe("detectDrift", () => {
  it("names each changed, added and removed attribute with before, after and the baseline version", () => {
    const drifts = detectDrift(
      [
        {
          id: "arn:aws:s3:::acme-logs",
          type: "aws.s3.bucket",
          environment: "production",
          attributes: {
            acl: "public-read",
            website: { index: "index.html" },
            publicAccessBlock: { BlockPublicAcls: false, BlockPublicPolicy: true },
          },
          lastChange: { actor: "arn:aws:iam::1:user/bob", via: "console", at: "2026-12-07T09:55:00.000Z" },
        },
      ],
      index,
      { now },
    );
    expect(drifts.map((drift) => [drift.path, drift.before, drift.after, drift.baseline.scope])).toEqual([
      ["acl", "private", "public-read", "resource:arn:aws:s3:::acme-logs"],
      ["tags", { team: "platform" }, undefined, "resource:arn:aws:s3:::acme-logs"],
      ["website", undefined, { index: "index.html" }, "resource:arn:aws:s3:::acme-logs"],
      [
        "publicAccessBlock",
        undefined,
        { BlockPublicAcls: false, BlockPublicPolicy: true },
        "resource:arn:aws:s3:::acme-logs",
      ],
      ["publicAccessBlock.BlockPublicAcls", true, false, "type:aws.s3.bucket"],
    ]);
    const [first] = drifts;
    expect(first).toMatchObject({
      environment: "production",
      baseline: { version: 3, approvedBy: "alice", iac: { address: "aws_s3_bucket.logs" } },
      change: { actor: "arn:aws:iam::1:user/bob", via: "console" },
      detectedAt: "2026-12-07T10:00:00.000Z",
    });
    // The same drift on a re-run has the same id.
    expect(
      detectDrift(
        [
          {
            id: "arn:aws:s3:::acme-logs",
            type: "aws.s3.bucket",
            attributes: { acl: "public-read", tags: { team: "platform" } },
          },
        ],
        index,
      )[0]?.id,
    ).toBe(first?.id);
  });

  it("ignores resources without a baseline and in line with theirs", () => {
    expect(
      detectDrift(
        [
          { id: "vm-1", type: "aws.ec2.instance", attributes: { a: 1 } },
          {
            id: "other-bucket",
            type: "aws.s3.bucket",
            attributes: { publicAccessBlock: { BlockPublicAcls: true, BlockPublicPolicy: true }, extra: 1 },
          },
        ],
        index,
      ),
    ).toEqual([]);
  });

  it("attributes drift to the latest change signal on the resource when the snapshot says nothing", () => {
    const [drift] = detectDrift(
      [
        {
          id: "arn:aws:s3:::acme-logs",
          type: "aws.s3.bucket",
          attributes: { acl: "public-read", tags: { team: "platform" } },
        },
      ],
      index,
      {
        signals: [
          {
            kind: "cloud-event",
            resourceId: "arn:aws:s3:::acme-logs",
            resourceType: "aws.s3.bucket",
            findingId: "f1",
            rule: "r",
            platform: "wiz",
            change: { actor: "old", at: "2026-12-06T00:00:00Z" },
          },
          {
            kind: "cloud-event",
            resourceId: "arn:aws:s3:::acme-logs",
            resourceType: "aws.s3.bucket",
            findingId: "f2",
            rule: "r",
            platform: "lacework",
            change: { actor: "new", at: "2026-12-07T00:00:00Z" },
          },
        ],
      },
    );
    expect(drift?.change?.actor).toBe("new");
    expect(drift?.findingIds).toEqual(["f1", "f2"]);
  });
});

describe("changeSignals", () => {
  const resource = { id: "arn:aws:s3:::acme-logs", type: "aws.s3.bucket" };

  it("finds configuration findings that newly fail, and only when a previous run is given", () => {
    const before = makeFinding({ source: { nativeId: "a" }, status: "resolved", resource });
    const after = { ...before, status: "open" as const };
    const stillOpen = makeFinding({ source: { nativeId: "b" }, resource });
    expect(
      changeSignals([after, stillOpen], [before, stillOpen]).map((signal) => [signal.kind, signal.findingId]),
    ).toEqual([["newly-failing", after.id]]);
    expect(changeSignals([after])).toEqual([]);
  });

  it("reads who, when and how from Wiz detections, Lacework CloudTrail alerts and Prisma audit events", () => {
    const wiz = makeFinding({
      source: { platform: "wiz", nativeId: "w" },
      category: "threat",
      resource,
      raw: {
        primaryActor: { name: "bob", externalId: "arn:aws:iam::1:user/bob", type: "USER_ACCOUNT" },
        startedAt: "2026-12-07T09:00:00Z",
        triggeringEvents: [{ name: "PutBucketAcl", userAgent: "console.amazonaws.com" }],
      },
    });
    const lacework = makeFinding({
      source: { platform: "lacework", nativeId: "l" },
      category: "threat",
      resource,
      raw: {
        alertType: "CloudTrailCep",
        startTime: "2026-12-07T09:01:00.000Z",
        entityMap: {
          CT_User: [
            {
              KEY: { username: "ci", principal_id: "AROA:terraform-ci" },
              PROPS: { user_agent: "APN/1.0 HashiCorp/1.0 Terraform/1.9.5" },
            },
          ],
          API: [{ KEY: { api: "PutBucketPolicy" } }],
        },
      },
    });
    const prisma = makeFinding({
      source: { platform: "prisma", nativeId: "p" },
      category: "threat",
      resource,
      raw: {
        alertTime: Date.parse("2026-12-07T09:02:00Z"),
        policy: { policyType: "audit_event" },
        resource: {
          data: {
            eventName: "DeletePublicAccessBlock",
            userIdentity: { arn: "arn:aws:iam::1:role/admin" },
            userAgent: "aws-cli/2.15",
          },
        },
      },
    });
    const plainPrisma = makeFinding({
      source: { platform: "prisma", nativeId: "q" },
      resource,
      raw: { policy: { policyType: "config" } },
    });
    const signals = changeSignals([wiz, lacework, prisma, plainPrisma]);
    expect(signals.map((signal) => signal.change)).toEqual([
      {
        platform: "wiz",
        actor: "arn:aws:iam::1:user/bob",
        at: "2026-12-07T09:00:00.000Z",
        event: "PutBucketAcl",
        via: "console",
      },
      {
        platform: "lacework",
        actor: "AROA:terraform-ci",
        at: "2026-12-07T09:01:00.000Z",
        event: "PutBucketPolicy",
        via: "iac",
      },
      {
        platform: "prisma",
        actor: "arn:aws:iam::1:role/admin",
        at: "2026-12-07T09:02:00.000Z",
        event: "DeletePublicAccessBlock",
        via: "api",
      },
    ]);
    expect(
      changeSignals([prisma], undefined, { iacActors: ["arn:aws:iam::*:role/admin"] })[0]?.change?.via,
    ).toBe("iac");
  });

  it("turns signals on baselined resources without a snapshot into rule drifts", () => {
    const signals = changeSignals([
      makeFinding({
        source: { platform: "prisma", nativeId: "p" },
        resource,
        rule: { id: "s3-public" },
        raw: { policy: { policyType: "audit_event" }, resource: { data: {} } },
      }),
      makeFinding({
        source: { platform: "prisma", nativeId: "z" },
        resource: { id: "vm", type: "aws.ec2.instance" },
        raw: { policy: { policyType: "audit_event" } },
      }),
    ]);
    const drifts = driftsFromSignals(signals, index, { now });
    expect(drifts.map((drift) => [drift.resourceId, drift.path, drift.before, drift.after])).toEqual([
      ["arn:aws:s3:::acme-logs", "rule:s3-public", "pass", "fail"],
    ]);
  });

  it("reads the sandbox estate's Prisma, Wiz and Lacework change signals alike", () => {
    const estate = driftEstate({ resources: [{ id: "b", type: "aws.s3.bucket", attributes: {} }] });
    estate.change("b", "acl", "public-read", { actor: "ann", via: "console", event: "PutBucketAcl" });
    estate.change("b", "acl", "private", {
      actor: "ci-role",
      via: "iac",
      event: "PutBucketAcl",
      platform: "wiz",
    });
    estate.change("b", "acl", "public-read", {
      actor: "bob",
      via: "api",
      event: "PutBucketAcl",
      platform: "lacework",
    });
    expect(
      changeSignals(estate.findings()).map((signal) => [
        signal.platform,
        signal.change?.actor,
        signal.change?.via,
      ]),
    ).toEqual([
      ["prisma", "ann", "console"],
      ["wiz", "ci-role", "iac"],
      ["lacework", "bob", "api"],
    ]);
  });
});
