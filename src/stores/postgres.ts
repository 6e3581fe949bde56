import { canonicalJson } from "../core/canonical-json.js";
import { CloudstewardError, ConnectionError, isCloudstewardError } from "../core/errors.js";
import { resolveSecret, type Secret } from "../core/secret.js";
import type { Store } from "../core/store.js";
import {
  appendQueue,
  buildEntry,
  lazyResource,
  missingDependency,
  paged,
  pageSize,
  parseStored,
  type StoredEntry,
} from "./shared.js";

/** The part of a `pg.Pool` the store uses; pass your own pool to share its connections. */
export interface PostgresPool {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  connect(): Promise<PostgresClient>;
  end(): Promise<void>;
}

/** A connection checked out of a {@link PostgresPool}. */
export interface PostgresClient {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
}

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Where the database is, credentials included (a secret, or a function returning one); the store
   * opens (and on `close()` ends) its own pool. Ignored when `pool` is given.
   * @default process.env.DATABASE_URL
   */
  connectionString?: Secret;
  /** An existing `pg.Pool`, used instead of `connectionString`; `close()` leaves it open. */
  pool?: PostgresPool;
  /** The schema holding the tables, created if missing. @default "public" */
  schema?: string;
  /** Connections of the pool the store opens. @default 10 */
  maxConnections?: number;
  /**
   * Open for reading only (an auditor's read-only role, `audit verify`): creates no schema or table
   * and deletes no expired rows on open; a write fails with the database's own refusal.
   * @default false
   */
  readOnly?: boolean;
}

/**
 * A Store in PostgreSQL (`pg`, an optional peer dependency: `npm install pg`), the shared state of
 * several workers. Tables `cloudsteward_kv` and `cloudsteward_log` are created if absent; values are
 * canonical JSON text. `setIfAbsent` is one `INSERT … ON CONFLICT`, `compareAndSet` one conditional
 * statement, and `append` runs in a transaction holding `pg_advisory_xact_lock` on the log, so
 * concurrent workers get exactly-once writes and one unbroken log. Appends made in the same tick
 * share one transaction.
 * @example
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL, schema: "cloudsteward" });
 */
