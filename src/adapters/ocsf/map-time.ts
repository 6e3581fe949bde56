/**
 * Reads an OCSF time as an ISO-8601 instant: a `*_dt` date-time string (one without an offset is read as
 * UTC), or a `timestamp_t` number. OCSF numbers are milliseconds since the
 * epoch, but Prowler writes seconds: a number below 10^11 (1973 in milliseconds, the year 5138 in
 * seconds) is read as seconds. `undefined` when the value is absent or unreadable.
 * @example
 * ocsfTime("2025-02-14T14:27:03.913874"); // "2025-02-14T14:27:03.913Z"
 * ocsfTime(1739539623); // "2025-02-14T13:27:03.000Z"
 * ocsfTime(1739539623913); // "2025-02-14T13:27:03.913Z"
 */
export function ocsfTime(value: number | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return toIso(value < 1e11 ? value * 1000 : value);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return ocsfTime(Number(text));
  // ISO date-time without a zone: UTC, not the reader's local time.
  const zoned = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)
    ? `${text.replace(" ", "T")}Z`
    : text;
  return toIso(Date.parse(zoned));
}

/**
 * The first readable time of `candidates`, each a `[*_dt, numeric]` pair. A date-time string with a zone
 * wins; then the number; a string without a zone comes last, because Prowler writes `*_dt` in the
 * scanner's local time (its example output has `created_time_dt` one hour after `created_time`).
 */
export function firstTime(
  candidates: readonly (readonly [number | string | undefined, number | string | undefined])[],
): string | undefined {
  for (const [dateTime, numeric] of candidates) {
    const zoned = typeof dateTime === "string" && /(Z|[+-]\d{2}:?\d{2})$/i.test(dateTime.trim());
    const read = zoned ? ocsfTime(dateTime) : (ocsfTime(numeric) ?? ocsfTime(dateTime));
    if (read !== undefined) return read;
  }
  return undefined;
}

// Internal helpers.

function toIso(milliseconds: number): string | undefined {
  if (!Number.isFinite(milliseconds)) return undefined;
  const date = new Date(milliseconds);
  // Beyond ±275760 years `Date` is invalid; well before that, a year past 9999 is not ISO-8601 as written.
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1970 || year > 9999 ? undefined : date.toISOString();
}
