/**
 * The pull-request route: a drift on an IaC-managed bucket becomes one pull request against the
 * Terraform, after approval, through GitHub's REST calls (emulated), and never a second one.
 */
import { describe, expect, it } from "vitest";
import {
  approvedBaselines,
  baselinesFromTerraform,
  knowledgeBaselines,
} from "../../../src/agents/drift/baseline.js";
import { changeSignals, detectDrift } from "../../../src/agents/drift/detect.js";
import { driftRemediation } from "../../../src/agents/drift/remediate.js";
import { pullRequestRemediation, terraformOverride } from "../../../src/agents/remediation/pull-request.js";
import { auditLog } from "../../../src/audit/index.js";
import { ConfigurationError, WriteDisabledError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeAction } from "../../../src/testing/factories.js";
import { driftEstate } from "../../../src/testing/sandbox/drift.js";
import { captureSink, driftPolicy } from "../drift/helpers.js";

const bucket = "arn:aws:s3:::acme-prod-site";
const token = "sandbox-github-token";
const values = {
  arn: bucket,
  publicAccessBlock: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
};
const state = {
  format_version: "1.0",
  values: {
    root_module: {
      resources: [
        { address: "aws_s3_bucket.site", mode: "managed", type: "aws_s3_bucket", name: "site", values },
      ],
    },
  },
};

async function setUp() {
  const estate = driftEstate({
    resources: [
      { id: bucket, type: "aws.s3.bucket", environment: "production", attributes: structuredClone(values) },
    ],
  });
  const store = memoryStore();
  const audit = auditLog(store);
  const baselines = approvedBaselines(store, { now: () => estate.now() });
  await baselines.approve(baselinesFromTerraform(state), { approvedBy: "alice" });
  await baselines.approve(knowledgeBaselines(), { approvedBy: "alice" });
  const job = driftRemediation({
    policy: driftPolicy,
    store,
    audit,
    automationPrincipal: "drift-bot",
    remediators: { "pull-request": estate.remediators["pull-request"] },
    read: (id) => estate.read(id),
    sinks: { tickets: captureSink() },
    now: () => estate.now(),
    sleep: async (ms) => estate.advance(ms),
  });
  const detect = async () =>
    detectDrift(estate.snapshots(), await baselines.index(), {
      signals: changeSignals(estate.findings()),
      now: () => estate.now(),
    });
  return { estate, store, audit, job, detect };
}

/** A fetch over the estate's GitHub that counts each method and path, and can fail one call once. */
function counting(estate: ReturnType<typeof driftEstate>, failOnce?: string) {
  const calls: string[] = [];
  let failed = false;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const call = `${request.method} ${new URL(request.url).pathname}`;
    calls.push(call);
    const answer = await estate.fetch(request);
    // The call was made, then the connection dropped: the caller never hears back.
    if (failOnce && call.startsWith(failOnce) && !failed) {
      failed = true;
      throw new TypeError("fetch failed");
    }
    return answer;
  };
  return { calls, fetch };
}

