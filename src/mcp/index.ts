/**
 * The MCP server over cloudsteward's governed tools (the official `@modelcontextprotocol/sdk`), for
 * Claude Desktop, IDEs and agents: read cases, compliance, exceptions, approvals and the audit log;
 * propose exceptions and actions, which the policy, the gate and named humans decide. Over stdio
 * (`createMcpServer` + the SDK's `StdioServerTransport`) or streamable HTTP (`createMcpHttpHandler`).
 * @module cloudsteward/mcp
 */

export { McpToolError } from "./errors.js";
export { createMcpHttpHandler, type McpHttpOptions } from "./http.js";
export { createMcpServer, type McpServerOptions, warmMcpStore } from "./server.js";
export { type McpStdioServer, serveMcpStdio } from "./stdio.js";
