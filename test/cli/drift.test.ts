import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Drift } from "../../src/agents/drift/detect.js";
import { terraformState } from "../agents/drift/fixtures.js";
import { runCli } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-drift-"));
  const files: Record<string, string> = {
    "cloudsteward.yaml":
      "mode: read-only\npolicy: ./policy.yaml\nstore: { sqlite: ./state/state.db }\nsources:\n  ocsf: { files: [./none.json] }\n",
    "policy.yaml": "mode: read-only\n",
    "state.json": JSON.stringify(terraformState),
    "inventory.json": JSON.stringify([
      {
        id: "arn:aws:s3:::acme-logs",
        type: "aws.s3.bucket",
        attributes: {
          arn: "arn:aws:s3:::acme-logs",
          bucket: "acme-logs",
          acl: "public-read",
          tags: { team: "platform" },
        },
      },
    ]),
    "findings.json": JSON.stringify([
      {
        id: "prisma:P-1",
        dedupKey: "prisma:P-1",
        source: {
          platform: "prisma",
          nativeId: "P-1",
          nativeSeverity: "medium",
          nativeStatus: "open",
          fetchedAt: "2026-12-07T09:00:00.000Z",
        },
        category: "threat",
        severity: "medium",
        status: "open",
        title: "PutBucketAcl",
        description: "",
        rule: { id: "audit", name: "audit", controls: [] },
        resource: {
          id: "arn:aws:s3:::acme-logs",
          type: "aws.s3.bucket",
          nativeType: "bucket",
          name: "acme-logs",
          cloud: "aws",
          accountId: "1",
          tags: {},
        },
        firstSeen: "2026-12-07T09:00:00.000Z",
        lastSeen: "2026-12-07T09:00:00.000Z",
        raw: {
          policy: { policyType: "audit_event" },
          resource: {
            data: {
              eventName: "PutBucketAcl",
              eventTime: "2026-12-07T08:59:00Z",
              userIdentity: { arn: "arn:aws:iam::1:user/bob" },
              userAgent: "console.amazonaws.com",
            },
          },
        },
      },
    ]),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cloudsteward drift", () => {
  it("approves Terraform baselines, detects an attributed console change, and keeps the history", async () => {
    const approved = await runCli(
      ["drift", "baseline", "--terraform", "state.json", "--approved-by", "alice"],
      { cwd: dir },
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain("Approved 2 new baseline version(s) of 2 read");
    const again = await runCli(["drift", "baseline", "--terraform", "state.json", "--approved-by", "bob"], {
      cwd: dir,
    });
    expect(again.stdout).toContain("Approved 0 new baseline version(s)");

    const detected = await runCli(
      ["drift", "detect", "--snapshot", "inventory.json", "--findings", "findings.json", "--json"],
      { cwd: dir },
    );
    const drifts = JSON.parse(detected.stdout) as Drift[];
    expect(drifts.map((drift) => [drift.path, drift.before, drift.after, drift.change?.via])).toEqual([
      ["acl", "private", "public-read", "console"],
    ]);
    expect(drifts[0]?.baseline.iac?.address).toBe("aws_s3_bucket.logs");
    const failing = await runCli(["drift", "detect", "--snapshot", "inventory.json", "--fail-on-drift"], {
      cwd: dir,
    });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('acl: "private" → "public-read"');

    const history = await runCli(["drift", "history", "resource:arn:aws:s3:::acme-logs"], { cwd: dir });
    expect(history.stdout).toMatch(/^v1 .* approved by alice {2}\(terraform\)$/m);
    const fixes = await runCli(["drift", "fixes"], { cwd: dir });
    expect(fixes.stdout).toContain("No drift fixes in the store.");
  });

  it("explains what it needs", async () => {
    const missing = await runCli(["drift", "baseline", "--terraform", "state.json"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--approved-by");
    const bad = await runCli(["drift", "detect", "--snapshot", "state.json"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("must be a JSON array of resource snapshots");
  });

  it("remediate plan shows the policy's decision and the exact request, writing nothing", async () => {
    await runCli(["drift", "baseline", "--knowledge", "--approved-by", "alice"], { cwd: dir });
    await writeFile(
      join(dir, "policy.yaml"),
      "mode: automated\nrules:\n  - id: drift\n    when: { rule: drift/* }\n    do: [{ kind: remediate, sink: drift }]\nprincipals:\n  - { id: alice, scopes: [approve:remediate] }\n",
    );
    await writeFile(
      join(dir, "prod.json"),
      JSON.stringify([
        {
          id: "arn:aws:s3:::prod-site",
          type: "aws.s3.bucket",
          environment: "production",
          attributes: {
            publicAccessBlock: {
              BlockPublicAcls: false,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
            encryption: { enabled: true },
            logging: { enabled: true },
          },
        },
      ]),
    );
    const plan = await runCli(
      ["remediate", "plan", "--snapshot", "prod.json", "--route", "native", "--format", "cli"],
      { cwd: dir },
    );
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      "approval  arn:aws:s3:::prod-site  publicAccessBlock.BlockPublicAcls  (s3-block-public-access)",
    );
    expect(plan.stdout).toContain("waits for a named human: the environment is production");
    expect(plan.stdout).toContain('native request: {"operation":"s3:PutPublicAccessBlock"');
    expect(plan.stdout).toContain("step: aws s3api put-public-access-block --bucket prod-site");
    const fixes = await runCli(["drift", "fixes"], { cwd: dir });
    expect(fixes.stdout).toContain("No drift fixes in the store.");
  });
});
