import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { runCli, sandboxCredentials, sandboxWorkspace, splitEndpoints } from "./helpers.js";

const policyYaml = `mode: assisted
rules:
  - id: critical
    when: { severity: [critical] }
    do:
      - kind: ticket
        sink: jira
principals:
  - id: cloudsteward-bot
    scopes: [execute:ticket]
`;

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

const config = (wizUrl: string, extra = "") => `mode: assisted
policy: ./policy.yaml
store: { sqlite: ./state/state.db }
sources:
  wiz: { apiUrl: ${wizUrl}/graphql, authUrl: ${wizUrl}/oauth/token }
sinks:
  jira: { baseUrl: ${sandbox.jira.baseUrl}, projectKey: SEC }
${extra}`;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 10, seed: 5, platforms: ["wiz"] });
  dir = await sandboxWorkspace(sandbox, {
    prefix: "validate",
    mode: "assisted",
    files: {
      "policy.yaml": policyYaml,
      "bad-policy.yaml": "mode: yolo\nrules: []\n",
      "cloudsteward.yaml": config(String(sandbox.wiz.apiUrl).replace(/\/graphql$/, "")),
    },
  });
  env = sandboxCredentials(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cloudsteward validate", () => {
  it("checks the config, the policy, the model and every credential, and opens no store (exit 0)", async () => {
    const result = await runCli(["validate"], { cwd: dir, env });
    expect(splitEndpoints(result.stderr).rest).toBe("");
    // The hosts its credential checks go to come first.
    expect(splitEndpoints(result.stderr).endpoints[0]).toMatch(/^Credentials go only to/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^ok {3}config .*cloudsteward\.yaml \(mode assisted; sources wiz; sinks jira\)$/m,
    );
    expect(result.stdout).toMatch(/^ok {3}policy .*policy\.yaml \(1 rule\(s\), mode assisted\)$/m);
    expect(result.stdout).toMatch(/^ok {3}model .*none: the knowledge base explains$/m);
    expect(result.stdout).toMatch(/^ok {3}source wiz/m);
    expect(result.stdout).toMatch(/^ok {3}sink jira/m);
    expect(result.stdout).toContain("Valid: ready to `cloudsteward run --dry-run`.");
    expect(existsSync(join(dir, "state"))).toBe(false);

    const json = JSON.parse((await runCli(["validate", "--json"], { cwd: dir, env })).stdout);
    expect(json).toMatchObject({ ok: true, exitCode: 0 });
    expect(json.checks.map((check: { name: string }) => check.name)).toEqual([
      "config",
      "policy",
      "model",
      "source wiz",
      "sink jira",
    ]);
  });

  it("exits 1 when a platform refuses the credentials, naming it and never printing the secret", async () => {
    const result = await runCli(["validate"], {
      cwd: dir,
      env: { ...env, WIZ_CLIENT_SECRET: "wrong-secret-123" },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL source wiz +\w+Error \((AUTHENTICATION|PERMISSION_DENIED)\)/m);
    expect(result.stdout).toMatch(/^ok {3}sink jira/m);
    expect(result.stdout).toContain("1 problem(s): fix it and run `cloudsteward validate` again.");
    expect(result.stdout + result.stderr).not.toContain("wrong-secret-123");
  });

  it("exits 2 when a credential or the model's key is missing", async () => {
    const { JIRA_API_TOKEN: _, ...withoutJira } = env;
    const missing = await runCli(["validate"], { cwd: dir, env: withoutJira });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(
      /^FAIL sink jira +ConfigurationError \(CONFIGURATION\): jira: JIRA_API_TOKEN is not set\.$/m,
    );

    await writeFile(
      join(dir, "openai.yaml"),
      config(String(sandbox.wiz.apiUrl).replace(/\/graphql$/, ""), "model: { provider: openai }\n"),
    );
    const model = await runCli(["validate", "--config", "openai.yaml", "--json"], { cwd: dir, env });
    expect(model.code).toBe(2);
    expect(JSON.parse(model.stdout).checks).toContainEqual({
      name: "model",
      ok: false,
      error:
        "ConfigurationError (CONFIGURATION): model: provider openai needs OPENAI_API_KEY, which is not set.",
    });
  });

  it("exits 2 on an invalid policy or a missing config, naming the file", async () => {
    await writeFile(
      join(dir, "bad.yaml"),
      config(String(sandbox.wiz.apiUrl).replace(/\/graphql$/, "")).replace(
        "./policy.yaml",
        "./bad-policy.yaml",
      ),
    );
    const policy = await runCli(["validate", "--config", "bad.yaml", "--offline"], { cwd: dir, env });
    expect(policy.code).toBe(2);
    expect(policy.stdout).toMatch(/^FAIL policy +PolicyError \(POLICY\): .*bad-policy\.yaml/m);

    const missing = await runCli(["validate", "--config", "nope.yaml"], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(
      /^FAIL config +ConfigurationError \(CONFIGURATION\): .*nope\.yaml: cannot read/m,
    );
    expect(missing.stdout).toContain("cloudsteward init");
  });

  it("--offline makes no network call: an unreachable tenant still validates", async () => {
    await writeFile(join(dir, "offline.yaml"), config("http://127.0.0.1:9"));
    const offline = await runCli(["validate", "--config", "offline.yaml", "--offline"], {
      cwd: dir,
      env: {},
    });
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/^ok {3}credentials +not checked \(--offline\)$/m);
    expect(offline.stdout).toContain("Valid (credentials not checked).");

    const online = await runCli(["validate", "--config", "offline.yaml"], { cwd: dir, env });
    expect(online.code).toBe(1);
    expect(online.stdout).toMatch(/^FAIL source wiz /m);
  });
});
