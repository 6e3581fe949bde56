import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

describe("cloudsteward draft", () => {
  it("prints the tested rule, the four platform policies, the governance rule and the sandbox impact", async () => {
    const result = await runCli(["draft", "no storage bucket may be public"], { cwd: tmpdir() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Storage bucket readable by the public  READY");
    expect(result.stdout).toMatch(/Fixtures: 3\/3 pass/);
    expect(result.stdout).toContain("wiz (rego) — aws.s3.bucket\npackage wiz");
    expect(result.stdout).toContain(
      "prisma (rql) — aws.s3.bucket\nconfig from cloud.resource where cloud.type = 'aws'",
    );
    expect(result.stdout).toContain(
      "lacework (lql) — aws.s3.bucket\nCustom_aws_s3_public_read_aws_s3_bucket_1 {",
    );
    expect(result.stdout).toContain("orca (sonar) — aws.s3.bucket\nAwsS3Bucket with");
    expect(result.stdout).toContain('"id": "drafted-aws-s3-public-read"');
    expect(result.stdout).toMatch(
      /Impact on the sandbox estate\n\d+ of \d+ aws\.s3\.bucket resources flagged/,
    );
    expect(result.stdout).toMatch(/duplicates [1-9]\d* current findings? of aws-s3-public-read/);
  });

  it("gives the whole draft and impact as JSON", async () => {
    const result = await runCli(["draft", "SSH must not be open to the internet", "--json"], {
      cwd: tmpdir(),
    });
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as {
      draft: { ready: boolean; rule: { id: string }; policies: { platform: string }[] };
      impact: { flagged: number; inScope: number; duplicates: string[] };
    };
    expect(output.draft.ready).toBe(true);
    expect(output.draft.rule.id).toBe("aws-sg-ssh-open");
    expect(new Set(output.draft.policies.map((policy) => policy.platform))).toEqual(
      new Set(["wiz", "prisma", "lacework", "orca"]),
    );
    expect(output.impact.flagged).toBeGreaterThan(0);
    expect(output.impact.duplicates.length).toBeGreaterThanOrEqual(output.impact.flagged);
  });

  it("fails with a usage error naming what to do when no template matches", async () => {
    const result = await runCli(["draft", "make the coffee stronger"], { cwd: tmpdir() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/No drafting template matches/);
  });
});

describe("cloudsteward draft --out", () => {
  it("writes the draft as files for review in git", async () => {
    const directory = await mkdtemp(join(tmpdir(), "cloudsteward-draft-"));
    const result = await runCli(["draft", "EBS volumes must be encrypted", "--out", "drafts"], {
      cwd: directory,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Wrote 8 files to ${join(directory, "drafts", "aws-ebs-unencrypted")}`);
    const files = (await readdir(join(directory, "drafts", "aws-ebs-unencrypted"))).sort();
    expect(files).toEqual([
      "README.md",
      "governance.json",
      "lacework.lql",
      "orca.sonar",
      "prisma.rql",
      "rule.cel",
      "rule.json",
      "wiz.rego",
    ]);
    const rego = await readFile(join(directory, "drafts", "aws-ebs-unencrypted", "wiz.rego"), "utf8");
    expect(rego.startsWith("package wiz\n")).toBe(true);
    const rule = JSON.parse(
      await readFile(join(directory, "drafts", "aws-ebs-unencrypted", "rule.json"), "utf8"),
    );
    expect(rule.rule.id).toBe("aws-ebs-unencrypted");
    expect(rule.fixtures.violating.length).toBeGreaterThan(0);
  });
});

describe("cloudsteward draft --deploy", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 10, seed: 7, platforms: ["wiz"] });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("asks for approval, then creates the Wiz rule once the approval is given, and only once", async () => {
    const env = sandboxCredentials(sandbox);
    const cwd = await sandboxWorkspace(sandbox, {
      prefix: "draft-deploy",
      mode: "assisted",
      files: { "policy.yaml": assistedPolicyYaml },
    });
    // The workspace's Wiz source, with writes on.
    const config = join(cwd, "cloudsteward.yaml");
    await writeFile(
      config,
      (await readFile(config, "utf8")).replace(/(wiz: \{.*) \}/, "$1, allowWrite: true }"),
    );
    const args = [
      "draft",
      "no storage bucket may be public",
      "--size",
      "20",
      "--deploy",
      "wiz",
      "--as",
      "alice",
    ];
    const created = () =>
      sandbox.emulations.wiz.writes.filter((write) => write.operation === "createCloudConfigurationRule")
        .length;
    const held = await runCli(args, { cwd, env });
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/Saved \S+ version 1/);
    const approvalId = /approvals approve (apr_\S+)/.exec(held.stderr)?.[1];
    expect(approvalId).toBeDefined();
    expect(created()).toBe(0);

    const approved = await runCli(["approvals", "approve", approvalId!, "--as", "security-lead"], {
      cwd,
      env,
    });
    expect(approved.code).toBe(0);

    const written = await runCli(args, { cwd, env });
    expect(written.stderr).toMatch(/Unchanged: \S+ version 1/);
    expect(written.stderr).toMatch(/to wiz \[0\]: written \(ccr-/);
    expect(written.code).toBe(0);
    expect(created()).toBe(1);

    const again = await runCli(args, { cwd, env });
    expect(again.stderr).toMatch(/to wiz \[0\]: existing/);
    expect(created()).toBe(1);
  });
});
