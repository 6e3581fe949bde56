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

  const subpaths = Object.keys(pkg.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? "cloudsteward" : `cloudsteward/${key.slice(2)}`));

  const esm = `
    const subpaths = ${JSON.stringify(subpaths)};
    for (const name of subpaths) {
      const module = await import(name);
      if (Object.keys(module).length === 0) throw new Error(name + " exports nothing (import)");
    }
    const core = await import("cloudsteward");
    const error = new core.ConfigurationError("x");
    if (!(error instanceof core.CloudstewardError) || !core.isCloudstewardError(error, "CONFIGURATION")) throw new Error("instanceof failed (esm)");
    console.log("import ok: " + subpaths.length + " subpaths");`;
  const cjs = `
    const subpaths = ${JSON.stringify(subpaths)};
    for (const name of subpaths) {
      const module = require(name);
      if (Object.keys(module).length === 0) throw new Error(name + " exports nothing (require)");
    }
    const core = require("cloudsteward");
    const error = new core.ConfigurationError("x");
    if (!(error instanceof core.CloudstewardError)) throw new Error("instanceof failed (cjs)");
    import("cloudsteward").then((esm) => {
      if (!esm.isCloudstewardError(error, "CONFIGURATION")) throw new Error("isCloudstewardError failed across ESM and CJS copies");
      console.log("require ok: " + subpaths.length + " subpaths; isCloudstewardError works across copies");
    });`;
  writeFileSync(join(consumer, "esm.mjs"), esm);
  writeFileSync(join(consumer, "cjs.cjs"), cjs);
  process.stdout.write(run("node", ["esm.mjs"], consumer));
  process.stdout.write(run("node", ["cjs.cjs"], consumer));

  process.stdout.write(run("npx", ["publint", "--strict", tarball]));
  process.stdout.write(
    run("npx", ["attw", "--pack", ".", "--profile", "node16", "--format", "table-flipped"]),
  );
  console.log("package check passed");
} finally {
  rmSync(work, { recursive: true, force: true });
}
