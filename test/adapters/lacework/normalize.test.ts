import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/lacework/index.js";
import { detectLaceworkRecordKind } from "../../../src/adapters/lacework/normalize.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import type { Warning } from "../../../src/core/report.js";
import {
  itChecksEveryFieldItReads,
  itNormalizesIntoValidFindings,
  normalizationErrors,
  readFixtures,
} from "../helpers.js";

const fetchedAt = "2025-08-01T00:00:00.000Z";
const consoleUrl = "https://acme.lacework.net";
const { json: fixture } = readFixtures(import.meta.url);
const fixtures = {
  "alert-list": "alert",
  "alert-details": "alert",
  "alert-anomaly-k8s": "alert",
  "alert-unknown-resource": "alert",
  "compliance-recommendation": "compliance",
  "host-vulnerability": "host-vulnerability",
  "container-vulnerability": "container-vulnerability",
  "webhook-flat": "webhook",
  "webhook-flat-quirks": "webhook",
  "webhook-events": "webhook-event",
} as const;
const names = Object.keys(fixtures) as (keyof typeof fixtures)[];

const normalizationError = normalizationErrors(normalize, { fetchedAt });

describe("lacework normalize", () => {
  itNormalizesIntoValidFindings(names, (name) => normalize(fixture(name), { fetchedAt, consoleUrl }));

  // Entity maps nest the resource id five deep: `entityMap.Resource[0].KEY.resource_name`.
  itChecksEveryFieldItReads(
    Object.fromEntries(names.map((name) => [name, fixture(name)])),
    (record) => normalize(record, { fetchedAt }),
    detectLaceworkRecordKind,
    5,
  );

  it("normalizes an alert whose resource names no account, with a fallback warning when asked for warnings", () => {
    const alert = fixture("alert-details");
    const entityMap = alert.entityMap as Record<string, unknown>;
    entityMap.Resource = [{ KEY: { resource_name: "arn:aws:s3:::legacy-logs" }, PROPS: {} }];
    delete entityMap.CloudAccount;
    const warnings: Warning[] = [];
    const finding = normalize(alert, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    expect(finding.resource.accountId).toBe("");
    expect(warnings).toEqual([
      expect.objectContaining({
        type: "fallback",
        source: "lacework",
        feature: "entityMap.CloudAccount[0].KEY.account_id",
      }),
    ]);
  });

  it("detects the kind of each record", () => {
    expect(names.map((name) => detectLaceworkRecordKind(fixture(name)))).toEqual(
      names.map((name) => fixtures[name]),
    );
  });

  it("maps a details alert field by field: integer id as a string, entityMap resource, console link", () => {
    const finding = normalize(fixture("alert-details"), { fetchedAt, consoleUrl });
    expect(finding.id).toBe("lacework:967301");
    expect(finding.source).toMatchObject({
      nativeId: "967301",
      nativeSeverity: "Critical",
      nativeStatus: "Closed",
      url: "https://acme.lacework.net/ui/investigation/recents/EventDossier-967301",
    });
    expect(finding.status).toBe("resolved");
    expect(finding.category).toBe("exposure");
    expect(finding.rule).toEqual({
      id: "lacework-global-45",
      name: "S3 bucket allows public read access",
      controls: [],
    });
    expect(finding.resource).toMatchObject({
      id: "arn:aws:s3:::legacy-logs",
      type: "aws.s3.bucket",
      nativeType: "s3:bucket",
      name: "legacy-logs",
      cloud: "aws",
      accountId: "111122223333",
      accountName: "prod",
      region: "us-east-1",
    });
    expect(Object.keys(finding.resource.tags)).toEqual(["owner", "__proto__"]);
    // lastUserUpdateTime (the SDK's spelling) is read too, but endTime wins.
    expect(finding.lastSeen).toBe("2025-03-01T11:00:00.000Z");
  });

  it("keeps a list alert without entityMap flowing: the alert stands in for its resource", () => {
    const finding = normalize(fixture("alert-list"), { fetchedAt });
    expect(finding.resource).toMatchObject({
      id: "lacework-alert:967278",
      cloud: "aws",
      type: "aws.other.alert",
    });
    expect(finding.source.url).toBeUndefined();
    expect(finding.category).toBe("misconfiguration");
  });

  it("reads Kubernetes objects reported by the agent, informational severity and anomalies as threats", () => {
    const finding = normalize(fixture("alert-anomaly-k8s"), { fetchedAt });
    expect(finding).toMatchObject({
      severity: "info",
      category: "threat",
      firstSeen: "2025-03-03T01:02:03.000Z",
    });
    expect(finding.resource).toMatchObject({
      cloud: "kubernetes",
      type: "kubernetes.pod",
      name: "api-7d9f",
      accountId: "prod-eks",
    });
  });

  it("maps an unknown resource type to <cloud>.other.<native>", () => {
    expect(normalize(fixture("alert-unknown-resource"), { fetchedAt }).resource).toMatchObject({
      cloud: "oci",
      type: "oci.other.quantum-ledger",
      nativeType: "QuantumLedger",
    });
  });

  it("reads the inverted numeric scale on reports and webhooks, as numbers and numeric strings", () => {
    expect(normalize(fixture("compliance-recommendation"), { fetchedAt }).severity).toBe("medium");
    expect(normalize(fixture("webhook-flat"), { fetchedAt }).severity).toBe("high");
    expect(normalize(fixture("webhook-flat-quirks"), { fetchedAt }).severity).toBe("info");
    expect(normalize(fixture("webhook-events"), { fetchedAt }).severity).toBe("critical");
  });

  it("gives a compliance violation a composite id, the report as framework and its suppression status", () => {
    const record = fixture("compliance-recommendation");
    const finding = normalize(record, { fetchedAt });
    expect(finding.id).toBe("lacework:lacework-global-45:111122223333:arn:aws:s3:::legacy-logs");
    expect(finding.rule.controls).toEqual([
      { framework: "AWS CIS Benchmark 1.4.0", control: "lacework-global-45" },
    ]);
    expect(finding).toMatchObject({
      status: "open",
      category: "compliance",
      firstSeen: "2025-03-02T06:00:00.000Z",
    });
    const suppressed = normalize({ ...record, SUPPRESSIONS: ["arn:aws:s3:::legacy-logs"] }, { fetchedAt });
    expect(suppressed.status).toBe("suppressed");
  });

  it("builds host and image resources that match the cloud's ids, and the CVE data", () => {
    const host = normalize(fixture("host-vulnerability"), { fetchedAt });
    expect(host.resource).toMatchObject({
      id: "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890",
      type: "aws.ec2.instance",
      accountId: "111122223333",
      region: "us-east-1",
    });
    expect(host.vulnerability).toEqual({
      cve: "CVE-2024-3094",
      packageName: "xz-utils",
      installedVersion: "5.6.0",
      fixedVersion: "5.6.1+really5.4.5",
    });
    expect(host.rule.remediation).toBe("Upgrade xz-utils to 5.6.1+really5.4.5.");
    const image = normalize(fixture("container-vulnerability"), { fetchedAt });
    expect(image.id).toBe("lacework:CVE-2023-38545:sha256:9b1c7e2f:curl");
    expect(image.resource).toMatchObject({ type: "aws.ecr.image", cloud: "aws", accountId: "111122223333" });
    expect(image.vulnerability).toEqual({
      cve: "CVE-2023-38545",
      packageName: "curl",
      installedVersion: "8.3.0-r0",
    });
  });

  it("parses webhook quirks: the id from event_link, unreadable timestamps fall back to fetchedAt", () => {
    const finding = normalize(fixture("webhook-flat-quirks"), { fetchedAt });
    expect(finding.id).toBe("lacework:967999");
    expect(finding.firstSeen).toBe(fetchedAt);
    expect(finding.vulnerability).toEqual({ cve: "CVE-2021-44228" });
    expect(normalize(fixture("webhook-flat"), { fetchedAt }).firstSeen).toBe("2025-03-02T10:11:00.000Z");
    const events = normalize(fixture("webhook-events"), { fetchedAt });
    expect(events.resource).toMatchObject({
      id: "arn:aws:iam::111122223333:root",
      type: "aws.iam.root",
      region: "us-east-1",
    });
  });

  it("names the path of a missing or invalid field", () => {
    const alert = fixture("alert-details");
    const cases: [unknown, (string | number)[]][] = [
      [{ ...alert, alertId: "abc" }, ["alertId"]],
      [{ ...alert, severity: true }, ["severity"]],
      [{ ...alert, alertInfo: "text" }, ["alertInfo"]],
      [{ ...fixture("compliance-recommendation"), VIOLATIONS: [] }, ["VIOLATIONS"]],
      [
        { ...fixture("compliance-recommendation"), VIOLATIONS: [{ region: "x" }] },
        ["VIOLATIONS", 0, "resource"],
      ],
      [{ ...fixture("host-vulnerability"), mid: undefined }, ["mid"]],
      [{ ...fixture("webhook-flat"), event_id: undefined, event_link: undefined }, ["event_id"]],
    ];
    for (const [record, path] of cases) {
      const error = normalizationError(record);
      expect(error.path).toEqual(path);
      expect(isCloudstewardError(error, "NORMALIZATION")).toBe(true);
      expect(error.message).toMatch(/^lacework: /);
    }
    expect(normalizationError([]).path).toEqual([]);
    expect(normalizationError({ id: 1 }).message).toContain("unrecognized record");
  });

  // A record the Finding can do without one field of: normalized with a fallback and a warning naming it.
  it.each([
    [
      "an alert without severity",
      { ...fixture("alert-details"), severity: undefined },
      "severity",
      { severity: "high" },
    ],
    [
      "an alert with an unknown severity",
      { ...fixture("alert-details"), severity: "Severe" },
      "severity",
      { severity: "high" },
    ],
    [
      "an alert with an unknown status",
      { ...fixture("alert-details"), status: "Pending" },
      "status",
      { status: "open" },
    ],
    [
      "an alert with an unreadable startTime",
      { ...fixture("alert-details"), startTime: "yesterday" },
      "startTime",
      {},
    ],
    [
      "an alert without a name",
      { ...fixture("alert-list"), alertName: undefined, alertInfo: {}, alertType: undefined },
      "alertName",
      {},
    ],
    [
      "an event with an unknown severity",
      { ...fixture("webhook-events"), SEVERITY: 9 },
      "SEVERITY",
      { severity: "high" },
    ],
    [
      "an alert whose entity map holds no lists",
      { ...fixture("alert-details"), entityMap: { Resource: "{object}" } },
      "entityMap.Resource",
      {},
    ],
    [
      "an alert from an unknown source",
      { ...fixture("alert-list"), derivedFields: { source: "Mainframe" } },
      "derivedFields.source",
      {},
    ],
    [
      "a recommendation without STATUS",
      { ...fixture("compliance-recommendation"), STATUS: undefined },
      "STATUS",
      { status: "open" },
    ],
    [
      "a recommendation without START_TIME",
      { ...fixture("compliance-recommendation"), START_TIME: undefined },
      "START_TIME",
      {},
    ],
    [
      "a vulnerability without severity",
      { ...fixture("host-vulnerability"), severity: undefined },
      "severity",
      { severity: "high" },
    ],
    [
      "a vulnerability without startTime",
      { ...fixture("container-vulnerability"), startTime: undefined },
      "startTime",
      {},
    ],
  ] as const)("keeps %s, with a fallback warning naming the field", (_, record, feature, expected) => {
    const warnings: Warning[] = [];
    const finding = normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    expect(finding).toMatchObject(expected);
    expect(warnings).toContainEqual(
      expect.objectContaining({ type: "fallback", source: "lacework", feature }),
    );
  });

  it("reads the account a cloud-activity alert names only in its text, and an entity with no resource name as the alert", () => {
    const alert = {
      ...fixture("alert-list"),
      alertInfo: { description: "For account: 123456789012 (prod) : root used" },
    };
    expect(normalize(alert, { fetchedAt }).resource.accountId).toBe("123456789012");
    const unnamed = normalize(
      { ...fixture("alert-details"), entityMap: { Resource: [{ KEY: {} }] } },
      { fetchedAt },
    );
    expect(unnamed.resource.id).toMatch(/^lacework-alert:/);
  });

  it("reads the EventBridge (CloudWatch alert channel) form and v1 event records", () => {
    const event = fixture("webhook-events");
    const wrapped = normalize(
      { version: "0", "detail-type": "LaceworkEvents", detail: event },
      { fetchedAt },
    );
    expect(wrapped).toEqual(normalize(event, { fetchedAt }));
    const details = normalize(
      {
        EVENT_ID: "7",
        EVENT_TYPE: "NewExternalServerDNSConn",
        START_TIME: "2020-04-20T19:00:00Z",
        END_TIME: "2020-04-20T20:00:00Z",
        ENTITY_MAP: {
          Machine: [{ HOSTNAME: "web-1", INSTANCE_ID: "i-0abc" }],
          Region: [{ REGION: "us-east-1", ACCOUNT_LIST: ["111122223333"] }],
        },
      },
      { fetchedAt },
    );
    expect(details.resource).toMatchObject({
      id: "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc",
      type: "aws.ec2.instance",
      accountId: "111122223333",
      region: "us-east-1",
    });
    expect(details.lastSeen).toBe("2020-04-20T20:00:00.000Z");
  });

  it("keeps the native record only when asked", () => {
    const record = fixture("alert-list");
    expect(normalize(record, { fetchedAt }).raw).toBeUndefined();
    expect(normalize(record, { fetchedAt, keepRaw: true }).raw).toBe(record);
  });
});
