import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { canonicalJson } from "../core/canonical-json.js";
import { ConfigurationError, CorruptRecordError } from "../core/errors.js";
import { memoryStore } from "../core/memory-store.js";
import type { LogEntry, Store } from "../core/store.js";
import { lazyResource, logText } from "./shared.js";

/** Options of {@link jsonlStore}. */
export interface JsonlStoreOptions {
  /** The JSON Lines file; created (with its directory) if missing. */
  path: string;
  /**
   * Flush every write to disk (`fsync`) before the call resolves, so a resolved write survives
   * power loss. Turning it off is faster and still survives a process crash.
   * @default true
   */
  fsync?: boolean;
  /**
   * Read an existing file without writing to it or its directory (no lock file): for `verify` on a
   * read-only copy or mount. Every write fails with a `ConfigurationError`. @default false
   */
  readOnly?: boolean;
}

/**
 * A Store in one JSON Lines file: every write is appended as one line (`set`, `delete` or
 * `append`) and synced to disk, and the file is replayed into memory when the store opens. Readable
 * with any text tool and easy to ship as evidence. One writer at a time: the store holds
 * `<path>.lock` while open, and a second store on the same file fails with a `ConfigurationError`;
 * for several processes use `sqliteStore` or `postgresStore`. The file only grows: deleted and
 * overwritten values stay in it. Opening never changes the file: a last line cut short by a crash
 * (a write that never resolved) is skipped, and removed only when the store next writes.
 * @example
 * const store = jsonlStore({ path: "audit/state.jsonl" });
 */
export function jsonlStore(options: JsonlStoreOptions): Store {
  const file = lazyResource("jsonlStore", () => openFile(options), closeFile);
  // Key-value writes run one at a time so that check, write-ahead line and update are atomic.
  let writes: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(write: (opened: OpenedFile) => Promise<T>): Promise<T> => {
    const result = writes.then(async () => write(await file.get()));
    writes = result.catch(() => undefined);
    return result;
  };
  const put = async (opened: OpenedFile, namespace: string, key: string, value: unknown, ttlMs?: number) => {
    const text = canonicalJson(value);
    const expiresAt = ttlMs === undefined ? null : Date.now() + ttlMs;
    opened.write(
      `{"op":"set","namespace":${JSON.stringify(namespace)},"key":${JSON.stringify(key)},"value":${text},"expiresAt":${expiresAt}}`,
    );
    await opened.memory.set(namespace, key, JSON.parse(text), ttlMs === undefined ? {} : { ttlMs });
  };
  const setIfAbsent = (namespace: string, key: string, value: unknown) =>
    exclusive(async (opened) => {
      if ((await opened.memory.get(namespace, key)) !== undefined) return false;
      await put(opened, namespace, key, value);
      return true;
    });

  return {
    specificationVersion: "v1",
    name: "jsonl",
    async get<T>(namespace: string, key: string) {
      return (await file.get()).memory.get<T>(namespace, key);
    },
    set: (namespace, key, value, setOptions = {}) =>
      exclusive((opened) => put(opened, namespace, key, value, setOptions.ttlMs)),
    setIfAbsent,
    compareAndSet(namespace, key, expected, next) {
      if (expected === undefined) return setIfAbsent(namespace, key, next);
      return exclusive(async (opened) => {
        // Compare through the memory store (JSON equality, expiry); on a match it writes back an
        // equal value, which `put` replaces at once.
        if (!(await opened.memory.compareAndSet(namespace, key, expected, expected))) return false;
        await put(opened, namespace, key, next);
        return true;
      });
    },
    delete: (namespace, key) =>
      exclusive(async (opened) => {
        if ((await opened.memory.get(namespace, key)) === undefined) return false;
        opened.write(`{"op":"delete","namespace":${JSON.stringify(namespace)},"key":${JSON.stringify(key)}}`);
        return opened.memory.delete(namespace, key);
      }),
    async *list<T>(namespace: string, listOptions: { prefix?: string } = {}) {
      yield* (await file.get()).memory.list<T>(namespace, listOptions);
    },
    async append<T>(log: string, build: (previous: LogEntry<T> | undefined) => T) {
      const opened = await file.get();
      // The line is written inside `build`, under the memory store's per-log lock, before the entry
      // exists in memory: if the write fails, the append fails and nothing changes.
      return opened.memory.append<T>(log, (previous) => {
        const text = logText(build(previous));
        const seq = (previous?.seq ?? 0) + 1;
        opened.write(`{"op":"append","log":${JSON.stringify(log)},"seq":${seq},"value":${text}}`);
        return JSON.parse(text) as T;
      });
    },
    async *read<T>(log: string, readOptions: { fromSeq?: number } = {}) {
      yield* (await file.get()).memory.read<T>(log, readOptions);
    },
    close: () => file.close(),
  };
}

interface OpenedFile {
  memory: Store;
  write(line: string): void;
  /** The open file; absent when read-only. */
  descriptor?: number;
  /** The lock file's path; absent when read-only. */
  lock?: string;
}

