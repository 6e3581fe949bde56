import { describe, expect, it } from "vitest";
import { FindingTable, sortRows, sortRowsByPrefix } from "../../../src/agents/triage/finding-table.js";
import type { Finding } from "../../../src/core/finding.js";
import { dedupKey } from "../../../src/core/fingerprint.js";
import { makeFinding } from "../../../src/testing/factories.js";

/** A deterministic pseudo-random sequence (no flaky inputs). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

/** The dedupKey of rule `index % rules` on S3 bucket `index` (the packed `dk_` form adapters give). */
function bucketKey(index: number, rules: number): string {
  return dedupKey(`rule-${index % rules}`, {
    id: `arn:aws:s3:::bucket-${index}`,
    cloud: "aws",
    accountId: "123456789012",
    type: "aws.s3.bucket",
    name: `bucket-${index}`,
  });
}

describe("FindingTable", () => {
  it("keeps every row's priority factors exactly, EPSS included past 65,535 distinct scores", () => {
    const table = new FindingTable();
    const count = 70_000;
    const epssOf = (row: number) => (row % 50 === 0 ? 0 : row === 5 ? Number.NaN : (row * 7919) / 1e9);
    for (let row = 0; row < count; row++) {
      table.add({ ...makeFinding(), id: `wiz:${row}` });
      table.setGrouping(
        row,
        ["rule"],
        {
          severity: row % 2 ? "high" : "low",
          exposed: row % 5 === 0,
          production: false,
          knownExploited: row % 7 === 0,
          exploitAvailable: false,
          epss: epssOf(row),
          classification: "unknown",
        },
        `r-${row}`,
      );
    }
    for (let row = 0; row < count; row++) {
      const factors = table.factorsOf(row);
      expect(factors.epss).toBe(epssOf(row));
      expect(factors.severity).toBe(row % 2 ? "high" : "low");
      expect(factors.knownExploited).toBe(row % 7 === 0);
    }
  });

  it("gives every id back exactly as added: ASCII, accented, a byte-order mark, emoji and one longer than a chunk", () => {
    const ids = [
      "wiz:bd26e12c-c4da-4877-a807-871cc6033936",
      "orca:résumé-ü",
      "\uFEFFprisma:bom-first",
      "lacework:🔥-1",
      "",
      `wiz:${"x".repeat((1 << 20) + 3)}`,
      "wiz:after-the-big-one",
    ];
    const table = new FindingTable();
    for (const id of ids) table.add({ ...makeFinding(), id });
    expect(ids.map((_, row) => table.id(row))).toEqual(ids);
  });

  it("reads ids back and compares them across chunk ends, empty ones included", () => {
    // 1 MiB chunks: 16 ids of 65,535 bytes leave 16 bytes; an id of 16 bytes would fill them exactly.
    const ids = [
      ...Array.from(
        { length: 16 },
        (_, index) => `wiz:${String(index).padStart(2, "0")}${"a".repeat(65_529)}`,
      ),
      "wiz:x".padEnd(16, "y"),
      "",
      "",
      "orca:é",
      "wiz:next-chunk",
      "",
    ];
    const table = new FindingTable();
    for (const id of ids) table.add({ ...makeFinding(), id });
    expect(ids.map((_, row) => table.id(row))).toEqual(ids);
    const rows = Int32Array.from(ids.keys());
    sortRows(rows, (a, b) => table.compareIds(a, b));
    for (let index = 1; index < rows.length; index++) {
      const [previous, row] = [ids[rows[index - 1]!]!, ids[rows[index]!]!];
      expect(table.sameId(rows[index - 1]!, rows[index]!)).toBe(previous === row);
    }
    expect(table.sameId(17, 18)).toBe(true);
    expect(table.sameId(17, 21)).toBe(true);
    expect(table.sameId(16, 17)).toBe(false);
  });

  it("orders rows as their dedupKey, platform and id strings order, whatever form the keys take", () => {
    const next = random(7);
    const keys = [
      ...Array.from({ length: 40 }, (_, index) => bucketKey(index, 7)),
      // Other forms: custom keys, an upper-case hex key, a short one, one that sorts among the packed ones.
      "custom:b",
      "dk_ABCDEF0123456789ABCDEF01",
      "dk_00",
      "dk_8",
      "ök-unicode",
    ];
    const findings: Finding[] = Array.from({ length: 120 }, (_, index) => {
      const finding = makeFinding({ dedupKey: keys[Math.floor(next() * keys.length)]! });
      return {
        ...finding,
        id: `${index % 2 ? "wiz" : "prisma"}:f-${Math.floor(next() * 50)}`,
        source: { ...finding.source, platform: index % 2 ? "wiz" : "prisma" },
      };
    });
    const table = new FindingTable();
    for (const finding of findings) table.add(finding);
    const rows = Int32Array.from(findings.keys());
    sortRows(rows, (a, b) => table.compare(a, b));
    const byStrings = [...findings.keys()].sort((a, b) => {
      const left = findings[a]!;
      const right = findings[b]!;
      for (const [x, y] of [
        [left.dedupKey, right.dedupKey],
        [left.source.platform, right.source.platform],
        [left.id, right.id],
      ] as const) {
        if (x !== y) return x < y ? -1 : 1;
      }
      return a - b;
    });
    expect(Array.from(rows)).toEqual(byStrings);
    expect(table.sameDedupKey(byStrings[0]!, byStrings[0]!)).toBe(true);
    // The table's own case-order sort, in one buffer as triage runs it: keys of other forms compare as text.
    const packed = new Float64Array(findings.length);
    const shared = new Int32Array(packed.buffer, 0, findings.length);
    shared.set(Int32Array.from(findings.keys()).reverse());
    table.sortByCase(shared, packed);
    expect(Array.from(shared)).toEqual(byStrings);
  });

  it("sorts into case order and into id order natively when every key is packed, as comparing rows does", () => {
    const next = random(11);
    const keys = Array.from({ length: 300 }, (_, index) => bucketKey(index, 9));
    // Copies from two platforms, repeated ids, and ids that are not ASCII.
    const findings: Finding[] = Array.from({ length: 5_000 }, (_, index) => {
      const finding = makeFinding({ dedupKey: keys[Math.floor(next() * keys.length)]! });
      const platform = index % 3 ? "wiz" : "orca";
      return {
        ...finding,
        id: `${platform}:${index % 7 ? "f" : "é"}-${Math.floor(next() * 2_000)}`,
        source: { ...finding.source, platform },
      };
    });
    const table = new FindingTable();
    for (const finding of findings) table.add(finding);
    for (const [sort, compare] of [
      [
        (rows: Int32Array, packed: Float64Array) => table.sortByCase(rows, packed),
        (a: number, b: number) => table.compare(a, b),
      ],
      [
        (rows: Int32Array, packed: Float64Array) => table.sortById(rows, packed),
        (a: number, b: number) => table.compareIds(a, b),
      ],
    ] as const) {
      const expected = [...findings.keys()].sort(compare);
      const packed = new Float64Array(findings.length);
      const rows = new Int32Array(packed.buffer, 0, findings.length);
      rows.set(Int32Array.from(findings.keys()).reverse());
      sort(rows, packed);
      expect(Array.from(rows)).toEqual(expected);
    }
  });
});

