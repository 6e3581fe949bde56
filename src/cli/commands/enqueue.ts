import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openQueued, queueFlags, queueUrlEnv } from "../queued.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";

/** Help text of `cloudsteward enqueue`. */
export const enqueueHelp = `cloudsteward enqueue [options]

Reads every configured source and puts its findings on the ingestion queue, in units, for the
workers (cloudsteward worker) to process. A finding enqueued before and unchanged is skipped.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --queue <url>    redis://host:6379 or postgres://… (default: ${queueUrlEnv})
  --json           print the counts as JSON

Examples:
  cloudsteward enqueue --queue redis://127.0.0.1:6379     # e.g. every 15 minutes from cron`;

/** The flags of `cloudsteward enqueue`. */
export const enqueueArgs = {
  flags: { ...queueFlags, json: { type: "boolean", default: false } },
} as const satisfies CommandArgs;

/** `cloudsteward enqueue`: the configured sources onto the ingestion queue. */
export async function enqueueCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, enqueueArgs);
  const out = createOutput(io, { json: values.json });
  const { context, queued } = await openQueued(io, values);
  try {
    const totals = { findings: 0, units: 0, duplicates: 0 };
    for (const source of Object.values(context.sources)) {
      const result = await queued.enqueue(source, io.signal ? { signal: io.signal } : {});
      totals.findings += result.findings;
      totals.units += result.units;
      totals.duplicates += result.duplicates;
    }
    if (values.json) out.data(totals);
    else
      out.line(
        `${totals.findings} finding(s) read, ${totals.findings - totals.duplicates} enqueued in ${totals.units} unit(s), ${totals.duplicates} unchanged since they were enqueued.`,
      );
    return exitCodes.ok;
  } finally {
    await queued.close();
    await context.close();
  }
}
