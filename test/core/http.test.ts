import { EventEmitter } from "eventemitter3";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  isCloudstewardError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  UpstreamError,
} from "../../src/core/errors.js";
import type { PipelineEvents } from "../../src/core/events.js";
import { createHttpClient, type FailedRequest, parseRetryAfter } from "../../src/core/http.js";
import { createRateLimiter } from "../../src/core/rate-limiter.js";

const base = "https://api.example.test";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function client(overrides: Partial<Parameters<typeof createHttpClient>[0]> = {}) {
  return createHttpClient({
    integration: "demo",
    baseUrl: base,
    headers: { authorization: "Bearer sekret-token-123456" },
    retry: { limit: 3, baseDelayMs: 1 },
    ...overrides,
  });
}

/** Answers with the given responses in turn, counting calls. */
function sequence(method: "get" | "post", path: string, responses: (() => Response)[]) {
  const calls: Request[] = [];
  server.use(
    http[method](`${base}${path}`, ({ request }) => {
      calls.push(request.clone());
      const next = responses[Math.min(calls.length - 1, responses.length - 1)]!;
      return next();
    }),
  );
  return calls;
}

/** The error a promise rejects with, typed loosely so a test can read any error field. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (caught: unknown) => caught as Error & Record<string, unknown>,
  );

const ok = () => HttpResponse.json({ ok: true });
const tooMany = () => new HttpResponse(null, { status: 429, headers: { "retry-after": "0" } });
const unavailable = () => HttpResponse.json({ message: "down" }, { status: 503 });

describe("createHttpClient", () => {
  it("resolves paths against the base URL and returns parsed JSON with the request id", async () => {
    server.use(
      http.get(`${base}/v1/items`, ({ request }) =>
        HttpResponse.json(
          { q: new URL(request.url).searchParams.get("q") },
          { headers: { "x-request-id": "r-1" } },
        ),
      ),
    );
    const response = await client().request<{ q: string }>("GET", "/v1/items", {
      searchParams: { q: "a b" },
    });
    expect(response).toMatchObject({ status: 200, data: { q: "a b" }, requestId: "r-1" });
  });

  it("retries a 429 on any method, honouring Retry-After, and emits request-retried", async () => {
    const events = new EventEmitter<PipelineEvents>();
    const retried: PipelineEvents["request-retried"][0][] = [];
    events.on("request-retried", (event) => retried.push(event));
    const calls = sequence("post", "/v1/items", [tooMany, tooMany, ok]);
    await expect(client({ events }).post("/v1/items", { json: { a: 1 } })).resolves.toEqual({ ok: true });
    expect(calls).toHaveLength(3);
    expect(retried.map((event) => [event.attempt, event.delayMs, event.error.code])).toEqual([
      [1, 0, "RATE_LIMITED"],
      [2, 0, "RATE_LIMITED"],
    ]);
  });

  it("retries 5xx for GET but never retries a create (POST) blindly", async () => {
    const gets = sequence("get", "/v1/items", [unavailable, ok]);
    await expect(client().get("/v1/items")).resolves.toEqual({ ok: true });
    expect(gets).toHaveLength(2);

    const posts = sequence("post", "/v1/items", [unavailable, ok]);
    await expect(client().post("/v1/items", { json: {} })).rejects.toBeInstanceOf(UpstreamError);
    expect(posts).toHaveLength(1);
  });

  it("retries a POST marked idempotent (a read sent as POST)", async () => {
    const calls = sequence("post", "/graphql", [unavailable, unavailable, ok]);
    await expect(client().post("/graphql", { json: { query: "{ a }" }, idempotent: true })).resolves.toEqual({
      ok: true,
    });
    expect(calls).toHaveLength(3);
  });

  it("gives up after the rate-limit retry limit with a RateLimitError carrying retryAfterMs", async () => {
    const calls = sequence("get", "/v1/items", [tooMany]);
    const error = await failure(client().get("/v1/items"));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 0, isRetryable: true, integration: "demo" });
    expect(calls).toHaveLength(11); // the first attempt and the default 10 rate-limit retries
    const limited = sequence("get", "/v1/few", [tooMany]);
    await failure(client({ retry: { limit: 3, rateLimitLimit: 2, baseDelayMs: 1 } }).get("/v1/few"));
    expect(limited).toHaveLength(3);
  });

  it("counts rate-limit retries apart from 5xx retries, so a busy tenant does not spend the failure budget", async () => {
    const calls = sequence("get", "/v1/busy", [
      unavailable,
      unavailable,
      unavailable,
      tooMany,
      tooMany,
      tooMany,
      tooMany,
      ok,
    ]);
    await expect(
      client({ retry: { limit: 3, rateLimitLimit: 4, baseDelayMs: 1 } }).get("/v1/busy"),
    ).resolves.toEqual({
      ok: true,
    });
    expect(calls).toHaveLength(8);
    const exhausted = sequence("get", "/v1/down", [unavailable]);
    expect(
      await failure(client({ retry: { limit: 3, rateLimitLimit: 4, baseDelayMs: 1 } }).get("/v1/down")),
    ).toBeInstanceOf(UpstreamError);
    expect(exhausted).toHaveLength(4);
  });

  it("maps statuses to error classes", async () => {
    const cases = [
      [400, BadRequestError, "BAD_REQUEST"],
      [403, PermissionDeniedError, "PERMISSION_DENIED"],
      [404, NotFoundError, "NOT_FOUND"],
      [500, UpstreamError, "UPSTREAM"],
    ] as const;
    for (const [status, type, code] of cases) {
      server.use(http.get(`${base}/s${status}`, () => HttpResponse.json({ error: "nope" }, { status })));
      const error = await failure(client({ retry: { limit: 0 } }).get(`/s${status}`));
      expect(error).toBeInstanceOf(type);
      expect(isCloudstewardError(error, code)).toBe(true);
      expect(error.message).toContain(`demo: GET /s${status} returned ${status}`);
      expect(error.message).toContain("nope");
    }
  });

  it("refreshes credentials once on a 401 and retries with fresh headers", async () => {
    let token = "old-token-abcdefgh";
    const onUnauthorized = vi.fn(() => {
      token = "new-token-abcdefgh";
    });
    server.use(
      http.get(`${base}/me`, ({ request }) =>
        request.headers.get("authorization") === "Bearer new-token-abcdefgh"
          ? HttpResponse.json({ me: 1 })
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    const api = client({ headers: () => ({ authorization: `Bearer ${token}` }), onUnauthorized });
    await expect(api.get("/me")).resolves.toEqual({ me: 1 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("refreshes again when a fresh token expires too, but never retries the same rejected credentials", async () => {
    let generation = 1;
    const onUnauthorized = vi.fn(() => {
      generation++;
    });
    server.use(
      http.get(`${base}/busy`, ({ request }) =>
        request.headers.get("authorization") === "Bearer token-3"
          ? HttpResponse.json({ ok: true })
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    const rotating = client({
      headers: () => ({ authorization: `Bearer token-${generation}` }),
      onUnauthorized,
    });
    await expect(rotating.get("/busy")).resolves.toEqual({ ok: true });
    expect(onUnauthorized).toHaveBeenCalledTimes(2);

    const stuck = vi.fn();
    const fixed = client({ headers: { authorization: "Bearer token-9" }, onUnauthorized: stuck });
    expect(await failure(fixed.get("/busy"))).toBeInstanceOf(AuthenticationError);
    expect(stuck).toHaveBeenCalledTimes(1);
  });

  it("keeps credentials out of errors: header values, configured secrets and URL secrets", async () => {
    server.use(
      http.get(`${base}/echo`, ({ request }) =>
        HttpResponse.json(
          { error: `bad token ${request.headers.get("authorization")} for client-secret-xyz` },
          { status: 401 },
        ),
      ),
    );
    const error = await failure(
      client({ secrets: () => ["client-secret-xyz"], authHint: "check DEMO_TOKEN" }).get("/echo", {
        searchParams: { access_token: "url-secret-987654" },
      }),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    const everything = JSON.stringify({ message: error.message, url: error.url, body: error.body });
    expect(everything).not.toContain("sekret-token-123456");
    expect(everything).not.toContain("client-secret-xyz");
    expect(everything).not.toContain("url-secret-987654");
    expect(error.message).toContain("check DEMO_TOKEN");
  });

  it("maps network failures to ConnectionError after retrying idempotent requests", async () => {
    const calls = sequence("get", "/net", [() => HttpResponse.error()]);
    const error = await failure(client().get("/net"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.isRetryable).toBe(true);
    expect(calls).toHaveLength(4);
  });

  it("answers a 200 whose body is not JSON (a proxy's HTML) with InvalidResponseError, not a connection error", async () => {
    const calls = sequence("get", "/html", [
      () => new HttpResponse("<html>Sign in</html>", { headers: { "content-type": "text/html" } }),
    ]);
    const error = await failure(client().get("/html"));
    expect(isCloudstewardError(error, "INVALID_RESPONSE")).toBe(true);
    expect(error.message).toContain("text/html");
    expect(calls).toHaveLength(1);
  });

  it("retries a failure reported in a 200's body: rate limits on any method, transient ones on reads only", async () => {
    const failureInBody = (response: { data: unknown }, request: FailedRequest) => {
      const error = (response.data as { error?: string }).error;
      // The response did not fail: the error has no status, and `request` brings the secrets to mask.
      const details = { integration: "demo", ...request };
      if (error === "slow down") return new RateLimitError("demo: slow down", details);
      if (error === "hiccup") return new UpstreamError("demo: hiccup", { ...details, isRetryable: true });
      if (error === "denied") return new UpstreamError("demo: denied", details);
      return undefined;
    };
    const limited = sequence("post", "/create", [() => HttpResponse.json({ error: "slow down" }), ok]);
    expect(await client({ failureInBody }).post("/create")).toEqual({ ok: true });
    expect(limited).toHaveLength(2);

    const transient = sequence("post", "/read", [() => HttpResponse.json({ error: "hiccup" }), ok]);
    expect(await client({ failureInBody }).post("/read", { idempotent: true })).toEqual({ ok: true });
    expect(transient).toHaveLength(2);
    const notRetried = sequence("post", "/write", [() => HttpResponse.json({ error: "hiccup" }), ok]);
    expect((await failure(client({ failureInBody }).post("/write"))).message).toBe("demo: hiccup");
    expect(notRetried).toHaveLength(1);

    const final = sequence("post", "/denied", [() => HttpResponse.json({ error: "denied" }), ok]);
    const error = await failure(client({ failureInBody }).post("/denied", { idempotent: true }));
    expect(error).toMatchObject({ message: "demo: denied", url: `${base}/denied`, method: "POST" });
    expect(error.status).toBeUndefined();
    expect(final).toHaveLength(1);
  });

  it("maps a slow response to TimeoutError", async () => {
    server.use(
      http.get(`${base}/slow`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return HttpResponse.json({});
      }),
    );
    await expect(client({ retry: { limit: 0 }, timeoutMs: 20 }).get("/slow")).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it("rejects with the signal's reason when aborted, unwrapped, also while waiting to retry", async () => {
    server.use(
      http.get(
        `${base}/wait`,
        () => new HttpResponse(null, { status: 429, headers: { "retry-after": "30" } }),
      ),
    );
    const controller = new AbortController();
    const pending = client().get("/wait", { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await failure(pending);
    expect(error).toBe(controller.signal.reason);
    expect(error.name).toBe("AbortError");
    expect(isCloudstewardError(error)).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    [{ "retry-after": "7" }, 7000],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, 30_000],
    [{ "retry-after-ms": "250" }, 250],
    [{ "x-ratelimit-reset": String(now / 1000 + 12) }, 12_000],
    [{ "ratelimit-reset": "3" }, 3000],
    [{ "retry-after": "soon" }, undefined],
    [{}, undefined],
  ])("%j → %s ms", (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers), now)).toBe(expected);
  });
});

describe("createRateLimiter", () => {
  it("lets a burst through, then paces at the configured rate", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const limiter = createRateLimiter({ requestsPerSecond: 10, burst: 2 });
      const granted: number[] = [];
      const takes = [1, 2, 3, 4].map((n) => limiter.take().then(() => granted.push(n)));
      await vi.advanceTimersByTimeAsync(0);
      expect(granted).toEqual([1, 2]);
      await vi.advanceTimersByTimeAsync(100);
      expect(granted).toEqual([1, 2, 3]);
      await vi.advanceTimersByTimeAsync(100);
      expect(granted).toEqual([1, 2, 3, 4]);
      await Promise.all(takes);
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects a wait with the signal's reason", async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1, burst: 1 });
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBe(controller.signal.reason);
  });
});
