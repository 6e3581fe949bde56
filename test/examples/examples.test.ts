import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

/** The line each example must print, proving it did its job (not just that it exited 0). */
const expected: Record<string, RegExp> = {
  "examples/ingest/wiz/basic.ts": /Read \d+ open findings from Wiz/,
  "examples/explain/openai/basic.ts": /explaining with the knowledge base alone[\s\S]*Risk: \S/,
  "examples/explain/anthropic/basic.ts": /explaining with the knowledge base alone[\s\S]*Risk: \S/,
  "examples/explain/ollama/basic.ts": /explaining with the knowledge base alone[\s\S]*Risk: \S/,
  "examples/explain/ai-sdk/basic.ts": /\[model\][\s\S]*Model calls: [1-9]/,
  "examples/deliver/jira/dedupe.ts": /One ticket for one case: SEC-\d+/,
  "examples/ingest/prisma/basic.ts": /Read [1-9]\d* open alerts from Prisma Cloud/,
  "examples/ingest/orca/basic.ts":
    /Read [1-9]\d* critical and high alerts from Orca across [1-9]\d* accounts/,
  "examples/ingest/lacework/basic.ts": /Read [1-9]\d* alerts from Lacework/,
  "examples/deliver/servicenow/incident.ts": /One ServiceNow record for one case: \w+, state open/,
  "examples/deliver/teams/card.ts":
    /2nd delivery \(same action\): unchanged\nPosted 1 card for one action to Teams/,
  "examples/approvals/slack/flow.ts":
    /is approved by alice[\s\S]*Delivered SEC-\d+; second execute skipped 1/,
  "examples/exceptions/flow.ts":
    /routing again: unchanged[\s\S]*approved by bob and carol\nWiz: written until \S+\nWiz at the expiry: lapsed[\s\S]*reminder on day 7 \(7 days left\); expired on day 14 → expired/,
  "examples/drift/drift.ts":
    /Dry run: automatic[\s\S]*Changed by: \S+ via console[\s\S]*is approved by alice\n(Fix \S+ on \S+ verified \(approved by (alice|drift-bot)\)\n){2}2 workflow runs; drifts left: 0; audit chain ok: true/,
  "examples/rules/unit-test.ts": /(\d+)\/\1 rule tests passed/,
  "examples/webhooks/hono.ts": /redelivery → 202 \{"accepted":0,"duplicates":1\}/,
  "examples/webhooks/express.ts": /wrong token → 401[\s\S]*received high legacy-logs/,
  "examples/replay/policy-change.ts": /Replayed \d+ findings: \d+ actions today, \d+ with the change/,
  "examples/compliance/soc2-pack-and-brief.ts":
    /SOC 2: \d+ pass, [1-9]\d* fail[\s\S]*Verified: [1-9]\d* evidence items against the audit chain[\s\S]*soc2 scores \d+%[\s\S]*pack\.html[\s\S]*brief\.html/,
};

/** Helpers shared by the examples, not examples themselves. */
const helpers = new Set([
  "examples/run.ts",
  "examples/webhooks/sample.ts",
  "examples/explain/explain-top-cases.ts",
]);

/** Credentials that would send the examples to real accounts; CI has none, and neither does this test. */
const credentialVariables =
  /^(WIZ_|PRISMA_|ORCA_|LW_|LACEWORK_|JIRA_|SERVICENOW_|SLACK_|TEAMS_|OPENAI_|ANTHROPIC_|OLLAMA_)/;

describe("examples", () => {
  it("every example file has an expectation here", () => {
    const files = listTs(join(root, "examples"))
      .map((file) => relative(root, file))
      .filter((file) => !helpers.has(file) && !file.startsWith("examples/policy/"));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it("examples/README.md lists every example and helper", () => {
    const index = readFileSync(join(root, "examples", "README.md"), "utf8");
    const files = [...listTs(join(root, "examples")), join(root, "examples", "policy", "policy.yaml")];
    const missing = files
      .map((file) => relative(join(root, "examples"), file))
      .filter((file) => !index.includes(`](${file})`));
    expect(missing).toEqual([]);
  });

  for (const [file, pattern] of Object.entries(expected)) {
    it.concurrent(`${file} runs without credentials and does its job`, async () => {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !credentialVariables.test(key)),
      );
      const { stdout } = await run(tsx, [file], { cwd: root, env: { ...env, CI: "true" }, timeout: 150_000 });
      expect(stdout).toMatch(pattern);
    }, 180_000);
  }
});

function listTs(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}
