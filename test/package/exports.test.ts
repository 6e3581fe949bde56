import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const tsup = readFileSync(join(root, "tsup.config.ts"), "utf8");

const subpaths = Object.keys(pkg.exports).filter((key) => key !== "./package.json");

describe("package exports", () => {
  const entries = new Map(
    [...tsup.matchAll(/^\s+"?([\w/-]+)"?: "(src\/[\w/.-]+\.ts)",$/gm)].map((match) => [match[1]!, match[2]!]),
  );

  it("every exports entry has a tsup entry whose source exists, with ESM, CJS and types", () => {
    for (const key of subpaths) {
      const entry = key === "." ? "index" : `${key.slice(2)}/index`;
      const source = entries.get(entry);
      expect(source, `tsup entry for ${key}`).toBeDefined();
      expect(existsSync(join(root, source!)), source).toBe(true);
      const esm = { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` };
      const cjs = { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` };
      // The conformance suites import vitest, which is ESM-only (docs/decisions/0002-testing-runner-free.md).
      expect(pkg.exports[key]).toEqual(
        key === "./testing/vitest" ? { import: esm } : { import: esm, require: cjs },
      );
    }
  });

  it("every tsup entry is exported, or is the bin", () => {
    expect(entries.size).toBe(subpaths.length + 1);
    expect(entries.get("cli/index")).toBe("src/cli/index.ts");
    expect(pkg.bin).toEqual({ cloudsteward: "./dist/cli/index.js" });
  });

  // Static value imports only: type imports are erased, and a dynamic import() loads its module on first use.
  // Two small shared helpers are allowed: `fromServiceNowCmdb` (a root enrich provider) shares the
  // ServiceNow sink's credential reader (sinks/servicenow/auth.ts: options and env only, no sink code),
  // and `createWebhookHandler` checks secrets with the adapters' shared webhook helper (core only).
  it("the root entry statically imports no adapter, provider or sink", () => {
    const offenders = [...reachable("src/index.ts", { types: false }).files].filter(
      (file) =>
        /^src\/(adapters\/|llm\/[\w-]+\/|sinks\/)/.test(file) &&
        file !== "src/sinks/servicenow/auth.ts" &&
        file !== "src/adapters/shared/webhook.ts",
    );
    expect(offenders).toEqual([]);
  });

  // Type imports count here: they end up in the emitted .d.ts, which a consumer's tsc reads.
  it("cloudsteward/testing reaches only dependencies and Node built-ins (no vitest, no msw)", () => {
    const { files, packages } = reachable("src/testing/index.ts", { types: true });
    expect(files.has("src/testing/sandbox/server.ts")).toBe(true);
    const allowed = (name: string) => name.startsWith("node:") || name in pkg.dependencies;
    expect([...packages].filter((name) => !allowed(name))).toEqual([]);
  });

  it("cloudsteward/testing/vitest and cloudsteward/testing/msw each need only their own peer", () => {
    const peers = (entry: string, types: boolean) =>
      [...reachable(entry, { types }).packages].filter(
        (name) => !name.startsWith("node:") && !(name in pkg.dependencies),
      );
    expect(peers("src/testing/vitest/index.ts", false)).toEqual(["vitest"]);
    // testQueueBackend's options name BullMQ's types; the queue loads bullmq itself, on first use.
    expect(peers("src/testing/vitest/index.ts", true)).toEqual(["vitest", "bullmq"]);
    expect(peers("src/testing/msw/index.ts", true)).toEqual(["msw"]);
    for (const peer of ["vitest", "msw", "bullmq"])
      expect(pkg.peerDependenciesMeta[peer]).toEqual({ optional: true });
  });
});

/** Files (relative to the root) a source file statically imports, transitively, and the packages they name. */
function reachable(entry: string, options: { types: boolean }) {
  const files = new Set<string>();
  const packages = new Set<string>();
  // No quote between the keyword and `from`, so text in strings and template literals never matches.
  const statement = options.types
    ? /^\s*(?:import|export)\b[^"';]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm
    : /^\s*(?:import|export)\s+(?!type\b)[^"';]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm;
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(join(root, file), "utf8").matchAll(statement)) {
      const target = (match[1] ?? match[2])!;
      if (target.startsWith(".")) visit(join(file, "..", target.replace(/\.js$/, ".ts")));
      else
        packages.add(
          target.startsWith("@") ? target.split("/").slice(0, 2).join("/") : target.split("/")[0]!,
        );
    }
  };
  visit(entry);
  return { files, packages };
}
