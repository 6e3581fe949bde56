import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/core/canonical-json.js";
import { isCloudstewardError } from "../../src/core/errors.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("gives the same text for the same value built in any key order", () => {
    const one = { event: { type: "decision", actor: "bot" }, seq: 1 };
    const two = { seq: 1, event: { actor: "bot", type: "decision" } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it("sorts keys by UTF-16 code units and keeps non-ASCII text as is (RFC 8785)", () => {
    expect(canonicalJson({ é: 1, z: 2, "€": 3, "😀": 4, "\ufb33": 5 })).toBe(
      '{"z":2,"é":1,"€":3,"😀":4,"\ufb33":5}',
    );
    expect(canonicalJson('line\nbreak "quoted" \u0001')).toBe('"line\\nbreak \\"quoted\\" \\u0001"');
  });

  it("writes arrays of strings as JSON.stringify does, and other arrays element by element", () => {
    const ids = ["wiz:1", 'quote " and \\ backslash', "line\nbreak \u0001", "é😀", ""];
    expect(canonicalJson({ findingIds: ids, a: [] })).toBe(`{"a":[],"findingIds":${JSON.stringify(ids)}}`);
    // A hole or a non-string element takes the general path: null for the hole, keys sorted inside.
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested.
    expect(canonicalJson(["a", , "b"])).toBe('["a",null,"b"]');
    expect(canonicalJson(["a", { z: 1, y: "b" }, 1])).toBe('["a",{"y":"b","z":1},1]');
  });

  it("writes numbers as JSON.stringify does", () => {
    expect(canonicalJson([1.0, -0, 1e21, 0.000001, 1e-7, 123.456])).toBe("[1,0,1e+21,0.000001,1e-7,123.456]");
  });

  it("honours toJSON and drops undefined members like JSON.stringify", () => {
    const value = { at: new Date("2026-01-02T03:04:05.000Z"), gone: undefined, list: [undefined, () => 1] };
    expect(canonicalJson(value)).toBe('{"at":"2026-01-02T03:04:05.000Z","list":[null,null]}');
  });

  it("refuses values JSON cannot hold exactly", () => {
    for (const value of [Number.NaN, { n: Number.POSITIVE_INFINITY }, { big: 1n }, undefined]) {
      const error = (() => {
        try {
          canonicalJson(value);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it("allows the same object twice when it is not its own ancestor", () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: [shared] })).toBe('{"x":{"a":1},"y":[{"a":1}]}');
  });
});
