#!/usr/bin/env node
// Packs the package and installs the tarball into a fresh app with neither vitest nor msw, as a user's
// app would be. There: `cloudsteward/testing` starts the sandbox and a Wiz source reads findings from
// it (import and require), a strict TypeScript file using it type-checks with skipLibCheck off, the two
// subpaths that need a peer fail naming it, and every other subpath imports and requires. Then it adds
// vitest and msw, imports every subpath, requires every one with a `require` condition, checks that
// errors pass `isCloudstewardError` across the two copies, and runs publint and attw. Last, the
// `cloudsteward` command: without better-sqlite3's native build (the install ran no scripts) it
// falls back to a JSON Lines store with one warning; with it, the doc test (scripts/check-docs.mjs)
// type-checks every TypeScript block of the docs and runs every shell block there.
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { checkDocs } from "./check-docs.mjs";

const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const run = (command, args, cwd = root) => {
  try {
    return execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  } catch (error) {
    process.stderr.write(error.stdout ?? ""); // tsc and attw report on stdout
    throw error;
  }
};
const install = (cwd, specs) =>
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", ...specs], cwd);

/** The subpaths that need an optional peer dependency, and which (docs/decisions/0002-testing-runner-free.md). */
const peersOf = { "./testing/vitest": ["vitest"], "./testing/msw": ["msw"] };
for (const peer of Object.values(peersOf).flat()) {
  if (!pkg.peerDependenciesMeta?.[peer]?.optional)
    throw new Error(`${peer} must be an optional peer dependency`);
}

const name = (key) => (key === "." ? "cloudsteward" : `cloudsteward/${key.slice(2)}`);
const entries = Object.entries(pkg.exports).filter(([key]) => key !== "./package.json");
const subpaths = entries.map(([key]) => name(key));
// cloudsteward/testing/vitest is ESM-only: its suites import vitest, which cannot be require()d.
const requirable = entries.filter(([, value]) => value.require).map(([key]) => name(key));
const peerFree = (names) =>
  names.filter((subpath) => !Object.keys(peersOf).some((key) => name(key) === subpath));

