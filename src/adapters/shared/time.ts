/**
 * `new Date(ms).toISOString()`, computed with integer arithmetic for the whole milliseconds of years
 * 1970–9999 (about three times faster: a record's two or three timestamps were a tenth of its normalize
 * cost) and by `Date` otherwise, so the result, and the `RangeError` for an invalid time, are the same.
 * @example
 * isoFromEpochMs(1789322562289); // "2026-09-13T18:02:42.289Z"
 */
export function isoFromEpochMs(ms: number): string {
  if (!(ms >= 0 && ms < maxFastMs) || ms % 1 !== 0) return new Date(ms).toISOString();
  const days = Math.floor(ms / dayMs);
  const rest = ms - days * dayMs;
  // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const milliseconds = rest % 1000;
  return `${year < 1000 ? String(year).padStart(4, "0") : year}-${two(month)}-${two(day)}T${two(Math.floor(rest / 3_600_000))}:${two(Math.floor(rest / 60_000) % 60)}:${two(Math.floor(rest / 1000) % 60)}.${milliseconds < 10 ? `00${milliseconds}` : milliseconds < 100 ? `0${milliseconds}` : milliseconds}Z`;
}

/**
 * A date-time string (ISO-8601, or anything `Date.parse` reads) as `toISOString` writes it, or
 * `undefined` when it names no time. A UTC time already in that shape, or with `Z` or `+00:00` and no
 * fraction, on a day every month has (1–28), is rewritten without parsing (V8 parses zone offsets on
 * a slow path, and a record has two or three timestamps); every other string goes through `Date.parse`
 * and reads as it does (V8 rolls February 30 over to March 2 and refuses month 13).
 * @example
 * isoFromText("2025-03-02T10:11:12+00:00"); // "2025-03-02T10:11:12.000Z"
 */
export function isoFromText(value: string): string | undefined {
  const plain = plainUtcIso(value);
  if (plain !== undefined) return plain;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : isoFromEpochMs(time);
}

/**
 * The fast path of {@link isoFromText}: a UTC date-time in the shapes it rewrites without parsing, as
 * `toISOString` writes it; `undefined` for any other string (which may still be a time).
 * @example
 * plainUtcIso("2025-03-02T10:11:12Z"); // "2025-03-02T10:11:12.000Z"
 * plainUtcIso("2025-03-02 10:11:12"); // undefined
 */
export function plainUtcIso(value: string): string | undefined {
  const plain = plainUtc.exec(value);
  if (plain === null) return undefined;
  return plain[2] === undefined ? `${plain[1]}.000Z` : value;
}

// Internal helpers.

/** A UTC date-time on a day 1–28 with its time of day in range: `.sss` + `Z`, `Z` or `+00:00` after the seconds. */
const plainUtc =
  /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:(\.\d{3}Z)|Z|\+00:00)$/;

const dayMs = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there `toISOString` writes six-digit years. */
const maxFastMs = 253_402_300_800_000;

function two(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}
