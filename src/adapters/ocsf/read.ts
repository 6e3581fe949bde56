import { createReadStream } from "node:fs";
import { ConfigurationError, isAbortError } from "../../toolkit.js";

/**
 * What `ocsf()` reads: text (`string` or `Uint8Array` chunks of one document, split anywhere, as a file
 * stream or a `fetch` body delivers them) or records already parsed (objects; an array counts as its
 * elements), in any mix. A web `ReadableStream` of either works too.
 */
export type OcsfInput =
  | AsyncIterable<string | Uint8Array | object>
  | Iterable<string | Uint8Array | object>
  | ReadableStream<string | Uint8Array | object>;

/** One record as read, before normalizing, or the text that could not be read as one. */
export interface ReadItem {
  /** The file it came from, or `input`. */
  origin: string;
  /** Its position among the records of its origin, from 0: the JSON path of an array file's element. */
  index: number;
  /** The line it starts on, from 1, when it was read from text. */
  line?: number;
  /** The parsed record; absent when `problem` says why it could not be read. */
  record?: unknown;
  /** Why this text is not a record (not JSON, or cut off), worded without quoting it. */
  problem?: string;
}

/** One place records come from. */
export interface Origin {
  /** The file path, or `input`. */
  name: string;
  open: (signal: AbortSignal | undefined) => OcsfInput;
}

/**
 * The origin of a file: read as a stream (never whole), in 256 KiB chunks.
 * A file that cannot be opened fails the read with a `ConfigurationError` naming it.
 */
export function fileOrigin(path: string): Origin {
  return {
    name: path,
    open: (signal) => readFile(path, signal),
  };
}

/**
 * Reads the records of each origin in turn: JSON arrays element by element (Prowler's `-M json-ocsf`),
 * JSON Lines line by line (a bad line is one bad record), pretty-printed objects one after another, and
 * envelopes unwrapped (`{ "findings": […] }`, Security Hub's `{ "Findings": […] }` and its EventBridge
 * events `{ "detail": { "findings": […] } }`). Lazy: nothing is read before the first item is asked
 * for, and leaving the loop early closes the file or cancels the stream.
 */
export async function* readRecords(
  origins: readonly Origin[],
  signal: AbortSignal | undefined,
): AsyncGenerator<ReadItem> {
  for (const origin of origins) {
    signal?.throwIfAborted();
    yield* readOrigin(origin, signal);
  }
}

// Internal helpers.

async function* readOrigin(origin: Origin, signal: AbortSignal | undefined): AsyncGenerator<ReadItem> {
  const scanner = new RecordScanner();
  const decoder = new TextDecoder();
  let index = 0;
  const items = function* (pieces: Iterable<Piece>): Generator<ReadItem> {
    for (const piece of pieces) {
      if ("problem" in piece) {
        yield { origin: origin.name, index: index++, line: piece.line, problem: piece.problem };
        continue;
      }
      const parsed = parseJson(piece.text);
      if ("problem" in parsed) {
        yield { origin: origin.name, index: index++, line: piece.line, problem: parsed.problem };
        continue;
      }
      for (const record of unwrap(parsed.value)) {
        yield { origin: origin.name, index: index++, line: piece.line, record };
      }
    }
  };
  for await (const chunk of chunksOf(origin.open(signal))) {
    signal?.throwIfAborted();
    if (typeof chunk === "string") yield* items(scanner.push(chunk));
    else if (chunk instanceof Uint8Array) yield* items(scanner.push(decoder.decode(chunk, { stream: true })));
    else for (const record of unwrap(chunk)) yield { origin: origin.name, index: index++, record };
  }
  yield* items(scanner.push(decoder.decode()));
  yield* items(scanner.end());
}

async function* readFile(path: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { signal, highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (isAbortError(error)) throw error;
    const code = (error as { code?: unknown }).code;
    throw new ConfigurationError(
      `ocsf: cannot read "${path}"${typeof code === "string" ? ` (${code})` : ""}; check the \`files\` option.`,
      { option: "files", cause: error },
    );
  } finally {
    stream.destroy();
  }
}

