import { afterEach, describe, expect, it } from "vitest";
import { type NodeServer, serveNode } from "../../src/server/node.js";

let server: NodeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("serveNode", () => {
  it("hands the Fetch handler the method, path, query, headers and raw body, and writes its response back", async () => {
    const seen: { method: string; url: string; header: string | null; body: string }[] = [];
    server = await serveNode(
      async (request) => {
        seen.push({
          method: request.method,
          url: new URL(request.url).pathname + new URL(request.url).search,
          header: request.headers.get("x-test"),
          body: await request.text(),
        });
        return new Response("created", { status: 201, headers: { "x-reply": "yes" } });
      },
      { port: 0 },
    );
    const response = await fetch(`${server.url}/webhooks/wiz?a=1`, {
      method: "POST",
      headers: { "x-test": "value" },
      body: '{"raw": true}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-reply")).toBe("yes");
    expect(await response.text()).toBe("created");
    expect(seen).toEqual([
      { method: "POST", url: "/webhooks/wiz?a=1", header: "value", body: '{"raw": true}' },
    ]);
  });

  it("answers 413 past the body limit and 500 when the handler throws", async () => {
    server = await serveNode(
      async (request) => {
        if (request.method === "GET") throw new Error("boom secret-value");
        return new Response("ok");
      },
      { port: 0, maxBodyBytes: 10 },
    );
    expect((await fetch(server.url, { method: "POST", body: "x".repeat(100) })).status).toBe(413);
    const failed = await fetch(server.url);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain("secret-value");
  });
});
