import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/agents/approvals/index.js";
import { type AuditRecord, auditLog } from "../../src/audit/index.js";
import type { Finding } from "../../src/core/finding.js";
import { makeFinding, resetFactories } from "../../src/testing/factories.js";
import { mulberry32, type Sandbox, startSandbox } from "../../src/testing/index.js";
import { backends, useBackend } from "./backends.js";
import { exited, type KillDeployment, openStore, queuedOf, spawnWorker } from "./kill/deployment.js";

const rounds = 10;
const workers = 3;

/** Eight findings of one round, each its own case: six critical (ticketed), two high (held). */
function roundFindings(round: number): Finding[] {
  return Array.from({ length: 8 }, (_, n) =>
    makeFinding({
      severity: n < 6 ? "critical" : "high",
      resource: { id: `arn:aws:s3:::kill-${round}-${n}`, tags: { owner: `team-${round}-${n}` } },
    }),
  );
}

describe.each(backends)("SIGKILLed workers on $name", (backend) => {
  const started = useBackend(backend);
  let sandbox: Sandbox;
  const directory = mkdtempSync(join(tmpdir(), "cloudsteward-kill-"));
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 10 });
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it(`loses no finding and duplicates no ticket or approval over ${rounds} rounds of kills among ${workers} workers, and resumes every wait`, async () => {
    const { connection } = started();
    const deployment: KillDeployment = {
      connection,
      store:
        "postgres" in connection
          ? { postgres: connection.postgres as string }
          : { sqlite: join(directory, "state.db") },
      jira: sandbox.jira,
      prefix: `k${randomUUID().slice(0, 8)}`,
    };
    const store = openStore(deployment);
    const { queued, approvals } = queuedOf(deployment, store);
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const pool = Array.from({ length: workers }, () => spawnWorker(deployment));
    await Promise.all(pool.map((worker) => worker.ready));

    /** Approves every request still waiting and resumes it, as a Slack button would. */
    const approveWaiting = async () => {
      for await (const request of approvals.list()) {
        if (request.state !== "requested") continue;
        await approvals.approve(request.id, { principal: "alice" });
        await queued.resume(request.id);
      }
    };

    resetFactories();
    const sent: Finding[] = [];
    let kills = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        const findings = roundFindings(round);
        sent.push(...findings);
        await queued.enqueue(findings);
        await approveWaiting();
        // A random moment while the round's jobs (and the last round's resumes) run.
        await new Promise((resolve) => setTimeout(resolve, 50 + random() * 600));
        const victim = Math.floor(random() * workers);
        (pool[victim] as { child: ChildProcess }).child.kill("SIGKILL");
        kills++;
        pool[victim] = spawnWorker(deployment);
      }
      // Drain: what the gate held during the last rounds is approved too, until nothing waits.
      for (let pass = 0; pass < 5; pass++) {
        await queued.idle({ pollMs: 100 });
        const waiting = [];
        for await (const request of approvals.list())
          if (request.state === "requested") waiting.push(request);
        if (waiting.length === 0) break;
        await approveWaiting();
      }
      await queued.idle({ pollMs: 100 });

      const context = `seed ${seed}, ${kills} kills`;
      const trail: AuditRecord[] = [];
      for await (const record of auditLog(store).query()) trail.push(record);
      const ids = (type: string) =>
        new Set(
          trail.filter(({ event }) => event.type === type).flatMap(({ event }) => event.findingIds ?? []),
        );
      const all = sent.map((finding) => finding.id).sort();
      // 0 findings lost: each ingested and decided.
      expect([...ids("ingestion")].sort(), context).toEqual(all);
      expect([...ids("decision")].sort(), context).toEqual(all);

      // 0 duplicate approvals: one request per held action, each approved and executed once.
      const requests: ApprovalRequest[] = [];
      for await (const request of approvals.list()) requests.push(request);
      const held = sent.filter((finding) => finding.severity === "high").length;
      expect(requests, context).toHaveLength(held);
      expect(new Set(requests.map((request) => request.action.idempotencyKey)).size).toBe(held);
      const executions = await Promise.all(requests.map((request) => approvals.execution(request.id)));
      expect(
        executions.map((execution) => execution?.state),
        context,
      ).toEqual(requests.map(() => "done"));

      // 0 duplicate tickets: one Jira issue per case (each finding is its own case), none twice.
      const issues = sandbox.emulations.jira.issues();
      const tracking = issues.map((issue) => issue.fields.labels.find((label) => label.startsWith("cs-")));
      expect(issues, context).toHaveLength(sent.length);
      expect(new Set(tracking).size, context).toBe(sent.length);
      expect(
        (await queued.status()).map((queue) => queue.failed),
        context,
      ).toEqual(queued.queues.map(() => 0));
    } finally {
      for (const { child } of pool) child.kill("SIGTERM");
      await Promise.all(pool.map(({ child }) => exited(child)));
      await queued.close();
      await store.close();
    }
  }, 120_000);
});
