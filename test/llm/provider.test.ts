import { EventEmitter } from "eventemitter3";
import { HttpResponse, http, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PipelineEvents } from "../../src/core/events.js";
import { providerClient } from "../../src/llm/provider.js";
import { openaiQuotaCode } from "../../src/llm/quota.js";

const base = "http://127.0.0.1:8181/v1";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Answers every model call with `status` and `body`, counting the calls and keeping the headers seen. */
function answer(status: number, body: JsonBodyType = { ok: true }) {
  const seen: Headers[] = [];
  server.use(
    http.post(`${base}/chat`, ({ request }) => {
      seen.push(request.headers);
      return HttpResponse.json(body, { status, headers: { "retry-after-ms": "0" } });
    }),
  );
  return seen;
}

const call = { json: { prompt: "x" } };

describe("providerClient", () => {
  it("retries a POST model call on a 5xx twice by default, announcing each retry", async () => {
    const seen = answer(503, { error: { message: "overloaded" } });
    const events = new EventEmitter<PipelineEvents>();
    const retried: number[] = [];
    events.on("request-retried", (event) => retried.push(event.attempt));
    const client = providerClient({ events }, { integration: "acme-llm", baseUrl: base });
    const error = await client.post("/chat", call).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "UPSTREAM", integration: "acme-llm", status: 503 });
    expect(seen).toHaveLength(3);
    expect(retried).toEqual([1, 2]);
  });

  it("takes maxRetries from the user's options", async () => {
    const seen = answer(500);
    const client = providerClient({ maxRetries: 0 }, { integration: "acme-llm", baseUrl: base });
    await expect(client.post("/chat", call)).rejects.toMatchObject({ code: "UPSTREAM" });
    expect(seen).toHaveLength(1);
  });

  it("fails an out-of-quota 429 at once when the provider names its quota code, and retries it otherwise", async () => {
    const seen = answer(429, { error: { code: "insufficient_quota", message: "You exceeded your quota" } });
    const settings = { integration: "acme-llm", baseUrl: base };
    const quota = providerClient({}, { ...settings, quotaCode: openaiQuotaCode });
    await expect(quota.post("/chat", call)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      isRetryable: false,
    });
    expect(seen).toHaveLength(1);
    await expect(providerClient({ maxRetries: 1 }, settings).post("/chat", call)).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
    expect(seen).toHaveLength(3);
  });

  it("sends through options.fetch, or through the provider's own fetch when it wraps one", async () => {
    const seen = answer(200);
    const through: string[] = [];
    const userFetch: typeof fetch = (input, init) => {
      through.push("user");
      return globalThis.fetch(input, init);
    };
    const settings = { integration: "acme-llm", baseUrl: base, quotaCode: openaiQuotaCode };
    expect(await providerClient({ fetch: userFetch }, settings).post("/chat", call)).toEqual({ ok: true });
    const signing: typeof fetch = (input, init) => {
      through.push("provider");
      return userFetch(input, init);
    };
    await providerClient({ fetch: userFetch }, { ...settings, fetch: signing }).post("/chat", call);
    expect(through).toEqual(["user", "provider", "user"]);
    expect(seen).toHaveLength(2);
  });

  it("sends the provider's headers and puts its auth hint and error detail in a 401's message", async () => {
    const seen = answer(401, { error: { message: "invalid x-api-key" } });
    const client = providerClient(
      {},
      {
        integration: "acme-llm",
        baseUrl: base,
        headers: async () => ({ "x-api-key": "sk-acme-secret" }),
        authHint: "check ACME_API_KEY",
        errorDetail: (body) => (body as { error?: { message?: string } }).error?.message,
      },
    );
    const error = await client.post("/chat", call).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "AUTHENTICATION", integration: "acme-llm" });
    expect((error as Error).message).toContain("check ACME_API_KEY");
    expect((error as Error).message).toContain("invalid x-api-key");
    expect((error as Error).message).not.toContain("sk-acme-secret");
    expect(seen[0]?.get("x-api-key")).toBe("sk-acme-secret");
  });

  it("lets the user's timeoutMs win over the provider's default", async () => {
    server.use(http.post(`${base}/chat`, () => new Promise<Response>(() => {})));
    const settings = { integration: "acme-llm", baseUrl: base, timeoutMs: 60_000 };
    await expect(
      providerClient({ timeoutMs: 20, maxRetries: 0 }, settings).post("/chat", call),
    ).rejects.toMatchObject({ code: "TIMEOUT" });
    await expect(
      providerClient({ maxRetries: 0 }, { ...settings, timeoutMs: 20 }).post("/chat", call),
    ).rejects.toMatchObject({ code: "TIMEOUT" });
  });
});
