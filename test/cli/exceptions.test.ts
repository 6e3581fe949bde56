import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExceptionRecord } from "../../src/agents/exceptions/index.js";
import { casesNamespace } from "../../src/agents/governance/governance.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { makeCase, makeFinding } from "../../src/testing/factories.js";
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

/** `exceptions request` for one Wiz finding, 20 days, as cloudsteward-bot, in the workspace `cwd`. */
async function requestIn(cwd: string, nativeId: string): Promise<ExceptionRecord> {
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
    { cwd, env },
  );
  expect(requested.code).toBe(0);
  return JSON.parse(requested.stdout) as ExceptionRecord;
}

describe("cloudsteward exceptions", () => {
  it("request --case takes the findings of a case kept in the store; an unknown case fails naming it", async () => {
    const cwd = await sandboxWorkspace(sandbox, {
      prefix: "exceptions-case",
      mode: "assisted",
      files: { "policy.yaml": assistedPolicyYaml },
    });
    try {
      const findings = [makeFinding({ severity: "high" }), makeFinding({ severity: "medium" })];
      await mkdir(join(cwd, "state"), { recursive: true });
      const store = sqliteStore({ path: join(cwd, "state", "state.db") });
      await store.set(casesNamespace, "case_kept", makeCase({ id: "case_kept", findings }));
      await store.close();
      const base = ["exceptions", "request", "--as", "cloudsteward-bot", "--until", day(20)];
      const reason = ["--justification", "The vendor appliance needs TLS 1.0 until its upgrade"];
      const requested = await runCli([...base, ...reason, "--case", "case_kept", "--json"], { cwd, env });
      expect(requested.code).toBe(0);
      expect(JSON.parse(requested.stdout)).toMatchObject({
        state: "requested",
        caseId: "case_kept",
        findingIds: findings.map((finding) => finding.id),
      });
      const unknown = await runCli([...base, ...reason, "--case", "case_gone"], { cwd, env });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no case "case_gone"');
      const neither = await runCli([...base, ...reason], { cwd, env });
      expect(neither.code).toBe(2);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it("request → approve (never by the requester) → list, expiring → revoke", async () => {
    const nativeId = sandbox.estate.findings.find((item) => item.reportedBy.wiz)?.reportedBy.wiz as string;
    const record = await requestIn(dir, nativeId);
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

  it("approve --write-back writes to Wiz only where the config allows it; list shows it; explain says the finding is withheld; revoke --write-back withdraws it", async () => {
    // An open Wiz issue (configuration findings take ignore rules too; an issue also takes notes).
    const nativeId = sandbox.estate.findings.find(
      (item) => item.reportedBy.wiz && item.wizKind === "issue" && item.category !== "threat",
    )?.reportedBy.wiz as string;
    const writable = await sandboxWorkspace(sandbox, {
      prefix: "exceptions-write",
      mode: "assisted",
      files: {
        "policy.yaml": assistedPolicyYaml,
        "cloudsteward.yaml": `mode: assisted
policy: ./policy.yaml
store: { sqlite: ./state/state.db }
sources:
  wiz: { apiUrl: ${sandbox.wiz.apiUrl}, authUrl: ${sandbox.wiz.authUrl}, allowWrite: true }
`,
      },
    });
    try {
      // Without allowWrite in the config the approval stands, but nothing reaches Wiz.
      const readOnly = await requestIn(dir, nativeId);
      const writes = sandbox.emulations.wiz.writes.length;
      const refused = await runCli(
        ["exceptions", "approve", readOnly.id, "--as", "security-lead", "--write-back"],
        { cwd: dir, env },
      );
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(`${readOnly.id}: active (1 of 1 approvals)`);
      expect(refused.stdout).toContain(`wiz:${nativeId} on wiz: refused`);
      expect(sandbox.emulations.wiz.writes).toHaveLength(writes);
      await runCli(["exceptions", "revoke", readOnly.id, "--as", "security-lead"], { cwd: dir, env });

      const record = await requestIn(writable, nativeId);
      const approved = await runCli(
        ["exceptions", "approve", record.id, "--as", "security-lead", "--write-back"],
        { cwd: writable, env },
      );
      expect(approved.stderr.split("\n").filter((line) => line.includes("error"))).toEqual([]);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain(`wiz:${nativeId} on wiz: written`);
      expect(approved.stdout).toContain(`until ${record.expiresAt}`);
      const rule = sandbox.emulations.wiz.writes.findLast((write) => write.operation === "createIgnoreRule");
      expect(rule?.input.expiredAt).toBe(record.expiresAt);
      expect(sandbox.emulations.wiz.writes.at(-1)?.operation).toBe("createIssueNote");

      const list = await runCli(["exceptions", "list"], { cwd: writable, env });
      expect(list.stdout).toMatch(
        new RegExp(`wiz:${nativeId}: written on wiz \\(.+, until ${record.expiresAt}\\)`),
      );
      const explained = await runCli(["explain", nativeId], { cwd: writable, env });
      expect(explained.code).toBe(1);
      expect(explained.stderr).toContain(
        `"${nativeId}" is covered by the approved exception ${record.id} until ${record.expiresAt}, so there is nothing to explain before then.`,
      );

      const revoked = await runCli(
        ["exceptions", "revoke", record.id, "--as", "security-lead", "--write-back", "--json"],
        { cwd: writable, env },
      );
      expect(revoked.code).toBe(0);
      const { exception, writeBack } = JSON.parse(revoked.stdout);
      expect(exception.state).toBe("revoked");
      expect(writeBack[0]).toMatchObject({ findingId: `wiz:${nativeId}`, outcome: "removed" });
      expect(sandbox.emulations.wiz.writes.some((write) => write.operation === "deleteIgnoreRule")).toBe(
        true,
      );
      const ended = await runCli(["exceptions", "list", "--state", "revoked", "--json"], {
        cwd: writable,
        env,
      });
      expect(JSON.parse(ended.stdout)[0].writeBacks).toEqual([
        expect.objectContaining({ platform: "wiz", state: "removed" }),
      ]);
      // Once revoked, the finding is explained again.
      expect((await runCli(["explain", nativeId], { cwd: writable, env })).code).toBe(0);
    } finally {
      await rm(writable, { recursive: true, force: true });
    }
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
