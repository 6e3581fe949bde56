import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 40, seed: 5, platforms: ["wiz"] });
  dir = await sandboxWorkspace(sandbox, {
    prefix: "review",
    mode: "automated",
    files: { "policy.yaml": assistedPolicyYaml },
  });
  env = sandboxCredentials(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Held {
  status: string;
  whenDelivering: string;
  rule?: string;
  why: string;
  severity: string;
  owner: string;
  resource: string;
  kind: string;
  dueDate?: string;
}

describe("a dry run you can review", () => {
  it("run --dry-run --report: the effective mode, this run's drafts, status lines not labelled warning, and the report", async () => {
    const dry = await runCli(["run", "--dry-run", "--report", "review"], { cwd: dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(
      "Mode read-only (dry run): the stricter of the run's read-only and the policy's assisted. Explanations by knowledge base (no model).",
    );
    const summaryLine = /This run: 0 delivered, 0 held for approval, (\d+) kept as drafts/.exec(dry.stdout);
    expect(summaryLine).not.toBeNull();
    expect(Number(summaryLine?.[1])).toBeGreaterThan(0);
    expect(dry.stdout).toMatch(/^gate \(read-only\): 0 action\(s\) allowed/m);
    expect(dry.stdout).not.toMatch(/warning: gate|warning: read-only mode/);
    const file = join(dir, "review", "index.html");
    expect(dry.stdout).toContain(`Report: ${file}`);
    const html = await readFile(file, "utf8");
    expect(html).toMatch(/<h2>Top fixes( \(10 of \d+\))?<\/h2>/);
    // The week's executive brief is the report's briefing section.
    expect(html).toMatch(
      /<section class="briefing">\s*<h2>Security brief, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}<\/h2>/,
    );
    expect(html.match(/<tr data-status="draft"/g)).toHaveLength(Number(summaryLine?.[1]));

    const drafts = await runCli(["drafts", "--json"], { cwd: dir, env });
    expect(drafts.code).toBe(0);
    const held = JSON.parse(drafts.stdout) as Held[];
    expect(held).toHaveLength(Number(summaryLine?.[1]));
    for (const item of held) {
      expect(item).toMatchObject({ status: "draft", rule: "critical-and-high", kind: "ticket" });
      expect(item.why).toMatch(/read-only/);
      expect(item.whenDelivering).toBe(
        "waits for an approval even in automated mode: the policy does not mark this ticket automatic",
      );
      expect(["critical", "high"]).toContain(item.severity);
      expect(item.owner).not.toBe("");
      expect(item.resource).not.toBe("");
      expect(item.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const critical = JSON.parse(
      (await runCli(["drafts", "--json", "--severity", "critical"], { cwd: dir, env })).stdout,
    ) as Held[];
    expect(critical.length).toBeLessThan(held.length);
    expect(critical.every((item) => item.severity === "critical")).toBe(true);
    expect(
      JSON.parse((await runCli(["drafts", "--json", "--status", "waiting"], { cwd: dir, env })).stdout),
    ).toEqual([]);
    const table = await runCli(["drafts"], { cwd: dir, env });
    expect(table.stdout).toMatch(/^ID\/STATUS +SEVERITY +OWNER +RULE +ACTION +DUE +RESOURCE$/m);
    expect(table.stdout).toMatch(/^ {4}why: read-only mode/m);
  });

  it("run: this run's held actions apart from those already waiting, the dry run's drafts settled; after a policy change every finding is decided again", async () => {
    const first = JSON.parse((await runCli(["run", "--json"], { cwd: dir, env })).stdout);
    expect(first).toMatchObject({ mode: "assisted", requestedMode: "automated", policyMode: "assisted" });
    expect(first.thisRun.heldForApproval).toBeGreaterThan(0);
    expect(first.fromEarlierRuns.waitingForApproval).toBe(0);
    // The dry run's drafts for the actions this run held are settled, not listed twice.
    expect(first.fromEarlierRuns.drafts).toBe(0);
    expect(first.waitingForApproval).toBe(first.thisRun.heldForApproval);

    const again = await runCli(["run"], { cwd: dir, env });
    expect(again.stderr).toMatch(/Findings updated since \d{4}-/);

    await writeFile(
      join(dir, "policy.yaml"),
      assistedPolicyYaml.replace("[critical, high]", "[critical, high, medium]"),
    );
    const changed = await runCli(["run", "--json"], { cwd: dir, env });
    expect(changed.code).toBe(0);
    const summary = JSON.parse(changed.stdout);
    expect(summary).toMatchObject({ policyChanged: true, updatedSince: null });
    expect(summary.findings).toBe(first.findings);
    expect(summary.fromEarlierRuns.waitingForApproval).toBe(first.waitingForApproval);
    expect(summary.waitingForApproval).toBeGreaterThan(first.waitingForApproval);
    const waiting = JSON.parse(
      (await runCli(["drafts", "--json", "--status", "waiting"], { cwd: dir, env })).stdout,
    );
    expect(waiting).toHaveLength(summary.waitingForApproval);
  });

  it("a model that refuses connections is checked once and the run explains with the knowledge base", async () => {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const address = listener.address();
    await new Promise((resolve) => listener.close(resolve));
    const port = typeof address === "object" && address ? address.port : 0;
    const config = await readFile(join(dir, "cloudsteward.yaml"), "utf8");
    await writeFile(join(dir, "with-model.yaml"), `${config}model: { provider: ollama }\n`);
    const result = await runCli(["run", "--dry-run", "--json", "--config", "with-model.yaml"], {
      cwd: dir,
      env: { ...env, OLLAMA_HOST: `http://127.0.0.1:${port}` },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: ollama llama3\.1:8b unreachable: .+\. This run explains with the knowledge base\.$/m,
    );
    const summary = JSON.parse(result.stdout);
    expect(summary.explainer).toMatch(/^knowledge base \(model unreachable: .+\)$/);
    expect(summary.usage.calls).toBe(0);
    expect(existsSync(join(dir, "review", "index.html"))).toBe(true);
  });
});
