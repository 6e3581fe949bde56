import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/audit/audit-log.js";
import { PolicyError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { createMcpHttpHandler } from "../../src/mcp/http.js";
import { type NodeServer, serveNode } from "../../src/server/node.js";
import { mcpPolicy, seedCases } from "./rig.js";

const servers: NodeServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start() {
  const store = memoryStore();
  const cases = await seedCases(store);
  const audit = auditLog(store);
  const handler = createMcpHttpHandler({
    store,
    policy: mcpPolicy,
    audit,
    tokens: { "alice-token-0123456789": "alice", "bob-token-0123456789": "bob" },
  });
  const server = await serveNode(handler, { port: 0, host: "127.0.0.1" });
  servers.push(server);
  return { store, audit, cases, url: new URL("/mcp", server.url) };
}

async function connect(url: URL, token: string): Promise<Client> {
  const client = new Client({ name: "http-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe("MCP over streamable HTTP", () => {
  it("lists and calls the tools as the principal the bearer token maps to", async () => {
    const { url, audit, cases } = await start();
    const alice = await connect(url, "alice-token-0123456789");
    const { tools } = await alice.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(10);
    for (const tool of tools) {
      expect(Object.keys(tool.inputSchema.properties ?? {}).length, tool.name).toBeGreaterThan(0);
      expect(Object.keys(tool.outputSchema?.properties ?? {}).length, tool.name).toBeGreaterThan(0);
    }
    const listed = await alice.callTool({ name: "list_cases", arguments: { limit: 5 } });
    expect(listed.structuredContent).toMatchObject({ total: 2 });
    await alice.close();

    const bob = await connect(url, "bob-token-0123456789");
    const refused = await bob.callTool({
      name: "propose_action",
      arguments: { caseId: cases[0]!.id, kind: "ticket" },
    });
    expect(refused.isError).toBe(true);
    await bob.close();

    const calls: [string, unknown, unknown, unknown][] = [];
    for await (const record of audit.query({ type: "mcp-call" })) {
      calls.push([
        record.event.actor,
        record.event.data.tool,
        record.event.data.outcome,
        record.event.data.via,
      ]);
    }
    expect(calls).toEqual([
      ["alice", "list_cases", "ok", "http"],
      ["bob", "propose_action", "refused", "http"],
    ]);
  });

  it("answers 401 without a known bearer token and 404 off the endpoint", async () => {
    const { url } = await start();
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const anonymous = await fetch(url, { method: "POST", headers, body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await fetch(url, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer nope" },
      body,
    });
    expect(wrong.status).toBe(401);
    const elsewhere = await fetch(new URL("/other", url), {
      method: "POST",
      headers: { ...headers, authorization: "Bearer alice-token-0123456789" },
      body,
    });
    expect(elsewhere.status).toBe(404);
    await expect(connect(url, "nope")).rejects.toThrow();
  });

  it("refuses a token mapped to an undeclared principal at creation", () => {
    expect(() =>
      createMcpHttpHandler({ store: memoryStore(), policy: mcpPolicy, tokens: { secret: "mallory" } }),
    ).toThrow(PolicyError);
  });
});
