/**
 * A console change to an IaC-managed bucket, from detection to an approved, verified fix: the
 * Terraform state is the approved baseline; Bob turns Block Public Access off in the console; the
 * drift is detected and attributed from the change signal, the policy holds the production fix for
 * a named human and opens an incident ticket with the diff, its author, the impact and the rollback;
 * Alice approves; the fix runs once through a GitHub workflow_dispatch and is verified when the
 * pipeline's change shows. Carol turns encryption off on a development bucket at the same time: the
 * policy marks that fix automatic, so drift-bot approves it and it runs with no human. The estate and its clock are simulated, so nothing needs a cloud account.
 * Run: npx tsx examples/drift/drift.ts
 */
import {
  approvedBaselines,
  baselinesFromTerraform,
  knowledgeBaselines,
} from "../../src/agents/drift/baseline.js";
import { changeSignals, detectDrift } from "../../src/agents/drift/detect.js";
import { driftRemediation } from "../../src/agents/drift/remediate.js";
import { auditLog } from "../../src/audit/index.js";
import type { Action } from "../../src/core/action.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Sink } from "../../src/core/sink.js";
import { driftEstate } from "../../src/testing/sandbox/drift.js";

console.log("Using the in-memory drift estate and an emulated GitHub Actions API (no cloud account needed).");

const bucket = "arn:aws:s3:::acme-prod-site";
const devBucket = "arn:aws:s3:::acme-dev-site";
// What `terraform show -json` prints for the bucket's state.
const state = {
  format_version: "1.0",
  values: {
    root_module: {
      resources: [
        {
          address: "module.site.aws_s3_bucket.site",
          mode: "managed",
          type: "aws_s3_bucket",
          name: "site",
          values: {
            arn: bucket,
            publicAccessBlock: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
            encryption: { enabled: true },
            logging: { enabled: true },
          },
        },
      ],
    },
  },
};
const estate = driftEstate({
  resources: [
    {
      id: bucket,
      type: "aws.s3.bucket",
      environment: "production",
      attributes: structuredClone(state.values.root_module.resources[0]!.values),
    },
    // A development bucket outside Terraform: the knowledge base's secure settings are its baseline.
    {
      id: devBucket,
      type: "aws.s3.bucket",
      environment: "development",
      attributes: { ...structuredClone(state.values.root_module.resources[0]!.values), arn: devBucket },
    },
  ],
});

const store = memoryStore();
const audit = auditLog(store);
const baselines = approvedBaselines(store, { now: () => estate.now() });
await baselines.approve(baselinesFromTerraform(state), { approvedBy: "alice", comment: "release 42" });
await baselines.approve(knowledgeBaselines(), { approvedBy: "alice" });

const tickets: Action[] = [];
const ticketSink: Sink = {
  specificationVersion: "v1",
  name: "tickets",
  async deliver(action) {
    tickets.push(action);
    return { key: action.idempotencyKey, status: "created" };
  },
};

const job = driftRemediation({
  policy: {
    mode: "automated",
    rules: [
      {
        // Low-risk storage fixes in development run without a human, approved by drift-bot.
        id: "drift-low-risk-development",
        when: { rule: ["drift/s3-*"], environment: "development" },
        do: [{ kind: "remediate", sink: "drift", automatic: true }],
      },
      {
        id: "drift-incident",
        when: { rule: "drift/*" },
        do: [
          { kind: "remediate", sink: "drift" },
          { kind: "ticket", sink: "tickets", automatic: true },
        ],
      },
    ],
    principals: [
      { id: "drift-bot", scopes: ["approve:remediate:development"] },
      { id: "alice", scopes: ["approve:remediate"] },
    ],
  },
  automationPrincipal: "drift-bot",
  store,
  audit,
  remediators: { pipeline: estate.remediators.pipeline },
  read: (id) => estate.read(id),
  context: () => ({
    dependents: [{ id: "E2QWRUHAPOMQZL", type: "aws.cloudfront.distribution", relation: "origin of" }],
  }),
  sinks: { tickets: ticketSink },
  now: () => estate.now(),
  sleep: async (ms) => estate.advance(ms),
});

estate.advance(3_600_000);
estate.change(bucket, "publicAccessBlock.BlockPublicAcls", false, {
  actor: "arn:aws:iam::111122223333:user/bob",
  via: "console",
  event: "PutPublicAccessBlock",
});
estate.change(devBucket, "encryption.enabled", false, {
  actor: "arn:aws:iam::111122223333:user/carol",
  via: "console",
  event: "DeleteBucketEncryption",
});

const drifts = detectDrift(estate.snapshots(), await baselines.index(), {
  signals: changeSignals(estate.findings()),
  now: () => estate.now(),
});
for (const drift of drifts) {
  console.log(
    `Drift: ${drift.path} ${JSON.stringify(drift.before)} → ${JSON.stringify(drift.after)} on ${drift.resourceId} (${drift.baseline.iac ? `Terraform ${drift.baseline.iac.address}` : `${drift.baseline.source} baseline`}), by ${drift.change?.actor} via ${drift.change?.via}`,
  );
}

for (const plan of await job.plan(drifts)) {
  console.log(
    `Dry run: ${plan.decision} — ${plan.reason}; would send workflow_dispatch inputs ${JSON.stringify(plan.plan?.request)}`,
  );
}

const fix = (await job.handle(drifts)).find((item) => item.decision === "approval");
console.log(`Ticket: ${tickets[0]?.case.findings[0]?.description.split("\n").slice(0, 2).join(" ")}`);
await job.approvals.approve(fix?.approvalId ?? "", { principal: "alice" });
console.log(`${fix?.approvalId} is approved by alice`);

const result = await job.execute();
for (const verified of result.verified)
  console.log(
    `Fix ${verified.playbook} on ${verified.drift.resourceId} ${verified.state} (approved by ${verified.approvedBy})`,
  );
console.log(
  `${estate.calls().length} workflow runs; drifts left: ${
    detectDrift(estate.snapshots(), await baselines.index()).length
  }; audit chain ok: ${(await audit.verify()).ok}`,
);
