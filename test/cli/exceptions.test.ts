import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExceptionRecord } from "../../src/agents/exceptions/index.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  sandbox = await startSandbox({ size: 20, seed: 5, platforms: ["wiz"] });
  dir = await sandboxWorkspace(sandbox, {
    prefix: "exceptions",
    mode: "assisted",
    files: { "policy.yaml": assistedPolicyYaml },
  });
  env = sandboxCredentials(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cloudsteward exceptions", () => {
  it("request → approve (never by the requester) → list, expiring → revoke", async () => {
    const nativeId = sandbox.estate.findings.find((item) => item.reportedBy.wiz)?.reportedBy.wiz as string;
    const requested = await runCli(
      [
        "exceptions",
        "request",
        "--finding",
        nativeId,
        "--as",
        "cloudsteward-bot",
        "--until",
        day(20),
        "--justification",
        "The vendor appliance needs TLS 1.0 until its upgrade",
        "--json",
      ],
      { cwd: dir, env },
    );
    expect(requested.code).toBe(0);
    const record = JSON.parse(requested.stdout) as ExceptionRecord;
    expect(record).toMatchObject({ state: "requested", requester: "cloudsteward-bot", scope: "resource" });
    expect(record.expiresAt).toBe(`${day(20)}T00:00:00.000Z`);

    const own = await runCli(["exceptions", "approve", record.id, "--as", "cloudsteward-bot"], {
      cwd: dir,
      env,
    });
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/cloudsteward-bot/);
    const approved = await runCli(
      ["exceptions", "approve", record.id, "--as", "security-lead", "--comment", "WAF verified"],
      { cwd: dir, env },
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(`${record.id}: active (1 of 1 approvals), until ${record.expiresAt}.\n`);

    const list = await runCli(["exceptions", "list", "--json"], { cwd: dir, env });
    expect((JSON.parse(list.stdout) as ExceptionRecord[]).map((item) => item.id)).toEqual([record.id]);
    const text = await runCli(["exceptions", "list"], { cwd: dir, env });
    expect(text.stdout).toContain(`${record.id}  active  exception  until ${record.expiresAt}`);
    const soon = await runCli(["exceptions", "expiring", "--days", "30", "--json"], { cwd: dir, env });
    expect((JSON.parse(soon.stdout) as ExceptionRecord[]).map((item) => item.id)).toEqual([record.id]);
    const later = await runCli(["exceptions", "expiring", "--days", "7"], { cwd: dir, env });
    expect(later.stdout).toBe("Nothing expires within 7 days.\n");

    const revoked = await runCli(["exceptions", "revoke", record.id, "--as", "security-lead"], {
      cwd: dir,
      env,
    });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/: revoked, until/);
    const ended = await runCli(["exceptions", "list", "--state", "revoked", "--json"], { cwd: dir, env });
    expect((JSON.parse(ended.stdout) as ExceptionRecord[]).map((item) => item.id)).toEqual([record.id]);
    const again = await runCli(["exceptions", "revoke", record.id, "--as", "security-lead"], {
      cwd: dir,
      env,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("it is revoked");
  });

  it("lint reports file:line:column errors without a store; sync loads exceptions.yaml", async () => {
    const file = `exceptions:
  - id: legacy-tls
    rule: aws-elb-tls10
    resources: [lb-legacy]
    severity: medium
    requester: cloudsteward-bot
    approvedBy: [security-lead]
    justification: The vendor appliance needs TLS 1.0 until its upgrade
    until: ${day(60)}
`;
    await writeFile(join(dir, "exceptions.yaml"), file);
    await writeFile(
      join(dir, "bad.yaml"),
      file.replace("approvedBy: [security-lead]", "approvedBy: [nobody]"),
    );
    const valid = await runCli(["exceptions", "lint", "--policy", "policy.yaml"], { cwd: dir });
    expect(valid).toEqual({ code: 0, stdout: "exceptions.yaml: 1 exception, valid.\n", stderr: "" });
    const bad = await runCli(["exceptions", "lint", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      'bad.yaml:7:18 exceptions.0.approvedBy.0: "nobody" is not a principal declared in the policy\nbad.yaml: 1 error.\n',
    );

    const sync = await runCli(["exceptions", "sync", "--commit", "4f2a9c1", "--json"], { cwd: dir, env });
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({
      added: [expect.stringMatching(/^exc_file_legacy-tls_/)],
    });
    const list = await runCli(["exceptions", "list", "--json"], { cwd: dir, env });
    expect((JSON.parse(list.stdout) as ExceptionRecord[]).map((item) => item.origin)).toEqual([
      { file: join(dir, "exceptions.yaml"), entryId: "legacy-tls", line: 2, commit: "4f2a9c1" },
    ]);
    const usage = await runCli(["exceptions", "approve"], { cwd: dir, env });
    expect(usage.code).toBe(2);
  });
});
