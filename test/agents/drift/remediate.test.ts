import { describe, expect, it } from "vitest";
import {
  approvedBaselines,
  baselinesFromSnapshot,
  knowledgeBaselines,
} from "../../../src/agents/drift/baseline.js";
import { changeSignals, detectDrift } from "../../../src/agents/drift/detect.js";
import { type DriftRemediationOptions, driftRemediation } from "../../../src/agents/drift/remediate.js";
import { auditLog } from "../../../src/audit/index.js";
import { PolicyError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { driftEstate } from "../../../src/testing/sandbox/drift.js";
import { captureSink, driftPolicy, driftResources } from "./helpers.js";

async function setUp() {
  const estate = driftEstate({ resources: driftResources() });
  const store = memoryStore();
  const audit = auditLog(store);
  const baselines = approvedBaselines(store, { now: () => estate.now() });
  await baselines.approve(baselinesFromSnapshot(estate.snapshots()), { approvedBy: "alice" });
  await baselines.approve(knowledgeBaselines(), { approvedBy: "alice" });
  const tickets = captureSink();
  const makeJob = (overrides: Partial<DriftRemediationOptions> = {}) =>
    driftRemediation({
      policy: driftPolicy,
      store,
      audit,
      automationPrincipal: "drift-bot",
      remediators: estate.remediators,
      choose: () => ({ route: "pipeline", format: "terraform" }),
      read: (id) => estate.read(id),
      rollback: (fix) => estate.restore(fix.drift.resourceId),
      context: () => ({
        dependents: [{ id: "E1", type: "aws.cloudfront.distribution", relation: "origin of" }],
      }),
      sinks: { tickets },
      now: () => estate.now(),
      sleep: async (ms) => estate.advance(ms),
      ...overrides,
    });
  const job = makeJob();
  const detect = async () =>
    detectDrift(estate.snapshots(), await baselines.index(), {
      signals: changeSignals(estate.findings()),
      now: () => estate.now(),
    });
  return { estate, store, audit, job, makeJob, tickets, detect };
}

describe("driftRemediation", () => {
  it("fixes low-risk development drift automatically, verified, without a ticket", async () => {
    const { estate, job, tickets, detect, audit } = await setUp();
    estate.change("arn:aws:s3:::dev-site", "publicAccessBlock.BlockPublicAcls", false, {
      actor: "arn:aws:iam::111122223333:user/bob",
      via: "console",
      event: "PutPublicAccessBlock",
    });
    const [fix] = await job.handle(await detect());
    expect(fix).toMatchObject({
      decision: "automatic",
      state: "approved",
      approvedBy: "drift-bot",
      playbook: "s3-block-public-access",
    });
    expect(fix?.drift.change).toMatchObject({ actor: "arn:aws:iam::111122223333:user/bob", via: "console" });
    expect(fix?.impact?.mayBreak.map((item) => item.id)).toEqual(["E1"]);
    expect(tickets.delivered).toEqual([]);
    const result = await job.execute();
    expect(result.verified.map((item) => item.drift.resourceId)).toEqual(["arn:aws:s3:::dev-site"]);
    expect(estate.calls()).toMatchObject([
      { route: "pipeline", resourceId: "arn:aws:s3:::dev-site", playbook: "s3-block-public-access" },
    ]);
    expect((await estate.read("arn:aws:s3:::dev-site"))?.attributes).toMatchObject({
      publicAccessBlock: { BlockPublicAcls: true },
    });
    const types: string[] = [];
    for await (const record of audit.query({})) types.push(record.event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "drift",
        "gate",
        "approval",
        "remediation",
        "delivery",
        "drift.executed",
        "drift.verified",
      ]),
    );
    expect(await detect()).toEqual([]);
  });

  it("holds production, IAM and network drift for a named human and opens an incident ticket with the diff and its author", async () => {
    const { estate, job, tickets, detect } = await setUp();
    estate.change("arn:aws:s3:::prod-data", "publicAccessBlock.BlockPublicPolicy", false, {
      actor: "carol",
      via: "console",
    });
    estate.change("sg-dev", "sshOpenToWorld", true, { actor: "dave", via: "api" });
    estate.change("arn:aws:iam::111122223333:role/dev-deployer", "attachedPolicies.admin", true, {
      actor: "erin",
      via: "console",
    });
    const fixes = await job.handle(await detect());
    expect(fixes.map((fix) => [fix.drift.resourceId, fix.decision, fix.state])).toEqual([
      ["arn:aws:s3:::prod-data", "approval", "waiting"],
      ["sg-dev", "approval", "waiting"],
      ["arn:aws:iam::111122223333:role/dev-deployer", "approval", "waiting"],
    ]);
    expect(fixes.map((fix) => fix.reason)).toEqual([
      "waits for a named human: the environment is production",
      "waits for a named human: playbook sg-restrict-ingress is high-risk",
      "waits for a named human: playbook iam-detach-admin-policy is high-risk",
    ]);
    expect(tickets.delivered).toHaveLength(3);
    const description = tickets.delivered[0]?.case.findings[0]?.description ?? "";
    expect(description).toContain(
      "publicAccessBlock.BlockPublicPolicy on arn:aws:s3:::prod-data changed from true to false.",
    );
    expect(description).toContain("Changed by: carol via console");
    expect(description).toContain("Rollback:");
    expect(description).toContain("Could break: E1 (aws.cloudfront.distribution, origin of)");
    // Nothing runs before a human approves.
    expect((await job.execute()).verified).toEqual([]);
    expect(estate.calls()).toEqual([]);
    // The bot may not approve production; a named human may.
    const prod = fixes[0]?.approvalId as string;
    await expect(job.approvals.approve(prod, { principal: "drift-bot" })).rejects.toThrow(PolicyError);
    await job.approvals.approve(prod, { principal: "alice" });
    await job.approvals.reject(fixes[1]?.approvalId as string, { principal: "alice" });
    const result = await job.execute();
    expect(result.verified.map((fix) => [fix.drift.resourceId, fix.approvedBy])).toEqual([
      ["arn:aws:s3:::prod-data", "alice"],
    ]);
    expect((await job.get(fixes[1]?.drift.id as string))?.state).toBe("rejected");
    expect(estate.calls().map((call) => call.resourceId)).toEqual(["arn:aws:s3:::prod-data"]);
  });

  it("rolls back a fix that does not verify by the deadline, and tells the ticket", async () => {
    const { estate, job, tickets, detect, audit } = await setUp();
    estate.change("arn:aws:s3:::prod-data", "encryption.enabled", false, { actor: "carol", via: "console" });
    estate.stuck("arn:aws:s3:::prod-data", true);
    const [fix] = await job.handle(await detect());
    await job.approvals.approve(fix?.approvalId as string, { principal: "alice" });
    const result = await job.execute();
    expect(result.rolledBack.map((item) => item.state)).toEqual(["rolled-back"]);
    expect(tickets.delivered.map((action) => action.idempotencyKey.endsWith(":rolled-back"))).toEqual([
      false,
      true,
    ]);
    expect(tickets.delivered[1]?.case.findings[0]?.description).toContain("Outcome: rolled-back");
    const failed: unknown[] = [];
    for await (const record of audit.query({ type: "drift.verification-failed" }))
      failed.push(record.event.data);
    expect(failed).toEqual([
      expect.objectContaining({ before: false, after: { "encryption.enabled": false } }),
    ]);
  });

  it("shows the exact calls in a dry run and writes nothing", async () => {
    const { estate, job, store, detect } = await setUp();
    estate.change("arn:aws:s3:::dev-site", "logging.enabled", false, { actor: "bob", via: "console" });
    const [plan] = await job.plan(await detect());
    expect(plan).toMatchObject({
      decision: "automatic",
      plan: {
        route: "pipeline",
        request: { inputs: { playbook: "s3-enable-logging", resource: "arn:aws:s3:::dev-site" } },
      },
    });
    const kept: unknown[] = [];
    for await (const item of store.list("drift:fixes")) kept.push(item);
    for await (const item of store.list("approvals")) kept.push(item);
    expect(kept).toEqual([]);
  });

  it("runs each fix once after a kill and a re-run, and resumes its verification", async () => {
    const { estate, job, makeJob, detect } = await setUp();
    estate.change("arn:aws:s3:::dev-site", "publicAccessBlock.BlockPublicAcls", false, {
      actor: "bob",
      via: "console",
    });
    estate.change("arn:aws:kms:eu-west-1:111122223333:key/dev", "KeyRotationEnabled", false, {
      actor: "bob",
      via: "console",
    });
    const drifts = await detect();
    await job.handle(drifts);
    // Handling the same drifts again (the next poll) queues nothing new.
    expect((await job.handle(drifts)).map((fix) => fix.state)).toEqual(["approved", "approved"]);
    // The process dies while it waits for the first pipeline run to show.
    const controller = new AbortController();
    const killed = makeJob({
      sleep: async () => {
        controller.abort(new Error("killed"));
      },
    });
    await expect(killed.execute({ signal: controller.signal })).rejects.toThrow("killed");
    expect(estate.calls()).toHaveLength(2);
    const result = await makeJob().execute();
    expect(result.verified.map((fix) => fix.playbook).sort()).toEqual([
      "kms-rotate-key",
      "s3-block-public-access",
    ]);
    expect(estate.calls()).toHaveLength(2);
    expect(await makeJob().execute()).toEqual({ verified: [], rolledBack: [], failed: [], errors: [] });
  });
});
