import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openQueued, queueFlags, queueUrlEnv } from "../queued.js";
import { type CommandArgs, parseCommandArgs, subcommandOf } from "../usage.js";

/** Help text of `cloudsteward queue`. */
export const queueHelp = `cloudsteward queue status [options]

The queues of the configured pipeline on Redis or PostgreSQL (docs/scale.md): per queue, the jobs
waiting, running, delayed (retries, rate limits), failed (dead letters) and completed, and how long
the oldest waiting job has waited.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --queue <url>    redis://host:6379 or postgres://… (default: ${queueUrlEnv})
  --json           print the counts as JSON

Examples:
  cloudsteward queue status --queue redis://127.0.0.1:6379
  CLOUDSTEWARD_QUEUE_URL=postgres://… cloudsteward queue status --json`;

/** The flags and subcommands of `cloudsteward queue`. */
export const queueArgs = {
  flags: { ...queueFlags, json: { type: "boolean", default: false } },
  subcommands: ["status"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward queue status`: depth, failures and the oldest job of every queue. */
export async function queueCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, queueArgs);
  subcommandOf(positionals[0], queueArgs.subcommands);
  const out = createOutput(io, { json: values.json });
  const { context, queued } = await openQueued(io, values);
  try {
    const statuses = await queued.status();
    if (values.json) {
      out.data(statuses);
      return exitCodes.ok;
    }
    out.line(["queue", "waiting", "active", "delayed", "failed", "completed", "oldest"].join("\t"));
    const now = Date.now();
    for (const status of statuses) {
      const oldest =
        status.oldestWaitingAt === undefined
          ? "-"
          : `${Math.round((now - Date.parse(status.oldestWaitingAt)) / 1000)}s`;
      out.line(
        [
          status.queue,
          status.waiting,
          status.active,
          status.delayed,
          status.failed,
          status.completed,
          oldest,
        ].join("\t"),
      );
    }
    return exitCodes.ok;
  } finally {
    await queued.close();
    await context.close();
  }
}
