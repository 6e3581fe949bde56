import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { runCli } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-cli-long-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the first match of `pattern` in the command's stdout. */
function waitFor(pattern: RegExp): { onStdout: (text: string) => void; match: Promise<RegExpMatchArray> } {
  let resolve: (match: RegExpMatchArray) => void = () => {};
  const match = new Promise<RegExpMatchArray>((done) => {
    resolve = done;
  });
  return {
    onStdout: (text) => {
      const found = pattern.exec(text);
      if (found) resolve(found);
    },
    match,
  };
}

describe("long-running commands", () => {
  it("sandbox prints working URLs and credentials, and stops on abort", async () => {
    const controller = new AbortController();
    const ready = waitFor(
      /export WIZ_API_URL=(\S+)\n[\s\S]*export WIZ_CLIENT_SECRET=(\S+)\n[\s\S]*export SLACK_BOT_TOKEN=\S+\n/,
    );
    const running = runCli(["sandbox", "--size", "10"], {
      cwd: dir,
      signal: controller.signal,
      onStdout: ready.onStdout,
    });
    const [, apiUrl, secret] = await ready.match;
    const token = await fetch(apiUrl!.replace("/graphql", "/oauth/token"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "sandbox-wiz-client",
        client_secret: secret!,
        audience: "wiz-api",
      }),
    });
    expect(token.status).toBe(200);
    controller.abort();
    const result = await running;
    expect(result.code).toBe(0);
    await expect(fetch(apiUrl!)).rejects.toThrow();
  });

  describe("serve", () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ size: 10, platforms: ["wiz"] });
      await writeFile(
        join(dir, "policy.yaml"),
        "mode: automated\nrules:\n  - id: all\n    do:\n      - { kind: ticket, sink: jira, automatic: true }\nprincipals:\n  - { id: cloudsteward-bot, scopes: [execute:ticket] }\nallowedActions: [ticket]\n",
      );
      await writeFile(
        join(dir, "cloudsteward.yaml"),
        `mode: automated\npolicy: ./policy.yaml\nstore: { sqlite: ./serve.db }\nsources:\n  wiz: { apiUrl: ${sandbox.wiz.apiUrl}, authUrl: ${sandbox.wiz.authUrl} }\nsinks:\n  jira: { baseUrl: ${sandbox.jira.baseUrl}, projectKey: SEC }\n`,
      );
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    it("accepts a Wiz webhook, runs the pipeline into Jira, and serves /healthz", async () => {
      const controller = new AbortController();
      const ready = waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const delivered = waitFor(/wiz: 1 finding\(s\) → 1 case\(s\) → 1 action\(s\) delivered/);
      const running = runCli(["serve", "--port", "0"], {
        cwd: dir,
        env: {
          WIZ_WEBHOOK_SECRET: "hook-token",
          JIRA_EMAIL: String(sandbox.jira.email),
          JIRA_API_TOKEN: String(sandbox.jira.apiToken),
        },
        signal: controller.signal,
        onStdout: (text) => {
          ready.onStdout(text);
          delivered.onStdout(text);
        },
      });
      const [, url] = await ready.match;
      const payload = {
        issue: { id: "hook-1", status: "OPEN", severity: "HIGH", created: "2026-03-01T00:00:00Z" },
        resource: {
          id: "arn:aws:s3:::hooked",
          name: "hooked",
          type: "bucket",
          cloudPlatform: "AWS",
          subscriptionId: "111122223333",
        },
        control: { id: "wc-id-1", name: "S3 bucket allows public read access", severity: "HIGH" },
      };
      const post = (authorization: string) =>
        fetch(`${url}/webhooks/wiz`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify(payload),
        });
      expect((await post("Bearer wrong")).status).toBe(401);
      const accepted = await post("Bearer hook-token");
      expect(accepted.status).toBe(202);
      expect(await accepted.json()).toEqual({ accepted: 1, duplicates: 0 });
      await delivered.match;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      controller.abort();
      expect((await running).code).toBe(0);
    });
  });

  it("demo runs the whole pipeline on a small estate and writes the report", async () => {
    const result = await runCli(["demo", "--size", "60", "--out", "demo", "--json"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.findings).toBe(60);
    expect(summary.findingsPerPlatform).toBe(15);
    expect(summary.cases).toBeGreaterThan(0);
    // All four platforms are read, and problems more than one reports are folded into one case.
    expect(summary.casesAcrossPlatforms).toBeGreaterThan(0);
    expect(summary.cases).toBeLessThan(summary.findings);
    expect(summary.actionsDelivered).toBeGreaterThan(0);
    expect(summary.deadLetters).toBe(0);
    expect(summary.audit).toMatchObject({ ok: true });
    expect(summary.phases.map((phase: { name: string }) => phase.name)).toEqual(
      expect.arrayContaining([
        "sandbox start",
        "pipeline",
        "triage",
        "explain",
        "gate",
        "deliver",
        "audit verify",
        "report",
        "total",
      ]),
    );
    const html = await readFile(join(dir, "demo", "cloudsteward-report", "index.html"), "utf8");
    expect(html).toContain('data-chart="severity"');
    expect(html).toContain(
      `<span class="value">${summary.findings}</span><span class="label">Findings</span>`,
    );
  });
});
