/**
 * The public surface: every name (values and types) each subpath exports, in one snapshot file, so a
 * change to what users can import shows up as a diff in review. Update it with `vitest -u` when the
 * change is meant.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const tsup = readFileSync(join(root, "tsup.config.ts"), "utf8");
const entries = new Map(
  [...tsup.matchAll(/^\s+"?([\w/-]+)"?: "(src\/[\w/.-]+\.ts)",$/gm)].map((match) => [match[1]!, match[2]!]),
);
const subpaths = Object.keys(pkg.exports).filter((key) => key !== "./package.json");

function exportedNames(): Map<string, string[]> {
  const files = subpaths.map((key) =>
    join(root, entries.get(key === "." ? "index" : `${key.slice(2)}/index`)!),
  );
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const names = new Map<string, string[]>();
  subpaths.forEach((key, index) => {
    const source = program.getSourceFile(files[index]!)!;
    const symbol = checker.getSymbolAtLocation(source)!;
    const name = key === "." ? "cloudsteward" : `cloudsteward/${key.slice(2)}`;
    names.set(
      name,
      checker
        .getExportsOfModule(symbol)
        .map((item) => item.getName())
        .sort(),
    );
  });
  return names;
}

describe("public surface", () => {
  const surface = exportedNames();

  it("is the snapshotted list of names per subpath", async () => {
    const text = [...surface]
      .map(([name, exported]) => `## ${name} (${exported.length})\n${exported.join("\n")}\n`)
      .join("\n");
    await expect(text).toMatchFileSnapshot("./__snapshots__/surface.md");
  });

  it("keeps the root small: at most 100 names", () => {
    expect(surface.get("cloudsteward")!.length).toBeLessThanOrEqual(100);
  });

  it("gives integration authors what docs/sinks.md and the toolkit promise", () => {
    expect(surface.get("cloudsteward/toolkit")).toEqual(
      expect.arrayContaining([
        "createHttpClient",
        "paginate",
        "deliverOnce",
        "reconcile",
        "ledgerSink",
        "resolveSecret",
        "assembleFinding",
      ]),
    );
    expect(surface.get("cloudsteward")).toEqual(
      expect.arrayContaining([
        "triage",
        "enrich",
        "explain",
        "decide",
        "gate",
        "pipeline",
        "governance",
        "definePolicy",
        "generateObject",
        "parseFinding",
        "toOcsf",
        "redact",
        "createWebhookHandler",
        "isCloudstewardError",
      ]),
    );
  });
});