describe("sortRowsByPrefix", () => {
  it("sorts as comparing rows does, whatever the prefixes share, for rows numbered past 2^21 too", () => {
    const next = random(5);
    for (const [length, prefixes, rowSpan] of [
      [0, 1, 10],
      [1, 1, 10],
      [2, 1, 10],
      [1_000, 1, 1_000],
      [1_000, 7, 1_000],
      [3_000, 2 ** 32, 3_000],
      [3_000, 2 ** 32, 2 ** 26],
      [3_000, 40, 2 ** 30],
    ] as const) {
      // Row numbers up to `rowSpan` (sparse), each with a prefix and a second key to break ties.
      const rows = Int32Array.from({ length }, () => Math.floor(next() * rowSpan));
      const prefixOf = new Map<number, number>();
      const tieOf = new Map<number, number>();
      for (const row of rows) {
        prefixOf.set(row, Math.floor(next() * prefixes));
        tieOf.set(row, Math.floor(next() * 5));
      }
      const prefix = (row: number) => prefixOf.get(row)!;
      const compare = (a: number, b: number) =>
        prefix(a) - prefix(b) || tieOf.get(a)! - tieOf.get(b)! || a - b;
      const expected = Array.from(rows).sort(compare);
      const separate = rows.slice();
      sortRowsByPrefix(separate, prefix, compare, new Float64Array(length));
      expect(Array.from(separate)).toEqual(expected);
      // Rows and packed doubles in one buffer, as triage keeps them.
      const packed = new Float64Array(length);
      const shared = new Int32Array(packed.buffer, 0, length);
      shared.set(rows);
      sortRowsByPrefix(shared, prefix, compare, packed);
      expect(Array.from(shared)).toEqual(expected);
    }
  });
});

describe("sortRows", () => {
  it("sorts stably, as Array#sort does, for short, long, sorted and reversed input", () => {
    const next = random(3);
    for (const length of [0, 1, 15, 16, 17, 100, 1_000, 5_003]) {
      const keys = Array.from({ length }, () => Math.floor(next() * 50));
      const compare = (a: number, b: number) => keys[a]! - keys[b]!;
      for (const rows of [
        Int32Array.from(keys.keys()),
        Int32Array.from(keys.keys()).reverse(),
        Int32Array.from([...keys.keys()].sort(compare)),
      ]) {
        const expected = Array.from(rows).sort(compare);
        sortRows(rows, compare);
        expect(Array.from(rows)).toEqual(expected);
      }
    }
  });
});
