/** Types of scripts/doc-blocks.mjs, for the doc test and its unit test. */
export interface DocBlock {
  /** The markdown file, relative to the repository (`docs/cli.md`). */
  file: string;
  /** The line of the opening fence (1-based). */
  line: number;
  /** `ts` blocks are type-checked, `sh` blocks run. */
  kind: "ts" | "sh";
  /** The info string's words after the language: `continues`, `no-run`, `background`. */
  words: string[];
  /** TypeScript from a `<!-- doc-test: … -->` comment right before the block, or "". */
  context: string;
  code: string;
}
export interface DocModule {
  /** The file name the module is type-checked as. */
  name: string;
  blocks: DocBlock[];
  source: string;
  /** Where each line of `source` comes from (`docs/llm.md:25`). */
  origins: string[];
}
export declare function docFiles(root: string): string[];
export declare function parseBlocks(file: string, text: string): DocBlock[];
export declare function typescriptModules(blocks: DocBlock[]): DocModule[];
export declare function docBlocks(root: string): DocBlock[];
