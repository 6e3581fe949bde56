import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import {
  assistedPolicyYaml,
  runCli,
  sandboxCredentials,
  sandboxWorkspace,
  splitEndpoints,
} from "./helpers.js";

const candidateYaml = assistedPolicyYaml.replace(
  "severity: [critical, high]",
  "severity: [critical, high, medium]",
);

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 40, seed: 3, platforms: ["wiz"] });
  dir = await sandboxWorkspace(sandbox, {
    prefix: "cli",
    mode: "assisted",
    files: { "policy.yaml": assistedPolicyYaml, "candidate.yaml": candidateYaml },
  });
  env = sandboxCredentials(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

function cursorRows(): number {
  const db = new Database(join(dir, "state", "state.db"), { readonly: true });
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM cloudsteward_kv WHERE namespace = 'cli:cursors'").get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe("cloudsteward (in-process)", () => {
  it("prints help, and exits 2 on an unknown command or flag", async () => {
    const help = await runCli(["help"], { cwd: dir });
    expect(help.code).toBe(0);
    for (const name of [
      "demo",
      "init",
      "run",
      "sandbox",
      "serve",
      "explain",
      "approvals",
      "audit",
      "replay",
    ]) {
      expect(help.stdout).toContain(`  ${name}`);
    }
    expect((await runCli(["frobnicate"], { cwd: dir })).code).toBe(2);
    const badFlag = await runCli(["run", "--colour"], { cwd: dir, env });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--colour");
  });

  it("names the file, the field and the fix for an invalid config, with exit code 2", async () => {
    await writeFile(
      join(dir, "bad.yaml"),
      "policy: ./policy.yaml\nmode: yolo\nsources:\n  wiz: {}\nsinks:\n  jira: { baseUrl: https://acme.atlassian.net }\n",
    );
    const result = await runCli(["run", "--config", "bad.yaml"], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "bad.yaml"));
    expect(result.stderr).toMatch(/mode \(line 2\): .*fix: use read-only, assisted or automated/);
    expect(result.stderr).toMatch(/sinks\.jira\.projectKey.*fix: name the project/);
    const missing = await runCli(["run", "--config", "nope.yaml"], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cloudsteward init");
  });

  it("init writes a config and a policy that load, and refuses to overwrite them", async () => {
    const target = join(dir, "fresh");
    const first = await runCli(["init", "--dir", "fresh", "--model", "openai", "--sinks", "jira"], {
      cwd: dir,
    });
    expect(first.code).toBe(0);
    const config = await readFile(join(target, "cloudsteward.yaml"), "utf8");
    expect(config).toContain("provider: openai");
    expect(config).toContain("WIZ_CLIENT_SECRET");
    expect(config).toMatch(/^ {2}# slack:/m);
    expect((await runCli(["init", "--dir", "fresh"], { cwd: dir })).code).toBe(2);
    // The written files validate: a dry run gets as far as connecting to the (unreachable) tenant.
    const { parseConfig } = await import("../../src/cli/config.js");
    expect(parseConfig(config, "cloudsteward.yaml").sinks.jira?.projectKey).toBe("SEC");
    const { loadPolicyFile } = await import("../../src/agents/policy/load.js");
    expect((await loadPolicyFile(join(target, "policy.yaml"))).mode).toBe("read-only");
  });

  it("run --dry-run delivers nothing and keeps no cursor; run then holds every ticket for approval", async () => {
    const dry = await runCli(["run", "--dry-run", "--json"], { cwd: dir, env });
    expect(splitEndpoints(dry.stderr).rest).toBe("");
    expect(dry.code).toBe(0);
    const drySummary = JSON.parse(dry.stdout);
    expect(drySummary).toMatchObject({
      mode: "read-only",
      dryRun: true,
      delivered: 0,
      waitingForApproval: 0,
    });
    expect(drySummary.findings).toBeGreaterThan(0);
    expect(cursorRows()).toBe(0);

    const run = await runCli(["run", "--json"], { cwd: dir, env });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ mode: "assisted", delivered: 0 });
    expect(summary.waitingForApproval).toBeGreaterThan(0);

    expect(cursorRows()).toBe(1);
    const again = await runCli(["run"], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/Findings updated since \d{4}-/);
  });

  it("approvals: list, refuse the requester, approve as the lead, execute into the sandbox Jira", async () => {
    const list = await runCli(["approvals", "list", "--json"], { cwd: dir, env });
    expect(list.code).toBe(0);
    const requests = JSON.parse(list.stdout) as { id: string; kind: string }[];
    expect(requests.length).toBeGreaterThan(0);
    const id = requests[0]!.id;
    const own = await runCli(["approvals", "approve", id, "--as", "cloudsteward-bot"], { cwd: dir, env });
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/cloudsteward-bot/);
    const approve = await runCli(["approvals", "approve", id, "--as", "security-lead"], { cwd: dir, env });
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain("approved by security-lead");
    const execute = await runCli(["approvals", "execute", "--json"], { cwd: dir, env });
    expect(execute.code).toBe(0);
    const result = JSON.parse(execute.stdout);
    expect(result.executed).toHaveLength(1);
    expect(result.executed[0].delivery.ref.id).toMatch(/^SEC-\d+$/);
  });

  it("explain prints the owner-facing explanation of one sandbox finding", async () => {
    const nativeId = sandbox.estate.findings.find((item) => item.reportedBy.wiz)?.reportedBy.wiz;
    expect(nativeId).toBeDefined();
    const result = await runCli(["explain", nativeId as string], { cwd: dir, env });
    expect(splitEndpoints(result.stderr).rest).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Risk: .+/);
    expect(result.stdout).toMatch(/Fix:\n {2}1\. .+/);
    expect((await runCli(["explain", "does-not-exist"], { cwd: dir, env })).code).toBe(1);
    expect((await runCli(["explain"], { cwd: dir, env })).code).toBe(2);
  });

  it("replay diffs a candidate policy over the recorded findings", async () => {
    const result = await runCli(["replay", "--policy", "candidate.yaml", "--json"], { cwd: dir, env });
    expect(result.code).toBe(0);
    const diff = JSON.parse(result.stdout);
    expect(diff.candidate.actions.length).toBeGreaterThanOrEqual(diff.baseline.actions.length);
    expect(diff.actionsRemoved).toEqual([]);
  });

  it("replay compares two models on the recorded cases, and wants both or neither", async () => {
    const same = await runCli(["replay", "--baseline-model", "none", "--candidate-model", "none", "--json"], {
      cwd: dir,
      env,
    });
    expect(same.code).toBe(0);
    const comparison = JSON.parse(same.stdout);
    expect(comparison.cases).toBeGreaterThan(0);
    expect(comparison).toMatchObject({ changed: [], baseline: { model: "knowledge" } });
    const text = await runCli(["replay", "--baseline-model", "none", "--candidate-model", "none"], {
      cwd: dir,
      env,
    });
    expect(text.stdout).toMatch(/Cases that change.*: 0/);
    const half = await runCli(["replay", "--baseline-model", "none"], { cwd: dir, env });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--candidate-model/);
  });

  it("audit verify passes, export writes evidence, and a tampered log exits 3", async () => {
    const verify = await runCli(["audit", "verify"], { cwd: dir, env });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/Audit log verified: \d+ record/);
    const exported = await runCli(["audit", "export", "evidence"], { cwd: dir, env });
    expect(exported.code).toBe(0);
    expect(existsSync(join(dir, "evidence", "audit.jsonl"))).toBe(true);
    expect(existsSync(join(dir, "evidence", "index.md"))).toBe(true);

    const db = new Database(join(dir, "state", "state.db"));
    const row = db.prepare("SELECT value FROM cloudsteward_log WHERE log = 'audit' AND seq = 3").get() as {
      value: string;
    };
    const edited = row.value.replace(/"actor":"[^"]*"/, '"actor":"mallory"');
    expect(edited).not.toBe(row.value);
    db.prepare("UPDATE cloudsteward_log SET value = ? WHERE log = 'audit' AND seq = 3").run(edited);
    db.close();
    const tampered = await runCli(["audit", "verify", "--json"], { cwd: dir, env });
    expect(tampered.code).toBe(3);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });
});
