/**
 * What importing cloudsteward costs a user: a fresh Node process imports one built entry
 * (`dist/…`, built first if missing) and reports the milliseconds the `import()` took; the median of
 * 15 processes per entry. The root's target is the figure measured before issue #12 shrank it
 * (150–240 ms, mostly zod): it must not grow.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Benchmark, type BenchResult, resultRow } from "./harness.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const row = resultRow("import");
const runs = 15;

const entries: { name: string; file: string; target?: number }[] = [
  { name: "cloudsteward", file: "index.js", target: 240 },
  { name: "cloudsteward/toolkit", file: "toolkit/index.js" },
  { name: "cloudsteward/adapters/wiz", file: "adapters/wiz/index.js" },
  { name: "cloudsteward/sinks/jira", file: "sinks/jira/index.js" },
  { name: "cloudsteward/testing", file: "testing/index.js" },
];

function importMs(file: string): number {
  const script = `const start = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - start);`;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return Number(output.trim());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const benchmark: Benchmark = {
  name: "import",
  async run() {
    if (!existsSync(join(root, "dist/index.js")))
      execFileSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" });
    const rows: BenchResult[] = [];
    for (const entry of entries) {
      const file = join(root, "dist", entry.file);
      const times = Array.from({ length: runs }, () => importMs(file));
      const value = median(times);
      rows.push(
        row(`import ${entry.name} (ESM, cold process)`, value, "ms", {
          ...(entry.target === undefined
            ? {}
            : { target: `<= ${entry.target}`, pass: value <= entry.target }),
          notes: `median of ${runs} processes; min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}`,
        }),
      );
    }
    return rows;
  },
};
export default benchmark;
