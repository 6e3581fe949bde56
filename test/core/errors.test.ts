import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  CloudstewardError,
  ConfigurationError,
  ConnectionError,
  InvalidResponseError,
  isCloudstewardError,
  ModelOutputError,
  RateLimitError,
  TimeoutError,
  UpstreamError,
} from "../../src/core/errors.js";
import { createHttpClient } from "../../src/core/http.js";

/** Every secret planted below; none may survive anywhere in an error. */
const secrets = {
  urlPassword: "pw-in-userinfo-1",
  urlToken: "tok-in-url-123456",
  urlClientSecret: "cs-in-url-456789",
  urlSig: "sig-in-url-789012",
  bodyBearer: "bodytoken-abcdef123456",
  headerLine: "hdr-line-token-998877",
  cookie: "cookie-val-665544",
  apiKey: "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
  messageBearer: "msg-token-abcdef123",
  configured: "plain-secret-value",
  causeHeader: "cause-header-token-112233",
  causeMessage: "cause-msg-token-445566",
  nestedCause: "nested-cause-secret-778899",
  aggregate: "aggregate-secret-000111",
  modelText: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
};

const url = `https://bot:${secrets.urlPassword}@api.example.test/v1/items?token=${secrets.urlToken}&client_secret=${secrets.urlClientSecret}&sig=${secrets.urlSig}&page=2`;
const body = [
  JSON.stringify({ error: "bad request", authorization: `Bearer ${secrets.bodyBearer}` }),
  `Authorization: Token ${secrets.headerLine}`,
  `Cookie: session=${secrets.cookie}`,
  `x-api-key: ${secrets.apiKey}`,
  `echo ${secrets.configured}`,
].join("\n");
const message = `demo: GET /v1/items returned 400 for Bearer ${secrets.messageBearer} (${secrets.configured})`;

/** An error like ky's: its `request` carries the Authorization header, its message a token. */
function kyLikeCause(): Error {
  const nested = new Error(`socket closed; password=${secrets.nestedCause}`);
  const error = new TypeError(`fetch failed for ${url} access_token=${secrets.causeMessage}`, {
    cause: nested,
  });
  Object.assign(error, {
    request: new Request("https://api.example.test/v1", {
      headers: { authorization: `Bearer ${secrets.causeHeader}` },
    }),
    options: { headers: { authorization: `Bearer ${secrets.causeHeader}` } },
    code: "ECONNRESET",
  });
  return error;
}

