import { describe, expect, it } from "vitest";
import { memoize } from "../../src/core/memo.js";

describe("memoize", () => {
  it("computes each key once, including keys whose value is undefined", () => {
    const calls: string[] = [];
    const lengthOrNothing = memoize((key: string) => {
      calls.push(key);
      return key === "" ? undefined : key.length;
    }, 10);
    expect([
      lengthOrNothing("abc"),
      lengthOrNothing("abc"),
      lengthOrNothing(""),
      lengthOrNothing(""),
    ]).toEqual([3, 3, undefined, undefined]);
    expect(calls).toEqual(["abc", ""]);
  });

  it("stays bounded: past the limit the cache starts over and still answers correctly", () => {
    const calls: string[] = [];
    const upper = memoize((key: string) => {
      calls.push(key);
      return key.toUpperCase();
    }, 2);
    for (const key of ["a", "b", "c", "a"]) expect(upper(key)).toBe(key.toUpperCase());
    // "c" filled the cache past its limit, so "a" was forgotten and computed again.
    expect(calls).toEqual(["a", "b", "c", "a"]);
  });

  it("keys several arguments unambiguously, whatever characters they hold", () => {
    const calls: string[][] = [];
    const pair = memoize((first: string, second: string) => {
      calls.push([first, second]);
      return `${first}|${second}`;
    }, 10);
    expect(pair("a\u0000b", "c")).toBe("a\u0000b|c");
    expect(pair("a", "b\u0000c")).toBe("a|b\u0000c");
    expect(pair("ab", "c")).toBe("ab|c");
    expect(pair("a", "bc")).toBe("a|bc");
    expect(pair("ab", "c")).toBe("ab|c");
    expect(calls).toHaveLength(4);
  });
});