describe("pullRequestRemediation", () => {
  it("opens one pull request after a named human approves, naming the drift, the finding and the rollback", async () => {
    const { estate, job, detect, audit } = await setUp();
    estate.change(bucket, "publicAccessBlock.BlockPublicAcls", false, {
      actor: "arn:aws:iam::111122223333:user/bob",
      via: "console",
      event: "PutPublicAccessBlock",
    });
    const [fix] = await job.handle(await detect());
    expect(fix).toMatchObject({ decision: "approval", state: "waiting" });
    expect(fix?.plan).toMatchObject({
      route: "pull-request",
      request: { address: "aws_s3_bucket.site", title: "Block public access on acme-prod-site" },
    });
    // Nothing is opened before the approval.
    await job.execute();
    expect(estate.repository.pulls()).toEqual([]);
    expect(estate.repository.branches()).toEqual(["main"]);

    await job.approvals.approve(fix?.approvalId as string, { principal: "alice" });
    await job.execute();
    const pulls = estate.repository.pulls();
    expect(pulls.map((pull) => [pull.title, pull.base, pull.head.startsWith("cloudsteward/fix-")])).toEqual([
      ["Block public access on acme-prod-site", "main", true],
    ]);
    const [pull] = pulls;
    expect(pull?.body).toContain(
      "publicAccessBlock.BlockPublicAcls on arn:aws:s3:::acme-prod-site changed from true to false.",
    );
    expect(pull?.body).toContain("Changed by: arn:aws:iam::111122223333:user/bob via console");
    expect(pull?.body).toContain(`\`drift:${fix?.caseId}\` (drift/s3-block-public-access)`);
    expect(pull?.body).toContain("## Rollback\n```text\nRevert the merged pull request and apply.");
    expect(pull?.body).toContain("Revert the commit that added aws_s3_bucket_public_access_block");
    // Terraform's own fix: a public access block resource for the bucket, next to it in the IaC.
    const file = estate.repository.file(
      pull?.head as string,
      "aws_s3_bucket_public_access_block_site_cloudsteward.tf.json",
    );
    expect(JSON.parse(file ?? "{}")).toEqual({
      resource: {
        aws_s3_bucket_public_access_block: {
          site: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's interpolation, not JavaScript's
            bucket: "${aws_s3_bucket.site.id}",
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
          },
        },
      },
    });
    expect(
      estate.repository.file("main", "aws_s3_bucket_public_access_block_site_cloudsteward.tf.json"),
    ).toBeUndefined();

    // A re-run, and a retry of the failed-looking execution, open nothing more.
    await job.execute();
    await job.execute({ retryFailed: true });
    expect(estate.repository.pulls()).toHaveLength(1);

    // The token reaches neither the audit log nor the stored fix.
    const records: string[] = [];
    for await (const record of audit.query({})) records.push(JSON.stringify(record));
    expect(records.join("\n")).toContain(pull?.html_url as string);
    expect(records.join("\n")).not.toContain(token);
    expect(JSON.stringify(await job.get(fix?.drift.id as string))).not.toContain(token);
  });

  it("reuses the branch, the commit and the pull request when a retry follows a dropped connection", async () => {
    const estate = driftEstate({ resources: [] });
    const action = makeAction({
      kind: "remediate",
      params: {
        fix: {
          title: "Rotate the key",
          address: "aws_kms_key.site",
          terraform: { type: "aws_kms_key", arguments: { enable_key_rotation: true } },
        },
      },
    });
    for (const step of [
      "POST /repos/acme/infra/git/refs",
      "PUT /repos/acme/infra/contents",
      "POST /repos/acme/infra/pulls",
    ]) {
      const { calls, fetch } = counting(estate, step);
      const remediator = pullRequestRemediation({
        apiUrl: "https://api.github.test",
        owner: "acme",
        repo: "infra",
        token,
        allowWrite: true,
        fetch,
        rollback: "Revert it.",
      });
      const variant = { ...action, idempotencyKey: `${action.idempotencyKey}:${step}` };
      await expect(remediator.remediate(variant)).rejects.toThrow();
      const retried = await remediator.remediate(variant);
      const again = await remediator.remediate(variant);
      expect(retried.details).toMatchObject({ number: again.details.number, state: "open" });
      expect(again.details.pullRequest).toBe("exists");
      expect(calls.filter((call) => call.startsWith("PUT "))).toHaveLength(1);
      expect(calls.filter((call) => call === "POST /repos/acme/infra/git/refs")).toHaveLength(1);
    }
    expect(estate.repository.pulls()).toHaveLength(3);
  });

  it("refuses to write without allowWrite, and the emulated GitHub refuses a request without the token", async () => {
    const estate = driftEstate({ resources: [] });
    const options = { owner: "acme", repo: "infra", token, fetch: estate.fetch, rollback: "Revert it." };
    const action = makeAction({
      kind: "remediate",
      params: {
        fix: { address: "aws_kms_key.site", terraform: { type: "aws_kms_key", arguments: {} } },
      },
    });
    await expect(pullRequestRemediation(options).remediate(action)).rejects.toThrow(WriteDisabledError);
    const anonymous = await estate.fetch("https://api.github.test/repos/acme/infra/pulls?state=all");
    expect(anonymous.status).toBe(401);
    const wrong = pullRequestRemediation({
      ...options,
      token: "wrong",
      allowWrite: true,
      apiUrl: "https://api.github.test",
    });
    const error = await wrong.remediate(action).catch((caught: Error) => caught);
    expect(String(error)).toMatch(/401|credentials/i);
    expect(estate.repository.branches()).toEqual(["main"]);
  });

  it("writes an override for the resource's own arguments, a companion resource otherwise, and refuses the rest", () => {
    const file = terraformOverride("live/prod");
    const fix = (address: string, terraform?: object) =>
      makeAction({ params: { fix: { address, terraform } } });
    const rotate = file(
      fix("aws_kms_key.logs", { type: "aws_kms_key", arguments: { enable_key_rotation: true } }),
    );
    expect(rotate.path).toBe("live/prod/aws_kms_key_logs_cloudsteward_override.tf.json");
    expect(JSON.parse(rotate.content(undefined))).toEqual({
      resource: { aws_kms_key: { logs: { enable_key_rotation: true } } },
    });
    const encryption = {
      type: "aws_s3_bucket_server_side_encryption_configuration",
      reference: "bucket",
      arguments: { rule: { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } } },
    };
    const companion = file(fix("aws_s3_bucket.logs", encryption));
    expect(companion.path).toBe(
      "live/prod/aws_s3_bucket_server_side_encryption_configuration_logs_cloudsteward.tf.json",
    );
    expect(JSON.parse(companion.content(undefined)).resource).toEqual({
      aws_s3_bucket_server_side_encryption_configuration: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's interpolation, not JavaScript's
        logs: { bucket: "${aws_s3_bucket.logs.id}", ...encryption.arguments },
      },
    });
    // A module address, a playbook whose fix is not plain Terraform, another type with no reference.
    expect(() => file(fix("module.site.aws_s3_bucket.site", encryption))).toThrow(ConfigurationError);
    expect(() => file(fix("aws_security_group.web"))).toThrow(/not plain Terraform/);
    expect(() => file(fix("aws_s3_bucket.logs", { type: "aws_kms_key", arguments: {} }))).toThrow(
      /no reference/,
    );
  });
});
