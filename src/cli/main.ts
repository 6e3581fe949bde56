import { createRequire } from "node:module";
import { isAbortError, isCloudstewardError } from "../core/errors.js";
import { approvalsArgs, approvalsCommand, approvalsHelp } from "./commands/approvals.js";
import { askArgs, askCommand, askHelp } from "./commands/ask.js";
import { auditArgs, auditCommand, auditHelp } from "./commands/audit.js";
import { briefArgs, briefCommand, briefHelp } from "./commands/brief.js";
import { complianceArgs, complianceCommand, complianceHelp } from "./commands/compliance.js";
import { complianceAnnexHelp } from "./commands/compliance-annex.js";
import { complianceCompareHelp } from "./commands/compliance-compare.js";
import { demoArgs, demoCommand, demoHelp } from "./commands/demo.js";
import { draftArgs, draftCommand, draftHelp } from "./commands/draft.js";
import { draftsArgs, draftsCommand, draftsHelp } from "./commands/drafts.js";
import { driftArgs, driftCommand, driftHelp } from "./commands/drift.js";
import { enqueueArgs, enqueueCommand, enqueueHelp } from "./commands/enqueue.js";
import { evalArgs, evalCommand, evalHelp } from "./commands/eval.js";
import { evidenceArgs, evidenceCommand, evidenceHelp } from "./commands/evidence.js";
import { exceptionsArgs, exceptionsCommand, exceptionsHelp } from "./commands/exceptions.js";
import { explainArgs, explainCommand, explainHelp } from "./commands/explain.js";
import { initArgs, initCommand, initHelp } from "./commands/init.js";
import { mcpArgs, mcpCommand, mcpHelp } from "./commands/mcp.js";
import { queryArgs, queryCommand, queryHelp } from "./commands/query.js";
import { queueArgs, queueCommand, queueHelp } from "./commands/queue.js";
import { remediateArgs, remediateCommand, remediateHelp } from "./commands/remediate.js";
import { replayArgs, replayCommand, replayHelp } from "./commands/replay.js";
import { runArgs, runCommand, runHelp } from "./commands/run.js";
import { sandboxArgs, sandboxCommand, sandboxHelp } from "./commands/sandbox.js";
import { serveArgs, serveCommand, serveHelp } from "./commands/serve.js";
import { validateArgs, validateCommand, validateHelp } from "./commands/validate.js";
import { workerArgs, workerCommand, workerHelp } from "./commands/worker.js";
import { completionArgs, completionCommand, completionHelp } from "./completion.js";
import { type CliIo, exitCodes, processIo } from "./io.js";
import { CliUsageError, type CommandArgs, suggestion } from "./usage.js";

/** One `cloudsteward` subcommand: parses its own arguments and returns an exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/** One entry of the command table: what `help`, "did you mean" and shell completion read. */
export interface CliCommandEntry {
  run: CliCommand;
  /** The `cloudsteward help <command>` text, with examples. */
  help: string;
  /** One line for the command list. */
  summary: string;
  /** Its flags and subcommands. */
  args: CommandArgs;
}

