import type {
  BackendFactory,
  ConnectionOptions,
  PostgresPoolConfig,
  Processor,
  Queue,
  QueueBaseOptions,
  Telemetry,
  Worker,
  WorkerOptions,
} from "bullmq";
import { ConfigurationError } from "../core/errors.js";
import { missingDependency } from "../stores/shared.js";

/**
 * Where the queues live: Redis (an URL such as `redis://127.0.0.1:6379/0`, or ioredis options), or
 * PostgreSQL (an URL or a node-postgres pool config, usually the same database as `postgresStore`;
 * BullMQ keeps its tables in the `bullmq` schema and creates them on first connect unless
 * `migrate: false`).
 */
export type QueueConnection =
  | { redis: string | ConnectionOptions }
  | { postgres: string | PostgresPoolConfig };

/** The BullMQ module, loaded on first use so that nothing outside `cloudsteward/queue` needs it. */
export type BullMQ = typeof import("bullmq");

/** Opens queues and workers on one backend. */
export interface Backend {
  readonly kind: "redis" | "postgres";
  queue(name: string): Queue;
  worker(name: string, processor: Processor, options: Omit<WorkerOptions, "connection">): Worker;
}

/** Loads BullMQ and binds it to `connection`; a missing `bullmq` or `pg` becomes a ConfigurationError. */
export async function openBackend(connection: QueueConnection, telemetry?: Telemetry): Promise<Backend> {
  const traced = telemetry ? { telemetry } : {};
  let bullmq: BullMQ;
  try {
    bullmq = await import("bullmq");
  } catch (error) {
    throw missingDependency("cloudsteward/queue", "bullmq", error);
  }
  if ("postgres" in connection) return postgresBackend(bullmq, connection.postgres, traced);
  if ("redis" in connection) {
    const options = typeof connection.redis === "string" ? redisOptions(connection.redis) : connection.redis;
    return {
      kind: "redis",
      queue: (name) => new bullmq.Queue(name, { connection: options, ...traced }),
      worker: (name, processor, workerOptions) =>
        new bullmq.Worker(name, processor, { ...workerOptions, connection: options, ...traced }),
    };
  }
  throw new ConfigurationError(
    "cloudsteward/queue: `connection` must be `{ redis: url | options }` or `{ postgres: url | config }`.",
    { option: "connection" },
  );
}

/**
 * PostgreSQL: BullMQ opens a pool per queue and per worker, and a LISTEN connection per worker. Each
 * pool holds one connection unless `max` says otherwise (BullMQ runs at `max: 1` without deadlock,
 * its LISTEN being a connection of its own), so a process holds one connection per queue it uses and
 * two per queue it serves, not ten each: several processes stay within `max_connections`.
 */
async function postgresBackend(
  bullmq: BullMQ,
  connection: string | PostgresPoolConfig,
  traced: { telemetry?: Telemetry },
): Promise<Backend> {
  try {
    await import("pg");
  } catch (error) {
    throw missingDependency("cloudsteward/queue", "pg", error);
  }
  const options: PostgresPoolConfig = {
    migrate: true,
    max: 1,
    ...(typeof connection === "string" ? { connectionString: connection } : connection),
  };
  const factory = bullmq.createPostgresBackend as BackendFactory;
  // The classes are the same over either backend; their types default to Redis's.
  const shared = { connection: options, ...traced } as QueueBaseOptions;
  return {
    kind: "postgres",
    queue: (name) => new bullmq.Queue(name, shared, factory) as unknown as Queue,
    worker: (name, processor, workerOptions) =>
      new bullmq.Worker(
        name,
        processor,
        { ...workerOptions, ...shared } as never,
        factory,
      ) as unknown as Worker,
  };
}

/** ioredis options from a `redis://` or `rediss://` URL (user, password, database number, TLS). */
function redisOptions(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigurationError("cloudsteward/queue: `connection.redis` is not a valid URL.", {
      option: "connection.redis",
      cause: error,
    });
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ConfigurationError(
      `cloudsteward/queue: \`connection.redis\` must start with redis:// or rediss://, got ${parsed.protocol}//.`,
      { option: "connection.redis" },
    );
  }
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db: Number(parsed.pathname.slice(1) || 0),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ's workers block on Redis; they must not give up on a command while reconnecting.
    maxRetriesPerRequest: null,
  };
}
