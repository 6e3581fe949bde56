import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { main } from "../../src/cli/main.js";
import type { Sandbox } from "../../src/testing/sandbox/server.js";

/** What one in-process CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cloudsteward <argv>` in-process with captured, non-TTY streams. */
export async function runCli(
  argv: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    signal?: AbortSignal;
    onStdout?: (text: string) => void;
  },
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        options.onStdout?.(stdout);
      },
      isTTY: false,
    },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout, stderr };
}

/**
 * Runs `cloudsteward mcp <args> --http 127.0.0.1:0` in-process with `CLOUDSTEWARD_MCP_TOKENS` giving
 * `principal` a token, and connects an MCP client to it with that token. `stop()` closes the client,
 * interrupts the command and returns what it printed and its exit code.
 */
export async function mcpOverHttp(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; principal: string },
): Promise<{ client: Client; stop(): Promise<CliResult> }> {
  const controller = new AbortController();
  const token = "cli-test-token";
  let listening: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const run = runCli(["mcp", ...args, "--http", "127.0.0.1:0"], {
    cwd: options.cwd,
    env: { ...options.env, CLOUDSTEWARD_MCP_TOKENS: `${options.principal}=${token}` },
    signal: controller.signal,
    onStdout: (text) => {
      const match = /Listening on (\S+)/.exec(text);
      if (match) listening(match[1]!);
    },
  });
  const client = new Client({ name: "cli-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(await url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return {
    client,
    async stop() {
      await client.close();
      controller.abort();
      return run;
    },
  };
}

/**
 * Splits what a command that calls the integrations printed on stderr into its first lines (the
 * hosts it sends credentials to) and the rest.
 */
export function splitEndpoints(stderr: string): { endpoints: string[]; rest: string } {
  const lines = stderr.split("\n");
  const end = lines.findIndex((line, index) => index > 0 && !line.startsWith("  "));
  return { endpoints: lines.slice(0, end), rest: lines.slice(end).join("\n") };
}

/** A policy in assisted mode that tickets critical and high findings in Jira, approved by a security lead. */
export const assistedPolicyYaml = `mode: assisted
rules:
  - id: critical-and-high
    when: { severity: [critical, high] }
    do:
      - kind: ticket
        sink: jira
sla: { critical: 7, high: 30 }
principals:
  - id: cloudsteward-bot
    scopes: [execute:ticket]
  - id: security-lead
    scopes: ["approve:*"]
allowedActions: [ticket]
`;

/** The sandbox's Wiz and Jira credentials, as the CLI reads them from the environment. */
export function sandboxCredentials(sandbox: Sandbox): Record<string, string> {
  return {
    WIZ_CLIENT_ID: String(sandbox.wiz.clientId),
    WIZ_CLIENT_SECRET: String(sandbox.wiz.clientSecret),
    JIRA_EMAIL: String(sandbox.jira.email),
    JIRA_API_TOKEN: String(sandbox.jira.apiToken),
  };
}

/**
 * A fresh temporary folder for CLI runs against the sandbox: a `cloudsteward.yaml` in `mode` that reads
 * the sandbox's Wiz and files tickets in its Jira (policy `./policy.yaml`, state under `./state`), and
 * the given `files` (which may replace that config).
 */
export async function sandboxWorkspace(
  sandbox: Sandbox,
  options: { prefix: string; mode: string; files: Record<string, string> },
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cloudsteward-${options.prefix}-`));
  const config = `mode: ${options.mode}
policy: ./policy.yaml
store: { sqlite: ./state/state.db }
sources:
  wiz: { apiUrl: ${sandbox.wiz.apiUrl}, authUrl: ${sandbox.wiz.authUrl} }
sinks:
  jira: { baseUrl: ${sandbox.jira.baseUrl}, projectKey: SEC }
`;
  for (const [name, text] of Object.entries({ "cloudsteward.yaml": config, ...options.files }))
    await writeFile(join(dir, name), text);
  return dir;
}
