#!/usr/bin/env node
// Checks the layering of src/ (docs/architecture.md): no import cycles between files, and no file
// importing a folder from a higher layer. Reads `import … from "./x.js"` / `export … from` /
// `import("./x.js")` specifiers; type-only imports count too (a cycle of types is still a tangle).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..", "src");

/** Layer of each top folder of src/: a file may import only its own layer or lower ones. */
const layers = {
  core: 0,
  adapters: 1,
  llm: 1,
  sinks: 1,
  stores: 1,
  audit: 1,
  agents: 2,
  testing: 3,
  report: 3,
  server: 3,
  mcp: 3,
  queue: 3,
  cli: 4,
  "index.ts": 3,
  // The integration authors' entry re-exports core, adapters/shared and sinks/render only.
  "toolkit.ts": 1,
};

/**
 * Folders built only on public names, as anyone outside this repo would build them: they may import
 * only these entry files (the proof that the contracts are open: docs/architecture.md, The layers).
 */
const publicOnly = { "adapters/ocsf/": ["toolkit.ts"] };

function files(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const specifier =
  /(?:^|\n)\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
const graph = new Map();
for (const file of files(root)) {
  const text = readFileSync(file, "utf8");
  const targets = [];
  for (const match of text.matchAll(specifier)) {
    const target = match[1] ?? match[2];
    if (!target.startsWith(".")) continue;
    targets.push(resolve(dirname(file), target.replace(/\.js$/, ".ts")));
  }
  graph.set(file, targets);
}

const problems = [];
const layerOf = (file) => {
  const top = relative(root, file).split("/")[0];
  if (!(top in layers))
    problems.push(`${relative(root, file)}: folder "${top}" has no layer in scripts/check-layers.mjs`);
  return layers[top];
};
for (const [file, targets] of graph) {
  for (const target of targets) {
    if (!graph.has(target)) {
      problems.push(`${relative(root, file)} imports ${relative(root, target)}, which does not exist`);
    } else if (!publicImport(file, target)) {
      problems.push(`${relative(root, file)} imports ${relative(root, target)}, which is not a public entry`);
    } else if (layerOf(target) > layerOf(file)) {
      problems.push(`upward import: ${relative(root, file)} → ${relative(root, target)}`);
    }
  }
}

function publicImport(file, target) {
  const from = relative(root, file);
  const to = relative(root, target);
  const folder = Object.keys(publicOnly).find((prefix) => from.startsWith(prefix));
  return folder === undefined || to.startsWith(folder) || publicOnly[folder].includes(to);
}

// Cycles: Tarjan's strongly connected components; any component of two or more files is a cycle.
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(file) {
  indices.set(file, index);
  low.set(file, index++);
  stack.push(file);
  onStack.add(file);
  for (const target of graph.get(file) ?? []) {
    if (!graph.has(target)) continue;
    if (!indices.has(target)) {
      connect(target);
      low.set(file, Math.min(low.get(file), low.get(target)));
    } else if (onStack.has(target)) {
      low.set(file, Math.min(low.get(file), indices.get(target)));
    }
  }
  if (low.get(file) === indices.get(file)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(relative(root, member));
    } while (member !== file);
    if (component.length > 1) problems.push(`import cycle: ${component.sort().join(" ↔ ")}`);
  }
}
for (const file of graph.keys()) if (!indices.has(file)) connect(file);

if (problems.length > 0) {
  console.error(
    `check-layers: ${problems.length} problem(s)\n${problems.map((line) => `  ${line}`).join("\n")}`,
  );
  process.exit(1);
}
console.log(`check-layers: ${graph.size} files, no cycles, no upward imports`);
