import { existsSync } from "node:fs";
import { ConfigurationError } from "../core/errors.js";
import type { Store } from "../core/store.js";
import { jsonlStore } from "../stores/jsonl.js";
import { postgresStore } from "../stores/postgres.js";
import { type SqliteStoreOptions, sqliteStore } from "../stores/sqlite.js";
import type { CliConfig } from "./config.js";

/** The environment variable with the PostgreSQL URL of `store: { postgres: {} }`. */
export const databaseUrlEnv = "CLOUDSTEWARD_DATABASE_URL";

/**
 * Opens the configured store: {@link openCliStore} for `sqlite` (its path resolved by `path`), or
 * `postgresStore` on the URL in CLOUDSTEWARD_DATABASE_URL for `postgres`. Resolves to the store and
 * where it keeps its state, for messages (never the URL, which holds the password).
 */
export async function openConfiguredStore(
  config: CliConfig["store"],
  options: { path: (file: string) => string; env: Record<string, string | undefined>; readOnly?: boolean },
  stderr: { write(text: string): unknown },
): Promise<{ store: Store; location: string }> {
  const readOnly = options.readOnly ? { readOnly: true } : {};
  if ("sqlite" in config) return openCliStore({ path: options.path(config.sqlite), ...readOnly }, stderr);
  const connectionString = options.env[databaseUrlEnv];
  if (!connectionString) {
    throw new ConfigurationError(
      `The config's store is PostgreSQL, but ${databaseUrlEnv} is not set: set it to postgres://user:password@host/db.`,
      { option: "store.postgres", env: databaseUrlEnv },
    );
  }
  const schema = config.postgres.schema ?? "public";
  return {
    store: postgresStore({ connectionString, schema, ...readOnly }),
    location: `PostgreSQL (${databaseUrlEnv}, schema ${schema})`,
  };
}

/**
 * Opens the CLI's store: SQLite at `options.path` when better-sqlite3 loads (an optional dependency,
 * installed by default), otherwise — on an install where its native build is missing — a JSON Lines
 * store at `<path>.jsonl`, with one warning on `stderr` saying so and how to get SQLite back. An
 * existing SQLite file is never replaced by a fresh JSON Lines store: then better-sqlite3's own error
 * is thrown when the store is first used, since falling back would start the cursors, ledger,
 * approvals and audit log empty. Resolves to the store and the file it keeps its state in.
 */
export async function openCliStore(
  options: SqliteStoreOptions,
  stderr: { write(text: string): unknown },
  load: () => Promise<unknown> = loadBetterSqlite3,
): Promise<{ store: Store; location: string }> {
  const sqlite = () => ({ store: sqliteStore(options), location: options.path });
  if (options.path === ":memory:" || existsSync(options.path)) return sqlite();
  const problem = await load().then(() => undefined, whyUnavailable);
  if (problem === undefined) return sqlite();
  const path = `${options.path}.jsonl`;
  stderr.write(
    `warning: SQLite is unavailable (better-sqlite3: ${problem}), so the store is the JSON Lines file ${path} (one process at a time). Run \`npm rebuild better-sqlite3\` to store in ${options.path} instead.\n`,
  );
  return { store: jsonlStore({ path, ...(options.readOnly ? { readOnly: true } : {}) }), location: path };
}

/** Loads better-sqlite3 and opens an in-memory database, which loads its native build. */
async function loadBetterSqlite3(): Promise<void> {
  const module = await import("better-sqlite3");
  const Database = module.default ?? module;
  new Database(":memory:").close();
}

/** Why better-sqlite3 could not load, in a few words. */
function whyUnavailable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND") return "not installed";
  if (message.includes("bindings file")) return "its native build is missing";
  return message.split("\n")[0] ?? message;
}
