import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateAccountEnvironments } from "../../src/testing/estate.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { assistedPolicyYaml, mcpOverHttp, runCli, sandboxWorkspace } from "./helpers.js";

// The config's accountEnvironments lets configured ask, query and mcp send `environment` to the
// platforms as the accounts mapped to it (Prisma Cloud: cloud.accountId), as --sandbox does.
let sandbox: Sandbox;
let cwd: string;
let env: Record<string, string>;
const production = { severity: ["critical", "high"], environment: ["production"] };

beforeAll(async () => {
  sandbox = await startSandbox({ size: 60, seed: 4, platforms: ["prisma"] });
  // Unquoted keys: YAML would read 111122223333 as a number; the config keeps ids as written.
  const mapped = Object.entries(estateAccountEnvironments(sandbox.estate))
    .map(([account, environment]) => `  ${account}: ${environment}`)
    .join("\n");
  const config = (extra: string) =>
    `mode: read-only\npolicy: ./policy.yaml\nstore: { sqlite: ./state/state.db }\nsources:\n  prisma: { apiUrl: ${sandbox.prisma.apiUrl} }\n${extra}`;
  cwd = await sandboxWorkspace(sandbox, {
    prefix: "account-environments",
    mode: "read-only",
    files: {
      "policy.yaml": assistedPolicyYaml,
      "cloudsteward.yaml": config(`accountEnvironments:\n${mapped}\n`),
      "unmapped.yaml": config(""),
    },
  });
  env = {
    PRISMA_ACCESS_KEY_ID: String(sandbox.prisma.accessKeyId),
    PRISMA_SECRET_KEY: String(sandbox.prisma.secretKey),
  };
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

interface Read {
  platform: string;
  received: number;
  matched: number;
}

describe("the config's accountEnvironments", () => {
  it("sends environment to the platform as its accounts from query and ask; without it the environment is client-side", async () => {
    const query = JSON.stringify({ filters: production });
    const mapped = await runCli(["query", "--json", query, "--output", "json"], { cwd, env });
    expect(mapped.code, mapped.stderr).toBe(0);
    const result = JSON.parse(mapped.stdout);
    const [prisma] = result.plan.platforms;
    expect(prisma.serverSide).toContain("environment");
    expect(JSON.stringify(prisma.requests)).toContain(
      '{"name":"cloud.accountId","operator":"=","value":"111122223333"}',
    );
    const read = (result.reads as Read[]).find((item) => item.platform === "prisma")!;
    expect(result.total).toBeGreaterThan(0);
    expect(read.received).toBe(read.matched);

    const unmapped = await runCli(
      ["query", "--config", "unmapped.yaml", "--json", query, "--output", "json"],
      { cwd, env },
    );
    expect(unmapped.code, unmapped.stderr).toBe(0);
    const without = JSON.parse(unmapped.stdout);
    expect(without.plan.platforms[0].clientSide).toContain("environment");
    expect(JSON.stringify(without.plan.platforms[0].requests)).not.toContain("cloud.accountId");
    const all = (without.reads as Read[]).find((item) => item.platform === "prisma")!;
    expect(all.received).toBeGreaterThan(read.received);

    const asked = await runCli(["ask", "--offline", "--json", "critical findings in production"], {
      cwd,
      env,
    });
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout);
    expect(answer.query.filters.environment).toEqual(["production"]);
    expect(answer.nativeCalls[0].serverSide).toContain("environment");
  }, 120_000);

  it("sends environment to the platform from the MCP server's query tool", async () => {
    const { client, stop } = await mcpOverHttp([], { cwd, env, principal: "cloudsteward-bot" });
    const called = await client.callTool({ name: "query", arguments: { filters: production } });
    expect(called.isError, JSON.stringify(called.content)).not.toBe(true);
    const result = called.structuredContent as { nativeCalls: { platform: string; serverSide: string[] }[] };
    expect(result.nativeCalls[0]).toMatchObject({ platform: "prisma" });
    expect(result.nativeCalls[0]!.serverSide).toContain("environment");
    expect((await stop()).code).toBe(0);
  }, 120_000);

  it("keeps account ids as written and names a value that is not an environment", async () => {
    await writeFile(
      join(cwd, "bad.yaml"),
      `policy: ./policy.yaml\nsources: { prisma: {} }\naccountEnvironments:\n  012345678901: prod\n`,
    );
    const bad = await runCli(["query", "--config", "bad.yaml", "--plan", "--json", "{}"], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("accountEnvironments.012345678901 (line 4): Invalid option");
    expect(bad.stderr).toContain("fix: map each account id to production, staging, development or test");
  });
});