const work = mkdtempSync(join(tmpdir(), "cloudsteward-pack-"));
try {
  const tarball = join(
    work,
    run("npm", ["pack", "--silent", "--pack-destination", work]).trim().split("\n").pop(),
  );
  console.log(`packed ${tarball}`);

  const consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  // A plain app: the package alone, no test runner, no msw (not even @types/node).
  install(consumer, [tarball]);
  for (const peer of Object.values(peersOf).flat()) {
    if (existsSync(join(consumer, "node_modules", peer)))
      throw new Error(`${peer} was installed into the clean app`);
  }

  // 1. The sandbox in an app without vitest or msw, through import and require.
  const sandboxRun = (load) => `
    const { startSandbox } = ${load("cloudsteward/testing")};
    const { wiz } = ${load("cloudsteward/adapters/wiz")};
    const sandbox = await startSandbox({ seed: 7, size: 12 });
    try {
      const findings = [];
      for await (const finding of wiz(sandbox.wiz).findings()) findings.push(finding);
      if (findings.length !== 12 || findings.some((finding) => finding.source.platform !== "wiz"))
        throw new Error("expected 12 Wiz findings from the sandbox, got " + findings.length);
      console.log("${load === esmLoad ? "import" : "require"}: startSandbox + wiz(sandbox.wiz) read " + findings.length + " findings at " + sandbox.url);
    } finally {
      await sandbox.close();
    }`;
  writeFileSync(join(consumer, "sandbox.mjs"), sandboxRun(esmLoad));
  writeFileSync(
    join(consumer, "sandbox.cjs"),
    `(async () => {${sandboxRun(cjsLoad)}\n})().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });`,
  );
  process.stdout.write(run("node", ["sandbox.mjs"], consumer));
  process.stdout.write(run("node", ["sandbox.cjs"], consumer));

  // 2. Its types, strict and with skipLibCheck off, under both the import and the require condition.
  const typed = `
    import { wiz } from "cloudsteward/adapters/wiz";
    import {
      evaluateFixture,
      makeFinding,
      openaiChatEmulator,
      type RuleFixture,
      type Sandbox,
      scriptedModel,
      startSandbox,
    } from "cloudsteward/testing";

    export async function check(): Promise<string[]> {
      const sandbox: Sandbox = await startSandbox({ seed: 7, size: 3, faults: { latencyMs: 1 } });
      try {
        const severities: string[] = [];
        for await (const finding of wiz(sandbox.wiz).findings()) severities.push(finding.severity);
        const fixture: RuleFixture = { name: "high", finding: makeFinding({ severity: "high" }), expect: {} };
        const result = await evaluateFixture({ policy: { mode: "read-only" }, model: scriptedModel() }, fixture);
        const emulator = openaiChatEmulator();
        const fetch: typeof globalThis.fetch = emulator.fetch("https://llm.test/v1");
        return [...severities, ...result.actions.map((action) => action.kind), String(fetch.length)];
      } finally {
        await sandbox.close();
      }
    }`;
  writeFileSync(join(consumer, "typed.mts"), typed);
  writeFileSync(join(consumer, "typed.cts"), typed);
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        types: [],
      },
      files: ["typed.mts", "typed.cts"],
    }),
  );
  run("node", [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], consumer);
  console.log("tsc (strict, skipLibCheck: false): cloudsteward/testing types check without vitest or msw");

  // 3. The subpaths that need a peer say so; every other subpath loads in the clean app.
  const clean = `
    import { createRequire } from "node:module";
    const require = createRequire(import.meta.url);
    const peersOf = ${JSON.stringify(Object.fromEntries(Object.entries(peersOf).map(([key, peers]) => [name(key), peers])))};
    const requirable = new Set(${JSON.stringify(requirable)});
    for (const [subpath, peers] of Object.entries(peersOf)) {
      const loaders = [["import", () => import(subpath)], ...(requirable.has(subpath) ? [["require", async () => require(subpath)]] : [])];
      for (const [how, load] of loaders) {
        const error = await load().then(() => undefined, (caught) => caught);
        if (!error || !/MODULE_NOT_FOUND/.test(error.code) || !peers.some((peer) => error.message.includes("'" + peer)))
          throw new Error(subpath + " (" + how + ") should fail naming " + peers.join(", ") + " without it; got " + error);
      }
    }
    for (const subpath of ${JSON.stringify(peerFree(subpaths))}) {
      if (Object.keys(await import(subpath)).length === 0) throw new Error(subpath + " exports nothing (import)");
    }
    for (const subpath of ${JSON.stringify(peerFree(requirable))}) {
      if (Object.keys(require(subpath)).length === 0) throw new Error(subpath + " exports nothing (require)");
    }
    console.log("clean app: every subpath but " + Object.keys(peersOf).join(" and ") + " loads without vitest or msw; those two name the missing peer");`;
  writeFileSync(join(consumer, "clean.mjs"), clean);
  process.stdout.write(run("node", ["clean.mjs"], consumer));

  // 4. With the peers installed, every subpath loads.
  install(consumer, [`vitest@${pkg.devDependencies.vitest}`, `msw@${pkg.devDependencies.msw}`]);
  const esm = `
    const subpaths = ${JSON.stringify(subpaths)};
    for (const name of subpaths) {
      const module = await import(name);
      if (Object.keys(module).length === 0) throw new Error(name + " exports nothing (import)");
    }
    const core = await import("cloudsteward");
    const { wiz } = await import("cloudsteward/adapters/wiz");
    // An adapter's error is an instance of the root entry's class within one format.
    const error = await wiz({ apiUrl: "http://127.0.0.1:9/graphql" }).findings()[Symbol.asyncIterator]().next().catch((caught) => caught);
    if (!(error instanceof core.CloudstewardError) || !core.isCloudstewardError(error, "CONFIGURATION")) throw new Error("adapter error is not a CloudstewardError (esm): " + error);
    console.log("import ok: " + subpaths.length + " subpaths");`;
  const cjs = `
    const subpaths = ${JSON.stringify(requirable)};
    for (const name of subpaths) {
      const module = require(name);
      if (Object.keys(module).length === 0) throw new Error(name + " exports nothing (require)");
    }
    const core = require("cloudsteward");
    const { wiz } = require("cloudsteward/adapters/wiz");
    wiz({ apiUrl: "http://127.0.0.1:9/graphql" }).findings()[Symbol.asyncIterator]().next().catch(async (error) => {
      if (!(error instanceof core.CloudstewardError)) throw new Error("adapter error is not a CloudstewardError (cjs): " + error);
      const esm = await import("cloudsteward");
      if (!esm.isCloudstewardError(error, "CONFIGURATION")) throw new Error("isCloudstewardError failed across ESM and CJS copies");
      console.log("require ok: " + subpaths.length + " subpaths; adapter errors pass isCloudstewardError across copies");
    });`;
  writeFileSync(join(consumer, "esm.mjs"), esm);
  writeFileSync(join(consumer, "cjs.cjs"), cjs);
  process.stdout.write(run("node", ["esm.mjs"], consumer));
  process.stdout.write(run("node", ["cjs.cjs"], consumer));

  process.stdout.write(run("npx", ["publint", "--strict", tarball]));
  const esmOnly = entries.filter(([, value]) => !value.require).map(([key]) => key);
  const attw = ["attw", "--pack", ".", "--profile", "node16", "--format", "table-flipped"];
  process.stdout.write(run("npx", [...attw, "--exclude-entrypoints", ...esmOnly]));

  // 5. The command, first as `npm i --ignore-scripts` leaves it: no native build of better-sqlite3.
  const binding = "node_modules/better-sqlite3/build/Release/better_sqlite3.node";
  if (existsSync(join(consumer, binding))) throw new Error("better-sqlite3 was built although no script ran");
  const demo = spawnSync(
    join(consumer, "node_modules/.bin/cloudsteward"),
    ["demo", "--size", "40", "--out", "fallback"],
    {
      cwd: consumer,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
    },
  );
  const warnings = demo.stderr.split("\n").filter((line) => line.includes("SQLite is unavailable"));
  if (
    demo.status !== 0 ||
    warnings.length !== 1 ||
    !existsSync(join(consumer, "fallback/cloudsteward-demo/state.db.jsonl"))
  )
    throw new Error(
      `cloudsteward demo without better-sqlite3's build should run on JSON Lines with one warning; exit ${demo.status}:\n${demo.stderr}`,
    );
  console.log(`cli without better-sqlite3's native build: ${warnings[0]}`);

  // 6. With the build in place (the repository's, as better-sqlite3's install script would have made
  // it), the docs: every TypeScript block type-checks and every shell block runs, SQLite as the store.
  install(consumer, [`@types/node@${pkg.devDependencies["@types/node"]}`, `ai@${pkg.devDependencies.ai}`]);
  mkdirSync(dirname(join(consumer, binding)), { recursive: true });
  copyFileSync(join(root, binding), join(consumer, binding));
  await checkDocs(consumer);
  if (!existsSync(join(consumer, "doc-shell/README-md/cloudsteward-demo/state.db")))
    throw new Error("the README's demo did not store in SQLite although better-sqlite3 was built");
  console.log("package check passed");
} finally {
  rmSync(work, { recursive: true, force: true });
}

function esmLoad(specifier) {
  return `await import(${JSON.stringify(specifier)})`;
}

function cjsLoad(specifier) {
  return `require(${JSON.stringify(specifier)})`;
}
