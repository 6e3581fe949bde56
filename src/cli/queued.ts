import { decide } from "../agents/decide/decide.js";
import { enrich } from "../agents/enrich/enrich.js";
import { explain } from "../agents/explain/explain.js";
import { gate } from "../agents/gate/gate.js";
import { stricterMode } from "../agents/policy/evaluate.js";
import { triage } from "../agents/triage/triage.js";
import { ConfigurationError } from "../core/errors.js";
import { createQueuedPipeline, type QueueConnection, type QueuedPipeline } from "../queue/index.js";
import { type CliContext, openContext } from "./context.js";
import type { CliIo } from "./io.js";
import { preflightModel } from "./model.js";

/** The environment variable naming the queue backend: `redis://…` or `postgres://…`. */
export const queueUrlEnv = "CLOUDSTEWARD_QUEUE_URL";

/** The flags `worker`, `enqueue` and `queue` share. */
export const queueFlags = {
  config: { type: "string", path: "file" },
  queue: { type: "string" },
} as const;

/** The queue connection from `--queue`, else `CLOUDSTEWARD_QUEUE_URL`. */
export function queueConnection(url: string | undefined, env: CliIo["env"]): QueueConnection {
  const value = url ?? env[queueUrlEnv];
  if (!value) {
    throw new ConfigurationError(
      `No queue backend: pass --queue redis://host:6379 or --queue postgres://… (or set ${queueUrlEnv}).`,
      { option: "--queue", env: queueUrlEnv },
    );
  }
  if (/^rediss?:\/\//.test(value)) return { redis: value };
  if (/^postgres(ql)?:\/\//.test(value)) return { postgres: value };
  throw new ConfigurationError(`--queue must start with redis://, rediss:// or postgres://.`, {
    option: "--queue",
    env: queueUrlEnv,
  });
}

/**
 * The configured governed run (`cloudsteward run`'s stages, sinks, store, audit and approvals) as a
 * queued pipeline: every process of a deployment opens the same one.
 */
export async function openQueued(
  io: CliIo,
  values: { config?: string; queue?: string },
): Promise<{ context: CliContext; queued: QueuedPipeline }> {
  const connection = queueConnection(values.queue, io.env);
  const context = await openContext(io, values.config);
  const explainer = await preflightModel(context.model, io.signal ? { signal: io.signal } : {});
  const { policy, approvals } = context;
  const principal = context.config.principal;
  const queued = createQueuedPipeline({
    connection,
    stages: [
      triage(),
      enrich(),
      explain(explainer.model ? { model: explainer.model } : {}),
      decide({ policy }),
      gate({ policy, principal, approvals }),
    ],
    sinks: context.sinks,
    store: context.store,
    audit: context.audit,
    approvals,
    principal,
    mode: stricterMode(policy.mode, context.config.mode),
  });
  return { context, queued };
}
