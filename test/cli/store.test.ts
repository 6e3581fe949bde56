import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openCliStore } from "../../src/cli/store.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "cloudsteward-cli-store-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const capture = () => {
  const lines: string[] = [];
  return { lines, stderr: { write: (text: string) => lines.push(text) } };
};
const missingBuild = () =>
  Promise.reject(new Error("Could not locate the bindings file. Tried:\n → /app/build/better_sqlite3.node"));

describe("openCliStore", () => {
  it("stores in SQLite when better-sqlite3 loads, without a word", async () => {
    const path = join(tempDir(), "state.db");
    const { lines, stderr } = capture();
    const { store, location } = await openCliStore({ path }, stderr);
    expect(location).toBe(path);
    await store.set("cursor", "wiz", "2026-03-01");
    await store.close();
    expect(lines).toEqual([]);
    expect(readFileSync(path).subarray(0, 15).toString()).toBe("SQLite format 3");
  });

  it("falls back to a JSON Lines store beside the path, with one warning, when the native build is missing", async () => {
    const path = join(tempDir(), "state.db");
    const { lines, stderr } = capture();
    const { store, location } = await openCliStore({ path }, stderr, missingBuild);
    expect(location).toBe(`${path}.jsonl`);
    await store.set("cursor", "wiz", "2026-03-01");
    await store.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `warning: SQLite is unavailable (better-sqlite3: its native build is missing), so the store is the JSON Lines file ${path}.jsonl (one process at a time). Run \`npm rebuild better-sqlite3\` to store in ${path} instead.\n`,
    );
    expect(readFileSync(`${path}.jsonl`, "utf8")).toContain('"key":"wiz"');

    // The next run finds the same state in the same file.
    const { store: again } = await openCliStore({ path }, capture().stderr, missingBuild);
    expect(await again.get("cursor", "wiz")).toBe("2026-03-01");
    await again.close();
  });

  it("says when better-sqlite3 is not installed at all (npm i --omit=optional)", async () => {
    const path = join(tempDir(), "state.db");
    const { lines, stderr } = capture();
    const notInstalled = Object.assign(new Error("Cannot find package 'better-sqlite3'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const { store } = await openCliStore({ path }, stderr, () => Promise.reject(notInstalled));
    await store.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("SQLite is unavailable (better-sqlite3: not installed)");
  });

  it("never swaps an existing SQLite file for an empty JSON Lines store", async () => {
    const path = join(tempDir(), "state.db");
    writeFileSync(path, "");
    const { lines, stderr } = capture();
    let probed = false;
    const { store } = await openCliStore({ path }, stderr, async () => {
      probed = true;
      throw new Error("no build");
    });
    expect(probed).toBe(false);
    expect(lines).toEqual([]);
    await store.close();
  });
});
