import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, resolveSetting } from "../../src/cli/config.js";
import { main } from "../../src/cli/main.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { runCli, sandboxCredentials, splitEndpoints } from "./helpers.js";

const policyYaml = `mode: automated
rules:
  - id: everything
    do:
      - { kind: ticket, sink: servicenow, automatic: true }
      - { kind: notify, sink: teams, automatic: true }
principals:
  - { id: cloudsteward-bot, scopes: [execute:ticket, execute:notify] }
allowedActions: [ticket, notify]
`;

let sandbox: Sandbox;
/** Host A: answers 401 to everything and records what it was sent. */
let decoy: Server;
let decoyHost: string;
const decoyRequests: string[] = [];
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 15, seed: 4 });
  decoy = createServer((request, response) => {
    decoyRequests.push(`${request.method} ${request.url}`);
    response.writeHead(401, { "content-type": "application/json" }).end('{"error":"decoy"}');
  });
  await new Promise<void>((done) => decoy.listen(0, "127.0.0.1", done));
  decoyHost = `127.0.0.1:${(decoy.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-cli-settings-"));
  await writeFile(join(dir, "policy.yaml"), policyYaml);
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise((done) => decoy?.close(done));
  await rm(dir, { recursive: true, force: true });
});

function banner(stderr: string): string[] {
  return splitEndpoints(stderr).endpoints;
}

describe("one precedence: flags > environment > config file > defaults", () => {
  it("resolveSetting takes the first place that gives a non-blank value", () => {
    const places = {
      flag: ["--x", undefined] as const,
      env: "X_URL",
      config: ["x.url", "https://config.example"] as const,
      default: "https://default.example",
    };
    expect(resolveSetting(places, { X_URL: "https://env.example" })).toEqual({
      value: "https://env.example",
      from: "environment",
      name: "X_URL",
    });
    expect(resolveSetting(places, { X_URL: "  " })?.from).toBe("config");
    expect(
      resolveSetting({ ...places, flag: ["--x", "https://flag.example"] }, { X_URL: "https://e" }),
    ).toEqual({
      value: "https://flag.example",
      from: "flag",
      name: "--x",
    });
    expect(resolveSetting({ ...places, config: ["x.url", undefined] }, {})?.from).toBe("default");
    expect(resolveSetting({ env: "X_URL" }, {})).toBeUndefined();
  });

  it("a config pointing at host A and the environment at host B: the run names B first and contacts only B", async () => {
    await writeFile(
      join(dir, "a.yaml"),
      `policy: ./policy.yaml
