import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createMcpServer, type McpServerOptions, warmMcpStore } from "./server.js";

/** A running MCP server on stdio. */
export interface McpStdioServer {
  /** Resolves when the client disconnects (stdin ends) or {@link McpStdioServer.close} is called. */
  closed: Promise<void>;
  /** Disconnects. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves {@link createMcpServer} over stdio (the process's stdin and stdout, as MCP clients such as
 * Claude Desktop launch it): stdout then carries only the protocol, so write notes to stderr. The
 * Store's cases are decoded and indexed first ({@link warmMcpStore}), so no call waits for that.
 * @example
 * const server = await serveMcpStdio({ store, policy, principal: "alice" });
 * await server.closed;
 */
export async function serveMcpStdio(options: McpServerOptions): Promise<McpStdioServer> {
  const server = createMcpServer({ via: "stdio", ...options });
  await warmMcpStore(options.store);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  return { closed, close: () => server.close() };
}