/** Any {@link OcsfInput} as an async iterable; a web stream is cancelled when the loop is left early. */
async function* chunksOf(input: OcsfInput): AsyncGenerator<unknown> {
  if (typeof input === "string" || input instanceof Uint8Array) {
    yield input;
    return;
  }
  if (typeof (input as ReadableStream).getReader === "function") {
    const reader = (input as ReadableStream<unknown>).getReader();
    let done = false;
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  if (Symbol.asyncIterator in input || Symbol.iterator in input) {
    yield* input as AsyncIterable<unknown>;
    return;
  }
  throw new ConfigurationError(
    "ocsf: `input` must be an async iterable, an iterable or a ReadableStream of text, bytes or records.",
    { option: "input" },
  );
}

/** The records a parsed value holds: itself, an array's elements, or an envelope's findings. */
function unwrap(value: unknown, depth = 0): unknown[] {
  if (Array.isArray(value)) return depth < 2 ? value.flatMap((item) => unwrap(item, depth + 1)) : [value];
  if (typeof value !== "object" || value === null || "finding_info" in value || "finding" in value)
    return [value];
  const envelope = value as { findings?: unknown; Findings?: unknown; detail?: { findings?: unknown } };
  const inner = envelope.findings ?? envelope.Findings ?? envelope.detail?.findings;
  return Array.isArray(inner) && depth < 2 ? inner.flatMap((item) => unwrap(item, depth + 1)) : [value];
}

function parseJson(text: string): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    // The parser's message quotes the text, which may hold anything: keep only the position.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    return {
      problem: `is not valid JSON${position === undefined ? "" : ` (at character ${Number(position) + 1} of the record)`}`,
    };
  }
}

type Piece = { text: string; line: number } | { problem: string; line: number };

/**
 * Splits streamed JSON text into the texts of its records without parsing the whole: the elements of a
 * top-level array, the values of a concatenated stream, or the lines of JSON Lines (decided from the
 * first lines: JSON Lines when one of the first two non-blank lines is a whole JSON object, so a bad line
 * spoils only itself). Tracks strings and nesting only; each record's text is then parsed on its own.
 */
class RecordScanner {
  private mode: "start" | "lines" | "json" = "start";
  private head = "";
  private line = 1;
  // JSON mode.
  private inArray = false;
  private inValue = false;
  private scalar = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: string[] = [];
  private valueLine = 1;
  private garbageLine = 0;
  // Lines mode: the start of a line whose end has not come yet.
  private rest: string[] = [];

  *push(text: string): Generator<Piece> {
    if (text === "") return;
    if (this.mode === "start") {
      this.head += text;
      const mode = decideMode(this.head);
      if (mode === undefined) return;
      this.mode = mode;
      const head = this.head.replace(/^\uFEFF/, "");
      this.head = "";
      yield* this.mode === "lines" ? this.pushLines(head) : this.pushJson(head);
      return;
    }
    yield* this.mode === "lines" ? this.pushLines(text) : this.pushJson(text);
  }

  *end(): Generator<Piece> {
    if (this.mode === "start") {
      const head = this.head.replace(/^\uFEFF/, "");
      this.head = "";
      if (head.trim() === "") return;
      this.mode = decideMode(head, true) ?? "json";
      yield* this.mode === "lines" ? this.pushLines(head) : this.pushJson(head);
    }
    if (this.mode === "lines") {
      yield* this.pushLines("\n");
      return;
    }
    if (this.inValue && this.scalar && this.depth === 0 && !this.inString) {
      yield this.finish("", 0, 0);
    } else if (this.inValue) {
      this.parts = [];
      this.inValue = false;
      yield {
        problem: "ends before this record does (the input is cut off, or a bracket is missing)",
        line: this.valueLine,
      };
    } else if (this.inArray) {
      yield {
        problem: "is missing: the array is never closed, so the input may be cut off",
        line: this.line,
      };
    }
  }

  private *pushLines(text: string): Generator<Piece> {
    let newline = text.indexOf("\n");
    if (newline < 0) {
      this.rest.push(text);
      return;
    }
    let start = 0;
    let line = this.rest.join("") + text.slice(0, newline);
    this.rest = [];
    for (;;) {
      const trimmed = line.trim();
      if (trimmed !== "") yield { text: trimmed, line: this.line };
      this.line++;
      start = newline + 1;
      newline = text.indexOf("\n", start);
      if (newline < 0) break;
      line = text.slice(start, newline);
    }
    this.rest.push(text.slice(start));
  }

