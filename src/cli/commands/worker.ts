import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openQueued, queueFlags, queueUrlEnv } from "../queued.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";
import { untilAborted } from "../wait.js";

/** Help text of `cloudsteward worker`. */
export const workerHelp = `cloudsteward worker [options]

Serves the queues of the configured pipeline (docs/scale.md) until SIGTERM or SIGINT, then finishes
the jobs it is running and stops. Run as many as the load needs, on any machines that reach the queue
backend and the store.

Options:
  --config <file>       the config file (default ./cloudsteward.yaml)
  --queue <url>         redis://host:6379 or postgres://… (default: ${queueUrlEnv})
  --concurrency <n>     jobs each queue runs at once in this process (default 1)
  --queues <a,b>        only these queues (default all: ingest, enrich, explain, decide, gate,
                        deliver-<sink>…, approvals)

Examples:
  cloudsteward worker --queue redis://127.0.0.1:6379 --concurrency 4
  cloudsteward worker --queues deliver-jira,deliver-slack    # a process for the deliveries only`;

/** The flags of `cloudsteward worker`. */
export const workerArgs = {
  flags: { ...queueFlags, concurrency: { type: "string" }, queues: { type: "string" } },
} as const satisfies CommandArgs;

/** `cloudsteward worker`: serves the queues until the process is asked to stop. */
export async function workerCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, workerArgs);
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw usageError(`--concurrency must be a positive integer, got ${values.concurrency}.`);
  }
  const out = createOutput(io);
  const { context, queued } = await openQueued(io, values);
  try {
    const worker = await queued.startWorker({
      concurrency,
      ...(values.queues ? { queues: values.queues.split(",").map((name) => name.trim()) } : {}),
    });
    out.note(
      `Serving ${worker.queues.join(", ")} (concurrency ${concurrency}). SIGTERM finishes the running jobs and stops.`,
    );
    await untilAborted(io.signal);
    await worker.close();
    out.note("Stopped: the running jobs finished.");
    return exitCodes.ok;
  } finally {
    await queued.close();
    await context.close();
  }
}
