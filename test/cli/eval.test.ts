import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");

describe("cloudsteward eval", () => {
  it("prints the drafting evaluation table of the repository's set", async () => {
    const result = await runCli(["eval"], { cwd: root });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Drafting evaluation — knowledge base (no model), templates");
    expect(result.stdout).toMatch(/^storage\s+9\s+9\s+100\.0%$/m);
    expect(result.stdout).toMatch(/^total\s+40\s+40\s+100\.0%$/m);
  });

  it("runs a set given with --set, lists the cases that fail and exits 1", async () => {
    const directory = await mkdtemp(join(tmpdir(), "cloudsteward-eval-"));
    const cases = [
      {
        id: "x1",
        category: "storage",
        requirement: "No storage bucket may be public",
        resourceType: "aws.s3.bucket",
        violating: [{ policyStatus: { isPublic: true } }],
        compliant: [{}],
      },
      {
        id: "x2",
        category: "other",
        requirement: "make the coffee stronger",
        resourceType: "aws.s3.bucket",
        violating: [{}],
        compliant: [{}],
      },
    ];
    await writeFile(join(directory, "set.json"), JSON.stringify(cases));
    const result = await runCli(["eval", "--set", "set.json"], { cwd: directory });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^total\s+2\s+1\s+50\.0%$/m);
    expect(result.stdout).toMatch(/✗ x2 \(other\): No drafting template matches/);
  });

  it("names the case and field of an invalid set", async () => {
    const directory = await mkdtemp(join(tmpdir(), "cloudsteward-eval-"));
    await writeFile(join(directory, "set.json"), JSON.stringify([{ id: "x1", category: "storage" }]));
    const result = await runCli(["eval", "--set", "set.json"], { cwd: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set\.json.*0\.requirement/);
  });
});