/** Everything a log line or a report could show of an error, its cause chain included. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(
      String((current as Error).message),
      String((current as Error).stack),
      JSON.stringify(current),
      inspect(current, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    );
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

function expectNoSecret(error: unknown) {
  const text = everything(error);
  for (const [where, secret] of Object.entries(secrets)) expect(text, where).not.toContain(secret);
}

describe("error constructors scrub secrets", () => {
  it("ApiError and every subclass: URL, body, message, configured secrets and the cause chain", () => {
    const details = {
      integration: "demo",
      status: 400,
      method: "GET",
      url,
      body,
      secrets: [secrets.configured],
    };
    const errors = [
      new ApiError(message, { ...details, cause: kyLikeCause() }),
      new AuthenticationError(message, { ...details, status: 401, cause: kyLikeCause() }),
      new RateLimitError(message, { ...details, status: 429, retryAfterMs: 5, cause: kyLikeCause() }),
      new UpstreamError(message, {
        ...details,
        status: 503,
        cause: kyLikeCause(),
        errors: [{ message: `Bearer ${secrets.bodyBearer}`, extensions: { apiKey: secrets.configured } }],
      }),
    ];
    for (const error of errors) {
      expectNoSecret(error);
      // What is not secret stays, so the error still says what failed.
      expect(error.url).toBe(
        "https://api.example.test/v1/items?token=[REDACTED:url_param]&client_secret=[REDACTED:url_param]&sig=[REDACTED:url_param]&page=2",
      );
      expect(error.body).toContain("bad request");
      expect(error.message).toContain("demo: GET /v1/items returned 400");
      expect((error.cause as Error & { code?: string }).code).toBe("ECONNRESET");
    }
  });

  it("cuts the body to 2,000 characters after redacting it, so no secret is cut in half and left", () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    const error = new ApiError("demo: failed", {
      integration: "demo",
      status: 500,
      method: "GET",
      url: "https://api.example.test/",
      body: `${"x".repeat(1990)} ${token}`,
    });
    expect(error.body).toHaveLength(2000);
    expect(error.body).not.toContain("eyJhbGci");
  });

  it("transport, response and model errors, and the base class", () => {
    const options = { integration: "demo", cause: kyLikeCause(), secrets: [secrets.configured] };
    const syntax = new SyntaxError(
      `Unexpected token '<', "<html>token=${secrets.urlToken}" is not valid JSON`,
    );
    const errors = [
      new ConnectionError(`demo: GET ${url} failed to connect (${secrets.configured})`, options),
      new TimeoutError(`demo: GET ${url} timed out`, options),
      new InvalidResponseError(`demo: expected JSON from ${url}`, { integration: "demo", cause: syntax }),
      new ModelOutputError(`model said Bearer ${secrets.messageBearer}`, {
        model: "m",
        text: `here is the key ${secrets.modelText} and ${secrets.apiKey}`,
      }),
      new ConfigurationError(`demo: apiUrl ${url} is not reachable`),
      new CloudstewardError(message, {
        code: "UPSTREAM",
        cause: kyLikeCause(),
        secrets: [secrets.configured],
      }),
    ];
    for (const error of errors) expectNoSecret(error);
  });

  it("keeps a clean cause as it is, and a scrubbed copy keeps its class, name and plain fields", () => {
    const clean = new TypeError("fetch failed", {
      cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
    });
    expect(new ConnectionError("demo: failed", { integration: "demo", cause: clean }).cause).toBe(clean);
    const inner = new ConfigurationError("demo: missing");
    expect(new CloudstewardError("outer", { code: "CONFIGURATION", cause: inner }).cause).toBe(inner);

    const copied = new ConnectionError("demo: failed", { integration: "demo", cause: kyLikeCause() })
      .cause as Error & Record<string, unknown>;
    expect(copied).toBeInstanceOf(TypeError);
    expect(copied.name).toBe("TypeError");
    expect(copied.message).toContain("fetch failed for https://");
    expect(copied.request).toBeUndefined();
    expect(copied.options).toBeUndefined();
    expect((copied.cause as Error).message).toBe("socket closed; password=[REDACTED:password]");

    const aggregate = new AggregateError([new Error(`token=${secrets.aggregate}`)], "all failed");
    const fromAggregate = new ConnectionError("demo: failed", { integration: "demo", cause: aggregate });
    expectNoSecret(fromAggregate);
    expect((fromAggregate.cause as AggregateError).errors).toHaveLength(1);

    const domException = new DOMException(`token=${secrets.aggregate}`, "NetworkError");
    const fromDom = new ConnectionError("demo: failed", { integration: "demo", cause: domException });
    expectNoSecret(fromDom);
    expect((fromDom.cause as Error).name).toBe("NetworkError");

    const plain = new CloudstewardError("x", {
      code: "UPSTREAM",
      cause: { password: "hunter2-hunter2", n: 1 },
    });
    expect(plain.cause).toEqual({ password: "[REDACTED:password]", n: 1 });
  });

  it("reports no status for a failure read from a successful response's body", () => {
    const inBody = new UpstreamError("demo: GraphQL error", {
      integration: "demo",
      method: "POST",
      url: "https://x.test/graphql",
    });
    expect(inBody.status).toBeUndefined();
    expect(inBody.isRetryable).toBe(false);
    expect(isCloudstewardError(inBody, "UPSTREAM")).toBe(true);
    expect(
      new UpstreamError("demo: down", { integration: "demo", status: 503, method: "GET", url: "/" })
        .isRetryable,
    ).toBe(true);
  });
});

describe("errors from the HTTP client carry no credential", () => {
  const base = "https://api.example.test";
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const token = "client-bearer-token-5566778899";
  const client = (timeoutMs?: number) =>
    createHttpClient({
      integration: "demo",
      baseUrl: base,
      headers: { authorization: `Bearer ${token}`, "x-redlock-auth": "redlock-jwt-value-12345" },
      secrets: () => [secrets.configured],
      retry: { limit: 0 },
      timeoutMs,
    });

  it("a 401 that echoes the request's headers and a configured secret", async () => {
    server.use(
      http.get(`${base}/echo`, ({ request }) =>
        HttpResponse.json(
          {
            message: `rejected ${request.headers.get("authorization")} / ${request.headers.get("x-redlock-auth")} / ${secrets.configured}`,
          },
          { status: 401 },
        ),
      ),
    );
    const error = await client()
      .get("/echo", { searchParams: { access_token: secrets.urlToken } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    const text = everything(error);
    for (const secret of [token, "redlock-jwt-value-12345", secrets.configured, secrets.urlToken])
      expect(text).not.toContain(secret);
    expect((error as Error).message).toContain("demo: GET /echo returned 401");
  });

  it("a timeout, whose ky cause holds the request with its Authorization header", async () => {
    server.use(
      http.get(`${base}/slow`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return HttpResponse.json({});
      }),
    );
    const error = await client(20)
      .get("/slow")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(everything(error)).not.toContain(token);
  });
});
