import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");

describe("cloudsteward eval", () => {
  it("prints a table per shipped set, outside a checkout too", async () => {
    const directory = await mkdtemp(join(tmpdir(), "cloudsteward-eval-"));
    const result = await runCli(["eval"], { cwd: directory });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Drafting evaluation — knowledge base (no model), templates");
    expect(result.stdout).toMatch(/^storage\s+9\s+9\s+100\.0%$/m);
    expect(result.stdout).toMatch(/^total\s+40\s+40\s+100\.0%$/m);
    expect(result.stdout).toContain("Question evaluation — knowledge base (no model), parser");
    expect(result.stdout).toMatch(/^unanswerable\s+\d+\s+\d+\s+[\d.]+%$/m);
    expect(result.stdout).toContain("Explanation evaluation — knowledge base (no model), knowledge");
    expect(result.stdout).toMatch(/^aws\s+14\s+14\s+100\.0%$/m);
    expect(result.stdout).toMatch(
      /^✗ expl-gcp-default-sa: matched generic, not gcp-compute-default-service-account/m,
    );
    expect(result.stdout).toContain("Triage verdict evaluation — knowledge base (no model), knowledge");
    expect(result.stdout).toMatch(/^likely_false_positive\s+9\s+0\s+0\.0%$/m);
    expect(result.stdout).toMatch(/^true_positive\s+11\s+11\s+100\.0%$/m);
    expect(result.stdout).not.toContain("unsafe");
  });

  it("runs one suite with --suite, and gives JSON with --json", async () => {
    const result = await runCli(["eval", "--suite", "questions", "--json"], { cwd: root });
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data.drafting).toBeUndefined();
    expect(data.questions).toMatchObject({ model: "parser", promptVersion: "parser" });
    expect(data.questions.cases).toBeGreaterThanOrEqual(60);
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
    const result = await runCli(["eval", "--suite", "drafting", "--set", "set.json"], { cwd: directory });
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
