import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PolicyAnnexResult } from "../../src/agents/compliance/annex.js";
import { complianceAnnexCommand } from "../../src/cli/commands/compliance-annex.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, type CliResult, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

// One sandbox and one workspace for the file; the returned function tears both down.
beforeAll(async () => {
  sandbox = await startSandbox({ size: 20, seed: 5, platforms: ["wiz"] });
  env = sandboxCredentials(sandbox);
  dir = await workspace("annex");
  return async () => {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  };
});

function workspace(prefix: string): Promise<string> {
  return sandboxWorkspace(sandbox, {
    prefix,
    mode: "assisted",
    files: { "policy.yaml": assistedPolicyYaml },
  });
}

/** Runs `cloudsteward compliance annex <args>` in the workspace (the lead registers the command in `cliCommands`). */
async function annex(args: string[], cwd = dir): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await complianceAnnexCommand(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

describe("cloudsteward compliance annex", () => {
  it("drafts an annex per resource type of the sandbox's Wiz estate once, then finds nothing new", async () => {
    const types = [...new Set(sandbox.estate.resources.map((resource) => resource.type))];
    const first = await annex(["--framework", "soc2", "--out", "annexes", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as PolicyAnnexResult;
    expect(result.newTypes.length).toBeGreaterThan(0);
    expect(result.newTypes.every((type) => types.includes(type))).toBe(true);
    expect(result.annexes.map((item) => item.resourceType)).toEqual(result.newTypes);
    const written = (await readdir(join(dir, "annexes"))).sort();
    expect(written).toEqual(result.newTypes.map((type) => `annex-${type}.md`).sort());
    const text = await readFile(join(dir, "annexes", written[0]!), "utf8");
    expect(text).toBe(
      result.annexes.find((item) => `annex-${item.resourceType}.md` === written[0])!.markdown,
    );

    const again = await annex([]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("No resource type appears for the first time.\n");
  });

  it("records a baseline without drafting", async () => {
    const fresh = await workspace("annex-baseline");
    try {
      const baseline = await annex(["--baseline"], fresh);
      expect(baseline.code, baseline.stderr).toBe(0);
      expect(baseline.stdout).toMatch(/^\d+ new resource type\(s\): /);
      expect(baseline.stdout).toContain("Recorded as the baseline; no annexes drafted.");
      expect(baseline.stdout).not.toContain("# Policy annex");
      expect((await annex([], fresh)).stdout).toBe("No resource type appears for the first time.\n");
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
