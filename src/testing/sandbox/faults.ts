import type { SandboxFaults } from "./emulation.js";

/** The fault machinery one emulation applies to its requests. */
export interface Faults {
  /** The configuration it was created from. */
  readonly config: SandboxFaults;
  /**
   * Applies latency, then answers with a fault when one is due: 429 with `Retry-After` when the client
   * goes faster than `rateLimit`, 503 for a `serverErrors` burst. `undefined` lets the request through.
   */
  before(request: Request): Promise<Response | undefined>;
  /**
   * Counts one use of an access token and says whether it has expired (`tokenTtlRequests`). The first
   * `tokenTtlRequests` uses are valid; every later one gets a 401.
   */
  tokenExpired(token: string): boolean;
  /** True when the record at this index of a list (in the full, unfiltered list) must be served malformed. */
  malformed(index: number): boolean;
  /**
   * Counts one create a ticketing emulation made and says how its answer goes: `lost` (the
   * connection drops: answer with {@link droppedConnection}), `server-error` (a 502), or `ok`.
   */
  afterCreate(): "ok" | "lost" | "server-error";
  /** How long a record created now stays invisible to searches (`searchLagMs`). */
  searchLag(): number;
  /** What the faults did so far, for tests. */
  readonly stats: FaultStats;
}

/** Counters of {@link Faults}. */
export interface FaultStats {
  requests: number;
  rateLimited: number;
  serverErrors: number;
  expiredTokens: number;
  /** Records created, including those whose answer was lost or a 5xx. */
  creates: number;
  lostCreateResponses: number;
  serverErrorsAfterCreate: number;
}

/**
 * Creates the fault machinery for one emulation (each emulation has its own limits and counters).
 * @example
 * const faults = createFaults({ rateLimit: { requestsPerSecond: 5 }, serverErrors: { every: 10 } });
 * const fault = await faults.before(request);
 * if (fault) return fault;
 */
export function createFaults(config: SandboxFaults = {}, clock: () => number = Date.now): Faults {
  const stats: FaultStats = {
    requests: 0,
    rateLimited: 0,
    serverErrors: 0,
    expiredTokens: 0,
    creates: 0,
    lostCreateResponses: 0,
    serverErrorsAfterCreate: 0,
  };
  // A small deterministic generator for the per-record search lag.
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const bucket = config.rateLimit
    ? {
        capacity: Math.max(1, config.rateLimit.burst ?? Math.ceil(config.rateLimit.requestsPerSecond)),
        msPerToken: 1000 / config.rateLimit.requestsPerSecond,
        tokens: Math.max(1, config.rateLimit.burst ?? Math.ceil(config.rateLimit.requestsPerSecond)),
        updatedAt: clock(),
      }
    : undefined;
  let failuresLeft = 0;
  const tokenUses = new Map<string, number>();

  return {
    config,
    stats,
    async before() {
      stats.requests++;
      if (config.latencyMs) await new Promise((resolve) => setTimeout(resolve, config.latencyMs));
      if (bucket) {
        const now = clock();
        bucket.tokens = Math.min(
          bucket.capacity,
          bucket.tokens + (now - bucket.updatedAt) / bucket.msPerToken,
        );
        bucket.updatedAt = now;
        if (bucket.tokens < 1) {
          stats.rateLimited++;
          const waitSeconds = Math.max(1, Math.ceil(((1 - bucket.tokens) * bucket.msPerToken) / 1000));
          return jsonResponse(
            429,
            { errors: [{ message: "Rate limit exceeded, retry later" }] },
            {
              "retry-after": String(waitSeconds),
            },
          );
        }
        bucket.tokens -= 1;
      }
      if (config.serverErrors && config.serverErrors.every > 0) {
        if (stats.requests % config.serverErrors.every === 0) failuresLeft = config.serverErrors.burst ?? 1;
        if (failuresLeft > 0) {
          failuresLeft--;
          stats.serverErrors++;
          return new Response("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", {
            status: 503,
            headers: { "content-type": "text/html" },
          });
        }
      }
      return undefined;
    },
    tokenExpired(token) {
      if (!config.tokenTtlRequests) return false;
      const uses = (tokenUses.get(token) ?? 0) + 1;
      tokenUses.set(token, uses);
      const expired = uses > config.tokenTtlRequests;
      if (expired) stats.expiredTokens++;
      return expired;
    },
    afterCreate() {
      stats.creates++;
      const due = (every: number | undefined) =>
        every !== undefined && every > 0 && stats.creates % every === 0;
      if (due(config.lostCreateResponses?.every)) {
        stats.lostCreateResponses++;
        return "lost";
      }
      if (due(config.serverErrorsAfterCreate?.every)) {
        stats.serverErrorsAfterCreate++;
        return "server-error";
      }
      return "ok";
    },
    searchLag() {
      const lag = config.searchLagMs;
      if (lag === undefined) return 0;
      if (typeof lag === "number") return lag;
      return Math.round(lag.min + random() * (lag.max - lag.min));
    },
    malformed(index) {
      const every = config.malformedRecordEvery;
      return every !== undefined && every > 0 && (index + 1) % every === 0;
    },
  };
}

/** A JSON response, the shape every emulation answers with. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * The answer of a request whose connection dropped after the server acted: `Response.error()`, which
 * `emulationFetch` and msw turn into a network error and `startSandbox()` into a closed socket.
 */
export function droppedConnection(): Response {
  return Response.error();
}

/** The settle window a sink needs against an emulation with this `searchLagMs`: its longest lag. */
export function maxSearchLag(config: SandboxFaults): number {
  const lag = config.searchLagMs;
  return lag === undefined ? 0 : typeof lag === "number" ? lag : lag.max;
}