store: { sqlite: ./a.db }
sources:
  wiz: { apiUrl: http://${decoyHost}/graphql, authUrl: http://${decoyHost}/oauth/token }
sinks:
  jira: { baseUrl: http://${decoyHost}/jira, projectKey: SEC }
`,
    );
    const before = decoyRequests.length;
    const sandboxHost = new URL(sandbox.url).host;
    const result = await runCli(["run", "--dry-run", "--config", "a.yaml"], {
      cwd: dir,
      env: {
        ...sandboxCredentials(sandbox),
        WIZ_API_URL: sandbox.wiz.apiUrl,
        WIZ_AUTH_URL: sandbox.wiz.authUrl,
        JIRA_BASE_URL: sandbox.jira.baseUrl,
      },
    });
    expect(result.stderr).not.toContain("preflight failed");
    expect(result.code).toBe(0);
    const lines = banner(result.stderr);
    expect(lines[0]).toMatch(/^Credentials go only to/);
    expect(lines.slice(1)).toEqual([
      `  source wiz          ${sandboxHost} (from WIZ_API_URL)`,
      `  source wiz (token)  ${sandboxHost} (from WIZ_AUTH_URL)`,
      `  sink jira           ${sandboxHost} (from JIRA_BASE_URL)`,
    ]);
    expect(result.stdout + result.stderr).not.toContain(decoyHost);
    expect(decoyRequests.length).toBe(before);
    expect(result.stdout).toMatch(/[1-9]\d* findings →/);
  });

  it("without the environment's URLs the config's host A is named, and it is the one contacted", async () => {
    const before = decoyRequests.length;
    const result = await runCli(["run", "--dry-run", "--config", "a.yaml"], {
      cwd: dir,
      env: sandboxCredentials(sandbox),
    });
    expect(banner(result.stderr).slice(1)).toEqual([
      `  source wiz          ${decoyHost} (from sources.wiz.apiUrl)`,
      `  source wiz (token)  ${decoyHost} (from sources.wiz.authUrl)`,
      `  sink jira           ${decoyHost} (from sinks.jira.baseUrl)`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("preflight failed");
    expect(decoyRequests.length).toBeGreaterThan(before);
  });

  it("a required URL set nowhere is named as not set, with where to set it", async () => {
    await writeFile(
      join(dir, "none.yaml"),
      "policy: ./policy.yaml\nstore: { sqlite: ./none.db }\nsources:\n  prisma: {}\n",
    );
    const result = await runCli(["run", "--dry-run", "--config", "none.yaml"], { cwd: dir, env: {} });
    expect(banner(result.stderr)[1]).toBe(
      "  source prisma  not set: set PRISMA_API_URL or sources.prisma.apiUrl",
    );
    expect(result.code).toBe(2);
  });
});

describe("every integration in the CLI", () => {
  it("the e-mail sink's SMTP host resolves like every endpoint, and preflight names a missing SMTP_PASSWORD", async () => {
    await writeFile(
      join(dir, "mail.yaml"),
      `policy: ./policy.yaml
store: { sqlite: ./mail.db }
sources:
  wiz: {}
sinks:
  email: { from: cloudsec@example.com, smtp: { host: smtp.config.example, port: 587 } }
`,
    );
    const result = await runCli(["run", "--dry-run", "--config", "mail.yaml"], {
      cwd: dir,
      env: {
        ...sandboxCredentials(sandbox),
        WIZ_API_URL: sandbox.wiz.apiUrl,
        WIZ_AUTH_URL: sandbox.wiz.authUrl,
        SMTP_HOST: "smtp.env.example",
        SMTP_USER: "cloudsteward",
      },
    });
    expect(banner(result.stderr)).toContain("  sink email (SMTP)   smtp.env.example (from SMTP_HOST)");
    expect(result.stderr).not.toContain("smtp.config.example");
    expect(result.stderr).toContain(
      "sink email: ConfigurationError (CONFIGURATION): email: SMTP_PASSWORD is not set.",
    );
    expect(result.code).toBe(2);
  });

  it("init writes a config and policy for the platforms and sinks asked for, which the CLI accepts", async () => {
    const out = join(dir, "init");
    const result = await runCli(
      [
        "init",
        "--dir",
        out,
        "--platform",
        "prisma,orca,lacework",
        "--sinks",
        "servicenow,teams,email,webhook",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const text = await readFile(join(out, "cloudsteward.yaml"), "utf8");
    const config = parseConfig(text, "cloudsteward.yaml");
    expect(Object.keys(config.sources).sort()).toEqual(["lacework", "orca", "prisma"]);
    expect(Object.keys(config.sinks).sort()).toEqual(["email", "servicenow", "teams", "webhook"]);
    expect(Object.keys(config.webhooks).sort()).toEqual(["lacework", "orca", "prisma"]);
    for (const variable of [
      "PRISMA_ACCESS_KEY_ID",
      "ORCA_API_TOKEN",
      "LW_API_KEY",
      "SERVICENOW_USERNAME",
      "TEAMS_WEBHOOK_URL",
      "SMTP_USER",
      "CLOUDSTEWARD_WEBHOOK_SECRET",
    ]) {
      expect(text).toContain(variable);
    }
    expect(text).toMatch(/^ {2}# wiz:$/m);
    const policy = await readFile(join(out, "policy.yaml"), "utf8");
    expect(policy).toContain("sink: servicenow");
    expect(policy).toContain("sink: teams");
    const bad = await runCli(["init", "--dir", out, "--force", "--sinks", "jira,pagerduty"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("pagerduty");
  });

  it("init on a terminal asks for the platforms and sinks not given as flags (an empty answer keeps the default)", async () => {
    const out = join(dir, "asked");
    let stdout = "";
    const stdin = Object.assign(Readable.from(["prisma,lacework\n", "\n"]), { isTTY: true });
    const code = await main(["init", "--dir", out], {
      stdout: { write: (text: string) => (stdout += text), isTTY: true },
      stderr: { write: () => true, isTTY: false },
      stdin,
      env: {},
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(stdout).toContain("Platforms to read from (wiz, prisma, orca, lacework) [wiz]: ");
    expect(stdout).toContain(
      "Where actions go (jira, servicenow, slack, teams, email, webhook) [jira,slack]: ",
    );
    const config = parseConfig(await readFile(join(out, "cloudsteward.yaml"), "utf8"), "cloudsteward.yaml");
    expect(Object.keys(config.sources).sort()).toEqual(["lacework", "prisma"]);
    expect(Object.keys(config.sinks).sort()).toEqual(["jira", "slack"]);
  });

  it("sandbox --write-config writes a ready config: with only the credentials exported, a run reads all four platforms", async () => {
    const controller = new AbortController();
    let ready: () => void = () => {};
    const written = new Promise<void>((done) => {
      ready = done;
    });
    let printed = "";
    const running = runCli(["sandbox", "--size", "8", "--write-config", "sandbox/cloudsteward.yaml"], {
      cwd: dir,
      signal: controller.signal,
      onStdout: (text) => {
        printed = text;
        if (text.includes("# then:")) ready();
      },
    });
    await written;
    const env = Object.fromEntries(
      [...printed.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)].map((match) => [
        match[1],
        match[2] ?? match[3],
      ]),
    ) as Record<string, string>;
    expect(env.TEAMS_WEBHOOK_URL).toMatch(/\/teams\/.*sig=/);
    // The Teams URL is the flow's credential, so it is only ever an environment variable.
    const onlyCredentials = Object.fromEntries(
      Object.entries(env).filter(([name]) => !/_URL$/.test(name) || name === "TEAMS_WEBHOOK_URL"),
    );
    const result = await runCli(["run", "--dry-run", "--config", "sandbox/cloudsteward.yaml"], {
      cwd: dir,
      env: onlyCredentials,
    });
    controller.abort();
    expect((await running).code).toBe(0);
    expect(result.stderr).not.toContain("preflight failed");
    expect(result.code).toBe(0);
    const lines = banner(result.stderr);
    for (const name of ["source wiz", "source prisma", "source orca", "source lacework", "sink teams"]) {
      expect(lines.find((line) => line.trimStart().startsWith(`${name} `))).toBeDefined();
    }
    expect(lines.filter((line) => line.includes("(from sources.")).length).toBe(5);
    // The Teams URL is a secret: only its host is printed.
    expect(result.stderr).not.toContain("sig=");
    expect(result.stdout).toMatch(/[1-9]\d* findings →/);
  }, 60_000);

  it("run delivers to ServiceNow and Teams", async () => {
    await writeFile(
      join(dir, "deliver.yaml"),
      `mode: automated
policy: ./policy.yaml
store: { sqlite: ./deliver.db }
sources:
  orca: {}
sinks:
  servicenow: { table: incident }
  teams: {}
`,
    );
    const result = await runCli(["run", "--config", "deliver.yaml"], {
      cwd: dir,
      env: {
        ORCA_API_URL: sandbox.orca.apiUrl,
        ORCA_API_TOKEN: String(sandbox.orca.apiToken),
        SERVICENOW_INSTANCE_URL: sandbox.servicenow.instanceUrl,
        SERVICENOW_USERNAME: sandbox.servicenow.username,
        SERVICENOW_PASSWORD: String(sandbox.servicenow.password),
        TEAMS_WEBHOOK_URL: String(sandbox.teams.webhookUrl),
      },
    });
    expect(result.stderr).not.toContain("preflight failed");
    expect(result.code).toBe(0);
    const records = sandbox.emulations.servicenow.records("incident");
    const cards = sandbox.emulations.teams.cards();
    expect(records.length).toBeGreaterThan(0);
    expect(cards.length).toBeGreaterThan(0);
    expect(cards[0]?.card.type).toBe("AdaptiveCard");
  }, 60_000);

  it("run delivers signed actions to the webhook sink; preflight names a missing webhook secret and ServiceNow password", async () => {
    const received: { signature?: string; key?: string; type: string }[] = [];
    const receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push({
          signature: request.headers["x-cloudsteward-signature"] as string | undefined,
          key: request.headers["idempotency-key"] as string | undefined,
          type: (JSON.parse(body) as { type: string }).type,
        });
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(`{"id":"hook-${received.length}"}`);
      });
    });
    await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      await writeFile(
        join(dir, "hook-policy.yaml"),
        policyYaml.replace("sink: servicenow", "sink: webhook").replace("sink: teams", "sink: webhook"),
      );
      await writeFile(
        join(dir, "hook.yaml"),
        `mode: automated
policy: ./hook-policy.yaml
store: { sqlite: ./hook.db }
sources:
  wiz: {}
sinks:
  webhook: { url: ${receiverUrl} }
  servicenow: {}
`,
      );
      const env = {
        ...sandboxCredentials(sandbox),
        WIZ_API_URL: sandbox.wiz.apiUrl,
        WIZ_AUTH_URL: sandbox.wiz.authUrl,
        SERVICENOW_INSTANCE_URL: sandbox.servicenow.instanceUrl,
        SERVICENOW_USERNAME: sandbox.servicenow.username,
      };
      const refused = await runCli(["run", "--config", "hook.yaml"], { cwd: dir, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        "sink servicenow: ConfigurationError (CONFIGURATION): servicenow: set SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN.",
      );
      expect(refused.stderr).toContain(
        "sink webhook: ConfigurationError (CONFIGURATION): webhook: CLOUDSTEWARD_WEBHOOK_SECRET is not set.",
      );
      expect(received).toEqual([]);

      const result = await runCli(["run", "--config", "hook.yaml"], {
        cwd: dir,
        env: {
          ...env,
          SERVICENOW_PASSWORD: String(sandbox.servicenow.password),
          CLOUDSTEWARD_WEBHOOK_SECRET: "a-shared-hmac-key",
        },
      });
      expect(result.stderr).not.toContain("preflight failed");
      expect(result.code).toBe(0);
      expect(banner(result.stderr)).toContain(
        `  sink webhook        ${new URL(receiverUrl).host} (from sinks.webhook.url)`,
      );
      expect(received.length).toBeGreaterThan(0);
      expect(received.every((call) => /^sha256=[0-9a-f]{64}$/.test(call.signature ?? ""))).toBe(true);
      expect(received[0]?.type).toBe("action.created");
    } finally {
      await new Promise((done) => receiver.close(done));
    }
  }, 60_000);

  it("serve takes Prisma Cloud webhooks and delivers to ServiceNow and Teams, naming their hosts first", async () => {
    await writeFile(
      join(dir, "serve.yaml"),
      `mode: automated
policy: ./policy.yaml
store: { sqlite: ./serve.db }
sources:
  prisma: {}
sinks:
  servicenow: {}
  teams: {}
webhooks:
  prisma: {}
`,
    );
    const controller = new AbortController();
    let stdout = "";
    let onOutput: () => void = () => {};
    const running = runCli(["serve", "--port", "0", "--config", "serve.yaml"], {
      cwd: dir,
      env: {
        PRISMA_API_URL: sandbox.prisma.apiUrl,
        PRISMA_WEBHOOK_SECRET: "prisma-hook-secret",
        SERVICENOW_INSTANCE_URL: sandbox.servicenow.instanceUrl,
        SERVICENOW_USERNAME: sandbox.servicenow.username,
        SERVICENOW_PASSWORD: String(sandbox.servicenow.password),
        TEAMS_WEBHOOK_URL: String(sandbox.teams.webhookUrl),
      },
      signal: controller.signal,
      onStdout: (text) => {
        stdout = text;
        onOutput();
      },
    });
    const until = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((done) => {
        onOutput = () => {
          const match = pattern.exec(stdout);
          if (match) done(match);
        };
        onOutput();
      });
    const [, url] = await until(/Listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const cardsBefore = sandbox.emulations.teams.cards().length;
    const alerts = await readFile(
      join(import.meta.dirname, "..", "adapters", "prisma", "__fixtures__", "webhook-alerts.json"),
      "utf8",
    );
    const accepted = await fetch(`${url}/webhooks/prisma`, {
      method: "POST",
      headers: { authorization: "prisma-hook-secret", "content-type": "application/json" },
      body: alerts,
    });
    expect(accepted.status).toBe(202);
    await until(/prisma: 2 finding\(s\) → \d+ case\(s\) → [1-9]\d* action\(s\) delivered/);
    controller.abort();
    const result = await running;
    expect(result.code).toBe(0);
    const sandboxHost = new URL(sandbox.url).host;
    expect(banner(result.stderr).slice(1)).toEqual([
      `  source prisma    ${sandboxHost} (from PRISMA_API_URL)`,
      `  sink servicenow  ${sandboxHost} (from SERVICENOW_INSTANCE_URL)`,
      `  sink teams       ${sandboxHost} (from TEAMS_WEBHOOK_URL)`,
    ]);
    expect(sandbox.emulations.teams.cards().length).toBeGreaterThan(cardsBefore);
  }, 60_000);
});
