import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/wiz/index.js";
import { detectWizRecordKind } from "../../../src/adapters/wiz/normalize.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import type { Finding } from "../../../src/core/finding.js";
import type { Warning } from "../../../src/core/report.js";
import {
  itChecksEveryFieldItReads,
  itNormalizesIntoValidFindings,
  normalizationErrors,
  readFixtures,
} from "../helpers.js";

const fetchedAt = "2025-08-01T00:00:00.000Z";
const { json: fixture } = readFixtures(import.meta.url);
const fixtures = [
  "issue-toxic-combination",
  "issue-informational-awkward",
  "issue-threat-detection",
  "configuration-finding",
  "vulnerability-finding",
  "webhook-issue",
  "webhook-issue-quirks",
  "detection-webhook",
  "detection-node",
];

const normalizationError = normalizationErrors(normalize, { fetchedAt });

/** The finding and the fallback warnings of one record. */
function normalizeWarning(record: unknown): { finding: Finding; warnings: Warning[] } {
  const warnings: Warning[] = [];
  return {
    finding: normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) }),
    warnings,
  };
}

describe("wiz normalize", () => {
  itNormalizesIntoValidFindings(fixtures, (name) => normalize(fixture(name), { fetchedAt }));

  itChecksEveryFieldItReads(
    Object.fromEntries(fixtures.map((name) => [name, fixture(name)])),
    (record) => normalize(record, { fetchedAt }),
    detectWizRecordKind,
  );

  it("normalizes a record without its account id, with a fallback warning when asked for warnings", () => {
    const record = fixture("issue-toxic-combination");
    delete (record.entitySnapshot as Record<string, unknown>).subscriptionExternalId;
    const warnings: Warning[] = [];
    const finding = normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    expect(finding.resource.accountId).toBe("");
    expect(warnings).toEqual([
      expect.objectContaining({
        type: "fallback",
        source: "wiz",
        feature: "entitySnapshot.subscriptionExternalId",
        message: expect.stringContaining("issue c8b8e0f4-5d1a-4c3e-9f2b-7a6d5c4b3a21"),
      }),
    ]);
    expect(normalize(record, { fetchedAt }).resource.accountId).toBe("");
  });

  it("detects the kind of each record", () => {
    expect(fixtures.map((name) => detectWizRecordKind(fixture(name)))).toEqual([
      "issue",
      "issue",
      "issue",
      "configuration",
      "vulnerability",
      "webhook-issue",
      "webhook-issue",
      "detection",
      "detection",
    ]);
  });

  it("maps the reference's toxic-combination issue field by field", () => {
    const finding = normalize(fixture("issue-toxic-combination"), { fetchedAt });
    expect(finding.id).toBe("wiz:c8b8e0f4-5d1a-4c3e-9f2b-7a6d5c4b3a21");
    expect(finding.category).toBe("exposure");
    expect(finding.resource).toMatchObject({
      id: "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc",
      type: "aws.ec2.instance",
      nativeType: "ec2#instance",
      cloud: "aws",
      accountId: "111122223333",
      accountName: "prod",
      region: "us-east-1",
      tags: { owner: "team-a" },
    });
    expect(finding.rule.controls).toEqual([{ framework: "CIS AWS 2.0.0", control: "4.1" }]);
    expect(finding.source.url).toBe(
      "https://app.wiz.io/issues#~(issue~'c8b8e0f4-5d1a-4c3e-9f2b-7a6d5c4b3a21')",
    );
    expect(finding.lastSeen).toBe("2025-03-04T08:00:00.000Z");
  });

  it("handles INFORMATIONAL severity, null tags, an unknown resource type and missing optional fields", () => {
    const finding = normalize(fixture("issue-informational-awkward"), { fetchedAt });
    expect(finding.severity).toBe("info");
    expect(finding.status).toBe("risk_accepted");
    expect(finding.resource.tags).toEqual({});
    expect(finding.resource.type).toBe("aws.other.qldb-ledger");
    expect(finding.resource.region).toBeUndefined();
    expect(finding.lastSeen).toBe(finding.firstSeen);
    expect(finding.description).toBe("");
  });

  it("reads tags from a [{key, value}] list and an object map alike, keeping conflicting keys", () => {
    const fromList = normalize(fixture("configuration-finding"), { fetchedAt }).resource.tags;
    expect(fromList).toEqual({ owner: "ada@example.com", Owner: "grace@example.com", empty: "" });
    const threat = normalize(fixture("issue-threat-detection"), { fetchedAt });
    expect(threat.resource.tags).toEqual({ app: "api", owner: "", replicas: "3" });
  });

  it("keeps hostile tag keys as plain data, never as a prototype", () => {
    const record = fixture("issue-toxic-combination");
    const snapshot = record.entitySnapshot as Record<string, unknown>;
    snapshot.tags = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": "x", "owner": "a@example.com"}',
    );
    const { tags } = normalize(record, { fetchedAt }).resource;
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(["__proto__", "constructor", "owner"]);
    expect(Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(tags)), "__proto__")?.value).toBe(
      '{"polluted":"yes"}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("skips malformed tag entries and sub-categories instead of failing the record", () => {
    const record = fixture("configuration-finding");
    record.resource = {
      ...(record.resource as object),
      tags: [{ key: "team", value: "web" }, 7, null, { value: "x" }],
    };
    record.rule = {
      id: "r-1",
      name: "Rule",
      securitySubCategories: [
        { title: 42, category: {} },
        null,
        { title: "1.2 Do it", category: { framework: { name: "CIS" } } },
      ],
    };
    const finding = normalize(record, { fetchedAt });
    expect(finding.resource.tags).toEqual({ team: "web" });
    expect(finding.rule.controls).toEqual([{ framework: "CIS", control: "1.2" }]);
  });

  it("splits REJECTED by resolution reason and treats NONE as info", () => {
    expect(normalize(fixture("issue-threat-detection"), { fetchedAt }).status).toBe("suppressed");
    const configuration = normalize(fixture("configuration-finding"), { fetchedAt });
    expect(configuration.status).toBe("risk_accepted");
    expect(configuration.severity).toBe("info");
    expect(configuration.resource.type).toBe("aws.s3.bucket");
  });

  it("maps threat detections on Kubernetes and vulnerability facts", () => {
    const threat = normalize(fixture("issue-threat-detection"), { fetchedAt });
    expect(threat.category).toBe("threat");
    expect(threat.resource).toMatchObject({ cloud: "kubernetes", type: "kubernetes.pod" });
    const vulnerability = normalize(fixture("vulnerability-finding"), { fetchedAt });
    expect(vulnerability.vulnerability).toEqual({
      cve: "CVE-2021-44228",
      cvss: 10,
      epss: 0.975,
      packageName: "log4j-core",
      installedVersion: "2.14.1",
      fixedVersion: "2.17.1",
      exploitAvailable: true,
      knownExploited: true,
    });
    expect(vulnerability.resource.type).toBe("gcp.compute.instance");
    expect(vulnerability.rule.remediation).toBe("Upgrade log4j-core to 2.17.1.");
  });

  it("copes with the webhook's quirks: title-case status, empty strings, camel-case type, a timestamp without T/Z", () => {
    const finding = normalize(fixture("webhook-issue-quirks"), { fetchedAt });
    expect(finding.status).toBe("resolved");
    expect(finding.category).toBe("threat");
    expect(finding.firstSeen).toBe("2025-07-25T13:09:25.306Z");
    expect(finding.resource).toMatchObject({
      id: "jumpbox-2",
      type: "azure.compute.virtual-machine",
      cloud: "azure",
    });
    expect(finding.source.url).toBeDefined();
  });

  it("maps a Wiz Defend detection webhook: threat on the primary resource, numeric account id, MITRE techniques, threat link", () => {
    const finding = normalize(fixture("detection-webhook"), { fetchedAt });
    expect(finding).toMatchObject({
      id: "wiz:3a65eac1-b8ff-5eb8-8727-5e6cde9c39f3",
      category: "threat",
      severity: "high",
      status: "open",
      title: "Recon:EC2/PortProbeUnprotectedPort",
      rule: { id: "cer-awsguardduty-recon-ec2-portprobeunprotectedport" },
      firstSeen: "2025-10-23T22:53:23.795Z",
      source: { url: "https://app.wiz.io/issues#~(issue~'9a3032dc-4697-5d6d-b0f0-905668f63781)" },
    });
    expect(finding.resource).toMatchObject({
      id: "i-0abcdef1234567890",
      type: "aws.ec2.instance",
      cloud: "aws",
      accountId: "123456789012",
      accountName: "payments-prod",
      region: "eu-central-1",
    });
    expect(finding.rule.controls).toEqual([
      { framework: "MITRE ATT&CK", control: "T1595" },
      { framework: "MITRE ATT&CK", control: "T1046" },
    ]);
  });

  it("maps a detections query node onto its primary resource among several", () => {
    const finding = normalize(fixture("detection-node"), { fetchedAt });
    expect(finding.resource).toMatchObject({
      id: "k8s://prod-eks/shop/pod/checkout-7d9f",
      type: "kubernetes.pod",
      cloud: "kubernetes",
      accountId: "prod-eks-cluster",
    });
    expect(finding.rule).toMatchObject({
      id: "cer-sensor-crypto-miner-process",
      name: "Crypto mining process executed in container",
    });
    expect([finding.firstSeen, finding.lastSeen]).toEqual([
      "2025-11-02T08:14:58.000Z",
      "2025-11-02T08:15:01.000Z",
    ]);
    expect(finding.source.url).toContain("0e5a7c31-2b4d-4f6e-8a9b-c0d1e2f3a4b5");
  });

  it("keeps a detection that names no rule under its title, and rejects one whose resources are malformed", () => {
    const { ruleMatch: _, ...withoutRule } = fixture("detection-node");
    const { finding, warnings } = normalizeWarning(withoutRule);
    expect(finding.rule.id).toBe(finding.title);
    expect(warnings).toEqual([expect.objectContaining({ feature: "ruleMatch.rule.id" })]);
    const detection = fixture("detection-webhook");
    expect(normalizationError({ ...detection, resources: [null] }).path).toEqual(["resources", 0]);
  });

  it("gives the same dedupKey to the same archetype on the same resource, whatever the record kind", () => {
    const webhook = normalize(fixture("webhook-issue"), { fetchedAt });
    const issue = normalize(
      {
        ...fixture("issue-toxic-combination"),
        id: "another-issue",
        type: "CLOUD_CONFIGURATION",
        sourceRule: {
          __typename: "CloudConfigurationRule",
          id: "other-rule",
          name: "S3 bucket allows public read access",
        },
        entitySnapshot: {
          type: "BUCKET",
          cloudPlatform: "AWS",
          providerId: "arn:aws:s3:::legacy-logs",
          name: "legacy-logs",
          subscriptionExternalId: "111122223333",
        },
      },
      { fetchedAt },
    );
    expect(issue.dedupKey).toBe(webhook.dedupKey);
    expect(issue.id).not.toBe(webhook.id);
  });

  it("never keys on a category fallback: unrelated rules of one category on one resource get different dedupKeys", () => {
    const threat = (id: string, ruleId: string, name: string) =>
      normalize(
        {
          ...fixture("issue-threat-detection"),
          id,
          sourceRule: { __typename: "CloudEventRule", id: ruleId, name },
        },
        { fetchedAt },
      );
    const first = threat("t-1", "cer-custom-1", "Unusual outbound connection to rare port");
    const second = threat("t-2", "cer-custom-2", "Suspicious shell spawned in container");
    expect(first.category).toBe("threat");
    expect(second.category).toBe("threat");
    expect(first.resource.id).toBe(second.resource.id);
    expect(first.dedupKey).not.toBe(second.dedupKey);
  });

  it("keys the same specific archetype on the same bucket alike under two rule ids", () => {
    const bucket = (id: string, ruleId: string) =>
      normalize(
        {
          ...fixture("issue-toxic-combination"),
          id,
          type: "CLOUD_CONFIGURATION",
          sourceRule: {
            __typename: "CloudConfigurationRule",
            id: ruleId,
            name: "S3 bucket allows public read access",
          },
          entitySnapshot: {
            type: "BUCKET",
            cloudPlatform: "AWS",
            providerId: "arn:aws:s3:::legacy-logs",
            subscriptionExternalId: "111122223333",
          },
        },
        { fetchedAt },
      );
    expect(bucket("b-1", "rule-a").dedupKey).toBe(bucket("b-2", "rule-b").dedupKey);
  });

  it("points console links at the configured portal (gov tenants)", () => {
    const portalUrl = "https://app.wiz.us/";
    expect(normalize(fixture("issue-toxic-combination"), { fetchedAt, portalUrl }).source.url).toBe(
      "https://app.wiz.us/issues#~(issue~'c8b8e0f4-5d1a-4c3e-9f2b-7a6d5c4b3a21')",
    );
    expect(normalize(fixture("configuration-finding"), { fetchedAt, portalUrl }).source.url).toMatch(
      /^https:\/\/app\.wiz\.us\/findings\/configuration-findings\//,
    );
    expect(normalize(fixture("webhook-issue"), { fetchedAt, portalUrl }).source.url).toMatch(
      /^https:\/\/app\.wiz\.us\/issues#/,
    );
  });

  it("keeps the native record only when asked", () => {
    const record = fixture("vulnerability-finding");
    expect(normalize(record, { fetchedAt }).raw).toBeUndefined();
    expect(normalize(record, { fetchedAt, keepRaw: true }).raw).toBe(record);
  });

  it("dead-letters only a record without an id, or with a field of the wrong type, naming the path", () => {
    const { id: _, ...withoutId } = fixture("issue-toxic-combination");
    const error = normalizationError(withoutId);
    expect(error.path).toEqual(["id"]);
    expect(isCloudstewardError(error, "NORMALIZATION")).toBe(true);
    const record = fixture("issue-toxic-combination");
    (record.entitySnapshot as Record<string, unknown>).type = 42;
    const typeError = normalizationError(record);
    expect(typeError.path).toEqual(["entitySnapshot", "type"]);
    expect(typeError.message).toContain("c8b8e0f4-5d1a-4c3e-9f2b-7a6d5c4b3a21");
  });

  it("keeps a record whose resource type is missing, with a generic type", () => {
    const record = fixture("issue-toxic-combination");
    delete (record.entitySnapshot as Record<string, unknown>).type;
    delete (record.entitySnapshot as Record<string, unknown>).nativeType;
    expect(normalize(record, { fetchedAt }).resource.type).toBe("aws.other.unknown");
  });

  it("reads an unknown or missing severity as high and status as open, warning with the path", () => {
    const severe = normalizeWarning({ ...fixture("issue-toxic-combination"), severity: "SEVERE" });
    expect(severe.finding).toMatchObject({ severity: "high", source: { nativeSeverity: "SEVERE" } });
    expect(severe.warnings).toEqual([
      expect.objectContaining({
        type: "fallback",
        feature: "severity",
        message: expect.stringContaining('severity has an unknown severity "SEVERE"; "high" is used instead'),
      }),
    ]);
    const maybe = normalizeWarning({ ...fixture("vulnerability-finding"), status: "MAYBE" });
    expect(maybe.finding.status).toBe("open");
    expect(maybe.warnings).toEqual([expect.objectContaining({ feature: "status" })]);
    const none = normalizeWarning({
      ...fixture("vulnerability-finding"),
      vendorSeverity: null,
      CVSSSeverity: null,
    });
    expect(none.finding.severity).toBe("high");
    expect(none.warnings).toEqual([
      expect.objectContaining({ feature: "vendorSeverity", message: expect.stringContaining("is missing") }),
    ]);
  });

  it("reads an unparseable timestamp as the fetch time and a resource without any id under the record's id", () => {
    const late = normalizeWarning({ ...fixture("issue-toxic-combination"), createdAt: "yesterday" });
    expect(late.finding.firstSeen).toBe(fetchedAt);
    expect(late.warnings).toEqual([expect.objectContaining({ feature: "createdAt" })]);
    const record = fixture("vulnerability-finding");
    record.vulnerableAsset = { ...(record.vulnerableAsset as object), providerUniqueId: "", id: "" };
    const anonymous = normalizeWarning(record);
    expect(anonymous.finding.resource.id).toBe(`wiz-vulnerability:${record.id}`);
    expect(anonymous.warnings).toEqual([
      expect.objectContaining({ feature: "vulnerableAsset.providerUniqueId" }),
    ]);
  });

  it("rejects values that are not Wiz records", () => {
    expect(normalizationError(null).path).toEqual([]);
    expect(normalizationError([1, 2]).path).toEqual([]);
    expect(normalizationError({ hello: "world" }).message).toMatch(/unrecognized record/);
    expect(normalizationError({ issue: { status: "OPEN" } }).path).toEqual(["issue", "id"]);
  });

  it("reads a templated webhook body's entitySnapshot.providerId and resource.nativeType, as XSOAR's webhook mapper does", () => {
    const body: Record<string, unknown> = fixture("webhook-issue");
    body.entitySnapshot = { providerId: "arn:aws:s3:::legacy-logs-templated" };
    (body.resource as Record<string, unknown>).nativeType = "bucket";
    expect(detectWizRecordKind(body)).toBe("webhook-issue");
    const finding = normalize(body, { fetchedAt });
    expect(finding.resource).toMatchObject({
      id: "arn:aws:s3:::legacy-logs-templated",
      nativeType: "bucket",
    });
  });

  it("keeps a webhook issue without its control, under the issue's id, warning about the rule", () => {
    const { finding, warnings } = normalizeWarning({
      issue: { id: "x", status: "OPEN", severity: "LOW", created: "2025-01-01T00:00:00Z" },
    });
    expect(finding).toMatchObject({ severity: "low", status: "open", rule: { id: "unknown" } });
    expect(finding.resource.id).toBe("wiz-issue:x");
    expect(warnings.map((warning) => warning.feature)).toEqual(
      expect.arrayContaining(["control.id", "resource.id"]),
    );
  });
});
