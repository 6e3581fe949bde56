/**
 * The audit log on SQLite: appends per second one at a time (one transaction and, with
 * `synchronous: "full"`, one WAL fsync per record) and in batches with `appendMany` (one transaction
 * per 500 records), and how long `verify()` takes over 100,000 records. Events are realistic
 * `ai-output` records, redacted and hashed with SHA-256 as in production. Notes give records per
 * CPU-second too, which a busy machine distorts less than wall clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditEvent, type AuditLog, auditLog } from "../src/audit/index.js";
import { sqliteStore } from "../src/stores/index.js";
import type { Benchmark, BenchResult } from "./harness.js";

const appendTarget = 10_000;
const batchedRecords = 100_000;
const batchSize = 500;
const singleRecords = { full: 2_000, normal: 10_000 };

const benchmark: Benchmark = {
  name: "audit",
  async run() {
    const directory = mkdtempSync(join(tmpdir(), "cloudsteward-audit-bench-"));
    try {
      const rows: BenchResult[] = [];
      for (const synchronous of ["full", "normal"] as const) {
        const store = sqliteStore({ path: join(directory, `single-${synchronous}.db`), synchronous });
        const audit = auditLog(store);
        await audit.append(event(0)); // open the database outside the measurement
        const count = singleRecords[synchronous];
        const { ms, cpuMs } = await timed(async () => {
          for (let n = 1; n <= count; n++) await audit.append(event(n));
        });
        await store.close();
        rows.push({
          benchmark: "audit",
          metric: `append one at a time, SQLite synchronous=${synchronous} (${count.toLocaleString("en")} records)`,
          value: Math.round((count / ms) * 1000),
          unit: "records/s",
          notes: `${
            synchronous === "full"
              ? "one transaction and one WAL fsync per record: every resolved append survives power loss"
              : "one transaction per record, WAL synced at checkpoints: survives a crash, may lose the last commits on power loss"
          }; ${perCpuSecond(count, cpuMs)}`,
        });
      }

      const store = sqliteStore({ path: join(directory, "batched.db"), synchronous: "full" });
      const audit = auditLog(store);
      const { ms: appendMs, cpuMs: appendCpuMs } = await timed(() => appendInBatches(audit, batchedRecords));
      const perSecond = Math.round((batchedRecords / appendMs) * 1000);
      rows.push({
        benchmark: "audit",
        metric: `appendMany in batches of ${batchSize}, SQLite synchronous=full (${batchedRecords.toLocaleString("en")} records)`,
        value: perSecond,
        unit: "records/s",
        target: `>= ${appendTarget}`,
        pass: perSecond >= appendTarget,
        notes: `one transaction and one WAL fsync per ${batchSize} records, durable once appendMany resolves; ${perCpuSecond(batchedRecords, appendCpuMs)}`,
      });

      let verified: Awaited<ReturnType<AuditLog["verify"]>> | undefined;
      const { ms: verifyMs, cpuMs: verifyCpuMs } = await timed(async () => {
        verified = await audit.verify();
      });
      await store.close();
      if (!verified?.ok || verified.count !== batchedRecords) {
        throw new Error(`verify() did not pass over the benchmark log: ${JSON.stringify(verified)}`);
      }
      rows.push({
        benchmark: "audit",
        metric: `verify() over ${batchedRecords.toLocaleString("en")} records (SQLite)`,
        value: Math.round(verifyMs),
        unit: "ms",
        notes: `${Math.round((batchedRecords / verifyMs) * 1000).toLocaleString("en")} records/s: read, recompute every SHA-256, check every link; ${Math.round(verifyCpuMs)} ms of CPU`,
      });
      // Figures are wall clock: say how busy the machine was, so a slow figure can be read fairly.
      const load = `load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs at the end`;
      return rows.map((row) => ({ ...row, notes: `${row.notes}; ${load}` }));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

export default benchmark;

async function appendInBatches(audit: AuditLog, count: number): Promise<void> {
  for (let start = 0; start < count; start += batchSize) {
    await audit.appendMany(
      Array.from({ length: Math.min(batchSize, count - start) }, (_, n) => event(start + n)),
    );
  }
}

function event(n: number): AuditEvent {
  return {
    type: "ai-output",
    actor: "cloudsteward/explain",
    caseId: `case-${n % 1000}`,
    findingIds: [`wiz:${n}`],
    data: {
      model: "gpt-4.1-mini",
      promptVersion: "explain@3",
      inputDigest: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      outputDigest: "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
      tokens: { input: 812, output: 233 },
      repaired: false,
    },
  };
}

/** Wall-clock and CPU milliseconds `fn` took (CPU counts this process's user and system time). */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

function perCpuSecond(count: number, cpuMs: number): string {
  return `${Math.round((count / cpuMs) * 1000).toLocaleString("en")} records per CPU-second`;
}
