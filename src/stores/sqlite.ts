import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { canonicalJson } from "../core/canonical-json.js";
import { ConfigurationError, CorruptRecordError, TimeoutError } from "../core/errors.js";
import type { Store } from "../core/store.js";
import {
  appendQueue,
  buildEntry,
  lazyResource,
  missingDependency,
  paged,
  pageSize,
  parseStored,
  type QueuedAppend,
  type StoredEntry,
} from "./shared.js";

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file; created (with its directory) if missing. `":memory:"` keeps it in memory. */
  path: string;
  /**
   * SQLite's `synchronous` setting in WAL mode. `"full"` syncs the write-ahead log on every commit,
   * so a committed append survives power loss; `"normal"` syncs at checkpoints only, so the last
   * commits can be lost on power loss (never on a process crash) but commits are much faster.
   * @default "full"
   */
  synchronous?: "full" | "normal";
  /** How long a write waits for another process's lock before failing. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * Open an existing file read-only (`audit verify` on a read-only copy or mount): nothing is
   * created or changed, and every write fails. @default false
   */
  readOnly?: boolean;
}

/**
 * A Store in one SQLite file (better-sqlite3 12, an optional dependency installed with the package;
 * where its native build failed, `npm rebuild better-sqlite3`). WAL mode, prepared statements; `setIfAbsent` and `compareAndSet` are single
 * conditional statements and `append` runs in a `BEGIN IMMEDIATE` transaction, so several processes
 * sharing one file still get exactly-once writes and one unbroken log. Appends made in the same tick
 * are committed together in one transaction.
 * @example
 * const store = sqliteStore({ path: ".cloudsteward/state.db" });
 */
export function sqliteStore(options: SqliteStoreOptions): Store {
  const name = "sqliteStore";
  const database = lazyResource(
    name,
    () => openDatabase(options),
    (opened) => {
      opened.db.close();
    },
  );
  const append = appendQueue(async (batch) => {
    const { appendBatch } = await database.get();
    return whenUnlocked(options, () => appendBatch.immediate(batch));
  });

  async function setIfAbsent(namespace: string, key: string, value: unknown): Promise<boolean> {
    const { statements } = await database.get();
    const text = canonicalJson(value);
    return whenUnlocked(
      options,
      () => statements.setIfAbsent.run(namespace, key, text, Date.now()).changes === 1,
    );
  }

  return {
    specificationVersion: "v1",
    name: "sqlite",
    async get<T>(namespace: string, key: string) {
      const { statements } = await database.get();
      const row = statements.get.get(namespace, key, Date.now()) as { value: string } | undefined;
      return row ? parseStored<T>(row.value, { store: name, file: options.path, namespace, key }) : undefined;
    },
    async set(namespace, key, value, setOptions = {}) {
      const { statements } = await database.get();
      const expiresAt = setOptions.ttlMs === undefined ? null : Date.now() + setOptions.ttlMs;
      const text = canonicalJson(value);
      whenUnlocked(options, () => statements.set.run(namespace, key, text, expiresAt));
    },
    setIfAbsent,
    async compareAndSet(namespace, key, expected, next) {
      if (expected === undefined) return setIfAbsent(namespace, key, next);
      const { statements } = await database.get();
      const [text, expectedText] = [canonicalJson(next), canonicalJson(expected)];
      const changes = whenUnlocked(
        options,
        () => statements.replace.run(text, namespace, key, expectedText, Date.now()).changes,
      );
      return changes === 1;
    },
    async delete(namespace, key) {
      const { statements } = await database.get();
      const row = whenUnlocked(options, () => statements.delete.get(namespace, key)) as
        | { expires_at: number | null }
        | undefined;
      return row !== undefined && (row.expires_at === null || row.expires_at > Date.now());
    },
    async *list<T>(namespace: string, listOptions: { prefix?: string } = {}) {
      const { statements } = await database.get();
      const prefix = listOptions.prefix ?? "";
      const rows = paged<{ key: string; value: string }>((after) =>
        after
          ? (statements.listAfter.all(namespace, after.key, Date.now(), pageSize) as {
              key: string;
              value: string;
            }[])
          : (statements.listFrom.all(namespace, prefix, Date.now(), pageSize) as {
              key: string;
              value: string;
            }[]),
      );
      for await (const row of rows) {
        // Keys sharing a prefix are contiguous in byte order: the first key without it ends the list.
        if (!row.key.startsWith(prefix)) return;
        yield {
          key: row.key,
          value: parseStored<T>(row.value, { store: name, file: options.path, namespace, key: row.key }),
        };
      }
    },
    append,
    async *read<T>(log: string, readOptions: { fromSeq?: number } = {}) {
      const { statements } = await database.get();
      const rows = paged<{ seq: number; value: string }>(
        (after) =>
          statements.read.all(log, after ? after.seq + 1 : (readOptions.fromSeq ?? 1), pageSize) as {
            seq: number;
            value: string;
          }[],
      );
      for await (const row of rows) {
        yield {
          seq: row.seq,
          value: parseStored<T>(row.value, { store: name, file: options.path, log, seq: row.seq }),
        };
      }
    },
    close: () => database.close(),
  };
}

async function openDatabase(options: SqliteStoreOptions) {
  let Database: typeof BetterSqlite3;
  try {
    const module = await import("better-sqlite3");
    Database = (module.default ?? module) as typeof BetterSqlite3;
  } catch (error) {
    throw missingDependency("sqliteStore", "better-sqlite3@12", error);
  }
  try {
    return options.readOnly ? openReadOnly(Database, options) : openWritable(Database, options);
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? "");
    if (code !== "SQLITE_NOTADB" && code !== "SQLITE_CORRUPT") throw error;
    throw new CorruptRecordError(
      `sqliteStore: ${options.path} is not a readable SQLite database (${code}). Restore it from a backup; or move it aside to start afresh, which starts the cursors, the ticket ledger, the approvals and the audit log empty.`,
      { store: "sqliteStore", file: options.path, cause: error },
    );
  }
}

