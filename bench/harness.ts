/**
 * The benchmark contract and its helpers. A benchmark is a file `bench/<topic>.bench.ts` whose
 * default export is a {@link Benchmark}; `bench/run.ts` runs each in its own child process.
 */
import { fork } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** One figure a benchmark measured. */
export interface BenchResult {
  /** The benchmark's name, e.g. `pipeline`. */
  benchmark: string;
  /** What was measured, e.g. `throughput (1,000,000 findings)`. */
  metric: string;
  value: number;
  /** e.g. `findings/s`, `MB`, `ms`. */
  unit: string;
  /** The target in words, e.g. `>= 100000`. */
  target?: string;
  /** Whether `value` met `target`. */
  pass?: boolean;
  notes?: string;
}

/** What a `bench/<topic>.bench.ts` file exports by default. */
export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]>;
}

/** What {@link runInChild} resolves to. */
export interface ChildOutcome<T> {
  /** What the child's function returned. */
  result: T;
  /** The child's peak resident set size over its whole life, in MB. */
  peakRssMb: number;
}

/**
 * A row builder for one benchmark: `row(metric, value, unit, extra)`, the value rounded to two decimals.
 * @example
 * const row = resultRow("pipeline");
 * row("throughput", 260_353, "findings/s", { target: ">= 100000", pass: true });
 */
export function resultRow(benchmark: string) {
  return (metric: string, value: number, unit: string, extra: Partial<BenchResult> = {}): BenchResult => ({
    benchmark,
    metric,
    value: Math.round(value * 100) / 100,
    unit,
    ...extra,
  });
}

/** What {@link normalizeCost} measured. */
export interface NormalizeCost {
  /** normalize ÷ JSON.parse CPU time, in the median round. */
  ratio: number;
  parseUsPerRecord: number;
  normalizeUsPerRecord: number;
  /** The lowest and highest round ratios (the high ones are JIT warm-up). */
  range: [number, number];
  rounds: number;
}

/**
 * The CPU cost of normalizing `records` next to `JSON.parse` of the `bodies` they came from: both run
 * back to back in each of fifteen rounds, so load from elsewhere on the machine hits both sides of a
 * round alike, and the median round is reported.
 */
export function normalizeCost(
  bodies: readonly string[],
  records: readonly unknown[],
  normalize: (record: unknown) => unknown,
): NormalizeCost {
  const cpuMs = (fn: () => void) => {
    const started = process.cpuUsage();
    fn();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  const rounds = Array.from({ length: 15 }, () => {
    const parseMs = cpuMs(() => {
      for (const text of bodies) JSON.parse(text);
    });
    const normalizeMs = cpuMs(() => {
      for (const record of records) normalize(record);
    });
    return { parseMs, normalizeMs, ratio: normalizeMs / parseMs };
  }).sort((a, b) => a.ratio - b.ratio);
  const median = rounds[rounds.length >> 1]!;
  return {
    ratio: median.ratio,
    parseUsPerRecord: (median.parseMs * 1000) / records.length,
    normalizeUsPerRecord: (median.normalizeMs * 1000) / records.length,
    range: [rounds[0]!.ratio, rounds.at(-1)!.ratio],
    rounds: rounds.length,
  };
}

/** The notes of a row reporting a {@link NormalizeCost}. */
export function costNotes(cost: NormalizeCost): string {
  const two = (value: number) => Math.round(value * 100) / 100;
  return `CPU time, median of ${cost.rounds} interleaved rounds: normalize ${two(cost.normalizeUsPerRecord)} µs/record, JSON.parse ${two(cost.parseUsPerRecord)} µs/record; rounds ranged ${two(cost.range[0])}–${two(cost.range[1])}×`;
}

/** Milliseconds `fn` took, wall clock. */
export async function measure(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** This process's peak resident set size so far, in MB (the kernel's high-water mark, not a sample). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Options of {@link runInChild}. */
export interface RunInChildOptions {
  /** Extra Node flags for the child, e.g. `["--expose-gc"]`. */
  execArgv?: string[];
}

/**
 * Runs the function exported as `exportName` from `file` in a fresh Node process, passing `args`,
 * and resolves to its result and the child's peak RSS, so one measurement never pollutes another.
 * @example
 * const { peakRssMb } = await runInChild(import.meta.url, "stream", [100_000]);
 */
export function runInChild<T = unknown>(
  file: string | URL,
  exportName: string,
  args: unknown[] = [],
  options: RunInChildOptions = {},
): Promise<ChildOutcome<T>> {
  const path = file instanceof URL || file.startsWith("file:") ? fileURLToPath(file) : file;
  return spawnChild<ChildOutcome<T>>(["--task", path, exportName, JSON.stringify(args)], options.execArgv);
}

/** Runs the benchmark in `file` in a fresh Node process and resolves to its rows. */
export function runBenchmarkInChild(file: string): Promise<BenchResult[]> {
  return spawnChild<BenchResult[]>(["--child", file]);
}

/**
 * The child side of {@link runInChild} and {@link runBenchmarkInChild}: when this process was
 * started with `--task` or `--child`, runs what was asked, sends the outcome to the parent and
 * resolves to true; otherwise resolves to false.
 */
export async function serveChild(argv: readonly string[] = process.argv.slice(2)): Promise<boolean> {
  const [mode, file, exportName, args] = argv;
  if ((mode !== "--task" && mode !== "--child") || file === undefined || process.send === undefined) {
    return false;
  }
  try {
    const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
    let message: unknown;
    if (mode === "--child") {
      message = { ok: true, value: await (module.default as Benchmark).run() };
    } else {
      const fn = module[exportName ?? ""];
      if (typeof fn !== "function") throw new Error(`${file} has no exported function "${exportName}".`);
      const result: unknown = await fn(...(JSON.parse(args ?? "[]") as unknown[]));
      message = { ok: true, value: { result, peakRssMb: peakRssMb() } };
    }
    await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await new Promise<void>((resolve) => process.send!({ ok: false, error: text }, () => resolve()));
  }
  process.disconnect?.();
  return true;
}

/** Renders rows as an aligned plain-text table. */
export function formatTable(rows: readonly BenchResult[]): string {
  const header = ["benchmark", "metric", "value", "unit", "target", "pass", "notes"];
  const cells = rows.map((row) => [
    row.benchmark,
    row.metric,
    formatNumber(row.value),
    row.unit,
    row.target ?? "",
    row.pass === undefined ? "" : row.pass ? "yes" : "NO",
    row.notes ?? "",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length)),
  );
  const render = (line: string[]) =>
    line
      .map((cell, column) => (column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [render(header), render(widths.map((width) => "-".repeat(width))), ...cells.map(render)].join("\n");
}

const runScript = fileURLToPath(new URL("./run.ts", import.meta.url));

function spawnChild<T>(args: string[], execArgv: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(runScript, args, {
      execArgv: ["--import", import.meta.resolve("tsx"), ...execArgv],
      stdio: "inherit",
    });
    let outcome: { ok: true; value: T } | { ok: false; error: string } | undefined;
    child.on("message", (message) => {
      outcome = message as typeof outcome;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (outcome?.ok) resolve(outcome.value);
      else if (outcome) reject(new Error(`Child ${args.join(" ")} failed: ${outcome.error}`));
      else reject(new Error(`Child ${args.join(" ")} exited (${signal ?? code}) without a result.`));
    });
  });
}

function formatNumber(value: number): string {
  return Number.isInteger(value)
    ? value.toLocaleString("en-US")
    : value.toFixed(Math.abs(value) < 10 ? 2 : 1);
}
