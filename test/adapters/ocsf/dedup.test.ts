import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalize as normalizeOcsf, ocsf } from "../../../src/adapters/ocsf/index.js";
import { normalize as normalizeWiz } from "../../../src/adapters/wiz/index.js";
import type { Finding } from "../../../src/core/finding.js";

const fixtures = join(import.meta.dirname, "__fixtures__");
const prowler: Record<string, unknown>[] = JSON.parse(
  readFileSync(join(fixtures, "prowler-s3.ocsf.json"), "utf8"),
);

/** A Wiz Cloud Configuration Finding (the shape of test/adapters/wiz/__fixtures__) about a public bucket. */
function wizPublicBucket(bucket: string, account: string): Finding {
  return normalizeWiz(
    {
      id: "8a1f6c2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b",
      result: "FAIL",
      severity: "HIGH",
      status: "OPEN",
      analyzedAt: "2025-04-20T03:00:00Z",
      firstSeenAt: "2025-04-18T03:00:00Z",
      resource: {
        id: "graph-bucket-public",
        providerId: `arn:aws:s3:::${bucket}`,
        name: bucket,
        type: "BUCKET",
        nativeType: "bucket",
        region: "us-east-1",
        cloudPlatform: "AWS",
        subscription: { externalId: account },
      },
      rule: {
        id: "c0ffee00-1234-4abc-8def-000000000099",
        name: "S3 Bucket should not allow public read access",
      },
      subscription: { id: "sub-1", externalId: account, name: "acme-production" },
    },
    { fetchedAt: "2025-04-20T04:00:00Z" },
  );
}

describe("ocsf findings and CNAPP findings on the same resource", () => {
  it("give Prowler's s3_bucket_public_access failure and Wiz's public-bucket finding on one bucket the same dedupKey", () => {
    const fromProwler = normalizeOcsf(prowler[0], { platform: "prowler" });
    const fromWiz = wizPublicBucket("acme-public-assets", "123456789012");
    expect(fromProwler.rule.id).toBe("s3_bucket_public_access");
    expect(fromProwler.resource).toMatchObject({
      id: "arn:aws:s3:::acme-public-assets",
      type: "aws.s3.bucket",
    });
    expect(fromWiz.resource.type).toBe("aws.s3.bucket");
    expect(fromProwler.dedupKey).toBe(fromWiz.dedupKey);
    // Different platforms, different ids: only the dedupKey says they are the same problem.
    expect(fromProwler.id).not.toBe(fromWiz.id);
  });

  it("keeps them apart on another bucket, and keeps another rule on the same bucket apart", () => {
    const fromProwler = normalizeOcsf(prowler[0], { platform: "prowler" });
    expect(fromProwler.dedupKey).not.toBe(wizPublicBucket("acme-logs", "123456789012").dedupKey);
    // s3_bucket_default_encryption on acme-legacy-exports vs. a public-read finding there.
    const encryption = normalizeOcsf(prowler[2], { platform: "prowler" });
    expect(encryption.resource.id).toBe("arn:aws:s3:::acme-legacy-exports");
    expect(encryption.dedupKey).not.toBe(wizPublicBucket("acme-legacy-exports", "123456789012").dedupKey);
  });

  it("gives Security Hub's S3.2 control finding (bucket name in uid, ARN in uid_alt) the dedupKey Wiz gives that bucket", async () => {
    const source = ocsf({ files: join(fixtures, "securityhub-v2.jsonl"), platform: "securityhub" });
    const findings: Finding[] = [];
    for await (const finding of source.findings()) findings.push(finding);
    const control = findings.find((finding) => finding.rule.id === "S3.2")!;
    expect(control.resource.id).toBe("arn:aws:s3:::my-public-bucket");
    expect(control.dedupKey).toBe(wizPublicBucket("my-public-bucket", "111122223333").dedupKey);
  });

  it("derives the key from the finding, not the platform name it is filed under", () => {
    const asOcsf = normalizeOcsf(prowler[0]);
    const asProwler = normalizeOcsf(prowler[0], { platform: "prowler" });
    expect(asOcsf.id).toBe(`ocsf:${asProwler.source.nativeId}`);
    expect(asOcsf.dedupKey).toBe(asProwler.dedupKey);
  });
});
