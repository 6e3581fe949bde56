import { setupServer } from "msw/node";
import { afterEach, describe, expect, it } from "vitest";
import { sandboxHandlers } from "../../src/testing/msw/sandbox-handlers.js";
import { createFaults } from "../../src/testing/sandbox/faults.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";

const started: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

async function start(options: Parameters<typeof startSandbox>[0] = {}) {
  const sandbox = await startSandbox({ size: 20, ...options });
  started.push(sandbox);
  return sandbox;
}

function tokenRequest(url: string, secret: string) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "sandbox-wiz-client",
      client_secret: secret,
      audience: "wiz-api",
    }),
  });
}

describe("startSandbox", () => {
  it("hands emulations the request URL with its port, so links they build point back at the sandbox", async () => {
    const sandbox = await start();
    const { instanceUrl, username, password } = sandbox.servicenow as {
      instanceUrl: string;
      username: string;
      password: string;
    };
    const response = await fetch(
      `${instanceUrl}/api/now/table/cmdb_ci?sysparm_limit=1&sysparm_fields=owned_by`,
      {
        headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
      },
    );
    const body = (await response.json()) as { result: { owned_by: { link: string } }[] };
    expect(
      body.result[0]!.owned_by.link.startsWith(`${sandbox.url}/servicenow/api/now/table/sys_user/`),
    ).toBe(true);
  });

  it("serves on 127.0.0.1 with one options entry per emulation, pointing at its prefix", async () => {
    const sandbox = await start({ seed: 4 });
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.wiz.apiUrl).toBe(`${sandbox.url}/wiz/graphql`);
    expect(sandbox.wiz.authUrl).toBe(`${sandbox.url}/wiz/oauth/token`);
    expect(sandbox.estate.seed).toBe(4);
    const token = await tokenRequest(sandbox.wiz.authUrl!, sandbox.wiz.clientSecret as string);
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ token_type: "Bearer", expires_in: 86_400 });
  });

  it("answers unknown prefixes with 404 and can be closed twice", async () => {
    const sandbox = await start();
    const response = await fetch(`${sandbox.url}/nothing/here`);
    expect(response.status).toBe(404);
    expect((await response.json()).error).toContain("No emulation");
    await sandbox.close();
    await sandbox.close();
    await expect(fetch(`${sandbox.url}/wiz/graphql`)).rejects.toThrow();
  });

  it("renders the same estate for the same seed", async () => {
    const [a, b] = [await start({ seed: 9 }), await start({ seed: 9 })];
    expect(a.estate).toEqual(b.estate);
    expect(a.url).not.toBe(b.url);
  });
});

describe("sandboxHandlers", () => {
  it("serves the same emulations through msw", async () => {
    const sandbox = sandboxHandlers({ seed: 4, size: 20, baseUrl: "http://sandbox.test/base" });
    const server = setupServer(...sandbox.handlers);
    server.listen({ onUnhandledRequest: "error" });
    try {
      expect(sandbox.wiz.apiUrl).toBe("http://sandbox.test/base/wiz/graphql");
      const denied = await tokenRequest(sandbox.wiz.authUrl!, "wrong");
      expect(denied.status).toBe(401);
      const token = await tokenRequest(sandbox.wiz.authUrl!, sandbox.wiz.clientSecret as string);
      expect(token.status).toBe(200);
    } finally {
      server.close();
    }
  });
});

describe("createFaults", () => {
  const request = new Request("http://sandbox.test/wiz/graphql", { method: "POST" });

  it("answers 429 with a Retry-After in whole seconds beyond the burst, and refills over time", async () => {
    let now = 0;
    const faults = createFaults({ rateLimit: { requestsPerSecond: 2, burst: 2 } }, () => now);
    expect(await faults.before(request)).toBeUndefined();
    expect(await faults.before(request)).toBeUndefined();
    const limited = await faults.before(request);
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get("retry-after")).toBe("1");
    now = 500;
    expect(await faults.before(request)).toBeUndefined();
    expect(faults.stats).toMatchObject({ requests: 4, rateLimited: 1 });
  });

  it("answers 503 to every Nth request, in bursts", async () => {
    const faults = createFaults({ serverErrors: { every: 3, burst: 2 } });
    const statuses: (number | undefined)[] = [];
    for (let index = 0; index < 9; index++) statuses.push((await faults.before(request))?.status);
    expect(statuses).toEqual([undefined, undefined, 503, 503, undefined, 503, 503, undefined, 503]);
  });

  it("expires each token after tokenTtlRequests uses and marks every Nth record malformed", () => {
    const faults = createFaults({ tokenTtlRequests: 2, malformedRecordEvery: 4 });
    expect([
      faults.tokenExpired("a"),
      faults.tokenExpired("a"),
      faults.tokenExpired("a"),
      faults.tokenExpired("b"),
    ]).toEqual([false, false, true, false]);
    expect([0, 1, 2, 3, 4, 7].map((index) => faults.malformed(index))).toEqual([
      false,
      false,
      false,
      true,
      false,
      true,
    ]);
    expect(createFaults().malformed(3)).toBe(false);
    expect(createFaults().tokenExpired("a")).toBe(false);
  });
});