/** Every `cloudsteward` command, in the order `help` lists them. */
export const cliCommands: Record<string, CliCommandEntry> = {
  demo: {
    run: demoCommand,
    help: demoHelp,
    args: demoArgs,
    summary: "run the whole pipeline on the sandbox and write an HTML report",
  },
  init: {
    run: initCommand,
    help: initHelp,
    args: initArgs,
    summary: "write a commented cloudsteward.yaml and a starter policy",
  },
  validate: {
    run: validateCommand,
    help: validateHelp,
    args: validateArgs,
    summary: "check the config, the policy and every credential, without running",
  },
  run: {
    run: runCommand,
    help: runHelp,
    args: runArgs,
    summary: "run the configured pipeline once (--mode, --dry-run, --since)",
  },
  worker: {
    run: workerCommand,
    help: workerHelp,
    args: workerArgs,
    summary: "serve the pipeline queues on Redis or PostgreSQL until SIGTERM (--concurrency, --queues)",
  },
  enqueue: {
    run: enqueueCommand,
    help: enqueueHelp,
    args: enqueueArgs,
    summary: "put the findings of the configured sources on the ingestion queue",
  },
  queue: {
    run: queueCommand,
    help: queueHelp,
    args: queueArgs,
    summary: "queue status: depth, failures and the oldest job of every queue",
  },
  sandbox: {
    run: sandboxCommand,
    help: sandboxHelp,
    args: sandboxArgs,
    summary: "start the emulated APIs and print their URLs and credentials",
  },
  serve: {
    run: serveCommand,
    help: serveHelp,
    args: serveArgs,
    summary: "run the webhook receiver (Wiz webhooks, Slack approvals)",
  },
  mcp: {
    run: mcpCommand,
    help: mcpHelp,
    args: mcpArgs,
    summary: "run the MCP server over the governed tools (stdio, or --http :port)",
  },
  explain: {
    run: explainCommand,
    help: explainHelp,
    args: explainArgs,
    summary: "explain one finding for its owner",
  },
  ask: {
    run: askCommand,
    help: askHelp,
    args: askArgs,
    summary: "answer a posture question across the platforms, with citations and the native queries",
  },
  query: {
    run: queryCommand,
    help: queryHelp,
    args: queryArgs,
    summary: "run a typed read-only posture query given as JSON (--json, --plan)",
  },
  approvals: {
    run: approvalsCommand,
    help: approvalsHelp,
    args: approvalsArgs,
    summary: "list, approve, reject and execute held actions",
  },
  exceptions: {
    run: exceptionsCommand,
    help: exceptionsHelp,
    args: exceptionsArgs,
    summary: "request, list, approve and revoke exceptions; lint and sync exceptions.yaml",
  },
  drift: {
    run: driftCommand,
    help: driftHelp,
    args: driftArgs,
    summary: "approve baselines (Terraform, snapshot, knowledge base), detect drift, list drift fixes",
  },
  remediate: {
    run: remediateCommand,
    help: remediateHelp,
    args: remediateArgs,
    summary:
      "dry run of the drift job: per drift, the decision under the policy, the exact request, steps and rollback",
  },
  drafts: {
    run: draftsCommand,
    help: draftsHelp,
    args: draftsArgs,
    summary: "list drafts and actions waiting for approval, with why (--status, --severity, --owner)",
  },
  audit: {
    run: auditCommand,
    help: auditHelp,
    args: auditArgs,
    summary: "verify the audit log or export evidence",
  },
  compliance: {
    run: complianceCommand,
    help: complianceHelp,
    args: complianceArgs,
    summary: "status of each compliance framework and requirement, now or --as-of a date",
  },
  evidence: {
    run: evidenceCommand,
    help: evidenceHelp,
    args: evidenceArgs,
    summary: "write an audit-ready evidence pack (HTML, Markdown, JSON, CSV, OSCAL), verified",
  },
  brief: {
    run: briefCommand,
    help: briefHelp,
    args: briefArgs,
    summary: "write the weekly security brief: trend, MTTR, SLA, top risks, compliance scores",
  },
  replay: {
    run: replayCommand,
    help: replayHelp,
    args: replayArgs,
    summary: "diff a candidate policy against recorded findings",
  },
  draft: {
    run: draftCommand,
    help: draftHelp,
    args: draftArgs,
    summary: "draft a tested rule and its Wiz, Prisma, Lacework and Orca policies from a requirement",
  },
  eval: {
    run: evalCommand,
    help: evalHelp,
    args: evalArgs,
    summary: "run the drafting evaluation set and print the pass rate per category",
  },
  completion: {
    run: (args, io) => completionCommand(args, io, cliCommands),
    help: completionHelp,
    args: completionArgs,
    summary: "print the shell completion script (bash, zsh, fish)",
  },
};

/** The top-level help text. */
export function helpText(): string {
  const width = Math.max(...Object.keys(cliCommands).map((name) => name.length));
  return `cloudsteward — CNAPP findings → triage → explanations → governed actions → audit log

Usage: cloudsteward <command> [options]    (cloudsteward help <command> for its options and examples)

Commands:
${Object.entries(cliCommands)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join("\n")}

Options: --help, -h (here or after a command) · --version, -v

Examples:
  cloudsteward demo                      # no credentials: the pipeline on the sandbox, and a report
  cloudsteward init && cloudsteward validate
  cloudsteward run --dry-run
  source <(cloudsteward completion bash)

Exit codes: 0 ok · 1 failure · 2 usage or configuration error · 3 audit verification failed
Colour: on a terminal only; NO_COLOR turns it off, FORCE_COLOR on (FORCE_COLOR=0 off).
Docs: docs/cli.md`;
}

/**
 * The package's version, read from its package.json (by the package's own name, so it is the same
 * from dist/ and from the sources run by tsx).
 */
export function cliVersion(): string {
  const here = typeof __filename === "string" ? __filename : import.meta.url;
  return (createRequire(here)("cloudsteward/package.json") as { version: string }).version;
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
    const topic = args[0] === undefined ? undefined : commandNamed(args[0]);
    if (args[0] !== undefined && !topic) return unknownCommand(args[0], io);
    io.stdout.write(`${topic ? topic.help : helpText()}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`cloudsteward ${cliVersion()}\n`);
    return exitCodes.ok;
  }
  const command = commandNamed(name);
  if (!command) return unknownCommand(name, io);
  // Subcommands with help of their own.
  const ownHelp =
    name !== "compliance"
      ? undefined
      : args[0] === "annex"
        ? complianceAnnexHelp
        : args[0] === "compare"
          ? complianceCompareHelp
          : undefined;
  if (ownHelp && (args.includes("--help") || args.includes("-h"))) {
    io.stdout.write(`${ownHelp}\n`);
    return exitCodes.ok;
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

/** The command of that name; never one of `Object.prototype`'s members (`toString`, `constructor`). */
function commandNamed(name: string): CliCommandEntry | undefined {
  return Object.hasOwn(cliCommands, name) ? cliCommands[name] : undefined;
}

function unknownCommand(name: string, io: CliIo): number {
  const hint = suggestion(name, Object.keys(cliCommands));
  io.stderr.write(
    `cloudsteward: unknown command "${name}".${hint ? ` Did you mean \`cloudsteward ${hint}\`?` : ""} Run \`cloudsteward help\` for the list.\n`,
  );
  return exitCodes.usage;
}

function reportError(name: string, error: unknown, io: CliIo): number {
  if (isAbortError(error)) {
    io.stderr.write(`cloudsteward ${name}: interrupted.\n`);
    return exitCodes.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CliUsageError) {
    io.stderr.write(
      `cloudsteward ${name}: ${message}\nRun \`cloudsteward help ${name}\` for its options and examples.\n`,
    );
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
