/** A freshly issued access token and how long it lives. */
export interface IssuedToken {
  token: string;
  /** The token's lifetime from now, in milliseconds. */
  lifetimeMs: number;
}

/** An access token cached until shortly before it expires, issued once however many calls wait for it. */
export interface CachedToken {
  /** The cached token while it is fresh, else a newly issued one (concurrent callers share one request). */
  get(): Promise<string>;
  /** The cached token, if any, without issuing one (e.g. to scrub it from errors). */
  peek(): string | undefined;
  /** Forgets the cached token (after a 401), so the next `get()` issues a new one. */
  clear(): void;
}

/**
 * Caches the tokens `issue` returns: each is renewed five minutes before it expires (at half-life for
 * tokens shorter than ten minutes), and concurrent calls while one is being issued share that request.
 * @example
 * const token = cachedToken(async () => ({ token: await login(), lifetimeMs: 3_600_000 }));
 * const headers = { authorization: `Bearer ${await token.get()}` };
 */
export function cachedToken(issue: () => Promise<IssuedToken>): CachedToken {
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return {
    get() {
      if (cached && Date.now() < cached.refreshAt) return Promise.resolve(cached.token);
      pending ??= issue()
        .then(({ token, lifetimeMs }) => {
          const refreshInMs = lifetimeMs > 600_000 ? lifetimeMs - 300_000 : lifetimeMs / 2;
          cached = { token, refreshAt: Date.now() + refreshInMs };
          return token;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
    peek: () => cached?.token,
    clear() {
      cached = undefined;
    },
  };
}
