/**
 * `cloudsteward remediate execute` against the sandbox: a console change to a development bucket and
 * one to a production bucket show up as Prisma Cloud audit_event alerts; the dry run shows the exact
 * workflow_dispatch it would send and sends nothing; --execute fixes the development one automatically
 * (the policy marks it automatic; drift-bot approves) through the sandbox's GitHub Actions emulation and
 * verifies it through Prisma's config search, while the production one waits for Alice and opens a
 * Jira incident; after Alice approves, the next run fixes and verifies it. Everything is audited.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../src/adapters/prisma/prisma.js";
import { changeSignals } from "../../src/agents/drift/detect.js";
import type { Finding } from "../../src/core/finding.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { driftResources } from "../agents/drift/helpers.js";
import { runCli, sandboxCredentials, sandboxWorkspace, splitEndpoints } from "./helpers.js";

const policy = `mode: automated
rules:
  - id: drift-low-risk-development
    when: { rule: ["drift/s3-*", "drift/kms-*"], environment: [development, staging] }
    do: [{ kind: remediate, sink: drift, automatic: true }]
  - id: drift-incident
    when: { rule: "drift/*" }
    do:
      - { kind: remediate, sink: drift }
      - { kind: ticket, sink: jira, automatic: true }
principals:
  - { id: drift-bot, scopes: ["approve:remediate:development", "approve:remediate:staging"] }
  - { id: alice, scopes: ["approve:remediate"] }
`;

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const dev = "arn:aws:s3:::dev-site";
const prod = "arn:aws:s3:::prod-data";

beforeAll(async () => {
  sandbox = await startSandbox({
    size: 10,
    drift: { resources: driftResources(1).slice(0, 2), pipelineDelayMs: 0 },
  });
  const live = sandbox.estate.drift!;
  dir = await sandboxWorkspace(sandbox, {
    prefix: "remediate",
    mode: "automated",
    files: {
      "cloudsteward.yaml": `mode: automated
policy: ./policy.yaml
store: { sqlite: ./state/state.db }
sources:
  prisma: { apiUrl: ${sandbox.prisma.apiUrl} }
sinks:
  jira: { baseUrl: ${sandbox.jira.baseUrl}, projectKey: SEC }
remediation:
  allowWrite: true
  automationPrincipal: drift-bot
  pipeline: { url: ${sandbox.github.url} }
`,
      "policy.yaml": policy,
      "baseline.json": JSON.stringify(live.snapshots()),
    },
  });
  env = {
    ...sandboxCredentials(sandbox),
    PRISMA_ACCESS_KEY_ID: String(sandbox.prisma.accessKeyId),
    PRISMA_SECRET_KEY: String(sandbox.prisma.secretKey),
    GITHUB_TOKEN: sandbox.github.token,
  };
});

afterAll(async () => {
  await sandbox.close();
});

const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env });

describe("remediate execute against the sandbox", () => {
  it("detects, dry-runs, fixes the automatic one, holds production for a named human, then fixes it once approved", async () => {
    const live = sandbox.estate.drift!;
    expect(
      (await cli("drift", "baseline", "--snapshot", "baseline.json", "--approved-by", "alice")).code,
    ).toBe(0);
    live.change(dev, "encryption.enabled", false, {
      actor: "arn:aws:iam::111122223333:user/bob",
      via: "console",
      event: "DeleteBucketEncryption",
    });
    live.change(prod, "publicAccessBlock.BlockPublicAcls", false, {
      actor: "arn:aws:iam::111122223333:user/carol",
      via: "console",
      event: "PutPublicAccessBlock",
    });
    // The change signals, read from Prisma Cloud as the adapter reads them.
    const findings: Finding[] = [];
    for await (const finding of prisma({ ...sandbox.prisma, keepRaw: true }).findings())
      findings.push(finding);
    const signals = changeSignals(findings).filter((signal) => [dev, prod].includes(signal.resourceId));
    expect(signals.map((signal) => [signal.resourceId, signal.change?.actor, signal.change?.via])).toEqual([
      [dev, "arn:aws:iam::111122223333:user/bob", "console"],
      [prod, "arn:aws:iam::111122223333:user/carol", "console"],
    ]);
    // The failing configuration shows up as remediable config alerts too.
    const failing = findings.filter((finding) => finding.id.startsWith("prisma:P-drift-"));
    expect(failing.map((finding) => finding.resource.id).sort()).toEqual([dev, prod]);
    await writeFile(join(dir, "inventory.json"), JSON.stringify(live.snapshots()));
    await writeFile(join(dir, "findings.json"), JSON.stringify(findings));
    const args = ["remediate", "execute", "--snapshot", "inventory.json", "--findings", "findings.json"];

    // Dry run: the exact dispatch per fix, nothing sent.
    const dry = await cli(...args);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would POST ${sandbox.github.url}`);
    expect(dry.stdout).toContain('"playbook":"s3-enable-encryption"');
    expect(dry.stdout).toMatch(/automatic {2}arn:aws:s3:::dev-site {2}encryption\.enabled/);
    expect(dry.stdout).toMatch(/approval {2}arn:aws:s3:::prod-data/);
    expect(live.calls()).toEqual([]);

    // Executed: the development fix runs with no human and is verified; production waits for Alice.
    const first = await cli(...args, "--execute");
    // First, every host it sends credentials to: Prisma Cloud, Jira and the pipeline.
    const { endpoints, rest } = splitEndpoints(first.stderr);
    expect(endpoints.join("\n")).toContain("remediation pipeline");
    expect(endpoints.join("\n")).toContain(new URL(sandbox.github.url).host);
    expect(rest).toBe("");
    expect(first.stdout + first.stderr).not.toContain(sandbox.github.token);
    expect(first.code).toBe(0);
    expect(live.calls().map((call) => [call.route, call.resourceId, call.playbook])).toEqual([
      ["pipeline", dev, "s3-enable-encryption"],
    ]);
    expect((await live.read(dev))?.attributes.encryption).toEqual({ enabled: true });
    expect(first.stdout).toContain("verified: verification passed");
    const approvalId = /approvals approve (\S+) --as/.exec(first.stdout)?.[1];
    expect(approvalId).toBeDefined();
    // The incident ticket names the change and its author.
    const issues = sandbox.emulations.jira.issues();
    expect(issues.some((issue) => JSON.stringify(issue).includes("carol"))).toBe(true);

    // Not approved yet: running again sends nothing more.
    expect((await cli(...args, "--execute")).code).toBe(0);
    expect(live.calls()).toHaveLength(1);

    // Alice approves; the next run fixes production once and verifies it.
    expect((await cli("approvals", "approve", approvalId!, "--as", "alice")).code).toBe(0);
    const second = await cli(...args, "--execute");
    expect(second.code).toBe(0);
    expect(live.calls().map((call) => call.resourceId)).toEqual([dev, prod]);
    expect((await live.read(prod))?.attributes.publicAccessBlock).toMatchObject({ BlockPublicAcls: true });
    const fixes = JSON.parse((await cli("drift", "fixes", "--json")).stdout) as {
      state: string;
      decision: string;
      approvedBy?: string;
    }[];
    expect(fixes.map((fix) => [fix.decision, fix.state, fix.approvedBy]).sort()).toEqual([
      ["approval", "verified", "alice"],
      ["automatic", "verified", "drift-bot"],
    ]);
    const audit = await cli("audit", "verify");
    expect(audit.code).toBe(0);
    expect((await cli("audit", "export", "evidence")).code).toBe(0);
    const types = (await readFile(join(dir, "evidence", "audit.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { event: { type: string } }).event.type);
    expect(types.filter((type) => type === "drift.verified")).toHaveLength(2);
    expect(types.filter((type) => type === "drift.executed")).toHaveLength(2);
  });

  it("refuses --execute without writes enabled, naming the setting", async () => {
    const config = join(dir, "no-writes.yaml");
    await writeFile(
      config,
      `mode: automated\npolicy: ./policy.yaml\nstore: { sqlite: ./state/other.db }\nsources:\n  prisma: { apiUrl: ${sandbox.prisma.apiUrl} }\nremediation:\n  pipeline: { url: ${sandbox.github.url} }\n`,
    );
    await writeFile(join(dir, "empty.json"), "[]");
    const result = await cli(
      "remediate",
      "execute",
      "--snapshot",
      "empty.json",
      "--execute",
      "--config",
      config,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("remediation.allowWrite");
  });
});
