// The code blocks of README.md and docs/*.md that the doc test checks (scripts/check-package.mjs):
// every ```ts block is type-checked against the packed package, every ```sh block is run in an app
// that installed it, and a block that cannot be is marked so in the markdown (CONTRIBUTING.md,
// "Code blocks in the docs"). Nothing is skipped without a mark.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Languages whose blocks are type-checked, and those whose blocks are run. */
const typescript = new Set(["ts", "typescript"]);
const shell = new Set(["sh", "bash", "shell"]);
/** The words a block's info string may carry after its language, by kind. */
const allowed = { ts: new Set(["continues"]), sh: new Set(["no-run", "background"]) };
const contextComment = /^<!--\s*doc-test:\s*([\s\S]*?)\s*-->$/;

/** The markdown files the doc test reads, relative to `root`. */
export function docFiles(root) {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/**
 * The checked blocks of one markdown text, in order: `{ file, line, kind, code, words, context }`,
 * where `kind` is `ts` or `sh`, `words` the info string's words after the language, and `context`
 * the code of a `<!-- doc-test: … -->` comment right before the block (TypeScript the block may use
 * without showing it, such as `declare const store: Store`). Throws on a word it does not know.
 */
export function parseBlocks(file, text) {
  const blocks = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const open = /^( *)(`{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[index]);
    if (!open) continue;
    const [, indent, fence, language, rest] = open;
    const end = lines.findIndex((line, at) => at > index && line.trim() === fence);
    if (end === -1) throw new Error(`${file}:${index + 1}: a code block is never closed`);
    const kind = typescript.has(language) ? "ts" : shell.has(language) ? "sh" : undefined;
    if (kind) {
      const words = rest.split(/\s+/).filter(Boolean);
      for (const word of words) {
        if (!allowed[kind].has(word))
          throw new Error(
            `${file}:${index + 1}: unknown word "${word}" after \`\`\`${language}; a ${kind} block may carry ${[...allowed[kind]].join(", ")}`,
          );
      }
      let before = index - 1;
      while (before >= 0 && lines[before].trim() === "") before--;
      const comment = before >= 0 ? contextComment.exec(lines[before].trim()) : null;
      blocks.push({
        file,
        line: index + 1,
        kind,
        words,
        context: comment?.[1] ?? "",
        code: lines
          .slice(index + 1, end)
          .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
          .join("\n"),
      });
    }
    index = end;
  }
  return blocks;
}

/**
 * The TypeScript modules the blocks of one file make: a block is a module of its own, unless it
 * carries `continues`, which appends it to the module before it (it may use that block's imports
 * and names). Each module is `{ name, source, blocks }`, its source starting with the blocks'
 * context comments; `origins[n]` says where its line n + 1 comes from (`docs/llm.md:25`).
 */
export function typescriptModules(blocks) {
  const modules = [];
  for (const block of blocks.filter((candidate) => candidate.kind === "ts")) {
    const previous = modules.at(-1);
    if (block.words.includes("continues")) {
      if (!previous || previous.blocks[0].file !== block.file)
        throw new Error(
          `${block.file}:${block.line}: "continues" needs a ts block before it in the same file`,
        );
      previous.blocks.push(block);
    } else modules.push({ blocks: [block] });
  }
  return modules.map((module) => {
    const first = module.blocks[0];
    const name = `${first.file.replace(/[/.]/g, "-")}-${first.line}.mts`;
    const source = [];
    const origins = [];
    const add = (text, origin) => {
      for (const [offset, line] of text.split("\n").entries()) {
        source.push(line);
        origins.push(origin(offset));
      }
    };
    for (const block of module.blocks) {
      if (block.context) add(block.context, () => `the doc-test comment before ${block.file}:${block.line}`);
    }
    for (const block of module.blocks)
      add(block.code, (offset) => `${block.file}:${block.line + 1 + offset}`);
    // `export {}` makes even a block without an import a module (top-level await, its own scope).
    add("export {};", () => `${first.file}:${first.line}`);
    return { name, blocks: module.blocks, source: source.join("\n"), origins };
  });
}

/** Every checked block of README.md and docs/*.md under `root`. */
export function docBlocks(root) {
  return docFiles(root).flatMap((file) => parseBlocks(file, readFileSync(join(root, file), "utf8")));
}
