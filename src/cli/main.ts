import { isAbortError, isCloudstewardError } from "../core/errors.js";
import { approvalsCommand, approvalsHelp } from "./commands/approvals.js";
import { auditCommand, auditHelp } from "./commands/audit.js";
import { demoCommand, demoHelp } from "./commands/demo.js";
import { explainCommand, explainHelp } from "./commands/explain.js";
import { initCommand, initHelp } from "./commands/init.js";
import { replayCommand, replayHelp } from "./commands/replay.js";
import { runCommand, runHelp } from "./commands/run.js";
import { sandboxCommand, sandboxHelp } from "./commands/sandbox.js";
import { serveCommand, serveHelp } from "./commands/serve.js";
import { type CliIo, exitCodes, processIo } from "./io.js";
import { CliUsageError } from "./usage.js";

/** One `cloudsteward` subcommand: parses its own arguments and returns an exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

const commands: Record<string, { run: CliCommand; help: string; summary: string }> = {
  demo: {
    run: demoCommand,
    help: demoHelp,
    summary: "run the whole pipeline on the sandbox and write an HTML report",
  },
  init: {
    run: initCommand,
    help: initHelp,
    summary: "write a commented cloudsteward.yaml and a starter policy",
  },
  run: {
    run: runCommand,
    help: runHelp,
    summary: "run the configured pipeline once (--mode, --dry-run, --since)",
  },
  sandbox: {
    run: sandboxCommand,
    help: sandboxHelp,
    summary: "start the emulated APIs and print their URLs and credentials",
  },
  serve: {
    run: serveCommand,
    help: serveHelp,
    summary: "run the webhook receiver (Wiz webhooks, Slack approvals)",
  },
  explain: { run: explainCommand, help: explainHelp, summary: "explain one finding for its owner" },
  approvals: {
    run: approvalsCommand,
    help: approvalsHelp,
    summary: "list, approve, reject and execute held actions",
  },
  audit: { run: auditCommand, help: auditHelp, summary: "verify the audit log or export evidence" },
  replay: {
    run: replayCommand,
    help: replayHelp,
    summary: "diff a candidate policy against recorded findings",
  },
};

/** The top-level help text. */
export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return `cloudsteward — CNAPP findings → triage → explanations → governed actions → audit log

Usage: cloudsteward <command> [options]    (cloudsteward help <command> for details)

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join("\n")}

Exit codes: 0 ok · 1 failure · 2 usage or configuration error · 3 audit verification failed
Docs: docs/cli.md`;
}

/**
 * Runs the `cloudsteward` command line in-process and resolves to its exit code; errors are printed,
 * never thrown (usage and configuration errors exit 2, other failures 1).
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const topic = args[0] ? commands[args[0]] : undefined;
    io.stdout.write(`${topic ? topic.help : helpText()}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write("cloudsteward 0.1.0\n");
    return exitCodes.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`cloudsteward: unknown command "${name}". Run \`cloudsteward help\` for the list.\n`);
    return exitCodes.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(`${command.help}\n`);
    return exitCodes.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    return reportError(name, error, io);
  }
}

// Internal helpers.

function reportError(name: string, error: unknown, io: CliIo): number {
  if (isAbortError(error)) {
    io.stderr.write(`cloudsteward ${name}: interrupted.\n`);
    return exitCodes.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CliUsageError || isNodeArgError(error)) {
    io.stderr.write(`cloudsteward ${name}: ${message}\n`);
    return exitCodes.usage;
  }
  if (isCloudstewardError(error)) {
    const details = apiDetails(error);
    io.stderr.write(`cloudsteward ${name}: ${error.name} (${error.code}): ${message}${details}\n`);
    if (error.code === "CORRUPT_RECORD") return exitCodes.auditFailed;
    return error.code === "CONFIGURATION" || error.code === "POLICY" ? exitCodes.usage : exitCodes.failure;
  }
  io.stderr.write(`cloudsteward ${name}: ${message}\n`);
  return exitCodes.failure;
}

/** `parseArgs` errors (unknown flag, missing value) carry an `ERR_PARSE_ARGS_*` code. */
function isNodeArgError(error: unknown): boolean {
  return String((error as { code?: unknown })?.code ?? "").startsWith("ERR_PARSE_ARGS");
}

function apiDetails(error: unknown): string {
  const api = error as {
    integration?: string;
    status?: number;
    method?: string;
    url?: string;
    requestId?: string;
  };
  const parts = [
    api.integration && `integration ${api.integration}`,
    api.status && `HTTP ${api.status}`,
    api.method && api.url && `${api.method} ${api.url}`,
    api.requestId && `request id ${api.requestId}`,
  ].filter(Boolean);
  return parts.length > 0 ? `\n  ${parts.join(" · ")}` : "";
}