type Operation =
  | { op: "set"; namespace: string; key: string; value: unknown; expiresAt: number | null }
  | { op: "delete"; namespace: string; key: string }
  | { op: "append"; log: string; seq: number; value: unknown };

async function openFile(options: JsonlStoreOptions): Promise<OpenedFile> {
  if (options.readOnly) {
    let content: string;
    try {
      content = readFileSync(options.path, "utf8");
    } catch (error) {
      throw new ConfigurationError(
        `jsonlStore: cannot read ${options.path} (${(error as NodeJS.ErrnoException).code ?? "error"}). Check the path; readOnly never creates a file.`,
        { option: "path", cause: error },
      );
    }
    const { memory } = await load(options.path, content);
    return {
      memory,
      write() {
        throw new ConfigurationError(
          `jsonlStore: ${options.path} was opened with readOnly: true; open it without readOnly to write.`,
          { option: "readOnly" },
        );
      },
    };
  }
  mkdirSync(dirname(options.path), { recursive: true });
  const lock = acquireLock(options.path);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(options.path, "a+");
    const content = readFileSync(options.path, "utf8");
    const { memory, torn } = await load(options.path, content);
    const sync = options.fsync ?? true;
    const fd = descriptor;
    // A torn last line is cut before the first write appends after it, never when opening.
    let cut = torn.length > 0 ? Buffer.byteLength(content) - Buffer.byteLength(torn) : undefined;
    return {
      memory,
      descriptor: fd,
      lock,
      write(line) {
        if (cut !== undefined) {
          ftruncateSync(fd, cut);
          cut = undefined;
        }
        writeSync(fd, `${line}\n`);
        if (sync) fsyncSync(fd);
      },
    };
  } catch (error) {
    if (descriptor !== undefined) closeSync(descriptor);
    rmSync(lock, { force: true });
    throw error;
  }
}

/**
 * Replays a file's complete lines into a memory store. A last line without its newline is a write
 * torn by a crash: it never resolved, so it is skipped (and returned, for the first write to cut).
 */
async function load(path: string, content: string): Promise<{ memory: Store; torn: string }> {
  const memory = memoryStore();
  const lines = content.split("\n");
  const torn = lines.pop() ?? "";
  for (const [index, line] of lines.entries()) {
    if (line.length > 0) await replay(memory, parseLine(path, index + 1, line));
  }
  return { memory, torn };
}

function closeFile(opened: OpenedFile): void {
  if (opened.descriptor !== undefined) closeSync(opened.descriptor);
  if (opened.lock !== undefined) rmSync(opened.lock, { force: true });
}

/**
 * Takes `<path>.lock` (holding this process's id) so that a second writer, which would fork the
 * file's history, fails at once. A lock left by a process that no longer runs is taken over.
 */
function acquireLock(path: string): string {
  const lock = `${path}.lock`;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(readFileSync(lock, { encoding: "utf8", flag: "a+" }));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && !isRunning(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    const where =
      holder === process.pid ? "another jsonlStore of this process" : `process ${holder || "unknown"}`;
    throw new ConfigurationError(
      `jsonlStore: ${path} is open in ${where}. Close that store first; for several writers use sqliteStore or postgresStore.`,
      { option: "path" },
    );
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function replay(memory: Store, operation: Operation): Promise<void> {
  switch (operation.op) {
    case "set": {
      if (operation.expiresAt === null)
        return memory.set(operation.namespace, operation.key, operation.value);
      const ttlMs = operation.expiresAt - Date.now();
      if (ttlMs > 0) return memory.set(operation.namespace, operation.key, operation.value, { ttlMs });
      await memory.delete(operation.namespace, operation.key);
      return;
    }
    case "delete":
      await memory.delete(operation.namespace, operation.key);
      return;
    case "append":
      // Entries are renumbered in file order, so a removed or duplicated line shows as a break in
      // whatever the entries chain (the audit log's hashes), never as a silent hole.
      await memory.append(operation.log, () => operation.value);
      return;
  }
}

function parseLine(path: string, lineNumber: number, line: string): Operation {
  let operation: Record<string, unknown> | null;
  try {
    operation = JSON.parse(line) as Record<string, unknown> | null;
  } catch (error) {
    throw invalidLine(path, lineNumber, "it is not JSON", error);
  }
  const valid =
    typeof operation === "object" &&
    operation !== null &&
    ((operation.op === "set" &&
      typeof operation.namespace === "string" &&
      typeof operation.key === "string") ||
      (operation.op === "delete" &&
        typeof operation.namespace === "string" &&
        typeof operation.key === "string") ||
      (operation.op === "append" && typeof operation.log === "string"));
  if (!valid) throw invalidLine(path, lineNumber, "it is not a set, delete or append operation");
  return operation as unknown as Operation;
}

function invalidLine(path: string, lineNumber: number, reason: string, cause?: unknown): CorruptRecordError {
  return new CorruptRecordError(
    `jsonlStore: line ${lineNumber} of ${path} cannot be replayed: ${reason}. Restore the file from a backup or fix the line (every other line is plain JSON: \`sed -n ${lineNumber}p\` shows it).`,
    { store: "jsonlStore", file: path, line: lineNumber, cause },
  );
}