export function postgresStore(options: PostgresStoreOptions = {}): Store {
  const name = "postgresStore";
  const database = lazyResource(
    name,
    () => openDatabase(options),
    async (opened) => {
      if (!options.pool) await opened.pool.end();
    },
  );
  const query = async (text: (tables: Tables) => string, values: unknown[]) => {
    const { pool, tables } = await database.get();
    return pool.query(text(tables), values);
  };

  const append = appendQueue(async (batch) => {
    const { pool, tables } = await database.get();
    const client = await pool.connect();
    let failed: Error | undefined;
    try {
      await client.query("BEGIN");
      // Lock every log of the batch, in one order, so two workers' batches cannot deadlock.
      for (const log of [...new Set(batch.map((item) => item.log))].sort()) {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`cloudsteward:${log}`]);
      }
      const lastByLog = new Map<string, StoredEntry | undefined>();
      const outcomes: (() => void)[] = [];
      // The batch's rows, inserted by one statement (one round trip, not one per entry), as plain
      // parameters: an array parameter would have pg escape every quote of every JSON text.
      const rows: string[] = [];
      const values: unknown[] = [];
      for (const item of batch) {
        if (!lastByLog.has(item.log)) {
          const { rows } = await client.query(
            `SELECT seq, value FROM ${tables.log} WHERE log = $1 ORDER BY seq DESC LIMIT 1`,
            [item.log],
          );
          const row = rows[0];
          lastByLog.set(item.log, row && { seq: Number(row.seq), text: String(row.value) });
        }
        const built = buildEntry(item, lastByLog.get(item.log), { store: name });
        if ("error" in built) {
          outcomes.push(() => item.reject(built.error));
          continue;
        }
        const at = values.push(item.log, built.stored.seq, built.stored.text);
        rows.push(`($${at - 2}, $${at - 1}, $${at})`);
        lastByLog.set(item.log, built.stored);
        outcomes.push(() => item.resolve(built.entry));
      }
      if (rows.length > 0) {
        await client.query(`INSERT INTO ${tables.log} (log, seq, value) VALUES ${rows.join(", ")}`, values);
      }
      await client.query("COMMIT");
      return outcomes;
    } catch (error) {
      failed = error instanceof Error ? error : new Error(String(error));
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release(failed);
    }
  });

  const setIfAbsent = async (namespace: string, key: string, value: unknown) => {
    const result = await query(
      (tables) =>
        `INSERT INTO ${tables.kv} AS current (namespace, key, value, expires_at) VALUES ($1, $2, $3, NULL)
         ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = NULL
         WHERE current.expires_at IS NOT NULL AND current.expires_at <= $4`,
      [namespace, key, canonicalJson(value), Date.now()],
    );
    return result.rowCount === 1;
  };

  return {
    specificationVersion: "v1",
    name: "postgres",
    async get<T>(namespace: string, key: string) {
      const { rows } = await query(
        (tables) => `SELECT value FROM ${tables.kv} WHERE namespace = $1 AND key = $2 AND ${live(3)}`,
        [namespace, key, Date.now()],
      );
      return rows[0] ? parseStored<T>(rows[0].value, { store: name, namespace, key }) : undefined;
    },
    async set(namespace, key, value, setOptions = {}) {
      const expiresAt = setOptions.ttlMs === undefined ? null : Date.now() + setOptions.ttlMs;
      await query(
        (tables) =>
          `INSERT INTO ${tables.kv} (namespace, key, value, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
        [namespace, key, canonicalJson(value), expiresAt],
      );
    },
    setIfAbsent,
    async compareAndSet(namespace, key, expected, next) {
      if (expected === undefined) return setIfAbsent(namespace, key, next);
      // Under READ COMMITTED a second UPDATE waits for the first, then re-checks `value`: one wins.
      const result = await query(
        (tables) =>
          `UPDATE ${tables.kv} SET value = $1, expires_at = NULL
           WHERE namespace = $2 AND key = $3 AND value = $4 AND ${live(5)}`,
        [canonicalJson(next), namespace, key, canonicalJson(expected), Date.now()],
      );
      return result.rowCount === 1;
    },
    async delete(namespace, key) {
      const { rows } = await query(
        (tables) => `DELETE FROM ${tables.kv} WHERE namespace = $1 AND key = $2 RETURNING expires_at`,
        [namespace, key],
      );
      const expiresAt = rows[0]?.expires_at;
      return rows.length > 0 && (expiresAt === null || Number(expiresAt) > Date.now());
    },
    async *list<T>(namespace: string, listOptions: { prefix?: string } = {}) {
      const prefix = listOptions.prefix ?? "";
      const rows = paged<Record<string, unknown>>(async (after) => {
        const result = await query(
          (tables) =>
            `SELECT key, value FROM ${tables.kv}
             WHERE namespace = $1 AND key ${after ? ">" : ">="} $2 AND ${live(3)} ORDER BY key LIMIT $4`,
          [namespace, after ? after.key : prefix, Date.now(), pageSize],
        );
        return result.rows;
      });
      for await (const row of rows) {
        const key = String(row.key);
        // Keys sharing a prefix are contiguous in byte order: the first key without it ends the list.
        if (!key.startsWith(prefix)) return;
        yield { key, value: parseStored<T>(row.value, { store: name, namespace, key }) };
      }
    },
    append,
    async *read<T>(log: string, readOptions: { fromSeq?: number } = {}) {
      const rows = paged<Record<string, unknown>>(async (after) => {
        const result = await query(
          (tables) =>
            `SELECT seq, value FROM ${tables.log} WHERE log = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
          [log, after ? Number(after.seq) + 1 : (readOptions.fromSeq ?? 1), pageSize],
        );
        return result.rows;
      });
      for await (const row of rows) {
        const seq = Number(row.seq);
        yield {
          seq,
          value: parseStored<T>(row.value, {
            store: name,
            file: `table ${options.schema ?? "public"}.cloudsteward_log`,
            log,
            seq,
          }),
        };
      }
    },
    close: () => database.close(),
  };
}

interface Tables {
  kv: string;
  log: string;
}

function live(parameter: number): string {
  return `(expires_at IS NULL OR expires_at > $${parameter})`;
}

