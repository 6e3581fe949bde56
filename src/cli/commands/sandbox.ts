import { startSandbox } from "../../testing/sandbox/server.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";
import { untilAborted } from "../wait.js";

/** Help text of `cloudsteward sandbox`. */
export const sandboxHelp = `cloudsteward sandbox [options]

Starts the emulated Wiz, Jira, ServiceNow and Slack APIs on 127.0.0.1 over one synthetic estate and
prints their URLs and credentials as environment variables, until Ctrl-C.

Options:
  --port <n>   port (default: a free one)
  --size <n>   findings per platform (default 200)
  --seed <n>   estate seed (default 1)
  --json       print the endpoints as JSON

Examples:
  cloudsteward sandbox                       # then, in another shell, paste the export lines
  cloudsteward sandbox --port 8900 --size 1000
  cloudsteward sandbox --json > sandbox.json`;

/** The flags of `cloudsteward sandbox`. */
export const sandboxArgs = {
  flags: {
    port: { type: "string", default: "0" },
    size: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
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
    const env: Record<string, string> = {
      WIZ_API_URL: sandbox.wiz.apiUrl ?? "",
      WIZ_AUTH_URL: sandbox.wiz.authUrl ?? "",
      WIZ_CLIENT_ID: sandbox.wiz.clientId ?? "",
      WIZ_CLIENT_SECRET: String(sandbox.wiz.clientSecret ?? ""),
      JIRA_BASE_URL: sandbox.jira.baseUrl ?? "",
      JIRA_EMAIL: sandbox.jira.email ?? "",
      JIRA_API_TOKEN: String(sandbox.jira.apiToken ?? ""),
      SLACK_API_URL: sandbox.slack.apiUrl ?? "",
      SLACK_BOT_TOKEN: String(sandbox.slack.token ?? ""),
    };
    if (out.json) out.data({ url: sandbox.url, env });
    else {
      out.line(
        `Sandbox running at ${sandbox.url} (${sandbox.estate.findings.length} findings). Sandbox credentials, not secrets:`,
      );
      for (const [key, value] of Object.entries(env)) out.line(`export ${key}=${value}`);
      out.note("Press Ctrl-C to stop.");
    }
    await untilAborted(io.signal);
    return exitCodes.ok;
  } finally {
    await sandbox.close();
  }
}
