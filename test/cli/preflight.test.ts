import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/cli/config.js";
import { preflight } from "../../src/cli/preflight.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { runCli, sandboxCredentials, sandboxWorkspace } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 10, seed: 5, platforms: ["wiz"] });
  dir = await sandboxWorkspace(sandbox, {
    prefix: "preflight",
    mode: "assisted",
    files: {
      "policy.yaml": "rules: []\nprincipals:\n  - { id: cloudsteward-bot, scopes: [execute:ticket] }\n",
      "cloudsteward.yaml": `policy: ./policy.yaml
store: { sqlite: ./state/state.db }
sources:
  wiz: { apiUrl: ${sandbox.wiz.apiUrl}, authUrl: ${sandbox.wiz.authUrl} }
sinks:
  jira: { baseUrl: ${sandbox.jira.baseUrl}, projectKey: SEC }
  slack: { apiUrl: ${sandbox.slack.apiUrl}, channel: C0123ABCD }
`,
    },
  });
  env = { ...sandboxCredentials(sandbox), SLACK_BOT_TOKEN: String(sandbox.slack.token) };
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("preflight", () => {
  it("checks every source and sink with one authenticated call each", async () => {
    const loaded = await loadConfig(join(dir, "cloudsteward.yaml"));
    const results = await preflight({ loaded, config: loaded.config }, { env });
    expect(results).toEqual([
      { name: "source wiz", ok: true },
      { name: "sink jira", ok: true },
      { name: "sink slack", ok: true },
    ]);
  });

  it("run names each refused credential and ingests nothing (exit 1)", async () => {
    const result = await runCli(["run"], {
      cwd: dir,
      env: { ...env, WIZ_CLIENT_SECRET: "wrong", JIRA_API_TOKEN: "wrong", SLACK_BOT_TOKEN: "xoxb-wrong" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("preflight failed, nothing was ingested");
    expect(result.stderr).toMatch(/source wiz: \w+Error \((AUTHENTICATION|PERMISSION_DENIED)\)/);
    expect(result.stderr).toMatch(
      /sink jira: AuthenticationError \(AUTHENTICATION\).*JIRA_EMAIL\/JIRA_API_TOKEN/,
    );
    expect(result.stderr).toMatch(/sink slack: AuthenticationError \(AUTHENTICATION\).*invalid_auth/);
    expect(result.stderr).not.toContain("wrong");
    expect(existsSync(join(dir, "state", "state.db"))).toBe(false);
  });

  it("run names a missing variable as a configuration error (exit 2)", async () => {
    const { JIRA_EMAIL: _, ...withoutEmail } = env;
    const result = await runCli(["run"], { cwd: dir, env: withoutEmail });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "sink jira: ConfigurationError (CONFIGURATION): jira: JIRA_EMAIL is not set.",
    );
  });

  it("a corrupted store names its file and what to do (exit 3)", async () => {
    const corrupt = await mkdtemp(join(tmpdir(), "cloudsteward-corrupt-store-"));
    try {
      await writeFile(join(corrupt, "policy.yaml"), "rules: []\n");
      await writeFile(
        join(corrupt, "cloudsteward.yaml"),
        "policy: ./policy.yaml\nstore: { sqlite: ./state.db }\nsources:\n  ocsf: { files: [./none.json] }\n",
      );
      await writeFile(join(corrupt, "state.db"), "this is not a database, it was overwritten ".repeat(200));
      const result = await runCli(["audit", "verify"], { cwd: corrupt });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`${join(corrupt, "state.db")} is not a readable SQLite database`);
      expect(result.stderr).toContain("Restore it from a backup");
    } finally {
      await rm(corrupt, { recursive: true, force: true });
    }
  });

  it("checks each sandbox platform's credentials: all pass, and wrong ones are named", async () => {
    const all = await startSandbox({ size: 5, seed: 7 });
    const other = await mkdtemp(join(tmpdir(), "cloudsteward-preflight-all-"));
    try {
      await writeFile(
        join(other, "cloudsteward.yaml"),
        `policy: ./policy.yaml
sources:
  wiz: { apiUrl: ${all.wiz.apiUrl}, authUrl: ${all.wiz.authUrl} }
  prisma: { apiUrl: ${all.prisma.apiUrl} }
  orca: { apiUrl: ${all.orca.apiUrl} }
  lacework: { apiUrl: ${all.lacework.apiUrl} }
`,
      );
      const loaded = await loadConfig(join(other, "cloudsteward.yaml"));
      const good = {
        WIZ_CLIENT_ID: String(all.wiz.clientId),
        WIZ_CLIENT_SECRET: String(all.wiz.clientSecret),
        PRISMA_ACCESS_KEY_ID: String(all.prisma.accessKeyId),
        PRISMA_SECRET_KEY: String(all.prisma.secretKey),
        ORCA_API_TOKEN: String(all.orca.apiToken),
        LW_API_KEY: String(all.lacework.apiKey),
        LW_API_SECRET: String(all.lacework.apiSecret),
      };
      const passed = await preflight({ loaded, config: loaded.config }, { env: good });
      expect(passed.map((result) => [result.name, result.ok])).toEqual([
        ["source wiz", true],
        ["source prisma", true],
        ["source orca", true],
        ["source lacework", true],
      ]);
      const wrong = {
        ...good,
        WIZ_CLIENT_SECRET: "wrong",
        PRISMA_SECRET_KEY: "wrong",
        ORCA_API_TOKEN: "wrong",
        LW_API_SECRET: "wrong",
      };
      const failed = await preflight({ loaded, config: loaded.config }, { env: wrong });
      for (const result of failed) {
        expect(result.ok, result.name).toBe(false);
        expect((result.error as { code?: string }).code, result.name).toMatch(
          /AUTHENTICATION|PERMISSION_DENIED/,
        );
      }
    } finally {
      await all.close();
      await rm(other, { recursive: true, force: true });
    }
  });
});
