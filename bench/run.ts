/**
 * Runs benchmarks, each in its own child process: `npm run bench` runs every `bench/*.bench.ts`,
 * `npm run bench -- pipeline` only `bench/pipeline.bench.ts`. Prints one table, merges the rows into
 * `bench/results.json` (replacing the rows of the benchmarks that ran), rewrites README.md's benchmark
 * table from it (scripts/bench-table.mjs) and exits non-zero when a benchmark crashed or missed a target.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readmeStates } from "../scripts/bench-table.mjs";
import { type BenchResult, formatTable, runBenchmarkInChild, serveChild } from "./harness.js";

const benchDirectory = fileURLToPath(new URL(".", import.meta.url));
const resultsFile = join(benchDirectory, "results.json");

if (!(await serveChild())) await main(process.argv.slice(2));

async function main(names: string[]): Promise<void> {
  const files = names.length
    ? names.map((name) => join(benchDirectory, `${name.replace(/\.bench\.ts$/, "")}.bench.ts`))
    : (await readdir(benchDirectory))
        .filter((file) => file.endsWith(".bench.ts"))
        .sort()
        .map((file) => join(benchDirectory, file));
  const rows: BenchResult[] = [];
  for (const file of files) {
    const topic = file.slice(benchDirectory.length).replace(/\.bench\.ts$/, "");
    console.error(`running ${topic}…`);
    try {
      rows.push(...(await runBenchmarkInChild(file)));
    } catch (error) {
      process.exitCode = 1;
      const message = error instanceof Error ? error.message : String(error);
      console.error(message);
      rows.push({
        benchmark: topic,
        metric: "crashed",
        value: 0,
        unit: "",
        pass: false,
        notes: firstLine(message),
      });
    }
  }
  console.log(formatTable(rows));
  if (rows.some((row) => row.pass === false)) process.exitCode = 1;
  await writeResults(rows);
  await writeReadmeTable();
}

/** Rewrites README.md's benchmark table from the results just written (`npm run bench:table`). */
async function writeReadmeTable(): Promise<void> {
  const { readme, expected } = readmeStates();
  if (readme !== expected) await writeFile(join(benchDirectory, "..", "README.md"), expected);
}

async function writeResults(rows: BenchResult[]): Promise<void> {
  const ran = new Set(rows.map((row) => row.benchmark));
  const previous = await readFile(resultsFile, "utf8")
    .then((text) => (JSON.parse(text) as { results: BenchResult[] }).results)
    .catch(() => [] as BenchResult[]);
  const results = [...previous.filter((row) => !ran.has(row.benchmark)), ...rows];
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}` };
  await writeFile(
    resultsFile,
    `${JSON.stringify({ updatedAt: new Date().toISOString(), machine, results }, null, 2)}\n`,
  );
}

function firstLine(text: string): string {
  return text.split("\n", 2).find((line) => line.trim() !== "") ?? text;
}
