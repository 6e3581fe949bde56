import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openQueued, queueFlags, queueUrlEnv } from "../queued.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";

/** Help text of `cloudsteward queue`. */
export const queueHelp = `cloudsteward queue status [options]
cloudsteward queue retry <queue> [<job>] [options]

status: the queues of the configured pipeline on Redis or PostgreSQL (docs/scale.md): per queue, the
jobs waiting, running, delayed (retries, rate limits), failed and completed, and how long the oldest
waiting job has waited; then the dead letters — failed jobs, each with the command that retries it,
and items a stage could not process.
retry: puts the failed job <job> of <queue> (or all of that queue's failed jobs) back to wait, with
fresh attempts, once its cause is fixed.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --queue <url>    redis://host:6379 or postgres://… (default: ${queueUrlEnv})
  --json           print the counts (status) or the retried count (retry) as JSON

Examples:
  cloudsteward queue status --queue redis://127.0.0.1:6379
  CLOUDSTEWARD_QUEUE_URL=postgres://… cloudsteward queue status --json
  cloudsteward queue retry deliver-jira                # every failed delivery to Jira`;

/** The flags and subcommands of `cloudsteward queue`. */
export const queueArgs = {
  flags: { ...queueFlags, json: { type: "boolean", default: false } },
  subcommands: ["status", "retry"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward queue status|retry`: depth, failures, dead letters; failed jobs run again. */
export async function queueCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, queueArgs);
  const subcommand = subcommandOf(positionals[0], queueArgs.subcommands);
  const [, queue, job] = positionals;
  if (subcommand === "retry" && queue === undefined) throw usageError("queue retry needs the queue's name.");
  const out = createOutput(io, { json: values.json });
  const { context, queued } = await openQueued(io, values);
  try {
    if (subcommand === "retry") {
      const retried = await queued.retry(queue as string, job);
      if (values.json) out.data({ retried });
      else out.line(`${retried} failed job${retried === 1 ? "" : "s"} of ${queue} put back to wait.`);
      return exitCodes.ok;
    }
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
    const letters = await queued.deadLetters();
    if (letters.length > 0) out.line(`\nDead letters (${letters.length}):`);
    for (const letter of letters) {
      const what = `${letter.queue} ${letter.job} (${letter.subject}): ${letter.reason}`;
      out.line(
        letter.kind === "job"
          ? `${what} — after ${letter.attempts} attempts; retry: cloudsteward queue retry ${letter.queue} ${letter.job}`
          : `${what} — an item the stage could not process; enqueue its finding again once fixed`,
      );
    }
    return exitCodes.ok;
  } finally {
    await queued.close();
    await context.close();
  }
}
