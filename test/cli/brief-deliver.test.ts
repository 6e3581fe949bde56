import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Briefing } from "../../src/agents/briefing/briefing.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

describe("cloudsteward brief --deliver", () => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, size: 5, platforms: ["wiz"] });
    dir = await sandboxWorkspace(sandbox, {
      prefix: "brief-deliver",
      mode: "assisted",
      files: {
        "cloudsteward.yaml": `mode: assisted
policy: ./policy.yaml
store: { sqlite: ./state/state.db }
sources:
  wiz: { apiUrl: ${sandbox.wiz.apiUrl}, authUrl: ${sandbox.wiz.authUrl} }
sinks:
  slack: { apiUrl: ${sandbox.slack.apiUrl}, channel: ${sandbox.slack.channel} }
`,
        "policy.yaml": assistedPolicyYaml,
      },
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("posts the sandbox brief's summary and link to the configured Slack channel, without the token in any output", async () => {
    const env = { ...sandboxCredentials(sandbox), SLACK_BOT_TOKEN: String(sandbox.slack.token) };
    const before = sandbox.emulations.slack.messages().length;
    const result = await runCli(
      ["brief", "--sandbox", "--deliver", "slack", "--link", "https://reports.example.com/brief", "--json"],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    const { brief, delivered } = JSON.parse(result.stdout) as { brief: Briefing; delivered: string[] };
    expect(delivered).toEqual(["slack"]);
    const messages = sandbox.emulations.slack.messages().slice(before);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.channel).toBe(sandbox.slack.channel);
    expect(messages[0]!.text).toContain(`Security brief ${brief.period.from.slice(0, 10)}`);
    expect(messages[0]!.text).toContain("<https://reports.example.com/brief|Open the full report>");
    expect(result.stdout + result.stderr).not.toContain(String(sandbox.slack.token));
  });

  it("posts nothing without --deliver, and names the missing sink when it is not configured", async () => {
    const env = sandboxCredentials(sandbox);
    const before = sandbox.emulations.slack.messages().length;
    expect((await runCli(["brief", "--sandbox", "--json"], { cwd: dir, env })).code).toBe(0);
    const missing = await runCli(["brief", "--sandbox", "--deliver", "teams"], { cwd: dir, env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("sinks.teams is not configured");
    const badLink = await runCli(
      ["brief", "--sandbox", "--deliver", "slack", "--link", "javascript:alert(1)"],
      {
        cwd: dir,
        env: { ...env, SLACK_BOT_TOKEN: String(sandbox.slack.token) },
      },
    );
    expect(badLink.code).not.toBe(0);
    expect(badLink.stderr).toContain("the link must be an http(s) URL");
    expect(sandbox.emulations.slack.messages()).toHaveLength(before);
  });
});