function openWritable(Database: typeof BetterSqlite3, options: SqliteStoreOptions) {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS cloudsteward_kv (
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      expires_at INTEGER,
      PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS cloudsteward_log (
      log TEXT NOT NULL,
      seq INTEGER NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (log, seq)
    ) WITHOUT ROWID;
  `);
  db.prepare("DELETE FROM cloudsteward_kv WHERE expires_at <= ?").run(Date.now());
  return prepare(db, options.path);
}

/**
 * Opens an existing database without writing to it. A WAL database needs its `-shm` file to be
 * read; when that cannot be created (a read-only directory) and no `-wal` file holds commits, the
 * file is read into memory instead, so `audit verify` works on a read-only copy or mount.
 */
function openReadOnly(Database: typeof BetterSqlite3, options: SqliteStoreOptions) {
  if (!existsSync(options.path)) {
    throw new ConfigurationError(
      `sqliteStore: ${options.path} does not exist. Check the path (readOnly never creates a database).`,
      { option: "path" },
    );
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(options.path, { readonly: true, fileMustExist: true });
    db.prepare("SELECT name FROM sqlite_master LIMIT 1").get();
  } catch (error) {
    if (existsSync(`${options.path}-wal`)) {
      throw new ConfigurationError(
        `sqliteStore: ${options.path} cannot be opened read-only and its -wal file holds commits that only a writable open applies. Copy the database with its -wal and -shm files to a writable directory and verify the copy.`,
        { option: "path", cause: error },
      );
    }
    const image = readFileSync(options.path);
    // Bytes 18 and 19 say "WAL mode"; an in-memory image must say "rollback journal" to be read.
    if (image[18] === 2) image[18] = 1;
    if (image[19] === 2) image[19] = 1;
    db = new Database(image, { readonly: true });
  }
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'cloudsteward_%'")
    .all() as { name: string }[];
  if (tables.length < 2) {
    db.close();
    throw new ConfigurationError(
      `sqliteStore: ${options.path} is not a cloudsteward store (its tables are missing). Check the path.`,
      { option: "path" },
    );
  }
  return prepare(db, options.path);
}

function prepare(db: BetterSqlite3.Database, path: string) {
  const live = "(expires_at IS NULL OR expires_at > ?)";
  const statements = {
    get: db.prepare(`SELECT value FROM cloudsteward_kv WHERE namespace = ? AND key = ? AND ${live}`),
    set: db.prepare(
      `INSERT INTO cloudsteward_kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    setIfAbsent: db.prepare(
      `INSERT INTO cloudsteward_kv (namespace, key, value, expires_at) VALUES (?, ?, ?, NULL)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = NULL
       WHERE cloudsteward_kv.expires_at IS NOT NULL AND cloudsteward_kv.expires_at <= ?`,
    ),
    replace: db.prepare(
      `UPDATE cloudsteward_kv SET value = ?, expires_at = NULL
       WHERE namespace = ? AND key = ? AND value = ? AND ${live}`,
    ),
    delete: db.prepare("DELETE FROM cloudsteward_kv WHERE namespace = ? AND key = ? RETURNING expires_at"),
    listFrom: db.prepare(
      `SELECT key, value FROM cloudsteward_kv WHERE namespace = ? AND key >= ? AND ${live} ORDER BY key LIMIT ?`,
    ),
    listAfter: db.prepare(
      `SELECT key, value FROM cloudsteward_kv WHERE namespace = ? AND key > ? AND ${live} ORDER BY key LIMIT ?`,
    ),
    last: db.prepare("SELECT seq, value FROM cloudsteward_log WHERE log = ? ORDER BY seq DESC LIMIT 1"),
    insert: db.prepare("INSERT INTO cloudsteward_log (log, seq, value) VALUES (?, ?, ?)"),
    read: db.prepare(
      "SELECT seq, value FROM cloudsteward_log WHERE log = ? AND seq >= ? ORDER BY seq LIMIT ?",
    ),
  };

  // One write transaction for a batch of appends; a failing `build` rejects only its own append.
  const appendBatch = db.transaction((batch: QueuedAppend[]) => {
    const lastByLog = new Map<string, StoredEntry | undefined>();
    return batch.map((item) => {
      if (!lastByLog.has(item.log)) {
        const row = statements.last.get(item.log) as { seq: number; value: string } | undefined;
        lastByLog.set(item.log, row && { seq: row.seq, text: row.value });
      }
      const built = buildEntry(item, lastByLog.get(item.log), { store: "sqliteStore", file: path });
      if ("error" in built) return () => item.reject(built.error);
      statements.insert.run(item.log, built.stored.seq, built.stored.text);
      lastByLog.set(item.log, built.stored);
      return () => item.resolve(built.entry);
    });
  });

  return { db, statements, appendBatch };
}

/**
 * Runs a write, turning "the database is locked" (another process held the write lock for longer
 * than `busyTimeoutMs`) into a retryable `TimeoutError`.
 */
function whenUnlocked<T>(options: SqliteStoreOptions, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") throw error;
    throw new TimeoutError(
      `sqliteStore: ${options.path} stayed locked by another connection for longer than busyTimeoutMs (${options.busyTimeoutMs ?? 5000} ms). Retry, or raise busyTimeoutMs.`,
      { integration: "sqlite", cause: error },
    );
  }
}
