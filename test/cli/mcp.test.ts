import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mcpOverHttp, runCli } from "./helpers.js";

describe("cloudsteward mcp", () => {
  it("serves the governed tools over streamable HTTP on the sandbox, as the token's principal", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "cloudsteward-mcp-"));
    const { client, stop } = await mcpOverHttp(["--sandbox", "--size", "10"], {
      cwd,
      principal: "cloudsteward-bot",
    });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(["ask", "list_cases", "propose_action"]),
    );
    const listed = await client.callTool({ name: "list_cases", arguments: { limit: 3 } });
    const cases = listed.structuredContent as { total: number; cases: { id: string }[] };
    expect(cases.total).toBeGreaterThan(0);
    const got = await client.callTool({ name: "get_case", arguments: { id: cases.cases[0]!.id } });
    expect(got.isError).not.toBe(true);
    const result = await stop();
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
