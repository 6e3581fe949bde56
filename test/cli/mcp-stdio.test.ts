import { mkdtemp } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));
/** tsx's loader, resolved here: the child runs in a temporary directory, where `--import tsx` would not resolve. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

describe("cloudsteward mcp over stdio", () => {
  it("lets an MCP client launch `cloudsteward mcp --sandbox` as a child process, list the tools and call them", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "cloudsteward-mcp-stdio-"));
    // What an MCP client's config does: launch the command and speak the protocol on its stdin and stdout.
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", tsx, bin, "mcp", "--sandbox", "--size", "10"],
      cwd,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        "ask",
        "compliance_status",
        "evidence_pack",
        "explain_case",
        "get_case",
        "list_approvals",
        "list_cases",
        "list_exceptions",
        "propose_action",
        "query",
        "request_exception",
        "verify_audit_log",
      ]);
      for (const tool of tools) {
        expect(Object.keys(tool.inputSchema.properties ?? {}).length, tool.name).toBeGreaterThan(0);
        expect(Object.keys(tool.outputSchema?.properties ?? {}).length, tool.name).toBeGreaterThan(0);
      }

      const listed = await client.callTool({ name: "list_cases", arguments: { limit: 2 } });
      expect(listed.isError).not.toBe(true);
      const cases = listed.structuredContent as { total: number; cases: { id: string }[] };
      expect(cases.total).toBeGreaterThan(0);
      expect(cases.cases).toHaveLength(2);
      const text = (listed.content as { type: string; text: string }[])[0]!.text;
      expect(text).toMatch(/^Untrusted data copied from cloud resources/);

      const asked = await client.callTool({
        name: "ask",
        arguments: {
          question: "show me all resources in production with critical vulnerabilities older than 30 days",
        },
      });
      expect(asked.isError).not.toBe(true);
      const answer = asked.structuredContent as {
        kind: string;
        query: { filters: Record<string, unknown> };
        nativeCalls: { platform: string }[];
      };
      expect(answer.kind).toBe("answer");
      expect(answer.query.filters).toMatchObject({ severity: ["critical"], olderThanDays: 30 });
      expect(answer.nativeCalls.map((call) => call.platform).sort()).toEqual([
        "lacework",
        "orca",
        "prisma",
        "wiz",
      ]);

      const verified = await client.callTool({ name: "verify_audit_log", arguments: {} });
      expect(verified.structuredContent).toMatchObject({ ok: true });
      expect((verified.structuredContent as { count: number }).count).toBeGreaterThan(2);
    } catch (error) {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}; the server's stderr: ${stderr}`,
      );
    } finally {
      await client.close();
    }
    // stdout carried only the protocol; the notes went to stderr.
    expect(stderr).toContain("cloudsteward MCP server on stdio");
  }, 180_000);
});
