import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

describe("cloudsteward mcp", () => {
  it("serves the governed tools over streamable HTTP on the sandbox, as the token's principal", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "cloudsteward-mcp-"));
    const controller = new AbortController();
    let listening: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const run = runCli(["mcp", "--sandbox", "--size", "10", "--http", "127.0.0.1:0"], {
      cwd,
      env: { CLOUDSTEWARD_MCP_TOKENS: "cloudsteward-bot=cli-test-token" },
      signal: controller.signal,
      onStdout: (text) => {
        const match = /Listening on (\S+)/.exec(text);
        if (match) listening(match[1]!);
      },
    });
    const client = new Client({ name: "cli-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(await url), {
        requestInit: { headers: { authorization: "Bearer cli-test-token" } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(["ask", "list_cases", "propose_action"]),
    );
    const listed = await client.callTool({ name: "list_cases", arguments: { limit: 3 } });
    const cases = listed.structuredContent as { total: number; cases: { id: string }[] };
    expect(cases.total).toBeGreaterThan(0);
    const got = await client.callTool({ name: "get_case", arguments: { id: cases.cases[0]!.id } });
    expect(got.isError).not.toBe(true);
    await client.close();
    controller.abort();
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/sandbox at http:\/\/127\.0\.0\.1:\d+: \d+ case\(s\) from 40 findings/);
  });

  it("refuses --http without bearer tokens, and a malformed address", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "cloudsteward-mcp-"));
    const noTokens = await runCli(["mcp", "--http", ":8788"], { cwd });
    expect(noTokens.code).toBe(2);
    expect(noTokens.stderr).toContain("CLOUDSTEWARD_MCP_TOKENS");
    const badAddress = await runCli(["mcp", "--http", "localhost"], { cwd });
    expect(badAddress.code).toBe(2);
    expect(badAddress.stderr).toContain("--http takes [host:]port");
  });
});
