import { InvalidResponseError } from "./errors.js";

/** One page of results and the cursor of the page after it. */
export interface Page<T, C> {
  /** The records on this page; may be empty even when more pages follow. */
  items: T[];
  /** The cursor of the next page; `undefined`, `null` or `""` means this was the last page. */
  next?: C | undefined;
}

/** What {@link PaginateOptions.onPage} learns about each page. */
export interface PageInfo<C> {
  /** The cursor this page was fetched with (`undefined` for the first page without a resume cursor). */
  cursor: C | undefined;
  /** The cursor of the next page: persist it to resume after this page. */
  next: C | undefined;
  /** How many items the page held. */
  count: number;
}

/** Options of {@link paginate}. */
export interface PaginateOptions<C> {
  /** Aborts the iteration: the pending page request gets the signal and the iteration rejects with its reason. */
  signal?: AbortSignal;
  /** The cursor to resume from, as reported by `onPage`. @default undefined (the first page) */
  cursor?: C;
  /**
   * Called once every item of a page has been consumed, so `next` is a safe resume point
   * (at-least-once: resuming from it never skips an item). Not called for a page the consumer left
   * early with `break`.
   */
  onPage?: (info: PageInfo<C>) => void | Promise<void>;
  /** The integration named in errors, e.g. `"wiz"`. @default "paginate" */
  integration?: string;
  /**
   * Request the next page as soon as a page arrives, while its items are consumed (one page in
   * flight, at most one page more than the consumer reads). At a vendor's rate limit this hides the
   * consumer's time per page: without it each page is requested only once the previous one is
   * consumed, and a run that does work per page ends that much after the paging alone would. The
   * next page is then requested before `onPage` reports the current one, and one page more is
   * requested (and dropped) when the consumer breaks. A page requested ahead that fails throws when
   * the consumer reaches it, as it would have. @default false
   */
  readAhead?: boolean;
}

/**
 * Turns "fetch one page, say what comes next" into a lazy `AsyncIterable` of items.
 *
 * Nothing is requested until iteration starts, and no further page after the consumer stops (with
 * `readAhead`, the one page already requested is dropped).
 * A page that throws ends the iteration with that error; an aborted `signal` rejects with the
 * signal's reason (an `AbortError`, not wrapped); a page whose `next` equals the cursor it was
 * fetched with throws {@link InvalidResponseError} instead of looping forever. Each `for await`
 * starts again from `options.cursor`.
 *
 * `fetchPage` must close over ONE immutable query (see {@link pinQuery}): changing the filter
 * between pages makes the platform's cursor point into a different result set.
 * @example
 * const query = pinQuery({ severity: ["critical"] });
 * const findings = paginate(async (cursor, signal) => {
 *   const page = await client.issues({ query, cursor, signal });
 *   return { items: page.nodes, next: page.endCursor };
 * }, { signal, onPage: ({ next }) => checkpoint.save(next) });
 * for await (const finding of findings) { … }
 */
export function paginate<T, C = string>(
  fetchPage: (cursor: C | undefined, signal: AbortSignal | undefined) => Promise<Page<T, C>>,
  options: PaginateOptions<C> = {},
): AsyncIterable<T> {
  const { signal, onPage } = options;
  const integration = options.integration ?? "paginate";
  return {
    async *[Symbol.asyncIterator]() {
      let cursor = options.cursor;
      let ahead: Promise<Page<T, C>> | undefined;
      for (;;) {
        signal?.throwIfAborted();
        const page = await abortable(ahead ?? fetchPage(cursor, signal), signal);
        ahead = undefined;
        if (typeof page !== "object" || page === null || !Array.isArray(page.items)) {
          throw new InvalidResponseError(
            `${integration}: a page had no \`items\` array; the page function must return { items, next }.`,
            { integration, issues: [{ path: ["items"], message: "expected an array" }] },
          );
        }
        const next = isEnd(page.next) ? undefined : page.next;
        if (next !== undefined && cursor !== undefined && sameCursor(next, cursor)) {
          throw new InvalidResponseError(
            `${integration}: the API returned the same page cursor twice in a row, so paging stopped instead of looping forever; retry later or narrow the query.`,
            { integration, issues: [{ path: ["next"], message: "cursor did not advance" }] },
          );
        }
        if (options.readAhead && next !== undefined) {
          // A throw, sync or not, is kept for when the consumer reaches that page.
          ahead = new Promise<Page<T, C>>((resolve) => resolve(fetchPage(next, signal)));
          ahead.catch(() => undefined);
        }
        for (const item of page.items) {
          signal?.throwIfAborted();
          yield item;
        }
        await onPage?.({ cursor, next, count: page.items.length });
        if (next === undefined) return;
        cursor = next;
      }
    },
  };
}

/** A deeply read-only view of `T`. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/**
 * Pins a paging query: a deep-frozen structured clone, so later changes by the caller cannot reach
 * a paging loop that closes over it. Meant for plain data (objects, arrays, strings, numbers, dates).
 * @example
 * const query = pinQuery(userQuery); // userQuery.severity.push("low") no longer affects paging
 */
export function pinQuery<Q>(query: Q): DeepReadonly<Q> {
  return deepFreeze(structuredClone(query)) as DeepReadonly<Q>;
}

// Internal helpers.

function isEnd(next: unknown): boolean {
  return next === undefined || next === null || next === "";
}

/** Cursors are strings, numbers or small plain objects (`{ offset, token }`); compare them by value. */
function sameCursor(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b);
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        // A request that failed because of the abort reports the abort, not its own wrapper error.
        reject(signal.aborted ? signal.reason : error);
      },
    );
  });
}

/** Freezes plain objects and arrays all the way down (queries are plain data). */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
