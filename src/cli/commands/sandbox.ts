import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type Sandbox, startSandbox } from "../../testing/sandbox/server.js";
import { cliPlatforms, configTemplate } from "../config.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { policyTemplate } from "../policy-template.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";
import { untilAborted } from "../wait.js";

/** Help text of `cloudsteward sandbox`. */
export const sandboxHelp = `cloudsteward sandbox [options]

Starts the emulated Wiz, Prisma Cloud, Orca, Lacework, Jira, ServiceNow, Slack and Teams APIs on
127.0.0.1 over one synthetic estate and prints their URLs and credentials as environment variables,
until Ctrl-C. Environment variables win over the config file, so with these exported any config
(\`cloudsteward init\`'s included) reads from and delivers to the sandbox; \`run\` names each host first.

Options:
  --port <n>              port (default: a free one)
  --size <n>              findings per platform (default 200)
  --seed <n>              estate seed (default 1)
  --write-config <file>   also write a config for every sandbox platform and sink (rewritten on
                          each start, as the port changes; and a policy.yaml beside it, unless
                          one exists)
  --json                  print the endpoints as JSON

Examples:
  cloudsteward sandbox                       # then, in another shell, paste the export lines
  cloudsteward sandbox --port 8900 --size 1000
  cloudsteward sandbox --write-config cloudsteward.sandbox.yaml
  cloudsteward sandbox --json > sandbox.json`;

/** The flags of `cloudsteward sandbox`. */
export const sandboxArgs = {
  flags: {
    port: { type: "string", default: "0" },
    size: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
    "write-config": { type: "string", path: "file" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward sandbox`: the emulated APIs, until interrupted. */
export async function sandboxCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, sandboxArgs);
  const out = createOutput(io, { json: values.json });
  const sandbox = await startSandbox({
    port: Number(values.port),
    size: Number(values.size),
    seed: Number(values.seed),
  });
  try {
    const env = sandboxEnv(sandbox);
    const written = values["write-config"]
      ? await writeSandboxConfig(resolve(io.cwd, values["write-config"]), env)
      : [];
    if (out.json) out.data({ url: sandbox.url, env, ...(written.length > 0 ? { wrote: written } : {}) });
    else {
      out.line(
        `Sandbox running at ${sandbox.url} (${sandbox.estate.findings.length} findings). Sandbox credentials, not secrets:`,
      );
      for (const [key, value] of Object.entries(env)) out.line(`export ${key}=${shellWord(value)}`);
      for (const file of written) out.line(`# wrote ${file}`);
      if (values["write-config"])
        out.line(`# then: cloudsteward run --dry-run --config ${values["write-config"]}`);
      out.note("Press Ctrl-C to stop.");
    }
    await untilAborted(io.signal);
    return exitCodes.ok;
  } finally {
    await sandbox.close();
  }
}

/**
 * The environment block of a running sandbox: each platform's and sink's URL and (sandbox-only)
 * credentials, under the variables the CLI reads.
 */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  const { wiz, prisma, orca, lacework, jira, servicenow, slack, teams } = sandbox;
  const values = {
    WIZ_API_URL: wiz.apiUrl,
    WIZ_AUTH_URL: wiz.authUrl,
    WIZ_CLIENT_ID: wiz.clientId,
    WIZ_CLIENT_SECRET: wiz.clientSecret,
    PRISMA_API_URL: prisma.apiUrl,
    PRISMA_ACCESS_KEY_ID: prisma.accessKeyId,
    PRISMA_SECRET_KEY: prisma.secretKey,
    ORCA_API_URL: orca.apiUrl,
    ORCA_API_TOKEN: orca.apiToken,
    LACEWORK_API_URL: lacework.apiUrl,
    LW_API_KEY: lacework.apiKey,
    LW_API_SECRET: lacework.apiSecret,
    JIRA_BASE_URL: jira.baseUrl,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
    SERVICENOW_INSTANCE_URL: servicenow.instanceUrl,
    SERVICENOW_USERNAME: servicenow.username,
    SERVICENOW_PASSWORD: servicenow.password,
    SLACK_API_URL: slack.apiUrl,
    SLACK_BOT_TOKEN: slack.token,
    TEAMS_WEBHOOK_URL: teams.webhookUrl,
  };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value ?? "")]));
}

// Internal helpers.

/** Writes a config pointing every platform and sink at the sandbox, and a policy beside it if none exists. */
async function writeSandboxConfig(file: string, env: Record<string, string>): Promise<string[]> {
  const sinks = ["jira", "servicenow", "slack", "teams"];
  const policy = resolve(dirname(file), "policy.yaml");
  await mkdir(dirname(file), { recursive: true });
  await writeFile(
    file,
    configTemplate({
      platforms: cliPlatforms,
      sinks,
      model: "none",
      mode: "read-only",
      store: "./.cloudsteward/sandbox.db",
      urls: {
        wiz: env.WIZ_API_URL,
        wizAuth: env.WIZ_AUTH_URL,
        prisma: env.PRISMA_API_URL,
        orca: env.ORCA_API_URL,
        lacework: env.LACEWORK_API_URL,
        jira: env.JIRA_BASE_URL,
        servicenow: env.SERVICENOW_INSTANCE_URL,
        slack: env.SLACK_API_URL,
      },
    }),
  );
  const exists = await access(policy).then(
    () => true,
    () => false,
  );
  if (exists) return [file];
  await writeFile(policy, policyTemplate(sinks));
  return [file, policy];
}

/** A value as one shell word: quoted only when it holds characters the shell would read (`&`, `?`). */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