async function openDatabase(options: PostgresStoreOptions): Promise<{ pool: PostgresPool; tables: Tables }> {
  const schema = quoteIdentifier(options.schema ?? "public");
  const pool = withTypedErrors(options.pool ?? (await createPool(options)));
  const tables = { kv: `${schema}.cloudsteward_kv`, log: `${schema}.cloudsteward_log` };
  if (options.readOnly) return { pool, tables };
  let client: PostgresClient | undefined;
  try {
    client = await pool.connect();
    // Serialize schema creation: concurrent `CREATE TABLE IF NOT EXISTS` can still collide.
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('cloudsteward:schema', 0))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // COLLATE "C" orders keys by bytes, as the other stores do, and lets prefix scans use the index.
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.kv} (
      namespace text COLLATE "C" NOT NULL,
      key text COLLATE "C" NOT NULL,
      value text NOT NULL,
      expires_at bigint,
      PRIMARY KEY (namespace, key)
    )`);
    const { rows: existing } = await client.query("SELECT to_regclass($1) IS NOT NULL AS found", [
      tables.log,
    ]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.log} (
      log text COLLATE "C" NOT NULL,
      seq bigint NOT NULL,
      value text NOT NULL,
      PRIMARY KEY (log, seq)
    )`);
    // Log values are stored uncompressed: an audit record is mostly finding ids and digests, which do
    // not compress, and PostgreSQL tried (pglz, about 27 MB/s) on every value over 2 KB before
    // storing it as it was (pg_column_size equal to the text's length for all 3,080 records of the
    // e2e benchmark). Only on a table made now: a table's owner may have chosen otherwise since.
    if (existing[0]?.found !== true)
      await client.query(`ALTER TABLE ${tables.log} ALTER COLUMN value SET STORAGE EXTERNAL`);
    await client.query(`DELETE FROM ${tables.kv} WHERE expires_at <= $1`, [Date.now()]);
    await client.query("COMMIT");
    client.release();
  } catch (error) {
    await client?.query("ROLLBACK").catch(() => undefined);
    // Release before ending the pool: `end()` waits for every checked-out client.
    client?.release(true);
    if (!options.pool) await pool.end().catch(() => undefined);
    throw error;
  }
  return { pool, tables };
}

async function createPool(options: PostgresStoreOptions): Promise<PostgresPool> {
  const connectionString = await resolveSecret(options.connectionString, {
    option: "connectionString",
    env: "DATABASE_URL",
    integration: "postgresStore",
  });
  let Pool: new (config: {
    connectionString: string;
    max: number;
  }) => PostgresPool & { on(event: "error", listener: (error: Error) => void): unknown };
  try {
    const module = await import("pg");
    Pool = (module.default ?? module).Pool as unknown as typeof Pool;
  } catch (error) {
    throw missingDependency("postgresStore", "pg", error);
  }
  const pool = new Pool({ connectionString, max: options.maxConnections ?? 10 });
  // An idle connection that drops (a server restart) is reported here; without a listener Node
  // would crash. The next query gets a fresh connection or fails with a ConnectionError.
  pool.on("error", () => {});
  return pool;
}

/** Wraps a pool so that its failures become typed errors (see {@link toTypedError}). */
function withTypedErrors(pool: PostgresPool): PostgresPool {
  return {
    query: (text, values) => pool.query(text, values).catch(toTypedError),
    async connect() {
      const client = await pool.connect().catch(toTypedError);
      return {
        query: (text, values) => client.query(text, values).catch(toTypedError),
        release: (error) => client.release(error),
      };
    },
    end: () => pool.end(),
  };
}

// SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, cannot connect now), and
// the socket errors Node reports before PostgreSQL says anything.
const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
]);
// Serialization failure and deadlock: the transaction was rolled back and may simply be run again.
const retryableCodes = new Set(["40001", "40P01"]);

/**
 * Rethrows a PostgreSQL or socket failure as a `ConnectionError` (retryable) when the connection
 * failed, else as a `CloudstewardError` with code `UPSTREAM` carrying the SQLSTATE. Messages hold
 * the server's message, never the connection string.
 */
function toTypedError(error: unknown): never {
  if (isCloudstewardError(error)) throw error;
  const code =
    typeof error === "object" && error !== null ? String((error as { code?: unknown }).code ?? "") : "";
  const message = error instanceof Error ? error.message : String(error);
  if (connectionCodes.has(code) || code.startsWith("08") || /Connection terminated/i.test(message)) {
    throw new ConnectionError(
      `postgresStore: the connection to PostgreSQL failed (${code || message}). Check that the server runs and that connectionString or DATABASE_URL points at it.`,
      { integration: "postgres", cause: error },
    );
  }
  throw new CloudstewardError(
    `postgresStore: PostgreSQL refused the statement (SQLSTATE ${code || "unknown"}: ${message}).`,
    {
      code: "UPSTREAM",
      cause: error,
      isRetryable: retryableCodes.has(code),
    },
  );
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
