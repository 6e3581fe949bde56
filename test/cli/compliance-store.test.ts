import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Briefing } from "../../src/agents/briefing/briefing.js";
import type { EvidencePack } from "../../src/agents/compliance/evidence.js";
import type { FrameworkStatus } from "../../src/cli/commands/compliance.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 40, seed: 5, platforms: ["wiz"] });
  dir = await sandboxWorkspace(sandbox, {
    prefix: "compliance-store",
    mode: "read-only",
    files: { "policy.yaml": assistedPolicyYaml },
  });
  env = sandboxCredentials(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("compliance, evidence and brief on the configured store", () => {
  it("read the stored cases, keep snapshots, and write a pack that verifies against the run's audit log", async () => {
    const run = await runCli(["run"], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);

    const recorded = await runCli(["compliance", "--record", "--framework", "soc2", "--json"], {
      cwd: dir,
      env,
    });
    expect(recorded.code, recorded.stderr).toBe(0);
    const [now] = JSON.parse(recorded.stdout) as FrameworkStatus[];
    expect(now).toMatchObject({ framework: "soc2", from: "findings" });
    expect(now!.fail).toBeGreaterThan(0);

    const asOf = await runCli(
      ["compliance", "--framework", "soc2", "--as-of", new Date(Date.now() + 60_000).toISOString(), "--json"],
      { cwd: dir, env },
    );
    const [past] = JSON.parse(asOf.stdout) as FrameworkStatus[];
    expect(past).toMatchObject({ framework: "soc2", from: "snapshot", pass: now!.pass, fail: now!.fail });
    const before = await runCli(["compliance", "--framework", "soc2", "--as-of", "2020-01-01"], {
      cwd: dir,
      env,
    });
    expect(before.stdout).toContain("No posture snapshot at or before 2020-01-01");

    const evidence = await runCli(
      ["evidence", "--framework", "soc2", "--brief", "--out", "evidence", "--json"],
      {
        cwd: dir,
        env,
      },
    );
    expect(evidence.code, evidence.stderr).toBe(0);
    const written = JSON.parse(evidence.stdout) as { verification: { ok: boolean; items: number } };
    expect(written.verification.ok).toBe(true);
    const pack = JSON.parse(await readFile(join(dir, "evidence", "pack.json"), "utf8")) as EvidencePack;
    expect(written.verification.items).toBe(
      pack.requirements.reduce((sum, requirement) => sum + requirement.evidence.length, 0),
    );
    expect(written.verification.items).toBeGreaterThan(0);
    expect(pack.summary.fail).toBe(now!.fail);
    const brief = JSON.parse(await readFile(join(dir, "evidence", "brief.json"), "utf8")) as Briefing;
    expect(brief.compliance.map((framework) => framework.framework)).toEqual(["soc2"]);
  });
});
