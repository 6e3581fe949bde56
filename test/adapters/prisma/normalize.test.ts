import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/prisma/index.js";
import { detectPrismaRecordKind } from "../../../src/adapters/prisma/normalize.js";
import type { Warning } from "../../../src/core/report.js";
import {
  itChecksEveryFieldItReads,
  itNormalizesIntoValidFindings,
  normalizationErrors,
  readFixtures,
} from "../helpers.js";

const fetchedAt = "2025-08-01T00:00:00.000Z";
const { json: fixture } = readFixtures(import.meta.url);
const webhookAlerts = fixture("webhook-alerts") as unknown as Record<string, unknown>[];
const records: [string, Record<string, unknown>][] = [
  ["alert-config", fixture("alert-config")],
  ["alert-informational-awkward", fixture("alert-informational-awkward")],
  ["alert-vulnerability", fixture("alert-vulnerability")],
  ["alert-anomaly", fixture("alert-anomaly")],
  ["webhook-alert", webhookAlerts[0]!],
  ["webhook-alert-quirks", webhookAlerts[1]!],
];

const normalizationError = normalizationErrors(normalize, { fetchedAt });

/** A deep copy of a record with fields set (or deleted, for `undefined`) at the given paths. */
function edited(name: string, ...edits: [path: string[], value: unknown][]): Record<string, unknown> {
  const record = structuredClone(records.find(([key]) => key === name)![1]);
  for (const [path, value] of edits) {
    const parent = path.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, record);
    if (value === undefined) delete parent[path.at(-1)!];
    else parent[path.at(-1)!] = value;
  }
  return record;
}

