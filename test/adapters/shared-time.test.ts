import { describe, expect, it } from "vitest";
import { isoFromEpochMs } from "../../src/adapters/shared/time.js";

describe("isoFromEpochMs", () => {
  it("writes what Date#toISOString writes", () => {
    const edges = [0, -0, 1, 86_399_999, 86_400_000, 951_782_400_000, 951_868_800_000, 1_789_322_562_289];
    const far = [253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000, 1.5, 8.64e15];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const sampled = Array.from({ length: 20_000 }, () => Math.floor(random() * 253_402_300_800_000));
    for (const ms of [...edges, ...far, ...sampled])
      expect(isoFromEpochMs(ms)).toBe(new Date(ms).toISOString());
  });

  it("throws as Date does for an invalid time", () => {
    expect(() => isoFromEpochMs(Number.NaN)).toThrow(RangeError);
    expect(() => isoFromEpochMs(8.64e15 + 1)).toThrow(RangeError);
  });
});
