import { rm } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import type { PostureComparisonResult } from "../../src/agents/compliance/platform-posture.js";
import { complianceCompareCommand } from "../../src/cli/commands/compliance-compare.js";
import { CliUsageError } from "../../src/cli/usage.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, type CliResult, runCli, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;

/** A config whose only source is the sandbox's Prisma Cloud. */
const prismaOnly = (apiUrl: unknown) =>
  `mode: assisted\npolicy: ./policy.yaml\nstore: { sqlite: ./state/state.db }\nsources:\n  prisma: { apiUrl: ${apiUrl} }\n`;

// The returned function tears the sandbox and the workspace down.
beforeAll(async () => {
  sandbox = await startSandbox({ size: 40, seed: 5, platforms: ["prisma"] });
  const files = { "policy.yaml": assistedPolicyYaml, "cloudsteward.yaml": prismaOnly(sandbox.prisma.apiUrl) };
  dir = await sandboxWorkspace(sandbox, { prefix: "compare", mode: "assisted", files });
  return async () => {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  };
});

function credentials(): Record<string, string> {
  return {
    PRISMA_ACCESS_KEY_ID: String(sandbox.prisma.accessKeyId),
    PRISMA_SECRET_KEY: String(sandbox.prisma.secretKey),
  };
}

/** Runs `cloudsteward compliance compare <args>` in the workspace with the sandbox's Prisma credentials. */
async function compare(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await complianceCompareCommand(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: credentials(),
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe("cloudsteward compliance compare", () => {
  it("compares our SOC 2 and PCI DSS assessments with the sandbox Prisma's own posture", async () => {
    const json = await compare([
      "--platform-framework",
      "SOC 2",
      "--platform-framework",
      "PCI DSS 4.0",
      "--framework",
      "soc2",
      "--framework",
      "pci-dss-4.0",
      "--json",
    ]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as PostureComparisonResult;
    expect(
      result.comparisons.map((comparison) => [comparison.framework, comparison.platformFramework]),
    ).toEqual([
      ["soc2", "SOC 2"],
      ["pci-dss-4.0", "PCI DSS 4.0"],
    ]);
    const rows = result.comparisons.flatMap((comparison) => comparison.requirements);
    expect(rows.some((row) => row.theirs?.status === "fail" && row.outcome === "agree")).toBe(true);

    // Through the CLI's entry point, as `cloudsteward compliance compare`.
    const text = await runCli(
      ["compliance", "compare", "--platform-framework", "SOC 2", "--framework", "soc2"],
      {
        cwd: dir,
        env: credentials(),
      },
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^soc2 vs prisma "SOC 2": \d+ agree, \d+ disagree, \d+ only ours, \d+ only theirs\n/,
    );
    const soc2 = result.comparisons[0]!;
    const differing = soc2.requirements.filter((row) => row.outcome !== "agree");
    expect(text.stdout.trimEnd().split("\n")).toHaveLength(1 + differing.length);
  });

  it("has help of its own", async () => {
    const help = await runCli(["compliance", "compare", "--help"], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("cloudsteward compliance compare --platform-framework <name> [options]");
  });

  it("asks for the platform's framework names", async () => {
    const error = await compare([]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toBe(
      'compliance compare needs --platform-framework, e.g. --platform-framework "SOC 2".',
    );
  });
});
