import { ConfigurationError } from "../../../core/errors.js";

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
