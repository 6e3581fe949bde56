import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import { decide } from "../../../src/agents/decide/index.js";
import { gate } from "../../../src/agents/gate/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { RateLimit } from "../../../src/core/rate-limiter.js";
import type { Store } from "../../../src/core/store.js";
import { createQueuedPipeline, type QueueConnection } from "../../../src/queue/index.js";
import { type JiraOptions, jira } from "../../../src/sinks/jira/index.js";
import { postgresStore, sqliteStore } from "../../../src/stores/index.js";

/** What the kill test's parent and its worker processes share (passed to a child as JSON). */
export interface KillDeployment {
  connection: QueueConnection;
  store: { sqlite: string } | { postgres: string };
  /** The sandbox's Jira options: URL and credentials. */
  jira: Pick<JiraOptions, "baseUrl" | "email" | "apiToken">;
  prefix: string;
  /** The pace of `deliver-jira`, shared by every worker. @default none */
  limit?: RateLimit;
}

/** Critical findings get a ticket at once; high ones wait for a human's approval. */
export const killPolicy = definePolicy({
  mode: "automated",
  rules: [
    {
      id: "critical",
      when: { severity: ["critical"] },
      do: [{ kind: "ticket", sink: "jira", automatic: true }],
    },
    { id: "high", when: { severity: ["high"] }, do: [{ kind: "ticket", sink: "jira" }] },
  ],
  principals: [
    { id: "bot", scopes: ["execute:ticket"] },
    { id: "alice", scopes: ["approve:*"] },
  ],
  allowedActions: ["ticket"],
  approvalTtlHours: 24,
});

/** Jobs of a killed worker go back to wait after this long. */
export const stalledAfterMs = 1500;

export function openStore(deployment: KillDeployment): Store {
  return "sqlite" in deployment.store
    ? sqliteStore({ path: deployment.store.sqlite })
    : postgresStore({ connectionString: deployment.store.postgres, schema: "kill", maxConnections: 4 });
}

/** The deployment's queued pipeline over `store`, as every process of it builds it. */
export function queuedOf(deployment: KillDeployment, store: Store) {
  const approvals = approvalQueue({ store, policy: killPolicy, audit: auditLog(store) });
  return {
    approvals,
    queued: createQueuedPipeline({
      connection: deployment.connection,
      prefix: deployment.prefix,
      store,
      audit: auditLog(store),
      stages: [
        triage(),
        decide({ policy: killPolicy }),
        gate({ policy: killPolicy, principal: "bot", approvals }),
      ],
      sinks: {
        jira: jira({
          ...deployment.jira,
          projectKey: "SEC",
          store,
          rateLimit: false,
          // A dead worker's claim is taken over soon; the sandbox's search does not lag.
          claimTtlMs: 1000,
          settleMs: 200,
        }),
      },
      approvals,
      approvalSweepMs: 60_000,
      mode: "automated",
      principal: "bot",
      batchSize: 4,
      attempts: 8,
      stalledAfterMs,
      limits: { "deliver-jira": deployment.limit ?? false },
    }),
  };
}

/** Starts one worker process (`worker.ts`) of `deployment`; `ready` resolves once it serves the queues. */
export function spawnWorker(deployment: KillDeployment): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "worker.ts")], {
    env: { ...process.env, KILL_DEPLOYMENT: JSON.stringify(deployment) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before it was ready`)),
    );
  });
  ready.catch(() => {});
  return { child, ready };
}

export function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", resolve));
}
