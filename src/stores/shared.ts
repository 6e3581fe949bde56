import { ConfigurationError, CorruptRecordError } from "../core/errors.js";
import type { LogEntry } from "../core/store.js";

/** How many rows `list` and `read` fetch per round trip. */
export const pageSize = 500;

/** The error for an optional peer dependency that is not installed (or fails to load). */
export function missingDependency(store: string, dependency: string, cause: unknown): ConfigurationError {
  return new ConfigurationError(
    `${store}: could not load the optional dependency "${dependency}". Install it with \`npm install ${dependency}\`.`,
    { cause },
  );
}

/** The error for a call made after `close()`. */
export function closedError(store: string): ConfigurationError {
  return new ConfigurationError(`${store}: the store is closed. Create a new store to keep using it.`);
}

/**
 * Runs `open` on first use only and caches the result; a failed open is retried on the next call
 * (the dependency or the database may appear later). `close` releases whatever was opened.
 */
export function lazyResource<T>(
  store: string,
  open: () => Promise<T>,
  release: (resource: T) => Promise<void> | void,
): { get(): Promise<T>; close(): Promise<void> } {
  let opening: Promise<T> | undefined;
  let closed = false;
  return {
    get() {
      if (closed) return Promise.reject(closedError(store));
      opening ??= open().catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
      return opening;
    },
    async close() {
      if (closed) return;
      closed = true;
      const resource = await opening?.catch(() => undefined);
      if (resource !== undefined) await release(resource);
    },
  };
}

/** Yields rows page by page; `fetch` gets the last row of the previous page (undefined at first). */
export async function* paged<Row>(
  fetch: (after: Row | undefined) => Promise<Row[]> | Row[],
): AsyncGenerator<Row> {
  let after: Row | undefined;
  for (;;) {
    const rows = await fetch(after);
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows.at(-1);
  }
}

/** An `append` call waiting for its batch's transaction. */
export interface QueuedAppend {
  log: string;
  build: (previous: LogEntry<unknown> | undefined) => unknown;
  resolve: (entry: LogEntry<unknown>) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects `append` calls made in the same tick and hands them to `commit` in batches, one batch
 * at a time. `commit` runs one transaction and returns how to settle each call once it committed;
 * if it throws, every call of the batch is rejected with its error.
 */
export function appendQueue(
  commit: (batch: QueuedAppend[]) => Promise<(() => void)[]> | (() => void)[],
): <T>(log: string, build: (previous: LogEntry<T> | undefined) => T) => Promise<LogEntry<T>> {
  const queue: QueuedAppend[] = [];
  let draining = false;
  const drain = async () => {
    draining = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, pageSize);
      try {
        for (const settle of await commit(batch)) settle();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    draining = false;
  };
  return <T>(log: string, build: (previous: LogEntry<T> | undefined) => T) =>
    new Promise<LogEntry<T>>((resolve, reject) => {
      queue.push({ log, build, resolve, reject } as QueuedAppend);
      if (!draining && queue.length === 1) queueMicrotask(() => void drain());
    });
}

/**
 * Serializes a log entry's value. Plain `JSON.stringify`, not canonical JSON: log values are never
 * compared, and appends are the audit log's hot path.
 */
export function logText(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new ConfigurationError(
      "append: build returned undefined, a function or a symbol; return a JSON value.",
    );
  }
  return text;
}

/** The last entry of a log as stored: its seq and its JSON text. */
export interface StoredEntry {
  seq: number;
  text: string;
}

/**
 * Runs one queued call's `build` on the previous entry (parsed afresh from its text, so `build`
 * cannot change what is stored) and returns the new entry, its stored form, or the error `build`
 * (or serializing) threw. The entry's value is parsed from the stored text when first read: most
 * appends (the audit log's, in a pipeline) never read it, and it can be kilobytes of finding ids.
 */
export function buildEntry(
  item: QueuedAppend,
  previous: StoredEntry | undefined,
  at: { store: string; file?: string } = { store: "store" },
): { entry: LogEntry<unknown>; stored: StoredEntry } | { error: unknown } {
  try {
    const text = logText(
      item.build(
        previous && {
          seq: previous.seq,
          value: parseStored(previous.text, { ...at, log: item.log, seq: previous.seq }),
        },
      ),
    );
    const seq = (previous?.seq ?? 0) + 1;
    return { entry: parsedWhenRead(seq, text), stored: { seq, text } };
  } catch (error) {
    return { error };
  }
}

/** `{ seq, value: JSON.parse(text) }`, parsing on the first read of `value` (which may also be set). */
function parsedWhenRead(seq: number, text: string): LogEntry<unknown> {
  let parsed: { value: unknown } | undefined;
  return {
    seq,
    get value() {
      parsed ??= { value: JSON.parse(text) };
      return parsed.value;
    },
    set value(value: unknown) {
      parsed = { value };
    },
  };
}

/** Where a stored value was read from, for {@link parseStored}'s error. */
export interface StoredAt {
  /** The store, e.g. `sqliteStore`. */
  store: string;
  /** The database file or the table, as the user knows it. */
  file?: string;
  /** A log entry: its log and sequence number. */
  log?: string;
  seq?: number;
  /** A key-value entry: its namespace and key. */
  namespace?: string;
  key?: string;
}

/**
 * Parses a stored JSON text.
 * @throws CorruptRecordError naming the store, the file, the log and sequence number (or the
 * namespace and key) and what to do, when the text is not JSON.
 */
export function parseStored<T>(text: unknown, at: StoredAt): T {
  try {
    return JSON.parse(String(text)) as T;
  } catch (error) {
    const what =
      at.log !== undefined
        ? `record ${at.seq} of log "${at.log}"`
        : `entry "${at.key}" of namespace "${at.namespace}"`;
    const where = at.file ? ` in ${at.file}` : "";
    const todo =
      at.log !== undefined
        ? "Run `cloudsteward audit verify` to see what else is damaged, `cloudsteward audit export` to save every readable record, then restore the store from a backup."
        : "Restore the store from a backup, or delete that entry to let cloudsteward rebuild it.";
    throw new CorruptRecordError(`${at.store}: ${what}${where} is not valid JSON. ${todo}`, {
      store: at.store,
      ...(at.log === undefined ? {} : { log: at.log }),
      ...(at.seq === undefined ? {} : { seq: at.seq }),
      ...(at.file === undefined ? {} : { file: at.file }),
      cause: error,
    });
  }
}
