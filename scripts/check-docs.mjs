#!/usr/bin/env node
// The doc test: in an app that installed the packed package (scripts/check-package.mjs builds one;
// `node scripts/check-docs.mjs <app>` reuses one), every ```ts block of README.md and docs/*.md is
// type-checked as that app would compile it, and every ```sh block is run there, with no credentials
// in the environment. The marks that change this are in scripts/doc-blocks.mjs and CONTRIBUTING.md.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { docBlocks, typescriptModules } from "./doc-blocks.mjs";

const root = resolve(import.meta.dirname, "..");
/** How long one block may take (the README's demo takes about 20 s), or a server take to start. */
const blockTimeoutMs = 300_000;

/** Type-checks the ts blocks and runs the sh blocks in `app`, a directory that installed the package. */
export async function checkDocs(app) {
  const blocks = docBlocks(root);
  typeCheck(app, typescriptModules(blocks));
  await runShell(
    app,
    blocks.filter((block) => block.kind === "sh"),
  );
}

function typeCheck(app, modules) {
  const dir = join(app, "doc-blocks");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const module of modules) writeFileSync(join(dir, module.name), module.source);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        types: ["node"],
      },
      files: modules.map((module) => module.name),
    }),
  );
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    // Name the markdown line of each error, not the generated file's.
    const byName = new Map(modules.map((module) => [module.name, module]));
    const located = String(error.stdout).replace(/^([\w.-]+\.mts)\((\d+),(\d+)\)/gm, (match, name, line) => {
      const origin = byName.get(name)?.origins[Number(line) - 1];
      return origin ? `${origin} (${name}:${line})` : match;
    });
    process.stderr.write(located);
    throw new Error(`doc test: TypeScript blocks fail to type-check against the package (files in ${dir})`);
  }
  const count = modules.reduce((sum, module) => sum + module.blocks.length, 0);
  console.log(
    `doc test: ${count} TypeScript blocks (${modules.length} modules) type-check against the package`,
  );
}

/** Runs the sh blocks in `app`, one directory per markdown file, skipping only those marked no-run. */
export async function runShell(app, blocks) {
  const files = [...new Set(blocks.map((block) => block.file))];
  let ran = 0;
  for (const file of files) {
    // Each markdown file's blocks run in order in one directory, as a reader would run them.
    const cwd = join(app, "doc-shell", file.replace(/[/.]/g, "-"));
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    const env = cleanEnv();
    const background = [];
    try {
      for (const block of blocks.filter((candidate) => candidate.file === file)) {
        if (block.words.includes("no-run")) continue;
        const where = `${block.file}:${block.line}`;
        if (block.words.includes("background")) {
          background.push(await startBackground(block, cwd, env));
          console.log(`doc test: ${where} runs in the background`);
        } else {
          await runBlock(block, cwd, env);
          console.log(`doc test: ${where} ran`);
        }
        ran++;
      }
    } finally {
      for (const child of background) await stop(child);
    }
  }
  const marked = blocks.filter((block) => block.words.includes("no-run"));
  console.log(
    `doc test: ${ran} shell blocks ran in the app; ${marked.length} marked no-run (${marked.map((block) => `${block.file}:${block.line}`).join(", ")})`,
  );
}

/** The environment of a reader with no credentials: no vendor or model variables, no colour. */
function cleanEnv() {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "npm_config_cache"];
  const env = Object.fromEntries(
    keep.filter((key) => process.env[key]).map((key) => [key, process.env[key]]),
  );
  return { ...env, NO_COLOR: "1", npm_config_update_notifier: "false", npm_config_prefer_offline: "true" };
}

function runBlock(block, cwd, env) {
  return new Promise((done, fail) => {
    const child = spawn("bash", ["-e", "-o", "pipefail", "-c", block.code], {
      cwd,
      env,
      stdio: "pipe",
      timeout: blockTimeoutMs,
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      if (code === 0) return done();
      process.stderr.write(output);
      const how = signal ? `was stopped after ${blockTimeoutMs / 1000} s (${signal})` : `exited ${code}`;
      fail(new Error(`doc test: ${block.file}:${block.line} ${how} (run in ${cwd})`));
    });
  });
}

/**
 * Starts a `background` block (a server the reader leaves running, such as `cloudsteward sandbox`)
 * and waits until it has printed and gone quiet; the `export NAME=value` lines it printed are set
 * for the blocks after it, as a reader pastes them into the next shell.
 */
function startBackground(block, cwd, env) {
  return new Promise((ready, fail) => {
    const child = spawn("bash", ["-e", "-c", block.code], { cwd, env, stdio: "pipe", detached: true });
    let output = "";
    let quiet;
    const silent = setTimeout(() => {
      process.kill(-child.pid, "SIGKILL");
      fail(
        new Error(
          `doc test: ${block.file}:${block.line} (background) printed nothing in ${blockTimeoutMs / 1000} s`,
        ),
      );
    }, blockTimeoutMs);
    const settle = () => {
      clearTimeout(silent);
      for (const [, name, value] of output.matchAll(/^export ([A-Z][A-Z0-9_]*)=(.*)$/gm)) env[name] = value;
      ready(child);
    };
    child.stdout.on("data", (chunk) => {
      output += chunk;
      clearTimeout(quiet);
      quiet = setTimeout(settle, 500);
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", fail);
    child.on("exit", (code) => {
      clearTimeout(quiet);
      clearTimeout(silent);
      process.stderr.write(output);
      fail(
        new Error(`doc test: ${block.file}:${block.line} (background) exited ${code} before it was stopped`),
      );
    });
  });
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.removeAllListeners("exit");
    child.on("exit", () => done());
    process.kill(-child.pid, "SIGINT");
  });
}

if (process.argv[1] === import.meta.filename) {
  const app = process.argv[2];
  if (!app) throw new Error("usage: node scripts/check-docs.mjs <an app that installed the packed package>");
  await checkDocs(resolve(app));
}
