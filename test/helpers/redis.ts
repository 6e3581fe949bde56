import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./postgres.js";

/** A Redis server started for one test file. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** The server process, for tests that stop it the hard way. */
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `redis-server` (installed by `.ci/run`) on a free 127.0.0.1 port, without
 * persistence, in a fresh directory under the OS temp dir. Call it in `beforeAll`, `stop()` in `afterAll`.
 */
export async function startRedis(): Promise<TestRedis> {
  const directory = mkdtempSync(join(tmpdir(), "cloudsteward-redis-"));
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
  });
  child.removeAllListeners("exit");
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
