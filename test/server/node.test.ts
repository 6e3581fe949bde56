import { Agent, request as httpRequest } from "node:http";
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

  it("answers 413 without resetting a kept-alive connection: the next request reuses the socket", async () => {
    server = await serveNode(async (request) => new Response(`ok ${(await request.text()).length}`), {
      port: 0,
      maxBodyBytes: 100_000,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string) =>
      new Promise<{ status: number; text: string; reused: boolean }>((resolve, reject) => {
        const request = httpRequest(`${server!.url}/`, { method: "POST", agent }, (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, text, reused: request.reusedSocket }),
          );
        });
        request.on("error", reject);
        // Sent in chunks, as a real client streams a large body.
        for (let offset = 0; offset < body.length; offset += 16_384)
          request.write(body.slice(offset, offset + 16_384));
        request.end();
      });
    try {
      const tooLarge = await send("x".repeat(200_000));
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.text)).toEqual({ error: "Request body larger than 100000 bytes." });
      const next = await send("small");
      expect(next).toEqual({ status: 200, text: "ok 5", reused: true });
    } finally {
      agent.destroy();
    }
  });
});
