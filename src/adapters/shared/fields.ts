import { NormalizationError } from "../../core/errors.js";
import { formatPath } from "../../core/finding.js";
import type { SourceNormalizeOptions } from "./options.js";

/** The fields of a native record, or of one object inside it. */
export type Fields = Record<string, unknown>;

/** Where an object sits in its record, e.g. `["entitySnapshot"]`; `[]` for the record itself. */
export type Path = readonly (string | number)[];

/** Options of a {@link FieldReader}: `onWarning` receives a `fallback` warning for each field {@link FieldReader.textOr} replaced. */
export interface FieldReaderOptions extends Pick<SourceNormalizeOptions, "onWarning"> {
  /** Turns a stored value into the value to check, e.g. Orca's `{ value: x }` → `x`. @default the value as stored */
  unwrap?: (value: unknown) => unknown;
}

/**
 * Reads the fields of one native record, checking each field's type as it is read, so the code that
 * reads a vendor record is that record's only schema (no zod schema and hand-written copy of it to keep
 * in step). Reading costs a `typeof` per field; nothing is copied.
 *
 * A required field that is missing or empty, and a field of the wrong type, throw a `NormalizationError`
 * naming its path (`wiz: issue c8b8…: entitySnapshot.type is missing`); an optional field that is absent
 * or `null` reads as `undefined`, for the adapter's fallback.
 * @example
 * const read = new FieldReader("wiz", "issue");
 * read.subject = `issue ${read.string(issue, "id", [])}`;
 * const snapshot = read.object(issue, "entitySnapshot", []);
 * const region = read.text(snapshot, "region", ["entitySnapshot"]); // string | undefined
 */
export class FieldReader {
  /** How error messages name the record: its kind, then its kind and id once the id is read. */
  subject: string;
  readonly #platform: string;
  readonly #unwrap: ((value: unknown) => unknown) | undefined;
  readonly #onWarning: FieldReaderOptions["onWarning"];

  constructor(platform: string, subject: string, options: FieldReaderOptions = {}) {
    this.#platform = platform;
    this.subject = subject;
    this.#unwrap = options.unwrap;
    this.#onWarning = options.onWarning;
  }

  /** A required, non-empty string. */
  string(holder: Holder, key: Key, at: Path): string {
    const value = this.#get(holder, key);
    if (typeof value === "string" && value !== "") return value;
    throw this.#invalid(value, at, key, "a non-empty string");
  }

  /** An optional string: `undefined` when absent or `null`. */
  text(holder: Holder, key: Key, at: Path): string | undefined {
    const value = this.#get(holder, key);
    if (typeof value === "string") return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a string");
  }

  /** An optional string or finite number, as text (ids some payloads send as numbers). */
  textual(holder: Holder, key: Key, at: Path): string | undefined {
    const value = this.#get(holder, key);
    if (typeof value === "string") return value;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a string or a number");
  }

  /**
   * An optional string the Finding cannot leave out (e.g. the account id): `fallback` when absent or
   * `null`, with a `fallback` warning to the reader's `onWarning`.
   */
  textOr(holder: Holder, key: Key, at: Path, fallback: string): string {
    const value = this.text(holder, key, at);
    if (value !== undefined) return value;
    if (this.#onWarning) {
      const path = [...at, key];
      this.#onWarning({
        type: "fallback",
        source: this.#platform,
        feature: formatPath(path),
        message: `${this.#platform}: ${this.subject}: ${formatPath(path)} is missing; ${JSON.stringify(fallback)} is used instead.`,
        details: { path, fallback },
      });
    }
    return fallback;
  }

  /** An optional finite number. */
  number(holder: Holder, key: Key, at: Path): number | undefined {
    const value = this.#get(holder, key);
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a finite number");
  }

  /** An optional boolean. */
  flag(holder: Holder, key: Key, at: Path): boolean | undefined {
    const value = this.#get(holder, key);
    if (typeof value === "boolean") return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a boolean");
  }

  /** An optional list (its items are read one by one, with their index as the key). */
  list(holder: Holder, key: Key, at: Path): readonly unknown[] | undefined {
    const value = this.#get(holder, key);
    if (Array.isArray(value)) return value;
    if (value === undefined || value === null) return undefined;
    throw this.#invalid(value, at, key, "a list");
  }

  /** A required object. */
  object(holder: Holder, key: Key, at: Path): Fields {
    const value = this.#get(holder, key);
    if (isFields(value)) return value;
    throw this.#invalid(value, at, key, "an object");
  }

  /** An optional object: `undefined` when absent or `null`. */
  optionalObject(holder: Holder, key: Key, at: Path): Fields | undefined {
    const value = this.#get(holder, key);
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

  #get(holder: Holder, key: Key): unknown {
    const value = (holder as Record<Key, unknown>)[key];
    return this.#unwrap ? this.#unwrap(value) : value;
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

type Key = string | number;
type Holder = Fields | readonly unknown[];
