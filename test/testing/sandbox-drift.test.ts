/**
 * The HTTP sandbox over a drift estate: changes come back through the platforms' real change signals
 * (Prisma Cloud audit_event alerts, Lacework CloudTrail alerts) as the adapters read them, Prisma's
 * remediation API fixes the failing configuration, and its config search reads the fix back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lacework } from "../../src/adapters/lacework/lacework.js";
import { prisma } from "../../src/adapters/prisma/prisma.js";
import { wiz } from "../../src/adapters/wiz/wiz.js";
import { changeSignals } from "../../src/agents/drift/detect.js";
import { pullRequestRemediation } from "../../src/agents/remediation/pull-request.js";
import type { Finding } from "../../src/core/finding.js";
import { makeAction } from "../../src/testing/factories.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { driftResources } from "../agents/drift/helpers.js";

let sandbox: Sandbox;
const dev = "arn:aws:s3:::dev-site";
const key = "arn:aws:kms:eu-west-1:111122223333:key/dev";

beforeAll(async () => {
  sandbox = await startSandbox({ size: 10, drift: { resources: driftResources(1), pipelineDelayMs: 0 } });
});
afterAll(async () => {
  await sandbox.close();
});

async function collect(findings: AsyncIterable<Finding>): Promise<Finding[]> {
  const all: Finding[] = [];
  for await (const finding of findings) all.push(finding);
  return all;
}

describe("the sandbox's drift estate over HTTP", () => {
  it("Lacework reports a change as a CloudTrail alert that attributes it", async () => {
    sandbox.estate.drift!.change(key, "KeyRotationEnabled", false, {
      actor: "arn:aws:iam::111122223333:user/dave",
      via: "iac",
      event: "DisableKeyRotation",
      platform: "lacework",
    });
    const findings = await collect(lacework({ ...sandbox.lacework, keepRaw: true }).findings());
    const signals = changeSignals(findings).filter((signal) => signal.resourceId === key);
    expect(signals.map((signal) => signal.change)).toEqual([
      {
        platform: "lacework",
        actor: "arn:aws:iam::111122223333:user/dave",
        at: "2026-12-01T00:00:00.000Z",
        event: "DisableKeyRotation",
        via: "iac",
      },
    ]);
  });

  it("Prisma Cloud raises a remediable config alert, fixes it on POST /alert/remediation, and reads the fix back", async () => {
    const live = sandbox.estate.drift!;
    live.change(dev, "logging.enabled", false, { actor: "bob", via: "console", event: "PutBucketLogging" });
    const source = prisma({ ...sandbox.prisma, keepRaw: true });
    const open = (await collect(source.findings())).filter(
      (finding) => finding.id.startsWith("prisma:P-drift-") && finding.resource.id === dev,
    );
    expect(open.map((finding) => [finding.resource.id, finding.rule.name])).toEqual([
      [dev, "Turn server access logging back on"],
    ]);
    const api = sandbox.prisma.apiUrl;
    const login = await fetch(`${api}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: sandbox.prisma.accessKeyId, password: sandbox.prisma.secretKey }),
    });
    const { token } = (await login.json()) as { token: string };
    const remediate = (body: unknown) =>
      fetch(`${api}/alert/remediation`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-redlock-auth": token },
        body: JSON.stringify(body),
      });
    const alertId = open[0]!.source.nativeId;
    expect((await remediate({ alerts: [alertId] })).status).toBe(400);
    expect(
      (await remediate({ alerts: [alertId], filter: { timeRange: { type: "to_now", value: "epoch" } } }))
        .status,
    ).toBe(200);
    expect(live.calls().map((call) => [call.route, call.resourceId, call.playbook])).toEqual([
      ["native", dev, "s3-enable-logging"],
    ]);
    // Fixed: the alert no longer lists, a second remediation is refused, and the config search reads it back.
    const after = (await collect(source.findings())).filter(
      (finding) => finding.id.startsWith("prisma:P-drift-") && finding.resource.id === dev,
    );
    expect(after).toEqual([]);
    expect((await remediate({ alerts: [alertId], filter: {} })).status).toBe(404);
    const read = (await source.query!({ query: `config from cloud.resource where id = '${dev}'` })) as {
      items: { id: string; data: { logging: unknown } }[];
    };
    expect(read.items.map((item) => [item.id, item.data.logging])).toEqual([[dev, { enabled: true }]]);
  });

  it("Wiz reports a change as a threat-detection issue from a CloudTrail cloud-event rule", async () => {
    const bucket = "arn:aws:s3:::prod-data";
    sandbox.estate.drift!.change(
      bucket,
      "versioning",
      { enabled: false },
      {
        actor: "erin",
        via: "api",
        event: "PutBucketVersioning",
        platform: "wiz",
      },
    );
    const findings = await collect(wiz({ ...sandbox.wiz, keepRaw: true }).findings());
    const signals = changeSignals(findings).filter((signal) => signal.resourceId === bucket);
    // The issue names the resource and when; Wiz names the actor only in its detections.
    expect(signals.map((signal) => [signal.kind, signal.platform, signal.change])).toEqual([
      ["cloud-event", "wiz", { platform: "wiz", at: "2026-12-01T00:00:00.000Z" }],
    ]);
  });

  it("GitHub's workflow_dispatch needs the token", async () => {
    const send = (token: string) =>
      fetch(sandbox.github.url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ ref: "main", inputs: { playbook: "kms-rotate-key", resource: key } }),
      });
    expect((await send("wrong")).status).toBe(401);
    expect((await send(sandbox.github.token)).status).toBe(204);
    expect((await sandbox.estate.drift!.read(key))?.attributes.KeyRotationEnabled).toBe(true);
  });

  it("GitHub's branch, contents and pulls calls open a pull request on acme/infra with the token, and 401 without", async () => {
    const { apiUrl, token } = sandbox.github;
    expect((await fetch(`${apiUrl}/repos/acme/infra/pulls?state=all`)).status).toBe(401);
    const remediator = pullRequestRemediation({
      apiUrl,
      owner: "acme",
      repo: "infra",
      token,
      allowWrite: true,
      rollback: "Revert it.",
    });
    const action = makeAction({
      kind: "remediate",
      params: {
        fix: {
          title: "Rotate key dev",
          address: "aws_kms_key.dev",
          terraform: { type: "aws_kms_key", arguments: { enable_key_rotation: true } },
        },
      },
    });
    const opened = await remediator.remediate(action);
    expect(opened.details).toMatchObject({ pullRequest: "opened", number: 1, state: "open" });
    expect((await remediator.remediate(action)).details).toMatchObject({ pullRequest: "exists", number: 1 });
    expect(sandbox.estate.drift!.repository.pulls().map((pull) => pull.title)).toEqual(["Rotate key dev"]);
  });
});
