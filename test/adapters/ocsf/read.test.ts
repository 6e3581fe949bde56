import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileOrigin, type OcsfInput, type ReadItem, readRecords } from "../../../src/adapters/ocsf/read.js";
import { isCloudstewardError } from "../../../src/core/errors.js";

const record = (uid: string, extra: Record<string, unknown> = {}) => ({
  finding_info: { uid, title: `t ${uid}` },
  ...extra,
});

async function read(input: OcsfInput): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of readRecords([{ name: "input", open: () => input }], undefined)) items.push(item);
  return items;
}

/** The text split into pieces of `size` characters (or bytes), as a stream may deliver it. */
function* pieces(text: string, size: number, bytes = false): Generator<string | Uint8Array> {
  const data = bytes ? new TextEncoder().encode(text) : text;
  for (let start = 0; start < data.length; start += size) yield data.slice(start, start + size);
}

const uids = (items: ReadItem[]) =>
  items.map((item) => (item.record as { finding_info?: { uid?: string } })?.finding_info?.uid);

describe("readRecords", () => {
  const records = [
    record("a", { note: 'quote " and ] and }, brace' }),
    record("b"),
    record("c", { emoji: "🛡️ ünïcode" }),
  ];
  const array = `[${records.map((item) => JSON.stringify(item, null, 4)).join(",")}]`;

  it("reads a pretty-printed JSON array element by element, however the text is split", async () => {
    for (const size of [1, 3, 7, 64, 100_000]) {
      for (const bytes of [false, true]) {
        const items = await read(pieces(array, size, bytes));
        expect(items.map((item) => item.record)).toEqual(records);
        expect(items.map((item) => item.index)).toEqual([0, 1, 2]);
      }
    }
  });

  it("reads JSON Lines line by line: a bad line is one problem, the next line reads", async () => {
    const text = [
      JSON.stringify(records[0]),
      '{"finding_info": {"uid": "cut',
      "",
      JSON.stringify(records[1]),
      "\r",
    ].join("\n");
    const items = await read(pieces(text, 5));
    expect(uids(items)).toEqual(["a", undefined, "b"]);
    expect(items[1]).toMatchObject({
      index: 1,
      line: 2,
      problem: expect.stringMatching(/^is not valid JSON/),
    });
    expect(items[2]).toMatchObject({ index: 2, line: 4 });
  });

  it("reads pretty-printed objects one after another, and a final line without a newline", async () => {
    const text = records.map((item) => JSON.stringify(item, null, 2)).join("\n");
    expect(uids(await read(pieces(text, 11)))).toEqual(["a", "b", "c"]);
    expect(uids(await read(`${JSON.stringify(records[0])}\n${JSON.stringify(records[1])}`))).toEqual([
      "a",
      "b",
    ]);
  });

  it("unwraps envelopes: { findings }, Security Hub's { Findings } and EventBridge's { detail: { findings } }", async () => {
    const text = [
      JSON.stringify({ findings: [records[0]] }),
      JSON.stringify({ Findings: [records[1]], NextToken: "x" }),
      JSON.stringify({ "detail-type": "Findings Imported V2", detail: { findings: [records[2]] } }),
    ].join("\n");
    expect(uids(await read(text))).toEqual(["a", "b", "c"]);
  });

  it("reads parsed records, arrays of them, and a web ReadableStream of bytes", async () => {
    expect(uids(await read([records[0]!, [records[1]!, records[2]!]]))).toEqual(["a", "b", "c"]);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces(array, 13, true)) controller.enqueue(piece as Uint8Array);
        controller.close();
      },
    });
    expect(uids(await read(stream))).toEqual(["a", "b", "c"]);
  });

  it("reports a cut-off array: the records before the cut read, the cut one is a problem", async () => {
    const cut = array.slice(0, array.lastIndexOf('"uid"'));
    const items = await read(pieces(cut, 50));
    expect(uids(items)).toEqual(["a", "b", undefined]);
    expect(items[2]!.problem).toMatch(/cut off/);
    // Cut right after a whole element: nothing is lost, but the unclosed array is reported.
    const unclosed = await read(array.slice(0, array.lastIndexOf("}") + 1));
    expect(uids(unclosed)).toEqual(["a", "b", "c", undefined]);
    expect(unclosed[3]!.problem).toMatch(/never closed/);
  });

  it("never quotes the text of a record it cannot parse", async () => {
    const items = await read(
      '{"finding_info": {"uid": "x", "secret": "hunter2-ghp_abcdef"} oops}\n{"finding_info": {"uid": "y"}}\n',
    );
    expect(items[0]!.problem).toMatch(/^is not valid JSON/);
    expect(JSON.stringify(items[0])).not.toContain("hunter2");
  });

  it("reads no further than asked: leaving after three records of 20 000 pulls three pieces and closes the input", async () => {
    const text = Array.from({ length: 20_000 }, (_, index) => JSON.stringify(record(`r${index}`))).join("\n");
    let pulled = 0;
    let closed = false;
    async function* counted() {
      try {
        for (const piece of pieces(text, 100, true)) {
          pulled++;
          yield piece;
        }
      } finally {
        closed = true;
      }
    }
    let seen = 0;
    for await (const _ of readRecords([{ name: "input", open: counted }], undefined)) if (++seen === 3) break;
    // Each record is ~50 bytes: three fit in the first few pieces, and deciding JSON Lines needs two lines.
    expect(pulled).toBeLessThan(5);
    expect(closed).toBe(true);
  });

  it("reads a file as a stream, and names a file it cannot open", async () => {
    const directory = mkdtempSync(join(tmpdir(), "ocsf-read-"));
    const path = join(directory, "many.jsonl");
    writeFileSync(
      path,
      Array.from({ length: 20_000 }, (_, index) => JSON.stringify(record(`r${index}`))).join("\n"),
    );
    let seen = 0;
    for await (const item of readRecords([fileOrigin(path)], undefined)) {
      expect(item.record).toBeDefined();
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
    const missing = readRecords([fileOrigin(join(directory, "nope.json"))], undefined);
    const error = await missing.next().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect((error as Error).message).toContain("nope.json");
  });
});
