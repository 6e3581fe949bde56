/** Options of a token bucket: a steady rate and a burst allowance. */
export interface RateLimit {
  /** Sustained requests per second. */
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period. @default requestsPerSecond rounded up, at least 1 */
  burst?: number;
}

/** A token-bucket limiter: `take()` resolves when a request may go, so we pace below a vendor's limit. */
export interface RateLimiter {
  take(signal?: AbortSignal): Promise<void>;
}

/**
 * Creates a token bucket. Waiters are served in order; an aborted wait rejects with the signal's reason.
 * @example
 * const limiter = createRateLimiter({ requestsPerSecond: 10, burst: 5 });
 * await limiter.take(signal);
 */
export function createRateLimiter(
  limit: RateLimit,
  clock: () => number = performance.now.bind(performance),
): RateLimiter {
  if (!(limit.requestsPerSecond > 0))
    throw new RangeError("rateLimit.requestsPerSecond must be greater than 0");
  const capacity = Math.max(1, limit.burst ?? Math.ceil(limit.requestsPerSecond));
  const msPerToken = 1000 / limit.requestsPerSecond;
  let tokens = capacity;
  let updatedAt = clock();
  // Each taker reserves its slot on this chain, so concurrent callers are paced one after another.
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = clock();
    tokens = Math.min(capacity, tokens + (now - updatedAt) / msPerToken);
    updatedAt = now;
  };

  return {
    take(signal) {
      const turn = queue.then(async () => {
        refill();
        while (tokens < 1) {
          await sleep((1 - tokens) * msPerToken, signal);
          refill();
        }
        tokens -= 1;
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** Waits `ms` milliseconds; rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
