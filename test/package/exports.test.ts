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
      // The conformance suites import vitest, which is ESM-only (docs/decisions/0001-testing-esm-only.md).
      expect(pkg.exports[key]).toEqual(key === "./testing" ? { import: esm } : { import: esm, require: cjs });
    }
  });

  it("every tsup entry is exported, or is the bin", () => {
    expect(entries.size).toBe(subpaths.length + 1);
    expect(entries.get("cli/index")).toBe("src/cli/index.ts");
    expect(pkg.bin).toEqual({ cloudsteward: "./dist/cli/index.js" });
  });

  // Static value imports only: type imports are erased, and a dynamic import() loads its module on first use.
  it("the root entry statically imports no adapter, provider or sink", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s*"(\.[^"]+)"/gm)) {
        const target = join(file, "..", match[1]!.replace(/\.js$/, ".ts"));
        visit(target);
      }
    };
    visit(join(root, "src/index.ts"));
    const offenders = [...seen]
      .map((file) => file.slice(root.length + 1))
      .filter((file) => /^src\/(adapters\/(?!source\.ts)|llm\/[\w-]+\/|sinks\/(?!sink\.ts))/.test(file));
    expect(offenders).toEqual([]);
  });
});
