import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const typedoc = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8"));
const tsup = readFileSync(join(root, "tsup.config.ts"), "utf8");
const entries = [...tsup.matchAll(/^\s+"?([\w/-]+)"?: "(src\/[\w/.-]+\.ts)",$/gm)]
  .filter((match) => match[1] !== "cli/index")
  .map((match) => ({ subpath: match[1]!.replace(/\/?index$/, ""), source: match[2]! }));

it("the API reference (typedoc.json) covers every public entry point, and only those", () => {
  expect([...typedoc.entryPoints].sort()).toEqual(entries.map((entry) => entry.source).sort());
});

// TypeDoc reads everything after `@module` up to the next tag as the module's name: a description
// below the tag turns the name into a sentence, or makes TypeDoc fall back to the file's path.
it.each(entries)(
  "$source opens with a module comment whose last tag names its subpath",
  ({ subpath, source }) => {
    const comment = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(join(root, source), "utf8"))?.[1] ?? "";
    const lines = comment
      .split("\n")
      .map((line) => line.replace(/^\s*\*?\s?/, "").trim())
      .filter((line) => line !== "");
    expect(lines.at(-1)).toBe(`@module ${subpath ? `cloudsteward/${subpath}` : "cloudsteward"}`);
  },
);
