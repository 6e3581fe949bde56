import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../src/core/errors.js";
import { jsonlStore } from "../../src/stores/jsonl.js";
import { testStore } from "../../src/testing/vitest/store-suite.js";

const directory = mkdtempSync(join(tmpdir(), "cloudsteward-jsonl-"));
// One writer per file: every create gets its own file, reopen takes the last one.
let files = 0;
const nextPath = () => join(directory, "nested", `state-${++files}.jsonl`);

testStore({
  name: "jsonl",
  create: () => jsonlStore({ path: nextPath() }),
  reopen: () => jsonlStore({ path: join(directory, "nested", `state-${files}.jsonl`) }),
  cleanup: () => rmSync(directory, { recursive: true, force: true }),
});

describe("jsonlStore", () => {
  it("refuses a second store on an open file, and takes over a lock whose process is gone", async () => {
    const file = join(directory, "locked.jsonl");
    const first = jsonlStore({ path: file });
    await first.set("ns", "key", 1);
    const second = jsonlStore({ path: file });
    const error = await second.get("ns", "key").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect((error as Error).message).toContain("is open in another jsonlStore of this process");
    await first.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(await second.get("ns", "key")).toBe(1);
    await second.close();

    // A process id that cannot be running (above the kernel's pid_max).
    writeFileSync(`${file}.lock`, "999999999");
    const third = jsonlStore({ path: file });
    expect(await third.get("ns", "key")).toBe(1);
    expect(readFileSync(`${file}.lock`, "utf8")).toBe(String(process.pid));
    await third.close();
  });

  it("writes one JSON line per operation", async () => {
    const file = join(directory, "lines.jsonl");
    const store = jsonlStore({ path: file });
    await store.set("ns", "key", { b: 1, a: 2 });
    await store.delete("ns", "key");
    await store.append("log", () => "entry");
    await store.close();
    expect(
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { op: "set", namespace: "ns", key: "key", value: { a: 2, b: 1 }, expiresAt: null },
      { op: "delete", namespace: "ns", key: "key" },
      { op: "append", log: "log", seq: 1, value: "entry" },
    ]);
  });

  it("drops a last line torn by a crash and keeps appending after it", async () => {
    const file = join(directory, "torn.jsonl");
    const store = jsonlStore({ path: file });
    await store.append("log", () => "first");
    await store.close();
    appendFileSync(file, '{"op":"append","log":"log","seq":2,"val');
    const reopened = jsonlStore({ path: file });
    expect(await reopened.append("log", () => "second")).toEqual({ seq: 2, value: "second" });
    await reopened.close();
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).value)).toEqual(["first", "second"]);
  });

  it("refuses a file with a corrupt line in the middle, naming the line", async () => {
    const file = join(directory, "corrupt.jsonl");
    writeFileSync(
      file,
      '{"op":"set","namespace":"a","key":"b","value":1,"expiresAt":null}\nnot json\n{"op":"delete","namespace":"a","key":"b"}\n',
    );
    const store = jsonlStore({ path: file });
    const error = await store.get("a", "b").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CORRUPT_RECORD")).toBe(true);
    expect(error).toMatchObject({ file, line: 2 });
    expect((error as Error).message).toContain("line 2");
    expect((error as Error).message).toContain("Restore the file from a backup");
    await store.close();
  });

  it("never rewrites the file when it opens, even with a torn last line", async () => {
    const file = join(directory, "untouched.jsonl");
    const store = jsonlStore({ path: file });
    await store.append("log", () => "first");
    await store.close();
    appendFileSync(file, '{"op":"append","log":"log","seq":2,"val');
    const before = readFileSync(file, "utf8");
    const reopened = jsonlStore({ path: file });
    const entries: unknown[] = [];
    for await (const entry of reopened.read("log")) entries.push(entry.value);
    expect(await reopened.get("ns", "missing")).toBeUndefined();
    await reopened.close();
    expect(entries).toEqual(["first"]);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("reads a read-only file without a lock, and refuses writes", async () => {
    const file = join(directory, "read-only.jsonl");
    const store = jsonlStore({ path: file });
    await store.append("log", () => "first");
    await store.close();
    chmodSync(file, 0o444);
    const reader = jsonlStore({ path: file, readOnly: true });
    const entries: unknown[] = [];
    for await (const entry of reader.read("log")) entries.push(entry.value);
    expect(entries).toEqual(["first"]);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const error = await reader.append("log", () => "second").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    await reader.close();
    const missing = jsonlStore({ path: join(directory, "absent.jsonl"), readOnly: true });
    await expect(missing.get("a", "b")).rejects.toThrow(/readOnly never creates a file/);
    expect(existsSync(join(directory, "absent.jsonl"))).toBe(false);
  });
});
