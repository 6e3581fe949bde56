import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, splitEndpoints } from "./helpers.js";

let dir: string;
const policy = `mode: read-only
rules: []
principals:
  - id: cloudsteward-bot
    scopes: []
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-cli-ocsf-"));
  await writeFile(join(dir, "policy.yaml"), policy);
  await copyFile(
    join(import.meta.dirname, "../adapters/ocsf/__fixtures__/prowler-s3.ocsf.json"),
    join(dir, "prowler.ocsf.json"),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cloudsteward run with an ocsf source", () => {
  it("reads the files named in cloudsteward.yaml, relative to it, without credentials", async () => {
    await writeFile(
      join(dir, "cloudsteward.yaml"),
      `policy: ./policy.yaml
store: { sqlite: ./state.db }
sources:
  ocsf: { files: [./prowler.ocsf.json], platform: prowler }
`,
    );
    const run = await runCli(["run", "--dry-run", "--json"], { cwd: dir, env: {} });
    expect(splitEndpoints(run.stderr)).toEqual({
      endpoints: ["No credentials are sent anywhere (no remote source, sink or model)."],
      rest: "",
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).findings).toBe(4);
  });

  it("names the field when the platform is not a lower-case name", async () => {
    await writeFile(
      join(dir, "bad.yaml"),
      `policy: ./policy.yaml
sources:
  ocsf: { files: ./prowler.ocsf.json, platform: Prowler Scan }
`,
    );
    const run = await runCli(["run", "--dry-run", "--config", "bad.yaml"], { cwd: dir, env: {} });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("sources.ocsf.platform");
  });
});
