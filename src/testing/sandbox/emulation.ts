/**
 * The contract every emulated API in the sandbox implements (CNAPPs, Jira, ServiceNow, Slack…).
 * An emulation is a Fetch-style handler mounted under a path prefix (`/wiz`, `/jira`), so the same
 * object serves the real HTTP server of `startSandbox()`, an in-process fetch ({@link emulationFetch})
 * and the msw handlers of `cloudsteward/testing/msw` in unit tests.
 */
export interface Emulation<Options = unknown> {
  /** The prefix and the key of its entry in the sandbox object: `wiz`, `jira`, `servicenow`… */
  readonly name: string;
  /**
   * Answers one request. `path` is the URL path below the prefix (`/graphql`, `/rest/api/3/issue`).
   * Faults (429, 5xx bursts, latency, token expiry, malformed records) are applied inside.
   */
  handle(request: Request, path: string): Promise<Response>;
  /** The options object the integration's factory takes, pointing at `baseUrl` (the prefix's URL). */
  options(baseUrl: string): Options;
}

/**
 * A fetch function that answers from an emulation mounted at `baseUrl`, for unit tests.
 * @example
 * const fetch = emulationFetch(jiraEmulation(), "http://sandbox.test/jira");
 */
export function emulationFetch(emulation: Emulation, baseUrl: string): typeof globalThis.fetch {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, "");
  return async (input, init) => {
    const request = new Request(input, init);
    request.signal.throwIfAborted();
    const path = new URL(request.url).pathname;
    const response = await emulation.handle(
      request,
      path.startsWith(prefix) ? path.slice(prefix.length) || "/" : path,
    );
    // A dropped connection (`Response.error()`), as undici reports it.
    if (response.type === "error")
      throw new TypeError("fetch failed", { cause: new Error("other side closed") });
    return response;
  };
}

/** Opt-in faults, shared by every emulation (the `faults` option of `startSandbox`). */
export interface SandboxFaults {
  /** Answer 429 with Retry-After when a client goes faster than this. */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  /** Answer 503 to every Nth request (a 5xx burst of `burst` requests, default 1). */
  serverErrors?: { every: number; burst?: number };
  /** Added latency per request, in milliseconds. */
  latencyMs?: number;
  /** Access tokens expire after this many API requests (the next request gets a 401). */
  tokenTtlRequests?: number;
  /** Every Nth record of a list response is malformed (a required field missing). */
  malformedRecordEvery?: number;
  /**
   * Ticketing emulations: a created record shows up in searches only this long after its create
   * (Jira Cloud's eventually consistent search), a fixed delay or one drawn per record from
   * `[min, max]`. Reads by id are immediate, and so are ids passed as Jira's `reconcileIssues`.
   */
  searchLagMs?: number | { min: number; max: number };
  /** Ticketing emulations: every Nth create is made, then its response is lost (the connection drops). */
  lostCreateResponses?: { every: number };
  /** Ticketing emulations: every Nth create is made, then answered with a 502. */
  serverErrorsAfterCreate?: { every: number };
}
