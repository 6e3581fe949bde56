/**
 * Pipeline overhead: 1,000,000 synthetic findings through four pass-through stages (findings per
 * second, wall clock and per CPU-second), and peak RSS streaming 1,000,000 vs 100,000 findings,
 * each in a fresh process. Two more figures tell a leak from V8's heap sizing: the heap still used
 * after a full GC at the end of each run, and the same peak RSS figures for a bare chain of four
 * async generators without the pipeline (the control).
 */
import type { Finding } from "../src/core/finding.js";
import { pipeline } from "../src/core/pipeline.js";
import type { Stage } from "../src/core/stage.js";
import { makeFinding } from "../src/testing/factories.js";
import { type Benchmark, resultRow, runInChild } from "./harness.js";

const throughputFindings = 1_000_000;
const throughputTarget = 100_000;
const rssLimitMb = 200;
const rssGrowthLimit = 1.2;

/** Streams `count` findings through the four-stage pipeline and returns how many came out. */
export async function stream(count: number): Promise<number> {
  const report = await pipeline({
    source: syntheticFindings(count),
    stages: [passThrough("a"), passThrough("b"), passThrough("c"), passThrough("d")],
  }).start();
  return report.stages.d?.out ?? 0;
}

/** The child side of the RSS figures: {@link stream}, then the heap still used after a full GC, in MB. */
export async function streamInChild(count: number): Promise<{ out: number; heapAfterGcMb: number }> {
  const out = await stream(count);
  (globalThis as { gc?: () => void }).gc?.();
  return { out, heapAfterGcMb: process.memoryUsage().heapUsed / 1048576 };
}

/** The control: the same findings through four bare async generators, no pipeline. */
export async function bareChain(count: number): Promise<number> {
  let out = 0;
  const source = syntheticFindings(count);
  for await (const _ of bare(bare(bare(bare(source))))) out++;
  return out;
}

const benchmark: Benchmark = {
  name: "pipeline",
  async run() {
    await stream(50_000);
    const runs: { wall: number; cpu: number }[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const out = await stream(throughputFindings);
      const cpu = process.cpuUsage(cpuBefore);
      if (out !== throughputFindings)
        throw new Error(`expected ${throughputFindings} findings out, got ${out}`);
      runs.push({
        wall: throughputFindings / ((performance.now() - started) / 1000),
        cpu: throughputFindings / ((cpu.user + cpu.system) / 1e6),
      });
    }
    const bestWall = Math.max(...runs.map((run) => run.wall));
    const bestCpu = Math.max(...runs.map((run) => run.cpu));

    const child = { execArgv: ["--expose-gc"] };
    // V8 grows its young generation (semi-spaces) as a process allocates, so with default flags a longer
    // run has a bigger heap even when it retains nothing. Pre-sizing the young generation in both runs
    // makes the growth figure compare what the pipeline keeps, not how far V8 has warmed up.
    const presized = { execArgv: ["--expose-gc", "--min-semi-space-size=16"] };
    type Streamed = { out: number; heapAfterGcMb: number };
    const baseline = await runInChild<Streamed>(import.meta.url, "streamInChild", [0], child);
    const small = await runInChild<Streamed>(import.meta.url, "streamInChild", [100_000], child);
    const large = await runInChild<Streamed>(import.meta.url, "streamInChild", [1_000_000], child);
    const presizedSmall = await runInChild<Streamed>(import.meta.url, "streamInChild", [100_000], presized);
    const presizedLarge = await runInChild<Streamed>(import.meta.url, "streamInChild", [1_000_000], presized);
    const bareSmall = await runInChild<number>(import.meta.url, "bareChain", [100_000]);
    const bareLarge = await runInChild<number>(import.meta.url, "bareChain", [1_000_000]);
    const growth = large.peakRssMb / small.peakRssMb;
    const presizedGrowth = presizedLarge.peakRssMb / presizedSmall.peakRssMb;

    const row = resultRow("pipeline");
    return [
      row("throughput, 4 pass-through stages (wall, best of 3)", Math.round(bestWall), "findings/s", {
        target: `>= ${throughputTarget}`,
        pass: bestWall >= throughputTarget,
        notes: `runs: ${runs.map((run) => Math.round(run.wall)).join(", ")}`,
      }),
      row("throughput, 4 pass-through stages (per CPU-second)", Math.round(bestCpu), "findings/s", {
        target: `>= ${throughputTarget}`,
        pass: bestCpu >= throughputTarget,
        notes: "user+system CPU time, so other load on the machine does not count",
      }),
      row("peak RSS, process baseline (0 findings)", baseline.peakRssMb, "MB"),
      row("peak RSS, 100,000 findings", small.peakRssMb, "MB", {
        target: `< ${rssLimitMb}`,
        pass: small.peakRssMb < rssLimitMb,
      }),
      row("peak RSS, 1,000,000 findings", large.peakRssMb, "MB", {
        target: `< ${rssLimitMb}`,
        pass: large.peakRssMb < rssLimitMb,
      }),
      row("peak RSS growth, 1,000,000 vs 100,000 (default V8 flags)", growth, "x", {
        notes: `${large.result.out} and ${small.result.out} findings out; includes V8 young-generation growth`,
      }),
      row("peak RSS growth, 1,000,000 vs 100,000 (young generation pre-sized)", presizedGrowth, "x", {
        target: `<= ${rssGrowthLimit}`,
        pass: presizedGrowth <= rssGrowthLimit,
        notes: `${Math.round(presizedSmall.peakRssMb)} → ${Math.round(presizedLarge.peakRssMb)} MB with --min-semi-space-size=16 in both runs`,
      }),
      row("heap used after full GC, 100,000 findings", small.result.heapAfterGcMb, "MB"),
      row("heap used after full GC, 1,000,000 findings", large.result.heapAfterGcMb, "MB", {
        notes: "equal to the 100,000 figure means nothing is retained per finding",
      }),
      row(
        "control: bare 4-generator chain, peak RSS growth 1,000,000 vs 100,000",
        bareLarge.peakRssMb / bareSmall.peakRssMb,
        "x",
        {
          notes: `${Math.round(bareSmall.peakRssMb)} → ${Math.round(bareLarge.peakRssMb)} MB without the pipeline: V8 heap sizing`,
        },
      ),
    ];
  },
};

export default benchmark;

/** Clones one validated finding with a changing id: no zod in the hot loop. */
async function* syntheticFindings(count: number): AsyncGenerator<Finding> {
  const template = makeFinding({ source: { nativeId: "bench" } });
  for (let index = 0; index < count; index++) {
    yield { ...template, id: `wiz:bench-${index}` };
  }
}

async function* bare<T>(input: AsyncIterable<T>): AsyncGenerator<T> {
  yield* input;
}

function passThrough(name: string): Stage<Finding, Finding> {
  return {
    name,
    async *run(input) {
      yield* input;
    },
  };
}
