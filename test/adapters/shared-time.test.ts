import { describe, expect, it } from "vitest";
import { isoFromEpochMs, isoFromText, plainUtcIso } from "../../src/adapters/shared/time.js";

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

describe("isoFromText", () => {
  it("writes what Date.parse and toISOString give, with or without the fast path", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const sampled = Array.from({ length: 5_000 }, () => {
      const iso = new Date(Math.floor(random() * 253_402_300_800_000)).toISOString();
      const seconds = iso.slice(0, 19);
      return [iso, `${seconds}Z`, `${seconds}+00:00`, `${seconds}.5+02:00`][Math.floor(random() * 4)]!;
    });
    for (const text of sampled) expect(isoFromText(text)).toBe(new Date(Date.parse(text)).toISOString());
  });

  it("reads times on the 29th–31st through Date.parse, as it reads a day past the month's end (rolled over), and refuses a month 13", () => {
    expect(isoFromText("2024-02-29T23:59:59+00:00")).toBe("2024-02-29T23:59:59.000Z");
    expect(isoFromText("2025-01-31T10:11:12Z")).toBe("2025-01-31T10:11:12.000Z");
    expect(isoFromText("2025-02-30T10:11:12.000Z")).toBe(
      new Date(Date.parse("2025-02-30T10:11:12.000Z")).toISOString(),
    );
    expect(isoFromText("2025-13-01T10:11:12.000Z")).toBeUndefined();
    expect(isoFromText("not a time")).toBeUndefined();
  });
});

describe("plainUtcIso", () => {
  it("rewrites only plain UTC date-times, as isoFromText does, and leaves every other shape to it", () => {
    for (const text of ["2025-03-02T10:11:12Z", "2025-03-02T10:11:12+00:00", "2025-03-02T10:11:12.345Z"])
      expect(plainUtcIso(text)).toBe(isoFromText(text));
    for (const text of [
      "2025-03-02 10:11:12",
      "2025-03-02T10:11:12",
      "2025-03-02T10:11:12.123456Z",
      "2025-03-02T10:11:12+02:00",
      "2025-01-31T10:11:12Z",
      " 2025-03-02T10:11:12Z",
    ])
      expect(plainUtcIso(text)).toBeUndefined();
  });
});