  private *pushJson(text: string): Generator<Piece> {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (this.inValue && this.inString) {
        if (this.escape) {
          this.escape = false;
          continue;
        }
        // Most of a record is string content: jump to the next quote or backslash.
        stringStop.lastIndex = i;
        const stop = stringStop.exec(text);
        if (stop === null) break;
        i = stop.index;
        if (text.charCodeAt(i) === 92) this.escape = true;
        else this.inString = false;
        continue;
      }
      if (this.inValue && !this.scalar) {
        // Inside an object or array only quotes, brackets and newlines matter: skip the rest.
        structuralStop.lastIndex = i;
        const stop = structuralStop.exec(text);
        if (stop === null) break;
        i = stop.index;
      }
      const code = text.charCodeAt(i);
      if (this.inValue) {
        if (code === 34) {
          this.inString = true;
          continue;
        }
        if (code === 123 || code === 91) {
          this.depth++;
          continue;
        }
        if (code === 125 || code === 93) {
          if (this.depth > 0) {
            this.depth--;
            if (this.depth === 0 && !this.scalar) yield this.finish(text, start, i + 1);
            continue;
          }
          // A closer outside any value of ours: the end of the array after a scalar, or junk.
          yield this.finish(text, start, i);
          i--;
          continue;
        }
        if (this.scalar && this.depth === 0 && (code === 44 || isSpace(code))) {
          yield this.finish(text, start, i);
          i--;
          continue;
        }
        if (code === 10) this.line++;
        continue;
      }
      // Between values.
      if (isSpace(code)) {
        if (code === 10) this.line++;
        continue;
      }
      if (code === 0xfeff) continue;
      if (this.inArray && code === 44) continue;
      if (this.inArray && code === 93) {
        this.inArray = false;
        continue;
      }
      if (!this.inArray && code === 91) {
        this.inArray = true;
        continue;
      }
      if (code === 44 || code === 93 || code === 125) {
        // A stray separator or closer: one problem per line of them.
        if (this.garbageLine !== this.line) {
          this.garbageLine = this.line;
          yield { problem: "is not valid JSON (a stray comma or bracket)", line: this.line };
        }
        continue;
      }
      // The first character of a value.
      this.inValue = true;
      this.valueLine = this.line;
      start = i;
      this.scalar = code !== 123 && code !== 91;
      this.depth = this.scalar ? 0 : 1;
      this.inString = code === 34;
    }
    if (this.inValue) this.parts.push(text.slice(start));
  }

  private finish(text: string, start: number, end: number): Piece {
    this.parts.push(text.slice(start, end));
    const piece = { text: this.parts.join(""), line: this.valueLine };
    this.parts = [];
    this.inValue = false;
    this.scalar = false;
    this.depth = 0;
    return piece;
  }
}

/**
 * `json` when the text starts with `[`, or when its first two non-blank lines are not whole JSON objects
 * (pretty-printed objects); `lines` when one of them is; `undefined` while it cannot tell yet.
 */
function decideMode(head: string, atEnd = false): "lines" | "json" | undefined {
  const text = head.replace(/^\uFEFF/, "");
  const first = text.search(/\S/);
  if (first < 0) return atEnd ? "json" : undefined;
  if (text[first] === "[") return "json";
  const lines: string[] = [];
  let start = first;
  while (lines.length < 2) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) {
      if (atEnd) lines.push(text.slice(start));
      break;
    }
    const line = text.slice(start, newline).trim();
    if (line !== "") lines.push(line);
    start = newline + 1;
  }
  if (lines.some(isJsonObject)) return "lines";
  // Two lines seen, or a first line too long to be JSON Lines worth waiting for: scan as JSON.
  if (lines.length >= 2 || atEnd || text.length - first > 1 << 20) return "json";
  return undefined;
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith("{") || !line.endsWith("}")) return false;
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The characters that end a run of string content: a quote or a backslash. */
const stringStop = /["\\]/g;

/** The characters that matter inside an object or array outside strings. */
const structuralStop = /["{}[\]\n]/g;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}