describe("prisma normalize", () => {
  itNormalizesIntoValidFindings(
    records.map(([name]) => name),
    (name) => normalize(edited(name), { fetchedAt, appUrl: "https://app2.eu.prismacloud.io" }),
  );

  itChecksEveryFieldItReads(
    Object.fromEntries(records),
    (record) => normalize(record, { fetchedAt }),
    detectPrismaRecordKind,
  );

  it("normalizes an alert without its account id, with a fallback warning when asked for warnings", () => {
    const warnings: Warning[] = [];
    const record = edited("alert-config", [["resource", "accountId"], undefined]);
    const finding = normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    expect(finding.resource.accountId).toBe("");
    expect(warnings).toEqual([
      expect.objectContaining({ type: "fallback", source: "prisma", feature: "resource.accountId" }),
    ]);
  });

  it("detects the kind of each record", () => {
    expect(records.map(([, record]) => detectPrismaRecordKind(record))).toEqual([
      "alert",
      "alert",
      "alert",
      "alert",
      "webhook-alert",
      "webhook-alert",
    ]);
  });

  it("maps the reference's AlertModel field by field", () => {
    const finding = normalize(fixture("alert-config"), { fetchedAt });
    expect(finding).toMatchObject({
      id: "prisma:P-1234567",
      category: "exposure",
      severity: "high",
      status: "open",
      title: "AWS S3 bucket publicly readable",
      firstSeen: "2025-01-01T00:00:00.000Z",
      lastSeen: "2025-01-02T00:00:00.000Z",
      source: {
        platform: "prisma",
        nativeId: "P-1234567",
        nativeSeverity: "high",
        nativeStatus: "open",
        fetchedAt,
      },
      rule: {
        id: "e12e2a5c-4f1b-4d8e-9a3b-2c7d1e0f9a11",
        remediation: "Remove the public grants from the bucket ACL and enable Block Public Access.",
        controls: [
          { framework: "CIS v2.0.0 (AWS)", control: "2.1.5" },
          { framework: "PCI DSS v4.0", control: "1.4.1" },
        ],
      },
      resource: {
        id: "legacy-logs",
        type: "aws.s3.bucket",
        nativeType: "MANAGED_BUCKET",
        cloud: "aws",
        accountId: "111122223333",
        accountName: "prod",
        region: "us-east-1",
      },
    });
    expect(finding.source.url).toBeUndefined();
    expect(Object.getPrototypeOf(finding.resource.tags)).toBe(Object.prototype);
    expect(Object.keys(finding.resource.tags)).toEqual(["owner", "__proto__"]);
  });

  it("links listed alerts to the console when it knows the app URL", () => {
    const finding = normalize(fixture("alert-config"), {
      fetchedAt,
      appUrl: "https://app2.eu.prismacloud.io/",
    });
    expect(finding.source.url).toBe(
      "https://app2.eu.prismacloud.io/alerts/overview?viewId=default&filters=%7B%22alert.id%22%3A%5B%22P-1234567%22%5D%7D",
    );
  });

  it("builds the console filter as JSON even for an id that needs escaping", () => {
    const url = normalize(edited("alert-config", [["id"], 'P-"7\\']), {
      fetchedAt,
      appUrl: "https://app.prismacloud.io",
    }).source.url!;
    const filters = new URL(url).searchParams.get("filters")!;
    expect(JSON.parse(filters)).toEqual({ "alert.id": ['P-"7\\'] });
  });

  it("keeps the awkward alert: informational, pending resolution, alertTime only, unknown type, rrn as id", () => {
    const finding = normalize(fixture("alert-informational-awkward"), { fetchedAt });
    expect(finding).toMatchObject({
      severity: "info",
      status: "in_progress",
      category: "misconfiguration",
      firstSeen: "2025-01-01T00:00:00.000Z",
      lastSeen: "2025-01-01T00:00:00.000Z",
      description: "",
      rule: { id: "OCI quantum widget has no retention policy", controls: [] },
      resource: {
        id: "rrn::quantum:eu-frankfurt-1:ocid1.tenancy.oc1..aaaa:1f2e:ocid1.quantum.oc1..bbbb",
        type: "oci.other.quantum-thing",
        cloud: "oci",
        region: "OCI Frankfurt",
        tags: {},
      },
    });
    expect(finding.rule.remediation).toBeUndefined();
    expect(finding.resource.accountName).toBeUndefined();
  });

  it("reads a workload vulnerability's CVE and a snooze as an accepted risk", () => {
    const finding = normalize(fixture("alert-vulnerability"), { fetchedAt });
    expect(finding).toMatchObject({
      category: "vulnerability",
      status: "risk_accepted",
      vulnerability: { cve: "CVE-2021-44228" },
      resource: { type: "aws.ec2.instance", tags: { team: "payments", "cost-center": "1042" } },
    });
  });

  it("reads runtime policy types as threats and a dismissal as suppressed", () => {
    const finding = normalize(fixture("alert-anomaly"), { fetchedAt });
    expect(finding).toMatchObject({
      category: "threat",
      status: "suppressed",
      resource: { type: "azure.compute.virtual-machine", cloud: "azure", region: "westeurope" },
    });
  });

  it("reads webhook quirks: no status, string timestamps, upper-case severity, tag lists, no resource id, a bad callbackUrl", () => {
    const finding = normalize(webhookAlerts[1], { fetchedAt });
    expect(finding).toMatchObject({
      id: "prisma:P-1234999",
      status: "open",
      severity: "info",
      category: "compliance",
      firstSeen: "2025-01-01T00:00:00.000Z",
      resource: {
        id: "analytics-vpc",
        type: "gcp.compute.network",
        cloud: "gcp",
        tags: { env: "production" },
      },
    });
    expect(finding.source.url).toBeUndefined();
    const full = normalize(webhookAlerts[0], { fetchedAt });
    expect(full.source.url).toBe(webhookAlerts[0]!.callbackUrl);
    expect(full.resource.tags).toEqual({ owner: "team-a" });
  });

  it("gives a webhook alert and the listed alert the same id and dedupKey", () => {
    const listed = normalize(fixture("alert-config"), { fetchedAt });
    const pushed = normalize(webhookAlerts[0], { fetchedAt });
    expect(pushed.id).toBe(listed.id);
    expect(pushed.dedupKey).toBe(listed.dedupKey);
  });

  it.each([
    [
      "a missing policy severity",
      edited("alert-config", [["policy", "severity"], undefined]),
      ["policy", "severity"],
      "high",
    ],
    [
      "an unknown severity",
      edited("alert-config", [["policy", "severity"], "severe"]),
      ["policy", "severity"],
      "high",
    ],
    ["an unknown status", edited("alert-config", [["status"], "archived"]), ["status"], "open"],
    [
      "no resource at all",
      edited("alert-config", [["resource"], { cloudType: "aws" }]),
      ["resource", "id"],
      "prisma-alert:P-1234567",
    ],
    [
      "a missing policy",
      edited("alert-config", [["policy"], undefined]),
      ["policy", "name"],
      "e12e2a5c-4f1b-4d8e-9a3b-2c7d1e0f9a11",
    ],
    [
      "no timestamps",
      edited("alert-config", [["firstSeen"], undefined], [["alertTime"], undefined]),
      ["alertTime"],
      fetchedAt,
    ],
    [
      "a timestamp that is not one",
      edited("alert-config", [["lastSeen"], "yesterday"]),
      ["lastSeen"],
      fetchedAt,
    ],
    [
      "a webhook alert without a policy name",
      edited("webhook-alert", [["policyName"], undefined]),
      ["policyName"],
      "e12e2a5c-4f1b-4d8e-9a3b-2c7d1e0f9a11",
    ],
    [
      "a webhook alert with an unknown status",
      edited("webhook-alert", [["alertStatus"], "gone"]),
      ["alertStatus"],
      "open",
    ],
  ])("keeps a record with %s, warning with the path and the fallback", (_what, record, path, fallback) => {
    const warnings: Warning[] = [];
    normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toContainEqual(
      expect.objectContaining({ type: "fallback", source: "prisma", details: { path, fallback } }),
    );
  });

  it("dead-letters only a record without an id, or with a field of the wrong type, naming the path", () => {
    expect(normalizationError(edited("alert-config", [["id"], undefined])).path).toEqual(["id"]);
    expect(normalizationError(edited("webhook-alert", [["alertId"], undefined])).message).toMatch(
      /^prisma: /,
    );
    const error = normalizationError(edited("alert-config", [["policy", "severity"], 3]));
    expect(error.path).toEqual(["policy", "severity"]);
    expect(error.platform).toBe("prisma");
  });

  it("refuses what is not an alert", () => {
    expect(normalizationError([]).message).toContain("got an array");
    expect(normalizationError({ hello: "world" }).message).toContain("unrecognized record");
  });

  it("keeps the native record only when asked", () => {
    const record = fixture("alert-config");
    expect(normalize(record, { fetchedAt }).raw).toBeUndefined();
    expect(normalize(record, { fetchedAt, keepRaw: true }).raw).toBe(record);
  });
});
