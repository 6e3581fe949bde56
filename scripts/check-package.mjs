#!/usr/bin/env node
// Packs the package, installs the tarball into a fresh project, then `import`s and `require`s every exported
// subpath, checks that errors pass `isCloudstewardError` across the two copies, and runs publint and attw.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const run = (command, args, cwd = root) =>
  execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

const work = mkdtempSync(join(tmpdir(), "cloudsteward-pack-"));
try {
  const tarball = join(
    work,
    run("npm", ["pack", "--silent", "--pack-destination", work]).trim().split("\n").pop(),
  );
  console.log(`packed ${tarball}`);

  const consumer = join(work, "consumer");
  run("mkdir", ["-p", consumer]);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  const peers = [`vitest@${pkg.devDependencies.vitest}`, `msw@${pkg.devDependencies.msw}`];
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", tarball, ...peers],
    consumer,
  );

  const names = (keys) => keys.map((key) => (key === "." ? "cloudsteward" : `cloudsteward/${key.slice(2)}`));
  const entries = Object.entries(pkg.exports).filter(([key]) => key !== "./package.json");
  const subpaths = names(entries.map(([key]) => key));
  // cloudsteward/testing is ESM-only: its conformance suites import vitest, which cannot be require()d.
  const requirable = names(entries.filter(([, value]) => value.require).map(([key]) => key));

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
  console.log("package check passed");
} finally {
  rmSync(work, { recursive: true, force: true });
}
