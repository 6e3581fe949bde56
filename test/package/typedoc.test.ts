import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const typedoc = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8"));
const tsup = readFileSync(join(root, "tsup.config.ts"), "utf8");

it("the API reference (typedoc.json) covers every public entry point, and only those", () => {
  const entries = [...tsup.matchAll(/^\s+"?([\w/-]+)"?: "(src\/[\w/.-]+\.ts)",$/gm)]
    .filter((match) => match[1] !== "cli/index")
    .map((match) => match[2]);
  expect([...typedoc.entryPoints].sort()).toEqual(entries.sort());
});
