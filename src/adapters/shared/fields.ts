import { NormalizationError } from "../../core/errors.js";
import { formatPath } from "../../core/finding.js";
import type { SourceNormalizeOptions } from "./options.js";

/** The fields of a native record, or of one object inside it. */
export type Fields = Record<string, unknown>;

/** Where an object sits in its record, e.g. `["entitySnapshot"]`; `[]` for the record itself. */
export type Path = readonly (string | number)[];

/** Options of a {@link FieldReader}: `onWarning` receives a `fallback` warning for each field {@link FieldReader.textOr} or {@link FieldReader.warn} replaced. */
export type FieldReaderOptions = Pick<SourceNormalizeOptions, "onWarning">;

/**
 * Checks the fields of one native record as they are read, so the code that reads a vendor record is that
 * record's only schema (no zod schema and hand-written copy of it to keep in step). Each method takes the
 * value read (`issue.id`), where its holder sits (`[]` for the record) and its key; the path is only
 * built for an error. Reading costs a `typeof` per field; nothing is copied.
 *
 * A required field that is missing or empty, and a field of the wrong type, throw a `NormalizationError`
 * naming its path (`wiz: issue c8b8…: entitySnapshot.type is missing`); an optional field that is absent
 * or `null` reads as `undefined`, for the adapter's fallback.
 * @example
 * const read = new FieldReader("wiz", "issue");
 * read.subject = `issue ${read.string(issue.id, [], "id")}`;
 * const snapshot = read.object(issue.entitySnapshot, [], "entitySnapshot");
 * const region = read.text(snapshot.region, ["entitySnapshot"], "region"); // string | undefined
 */
export class FieldReader {
  /** How error messages name the record: its kind, then its kind and id once the id is read. */
  subject: string;
  readonly #platform: string;
  readonly #onWarning: FieldReaderOptions["onWarning"];

  constructor(platform: string, subject: string, options: FieldReaderOptions = {}) {
    this.#platform = platform;
    this.subject = subject;
    this.#onWarning = options.onWarning;
  }

  /** A required, non-empty string. */
  string(value: unknown, at: Path, key: Key): string {
    if (typeof value === "string" && value !== "") return value;
    throw this.#invalid(value, at, key, "a non-empty string");
  }

  /** An optional string: `undefined` when absent or `null`. */
  text(value: unknown, at: Path, key: Key): string | undefined {
    if (typeof value === "string") return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a string");
  }

  /** An optional string or finite number, as text (ids some payloads send as numbers). */
  textual(value: unknown, at: Path, key: Key): string | undefined {
    if (typeof value === "string") return value;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a string or a number");
  }

  /**
   * An optional string (or number, as text) the Finding cannot leave out, e.g. the account id:
   * `fallback` when absent or `null`, with a `fallback` warning to the reader's `onWarning`.
   */
  textOr(value: unknown, at: Path, key: Key, fallback: string): string {
    const text = this.textual(value, at, key);
    if (text !== undefined) return text;
    if (this.#onWarning) this.warn([...at, key], "is missing", fallback);
    return fallback;
  }

  /**
   * Reports that the field at `path` could not be used as it is (`problem`, e.g. `is missing` or
   * `has an unknown status "Snoozing"`) and that `fallback` stands in: a `fallback` warning to the
   * reader's `onWarning`, whose feature is the field's path. Does nothing without an `onWarning`.
   * @example
   * read.warn(["status"], `has an unknown status "${value}"`, "open");
   * // "wiz: issue 4f…: status has an unknown status "PAUSED"; "open" is used instead."
   */
  warn(path: Path, problem: string, fallback: unknown): void {
    if (!this.#onWarning) return;
    const feature = formatPath(path);
    this.#onWarning({
      type: "fallback",
      source: this.#platform,
      feature,
      message: `${this.#platform}: ${this.subject}: ${feature} ${problem}; ${JSON.stringify(fallback)} is used instead.`,
      details: { path: [...path], fallback },
    });
  }

  /** An optional finite number. */
  number(value: unknown, at: Path, key: Key): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a finite number");
  }

  /** An optional boolean. */
  flag(value: unknown, at: Path, key: Key): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a boolean");
  }

  /** An optional list (its items are checked one by one, with their index as the key). */
  list(value: unknown, at: Path, key: Key): readonly unknown[] | undefined {
    if (Array.isArray(value)) return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a list");
  }

  /** A required object. */
  object(value: unknown, at: Path, key: Key): Fields {
    if (isFields(value)) return value;
    throw this.#invalid(value, at, key, "an object");
  }

  /** An optional object: `undefined` when absent or `null`. */
  optionalObject(value: unknown, at: Path, key: Key): Fields | undefined {
    if (isFields(value)) return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "an object");
  }

  /** The error for the field at `path`: `<platform>: <subject>: <path> <message>`. */
  fail(path: Path, message: string): NormalizationError {
    return new NormalizationError(`${this.#platform}: ${this.subject}: ${formatPath(path)} ${message}`, {
      platform: this.#platform,
      path: [...path],
      issues: [{ path: [...path], message }],
    });
  }

  #invalid(value: unknown, at: Path, key: Key, expected: string): NormalizationError {
    const message =
      value === undefined || value === null ? "is missing" : `must be ${expected}, got ${describe(value)}`;
    return this.fail([...at, key], message);
  }
}

/** True for a plain object (not `null`, not a list). */
export function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as error messages name it: `null`, `an array`, `""`, or its type. */
export function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : value === "" ? '""' : typeof value;
}

// Internal helpers.

/** A field's name, or a list item's index. */
type Key = string | number;
