import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { docBlocks, parseBlocks, typescriptModules } from "../../scripts/doc-blocks.mjs";

// The doc test itself (type-check and run the blocks against the packed package) is
// scripts/check-docs.mjs, run by scripts/check-package.mjs after the build. This tests how it reads
// the markdown, and that every block of the real docs is one it checks or one marked so.
const root = resolve(import.meta.dirname, "../..");

describe("parseBlocks", () => {
  it("reads ts and sh blocks with their words and the doc-test comment before them, and ignores other languages", () => {
    const text = [
      "Intro.",
      "",
      '<!-- doc-test: declare const store: import("cloudsteward").Store; -->',
      "",
      "```ts",
      "await store.close();",
      "```",
      "",
      "```yaml",
      "mode: read-only",
      "```",
      "",
      "```sh no-run",
      "npx cloudsteward run",
      "```",
      "",
      "1. In a list:",
      "   ```ts continues",
      "   console.log(store);",
      "   ```",
    ].join("\n");
    expect(parseBlocks("docs/x.md", text)).toEqual([
      {
        file: "docs/x.md",
        line: 5,
        kind: "ts",
        words: [],
        context: 'declare const store: import("cloudsteward").Store;',
        code: "await store.close();",
      },
      {
        file: "docs/x.md",
        line: 13,
        kind: "sh",
        words: ["no-run"],
        context: "",
        code: "npx cloudsteward run",
      },
      {
        file: "docs/x.md",
        line: 18,
        kind: "ts",
        words: ["continues"],
        context: "",
        code: "console.log(store);",
      },
    ]);
  });

  it("refuses a word it does not know, so a typo never skips a block", () => {
    expect(() => parseBlocks("README.md", "```sh norun\nnpx cloudsteward demo\n```\n")).toThrow(
      'README.md:1: unknown word "norun" after ```sh; a sh block may carry no-run, background',
    );
    expect(() => parseBlocks("README.md", "```ts no-run\nconst x = 1;\n```\n")).toThrow(
      'README.md:1: unknown word "no-run" after ```ts; a ts block may carry continues',
    );
  });

  it("refuses a block that is never closed", () => {
    expect(() => parseBlocks("docs/x.md", "text\n```ts\nconst x = 1;\n")).toThrow(
      "docs/x.md:2: a code block is never closed",
    );
  });
});

describe("typescriptModules", () => {
  it("appends a continues block to the module before it, context first, and maps each line back", () => {
    const blocks = parseBlocks(
      "README.md",
      [
        "```ts",
        'import { x } from "cloudsteward";',
        "```",
        "<!-- doc-test: declare const y: number; -->",
        "```ts continues",
        "x(y);",
        "```",
        "```ts",
        "const z = 1;",
        "```",
      ].join("\n"),
    );
    const modules = typescriptModules(blocks);
    expect(modules.map((module) => [module.name, module.source])).toEqual([
      ["README-md-1.mts", 'declare const y: number;\nimport { x } from "cloudsteward";\nx(y);\nexport {};'],
      ["README-md-8.mts", "const z = 1;\nexport {};"],
    ]);
    expect(modules[0]?.origins).toEqual([
      "the doc-test comment before README.md:5",
      "README.md:2",
      "README.md:6",
      "README.md:1",
    ]);
  });

  it("refuses continues without a block before it in the same file", () => {
    const blocks = [
      ...parseBlocks("README.md", "```ts\nconst a = 1;\n```\n"),
      ...parseBlocks("docs/cli.md", "```ts continues\nconst b = a;\n```\n"),
    ];
    expect(() => typescriptModules(blocks)).toThrow(
      'docs/cli.md:1: "continues" needs a ts block before it in the same file',
    );
  });
});

describe("the docs", () => {
  const blocks = docBlocks(root);

  it("has blocks in README.md and docs/*.md, all of a kind the doc test checks", () => {
    expect(blocks.filter((block) => block.kind === "ts").length).toBeGreaterThan(30);
    expect(new Set(blocks.map((block) => block.file))).toContain("README.md");
    expect(typescriptModules(blocks).length).toBeGreaterThan(0);
  });

  it("runs the README's commands for an installed app: demo, and init and a dry run against the sandbox", () => {
    const run = blocks
      .filter((block) => block.file === "README.md" && block.kind === "sh" && !block.words.includes("no-run"))
      .map((block) => block.code);
    const commands = run.join("\n");
    expect(commands).toContain("npx cloudsteward demo");
    expect(commands).toContain("npx cloudsteward sandbox");
    expect(commands).toContain("npx cloudsteward init");
    expect(commands).toContain("npx cloudsteward run --dry-run");
  });

  it("names only npm scripts that exist, in the blocks a clone runs (which the doc test does not run)", () => {
    const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    const named = blocks
      .filter((block) => block.kind === "sh")
      .flatMap((block) => [...block.code.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1] as string));
    expect(named).toContain("cloudsteward");
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
    expect(scripts.cloudsteward).toBe("tsx src/cli/index.ts");
  });
});
