import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/ocsf/index.js";
import { mapOcsfResourceType, ocsfTags } from "../../../src/adapters/ocsf/map-resource.js";
import { mapOcsfStatus } from "../../../src/adapters/ocsf/map-status.js";
import { ocsfTime } from "../../../src/adapters/ocsf/map-time.js";
import { isCloudstewardError, type NormalizationError } from "../../../src/core/errors.js";
import { findingSchema } from "../../../src/core/finding.js";
import { toOcsf } from "../../../src/core/ocsf.js";
import type { Warning } from "../../../src/core/report.js";
import { makeFinding } from "../../../src/testing/factories.js";

const fixtures = join(import.meta.dirname, "__fixtures__");
const fetchedAt = "2025-06-01T00:00:00.000Z";
// biome-ignore lint/suspicious/noExplicitAny: fixture records are read field by field
type Record_ = Record<string, any>;
const readArray = (name: string): Record_[] => JSON.parse(readFileSync(join(fixtures, name), "utf8"));
const readLines = (name: string): Record_[] =>
  readFileSync(join(fixtures, name), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
const prowler = readArray("prowler-s3.ocsf.json");
const [compliance, detection, event] = readLines("securityhub-v2.jsonl") as [Record_, Record_, Record_];
const inspector = event.detail.findings[0] as Record_;

function normalized(record: unknown, options: Parameters<typeof normalize>[1] = {}) {
  const warnings: Warning[] = [];
  const finding = normalize(record, {
    fetchedAt,
    onWarning: (warning) => warnings.push(warning),
    ...options,
  });
  expect(findingSchema.safeParse(finding).success).toBe(true);
  return { finding, warnings };
}

describe("normalize: Prowler -M json-ocsf (Detection Finding 2004)", () => {
  it("maps a failed check on a bucket: ids, rule, resource, controls, times", () => {
    const { finding, warnings } = normalized(prowler[0], { platform: "prowler" });
    expect(warnings).toEqual([]);
    expect(finding).toMatchObject({
      id: "prowler:prowler-aws-s3_bucket_public_access-123456789012-us-east-1-acme-public-assets",
      source: { platform: "prowler", nativeSeverity: "Critical", nativeStatus: "New / FAIL", fetchedAt },
      category: "exposure",
      severity: "critical",
      status: "open",
      title: "S3 bucket is not publicly accessible to Everyone or Authenticated Users",
      rule: {
        id: "s3_bucket_public_access",
        name: "S3 bucket is not publicly accessible to Everyone or Authenticated Users",
      },
      resource: {
        id: "arn:aws:s3:::acme-public-assets",
        type: "aws.s3.bucket",
        nativeType: "AwsS3Bucket",
        name: "acme-public-assets",
        cloud: "aws",
        accountId: "123456789012",
        accountName: "acme-production",
        region: "us-east-1",
        tags: {
          Name: "acme-public-assets",
          Environment: "prod",
          "aws:cloudformation:stack-name": "web-assets",
        },
      },
      // `created_time` is seconds in Prowler's output; its `created_time_dt` is the scanner's local time.
      firstSeen: "2025-02-14T13:27:03.000Z",
      lastSeen: "2025-02-14T13:27:03.000Z",
    });
    expect(finding.rule.controls).toContainEqual({ framework: "PCI-4.0", control: "1.3.1.37" });
    expect(finding.rule.controls).toHaveLength(6);
    expect(finding.rule.remediation).toMatch(/^Enforce defense in depth/);
    // The check's description, then its verdict on this resource.
    expect(finding.description).toMatch(/evaluated for \*\*public access\*\*/);
    expect(finding.description).toMatch(
      /S3 Bucket acme-public-assets has public access due to bucket policy\.$/,
    );
    expect(finding.raw).toBeUndefined();
  });

  it("reads PASS as resolved, a muted FAIL as suppressed, an IAM user as identity", () => {
    expect(normalized(prowler[1]).finding).toMatchObject({
      status: "resolved",
      source: { nativeStatus: "New / PASS" },
    });
    expect(normalized(prowler[2]).finding).toMatchObject({
      status: "suppressed",
      severity: "medium",
      category: "misconfiguration",
      source: { nativeStatus: "Suppressed / FAIL" },
    });
    expect(normalized(prowler[3]).finding).toMatchObject({
      status: "open",
      severity: "high",
      category: "identity",
      resource: { type: "aws.iam.user", name: "ana", accountId: "123456789012" },
    });
  });

  it("normalizes Prowler's published example outputs for AWS, Azure, GCP and Kubernetes", () => {
    const all = ["aws", "azure", "gcp", "kubernetes"].flatMap((cloud) =>
      readArray(`prowler-example-${cloud}.ocsf.json`).map((record) => normalized(record).finding),
    );
    expect(
      all.map((finding) => [
        finding.rule.id,
        finding.status,
        finding.severity,
        finding.resource.cloud,
        finding.resource.type,
      ]),
    ).toMatchSnapshot();
    // The MANUAL account checks stay open: nothing says they passed.
    const manual = all.find((finding) => finding.source.nativeStatus === "New / MANUAL")!;
    expect(manual.status).toBe("open");
    expect(manual.resource.type).toBe("aws.account");
  });

  it("reads Prowler's universal compliance output (a Compliance Finding per requirement, ocsf_compliance.py)", () => {
    const [failed] = prowler as [Record_];
    const perRequirement = {
      class_uid: 2003,
      activity_id: 1,
      compliance: {
        standards: ["CIS-2.0"],
        requirements: ["1.10"],
        control:
          "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password",
        status_id: 3,
        checks: [
          {
            uid: "iam_user_mfa_enabled_console_access",
            name: "IAM user has MFA enabled for console access or no console password is set",
            status: "FAIL",
            status_id: 3,
          },
        ],
      },
      finding_info: {
        uid: `${prowler[3]!.finding_info.uid}-1.10`,
        title: "1.10",
        desc: "Ensure multi-factor authentication (MFA) is enabled…",
        created_time: 1739539623,
      },
      metadata: {
        event_code: "iam_user_mfa_enabled_console_access",
        product: { name: "Prowler", uid: "prowler" },
      },
      resources: prowler[3]!.resources,
      severity_id: 4,
      status_id: 1,
      status_code: "FAIL",
      unmapped: {
        cloud: {
          provider: "aws",
          region: "us-east-1",
          account: { uid: "123456789012", name: "acme-production" },
        },
      },
    };
    const { finding, warnings } = normalized(perRequirement);
    expect(warnings).toEqual([]);
    expect(finding).toMatchObject({
      title: "1.10",
      status: "open",
      // This output carries no Prowler categories: a failed check reads as a misconfiguration.
      category: "misconfiguration",
      rule: {
        id: "iam_user_mfa_enabled_console_access",
        name: "IAM user has MFA enabled for console access or no console password is set",
        controls: [{ framework: "CIS-2.0", control: "1.10" }],
      },
      resource: {
        id: "arn:aws:iam::123456789012:user/ana",
        accountId: "123456789012",
        accountName: "acme-production",
      },
    });
    // The same problem as the detection output's record, so the same case.
    expect(finding.dedupKey).toBe(normalized(prowler[3]).finding.dedupKey);
    expect(failed.finding_info.uid).toMatch(/^prowler-aws-/);
  });

  it("keeps the native record only when asked", () => {
    expect(normalized(prowler[0], { keepRaw: true }).finding.raw).toBe(prowler[0]);
  });
});

describe("normalize: AWS Security Hub v2 (GetFindingsV2 / EventBridge)", () => {
  it("maps a Compliance Finding (2003) on a bucket named in uid, with its ARN in uid_alt", () => {
    const { finding, warnings } = normalized(compliance, { platform: "securityhub" });
    expect(warnings).toEqual([]);
    expect(finding).toMatchObject({
      source: { nativeSeverity: "High", nativeStatus: "New / Fail" },
      severity: "high",
      status: "open",
      category: "misconfiguration",
      rule: {
        id: "S3.2",
        controls: [
          { framework: "standards/aws-foundational-security-best-practices/v/1.0.0", control: "S3.2" },
        ],
      },
      resource: {
        id: "arn:aws:s3:::my-public-bucket",
        type: "aws.s3.bucket",
        nativeType: "AWS::S3::Bucket",
        accountId: "111122223333",
      },
      firstSeen: "2025-05-01T00:00:00.000Z",
      lastSeen: "2025-05-25T10:00:00.000Z",
    });
    expect(
      normalized({ ...compliance, compliance: { ...compliance.compliance, status: "Pass", status_id: 1 } })
        .finding.status,
    ).toBe("resolved");
  });

  it("maps a GuardDuty Detection Finding to a threat whose rule is the finding type, not the detector", () => {
    const { finding } = normalized(detection);
    expect(finding).toMatchObject({
      category: "threat",
      severity: "critical",
      rule: { id: "AttackSequence:EC2/CompromisedInstanceGroup" },
      resource: { id: "i-0abc1234def567890", type: "aws.ec2.instance", region: "ap-northeast-1" },
    });
  });

  it("maps an Inspector Vulnerability Finding (2002) with its CVE, score, EPSS and package", () => {
    const { finding } = normalized(inspector);
    expect(finding).toMatchObject({
      category: "vulnerability",
      rule: { id: "CVE-2023-38545" },
      vulnerability: {
        cve: "CVE-2023-38545",
        cvss: 9.8,
        epss: 0.00018,
        packageName: "curl",
        installedVersion: "7.76.1-26.amzn2022.0.1",
        fixedVersion: "8.4.0-1.amzn2023.0.1",
        exploitAvailable: true,
      },
    });
  });
});

describe("normalize: fallbacks and dead letters", () => {
  const base = prowler[0]!;

  it("reads an unknown severity as high and an unreadable status as open, each with a warning", () => {
    const { finding, warnings } = normalized({
      ...base,
      severity_id: 99,
      severity: "Sev-X",
      status_id: 99,
      status: "Triaged",
      status_code: undefined,
    });
    expect(finding.severity).toBe("high");
    expect(finding.status).toBe("open");
    expect(warnings.map((warning) => [warning.type, warning.feature])).toEqual([
      ["fallback", "severity"],
      ["fallback", "status"],
    ]);
    expect(warnings[0]!.message).toContain('"Sev-X"');
  });

  it("takes a vendor severity or caption when the id is Unknown or Other", () => {
    expect(normalized({ ...base, severity_id: 0, severity: "Moderate" }).finding.severity).toBe("medium");
    expect(
      normalized({ ...base, severity_id: 99, severity: "Other", vendor_attributes: { severity_id: 2 } })
        .finding.severity,
    ).toBe("low");
    expect(normalized({ ...base, severity_id: 6, severity: "Fatal" }).finding.severity).toBe("critical");
  });

  it("files a finding naming no resource on its account, and one naming neither on itself", () => {
    const noResource = normalized({ ...base, resources: [] });
    expect(noResource.finding.resource).toMatchObject({
      id: "123456789012",
      type: "aws.account",
      cloud: "aws",
    });
    expect(noResource.warnings.map((warning) => warning.feature)).toEqual(["resource"]);
    const bare = normalized({ finding_info: { uid: "lonely", title: "Something" } });
    expect(bare.finding.resource).toMatchObject({ id: "lonely", cloud: "other", accountId: "" });
    expect(bare.finding.status).toBe("open");
    expect(bare.warnings.map((warning) => warning.feature).sort()).toEqual([
      "firstSeen",
      "resource",
      "severity",
    ]);
    expect(bare.finding.firstSeen).toBe(fetchedAt);
  });

  it("throws a NormalizationError naming the path for a record without identity, or not a finding", () => {
    const cases: [unknown, (string | number)[]][] = [
      [{ ...base, finding_info: { ...base.finding_info, uid: "  " } }, ["finding_info", "uid"]],
      [{ ...base, finding_info: undefined }, ["finding_info", "uid"]],
      [{ finding: { title: "OCSF 1.0, no uid" } }, ["finding", "uid"]],
      [{ class_uid: 3002, finding_info: { uid: "x" } }, ["class_uid"]],
      ["a string", []],
    ];
    for (const [record, path] of cases) {
      const error = (() => {
        try {
          normalize(record);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isCloudstewardError(error, "NORMALIZATION")).toBe(true);
      expect((error as NormalizationError).path).toEqual(path);
    }
  });

  it("reads OCSF 1.0 Security Findings (2001: `finding`, `state_id`)", () => {
    const { finding } = normalized({
      class_uid: 2001,
      state_id: 2,
      severity_id: 3,
      time: 1716624000000,
      finding: {
        uid: "sl-1",
        title: "Security group allows SSH from anywhere",
        types: ["Software and Configuration Checks"],
      },
      resources: [
        {
          uid: "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0",
          type: "AwsEc2SecurityGroup",
        },
      ],
      cloud: { provider: "AWS", account: { uid: "111122223333" } },
    });
    expect(finding).toMatchObject({
      id: "ocsf:sl-1",
      status: "in_progress",
      severity: "medium",
      resource: { type: "aws.ec2.security-group", name: "sg-0123456789abcdef0", region: "us-east-1" },
      firstSeen: "2024-05-25T08:00:00.000Z",
    });
  });

  it("reads back what toOcsf writes, facts intact", () => {
    const original = makeFinding({ status: "in_progress" });
    const { finding } = normalized(toOcsf(original, { redact: false }), {
      platform: original.source.platform,
    });
    expect(finding).toMatchObject({
      severity: original.severity,
      status: original.status,
      title: original.title,
      rule: { id: original.rule.id },
      resource: {
        id: original.resource.id,
        type: original.resource.type,
        cloud: original.resource.cloud,
        accountId: original.resource.accountId,
      },
      firstSeen: original.firstSeen,
      lastSeen: original.lastSeen,
    });
    expect(finding.rule.controls).toEqual(original.rule.controls);
    expect(finding.resource.nativeType).toBe(original.resource.nativeType);
    expect(finding.resource.tags).toEqual(original.resource.tags);
    // toOcsf writes the cloudsteward id as `finding_info.uid`: it comes back as the native id.
    expect(finding.source.nativeId).toBe(original.id);
  });
});

describe("mapping helpers", () => {
  it("maps resource types from CloudFormation, ASFF, ARM, GCP asset types, Kubernetes kinds and ids", () => {
    expect(
      [
        ["aws", "AWS::S3::Bucket", "arn:aws:s3:::b"],
        ["aws", "AWS::EC2::SecurityGroup", "sg-1"],
        ["aws", "AWS::RDS::DBInstance", "db"],
        ["aws", "AwsEc2SecurityGroup", "sg-1"],
        ["aws", "AwsRdsDbCluster", "c"],
        ["aws", "AwsElbv2LoadBalancer", "lb"],
        ["aws", "Other", "arn:aws:iam::123456789012:root"],
        ["aws", "Other", "arn:aws:lambda:us-east-1:123456789012:function:fn"],
        ["aws", "Other", "opaque"],
        ["azure", "microsoft.storage/storageaccounts", "/subscriptions/s/x"],
        ["azure", "NotDefined", "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"],
        ["azure", "AzureDefenderPlan", "x"],
        ["gcp", "storage.googleapis.com/Bucket", "b"],
        ["gcp", "compute.googleapis.com/InstanceGroupManager", "m"],
        ["gcp", "FirewallRule", "fw"],
        ["kubernetes", "Pod", "uid"],
        ["kubernetes", "KubernetesAPIServer", "uid"],
      ].map(([cloud, type, id]) => mapOcsfResourceType(cloud as "aws", type!, id!)),
    ).toEqual([
      "aws.s3.bucket",
      "aws.ec2.security-group",
      "aws.rds.instance",
      "aws.ec2.security-group",
      "aws.rds.cluster",
      "aws.elbv2.load-balancer",
      "aws.account",
      "aws.lambda.function",
      "aws.other.resource",
      "azure.storage.account",
      "azure.keyvault.vault",
      "azure.other.defender-plan",
      "gcp.storage.bucket",
      "gcp.compute.instance-group-manager",
      "gcp.other.firewall-rule",
      "kubernetes.pod",
      "kubernetes.api-server",
    ]);
    expect(mapOcsfResourceType("aws", "Other", "opaque", "accessanalyzer")).toBe("aws.other.accessanalyzer");
  });

  it("reads labels and tags, tags winning", () => {
    expect(
      ocsfTags(
        ["Name:web", "team:data", "bare", "aws:autoscaling:groupName:asg-1", "url:https://x"],
        [{ name: "team", value: "platform" }],
      ),
    ).toEqual({
      Name: "web",
      team: "platform",
      bare: "",
      "aws:autoscaling:groupName": "asg-1",
      url: "https://x",
    });
  });

  it("reads times in seconds, milliseconds, zoned and naive date-times", () => {
    expect(ocsfTime(1739539623)).toBe("2025-02-14T13:27:03.000Z");
    expect(ocsfTime(1739539623913)).toBe("2025-02-14T13:27:03.913Z");
    expect(ocsfTime("2025-02-14T14:27:03.913874")).toBe("2025-02-14T14:27:03.913Z");
    expect(ocsfTime("2025-02-14T14:27:03+01:00")).toBe("2025-02-14T13:27:03.000Z");
    expect(ocsfTime("yesterday")).toBeUndefined();
    expect(ocsfTime(-5)).toBeUndefined();
  });

  it("decides status from the check result first, then the workflow, then a Close activity", () => {
    expect(mapOcsfStatus({ status_id: 2, status_code: "PASS" }).status).toBe("resolved");
    expect(mapOcsfStatus({ status_id: 2, status_code: "FAIL" }).status).toBe("in_progress");
    expect(mapOcsfStatus({ status_code: "MANUAL" })).toEqual({
      status: "open",
      native: "MANUAL",
      fallback: false,
    });
    expect(mapOcsfStatus({ status_id: 5 }).status).toBe("resolved");
    expect(mapOcsfStatus({ activity_id: 3 }).status).toBe("resolved");
    expect(mapOcsfStatus({ status: "In Progress" }).status).toBe("in_progress");
    expect(mapOcsfStatus({ status_code: "ACTIVE", compliance: { status_id: 1 } }).status).toBe("resolved");
    expect(mapOcsfStatus({ status_id: 0 })).toMatchObject({ status: "open", fallback: false });
  });
});
