import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { runCli, splitEndpoints } from "./helpers.js";

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 8, seed: 5, platforms: ["prisma", "orca", "lacework"] });
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-cli-sources-"));
  await writeFile(
    join(dir, "policy.yaml"),
    `mode: read-only
rules: []
principals:
  - id: cloudsteward-bot
    scopes: []
`,
  );
  await writeFile(
    join(dir, "cloudsteward.yaml"),
    `policy: ./policy.yaml
store: { sqlite: ./state.db }
sources:
  prisma: { apiUrl: ${sandbox.prisma.apiUrl} }
  orca: { apiUrl: ${sandbox.orca.apiUrl} }
  lacework: { apiUrl: ${sandbox.lacework.apiUrl} }
`,
  );
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cloudsteward run with Prisma Cloud, Orca and Lacework sources", () => {
  it("reads every platform's findings with the credentials from the environment", async () => {
    const env = {
      PRISMA_ACCESS_KEY_ID: String(sandbox.prisma.accessKeyId),
      PRISMA_SECRET_KEY: String(sandbox.prisma.secretKey),
      ORCA_API_TOKEN: String(sandbox.orca.apiToken),
      LW_API_KEY: String(sandbox.lacework.apiKey),
      LW_API_SECRET: String(sandbox.lacework.apiSecret),
    };
    const dry = await runCli(["run", "--dry-run", "--json"], { cwd: dir, env });
    expect(splitEndpoints(dry.stderr).rest).toBe("");
    expect(dry.code).toBe(0);
    const expected = sandbox.estate.findings.filter(
      (finding) => finding.reportedBy.prisma || finding.reportedBy.orca || finding.reportedBy.lacework,
    );
    expect(JSON.parse(dry.stdout).findings).toBe(
      expected.reduce(
        (sum, finding) =>
          sum +
          Number(!!finding.reportedBy.prisma) +
          Number(!!finding.reportedBy.orca) +
          Number(!!finding.reportedBy.lacework),
        0,
      ),
    );
  });

  it("names the missing credential of a configured source", async () => {
    const run = await runCli(["run", "--dry-run"], { cwd: dir, env: {} });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/PRISMA_ACCESS_KEY_ID|ORCA_API_TOKEN|LW_API_KEY/);
  });
});
