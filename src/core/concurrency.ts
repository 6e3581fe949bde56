/**
 * Maps `iterable` through `fn` with at most `limit` calls in flight, yielding results in input
 * order. It never pulls more than `limit` items ahead of what it has yielded, and when the consumer
 * stops iterating it stops pulling and closes `iterable`. A rejection of `fn` ends the iteration
 * with that error when its turn comes, so a stage that wants per-item dead letters catches inside `fn`.
 * @example
 * for await (const item of mapConcurrent(cases, 4, (item) => explainOne(item))) yield item;
 */
export async function* mapConcurrent<In, Out>(
  iterable: AsyncIterable<In> | Iterable<In>,
  limit: number,
  fn: (item: In, index: number) => Out | PromiseLike<Out>,
): AsyncGenerator<Awaited<Out>, void, undefined> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`mapConcurrent: limit must be a positive integer, got ${limit}.`);
  }
  const iterator =
    Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
  const pending: Promise<Awaited<Out>>[] = [];
  let index = 0;
  let exhausted = false;
  try {
    while (true) {
      while (!exhausted && pending.length < limit) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const position = index++;
        const result = Promise.resolve(next.value).then((item) => fn(item, position));
        // The rejection is observed when its turn comes; this keeps it from being reported as unhandled meanwhile.
        result.catch(() => {});
        pending.push(result as Promise<Awaited<Out>>);
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}

/**
 * A bounded first-in first-out buffer between producers and one consumer, read as an async iterator.
 * `push` is synchronous and says when the buffer is full, so a producer awaits {@link BoundedQueue.space}
 * only then: no promise per item on the fast path.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  /** Items the consumer has taken. */
  taken = 0;
  /** `performance.now()` when the consumer took the first item; 0 before. */
  firstTakeAt = 0;
  /** True once the consumer stopped (`return()`): producers should stop pulling. */
  cancelled = false;
  /** A ring: `size` items from `head`, so taking one never moves the others. */
  private readonly buffer: (T | undefined)[];
  private head = 0;
  private size = 0;
  private readonly takers: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void }[] = [];
  private spaceWaiters: (() => void)[] = [];
  private openProducers: number;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly capacity: number,
    producers = 1,
  ) {
    this.openProducers = producers;
    this.buffer = new Array(capacity);
  }

  /** Adds an item; returns false when the buffer is now full and the producer should await {@link space}. */
  push(item: T): boolean {
    const taker = this.takers.shift();
    if (taker) {
      this.count();
      taker.resolve({ value: item, done: false });
      return true;
    }
    this.buffer[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return this.size < this.capacity;
  }

  /** Resolves when the buffer has room again, or the consumer stopped. */
  space(): Promise<void> {
    if (this.size < this.capacity || this.cancelled) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** One producer is done; after the last one and the buffered items, the iterator ends. */
  end(): void {
    this.openProducers--;
    if (this.openProducers <= 0) this.settleTakers();
  }

  /** Ends the iterator with `error` once the buffered items are taken. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.settleTakers();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.buffer[this.head] as T;
      this.buffer[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      this.count();
      // Waking producers only once the buffer is half empty lets them refill in a run, not item by item.
      if (this.spaceWaiters.length > 0 && this.size <= this.capacity >> 1) this.wakeProducers();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.openProducers <= 0 || this.cancelled) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.takers.push({ resolve, reject }));
  }

  /** The consumer stops: buffered items are dropped and producers are told to stop. */
  return(): Promise<IteratorResult<T>> {
    this.cancelled = true;
    this.buffer.fill(undefined);
    this.size = 0;
    this.wakeProducers();
    this.settleTakers();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private count(): void {
    if (this.taken++ === 0) this.firstTakeAt = performance.now();
  }

  private wakeProducers(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }

  private settleTakers(): void {
    for (const taker of this.takers.splice(0)) {
      if (this.failure) taker.reject(this.failure.error);
      else taker.resolve({ value: undefined, done: true });
    }
  }
}
