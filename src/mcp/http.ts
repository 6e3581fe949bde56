import { createHash, timingSafeEqual } from "node:crypto";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { definePolicy } from "../agents/policy/define.js";
import { PolicyError } from "../core/errors.js";
import { createMcpServer, type McpServerOptions } from "./server.js";

/** Options of {@link createMcpHttpHandler}: the server's options, with a principal per bearer token. */
export interface McpHttpOptions extends Omit<McpServerOptions, "principal" | "via"> {
  /**
   * Bearer tokens and the principal each one acts as (`{ [token]: principalId }`); every principal
   * must be declared in the policy. A request without a known token gets 401. Keep the tokens in a
   * secret store: they are compared in constant time and never logged.
   */
  tokens: Readonly<Record<string, string>>;
  /** The path the MCP endpoint answers on; any other path gets 404. @default "/mcp" */
  path?: string;
}

/**
 * A Fetch-API handler serving the MCP server over streamable HTTP, stateless: each request carries a
 * bearer token, which picks the principal the call acts as, and gets a fresh server and transport
 * (JSON responses, no session). Serve it on Node with `serveNode` from `cloudsteward/server`.
 * @throws PolicyError at creation when a token maps to a principal the policy does not declare.
 * @example
 * const handler = createMcpHttpHandler({ store, policy, tokens: { [process.env.MCP_TOKEN_ALICE!]: "alice" } });
 * const server = await serveNode(handler, { port: 8788 }); // POST http://127.0.0.1:8788/mcp
 */
export function createMcpHttpHandler(options: McpHttpOptions): (request: Request) => Promise<Response> {
  const policy = definePolicy(options.policy);
  const path = options.path ?? "/mcp";
  const tokens = Object.entries(options.tokens).map(([token, principal]) => {
    if (!policy.principals.some((candidate) => candidate.id === principal)) {
      throw new PolicyError(
        `createMcpHttpHandler: a token maps to principal "${principal}", which the policy does not declare`,
      );
    }
    return { digest: digest(token), principal };
  });
  const { tokens: _tokens, path: _path, ...serverOptions } = options;
  return async (request) => {
    if (new URL(request.url).pathname !== path) return problem(404, `no MCP endpoint here; use ${path}`);
    const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const principal = presented === undefined ? undefined : principalOf(tokens, digest(presented));
    if (principal === undefined) {
      return problem(401, "a bearer token mapped to a principal is required", {
        "www-authenticate": 'Bearer realm="cloudsteward-mcp"',
      });
    }
    const server = createMcpServer({ ...serverOptions, policy, principal, via: "http" });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  };
}

// Internal helpers.

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** The principal of a token digest, comparing every configured token in constant time. */
function principalOf(tokens: readonly { digest: Buffer; principal: string }[], presented: Buffer) {
  let found: string | undefined;
  for (const token of tokens) if (timingSafeEqual(token.digest, presented)) found ??= token.principal;
  return found;
}

function problem(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }, { status, headers });
}
