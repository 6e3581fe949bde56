import { describe, expect, it } from "vitest";
import type { Category, FindingStatus, Severity } from "../../src/core/finding.js";
import {
  type OcsfComplianceFinding,
  type OcsfDetectionFinding,
  type OcsfFinding,
  type OcsfVulnerabilityFinding,
  ocsfVersion,
  toOcsf,
} from "../../src/core/ocsf.js";
import { makeFinding } from "../../src/testing/factories.js";

const firstSeen = "2024-05-01T10:00:00.000Z";
const lastSeen = "2024-05-03T12:30:00.000Z";

/** The attributes OCSF 1.x requires on every finding event (base event + Finding class + cloud profile). */
function expectBaseRequired(event: OcsfFinding): void {
  for (const key of [
    "category_uid",
    "class_uid",
    "activity_id",
    "type_uid",
    "time",
    "severity_id",
    "metadata",
  ]) {
    expect(event, key).toHaveProperty(key);
  }
  expect(event.category_uid).toBe(2);
  expect(event.type_uid).toBe(event.class_uid * 100 + event.activity_id);
  expect(event.metadata.version).toBe(ocsfVersion);
  expect(event.metadata.product.name).toEqual(expect.any(String));
  expect(event.finding_info.uid).toEqual(expect.any(String));
  expect(event.finding_info.title).toEqual(expect.any(String));
  expect(event.cloud.provider).toEqual(expect.any(String));
  expect(Number.isInteger(event.time)).toBe(true);
}

describe("toOcsf", () => {
  it("maps a misconfiguration to a Compliance Finding (2003) with its required compliance object", () => {
    const finding = makeFinding({
      source: { nativeId: "wiz-1", url: "https://app.wiz.io/issues/wiz-1" },
      firstSeen,
      lastSeen,
    });
    const event = toOcsf(finding) as OcsfComplianceFinding;
    expectBaseRequired(event);
    expect(event).toMatchObject({
      class_uid: 2003,
      class_name: "Compliance Finding",
      activity_id: 2,
      activity_name: "Update",
      type_uid: 200302,
      type_name: "Compliance Finding: Update",
      time: Date.parse(lastSeen),
      severity_id: 4,
      severity: "High",
      status_id: 1,
      status: "New",
      metadata: { product: { name: "Wiz", vendor_name: "Wiz" }, uid: finding.id, profiles: ["cloud"] },
      finding_info: {
        uid: finding.id,
        title: finding.title,
        desc: finding.description,
        created_time: Date.parse(firstSeen),
        modified_time: Date.parse(lastSeen),
        first_seen_time: Date.parse(firstSeen),
        last_seen_time: Date.parse(lastSeen),
        types: ["misconfiguration"],
        src_url: "https://app.wiz.io/issues/wiz-1",
        analytic: { uid: "s3-bucket-public-read", type_id: 1, type: "Rule" },
      },
      cloud: { provider: "AWS", account: { uid: "123456789012" }, region: "us-east-1" },
      resources: [
        {
          uid: finding.resource.id,
          type: "aws.s3.bucket",
          name: finding.resource.name,
          region: "us-east-1",
          labels: ["native_type:BUCKET"],
          tags: [
            { name: "team", value: "payments" },
            { name: "env", value: "production" },
          ],
        },
      ],
      remediation: { desc: "Enable Block Public Access on the bucket." },
      compliance: {
        standards: ["CIS AWS 3.0"],
        requirements: ["CIS AWS 3.0 2.1.4"],
        control: "s3-bucket-public-read",
        status_id: 3,
        status: "Fail",
      },
    });
  });

  it("maps every non-vulnerability, non-threat category to 2003", () => {
    const categories: Category[] = [
      "misconfiguration",
      "identity",
      "exposure",
      "data",
      "compliance",
      "other",
    ];
    for (const category of categories) expect(toOcsf(makeFinding({ category })).class_uid).toBe(2003);
  });

  it("passes a resolved compliance check and names the platform's policies when no framework is mapped", () => {
    const event = toOcsf(
      makeFinding({
        status: "resolved",
        rule: { controls: [] },
        source: { platform: "prisma", nativeId: "P-1" },
      }),
    ) as OcsfComplianceFinding;
    expect(event.compliance).toEqual({
      standards: ["Prisma Cloud policies"],
      requirements: [],
      control: "s3-bucket-public-read",
      status_id: 1,
      status: "Pass",
    });
    expect(event.metadata.product).toEqual({ name: "Prisma Cloud", vendor_name: "Palo Alto Networks" });
    expect(event.activity_id).toBe(3);
    expect(event.type_uid).toBe(200303);
  });

  it("maps a vulnerability to a Vulnerability Finding (2002) with CVE, CVSS, EPSS and the package", () => {
    const finding = makeFinding({
      category: "vulnerability",
      severity: "critical",
      vulnerability: {
        cve: "CVE-2024-3094",
        cvss: 10,
        epss: 0.86,
        packageName: "xz-utils",
        installedVersion: "5.6.0",
        fixedVersion: "5.6.2",
        exploitAvailable: true,
      },
    });
    const event = toOcsf(finding) as OcsfVulnerabilityFinding;
    expectBaseRequired(event);
    expect(event.class_uid).toBe(2002);
    expect(event.type_uid).toBe(200201);
    expect(event.severity_id).toBe(5);
    expect(event.vulnerabilities).toEqual([
      {
        title: finding.title,
        desc: finding.description,
        severity: "Critical",
        vendor_name: "Wiz",
        cve: { uid: "CVE-2024-3094", cvss: [{ base_score: 10, version: "3.1" }], epss: { score: "0.86" } },
        affected_packages: [{ name: "xz-utils", version: "5.6.0", fixed_in_version: "5.6.2" }],
        is_exploit_available: true,
        fix_available: true,
      },
    ]);
    expect(event).not.toHaveProperty("compliance");
  });

  it("writes a vulnerability without optional details and without a fix", () => {
    const event = toOcsf(
      makeFinding({
        category: "vulnerability",
        vulnerability: { cve: "CVE-2023-1", packageName: "openssl" },
      }),
    ) as OcsfVulnerabilityFinding;
    expect(event.vulnerabilities[0]).toEqual({
      title: expect.any(String),
      desc: expect.any(String),
      severity: "High",
      vendor_name: "Wiz",
      cve: { uid: "CVE-2023-1" },
      affected_packages: [{ name: "openssl", version: "unknown" }],
      fix_available: false,
    });
  });

  it("maps threats and secrets to Detection Findings (2004) that alert while open", () => {
    for (const category of ["threat", "secret"] as const) {
      const open = toOcsf(
        makeFinding({ category, source: { platform: "lacework", nativeId: "42" } }),
      ) as OcsfDetectionFinding;
      expectBaseRequired(open);
      expect(open.class_uid).toBe(2004);
      expect(open.type_uid).toBe(200401);
      expect(open.is_alert).toBe(true);
      expect(open.metadata.product).toEqual({ name: "Lacework FortiCNAPP", vendor_name: "Fortinet" });
      const closed = toOcsf(makeFinding({ category, status: "resolved" })) as OcsfDetectionFinding;
      expect(closed.is_alert).toBe(false);
      expect(closed.type_uid).toBe(200403);
    }
  });

  it("maps every severity and status to its OCSF id and caption", () => {
    const severities: [Severity, number, string][] = [
      ["critical", 5, "Critical"],
      ["high", 4, "High"],
      ["medium", 3, "Medium"],
      ["low", 2, "Low"],
      ["info", 1, "Informational"],
    ];
    for (const [severity, id, name] of severities) {
      expect(toOcsf(makeFinding({ severity }))).toMatchObject({ severity_id: id, severity: name });
    }
    const statuses: [FindingStatus, number, string][] = [
      ["open", 1, "New"],
      ["in_progress", 2, "In Progress"],
      ["suppressed", 3, "Suppressed"],
      ["risk_accepted", 3, "Suppressed"],
      ["resolved", 4, "Resolved"],
    ];
    for (const [status, id, name] of statuses) {
      expect(toOcsf(makeFinding({ status }))).toMatchObject({ status_id: id, status: name });
    }
  });

  it("picks Create for a first sighting and lets the caller choose the activity", () => {
    const fresh = makeFinding({ firstSeen, lastSeen: firstSeen });
    expect(toOcsf(fresh).activity_id).toBe(1);
    expect(toOcsf(fresh, { activity: "close" })).toMatchObject({
      activity_id: 3,
      activity_name: "Close",
      type_uid: 200303,
    });
  });

  it("maps clouds to OCSF provider names and keeps the account name", () => {
    const event = toOcsf(
      makeFinding({
        resource: {
          id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
          type: "azure.storage.account",
          cloud: "azure",
          accountId: "s",
          accountName: "Production",
          region: "westeurope",
        },
      }),
    );
    expect(event.cloud).toEqual({
      provider: "Azure",
      account: { uid: "s", name: "Production" },
      region: "westeurope",
    });
    expect(toOcsf(makeFinding({ resource: { cloud: "gcp" } })).cloud.provider).toBe("GCP");
  });

  it("redacts secrets in text fields unless told not to", () => {
    const finding = makeFinding({
      category: "secret",
      title: "Hardcoded key AKIAQ7ZL4UI6D39ZZZG4 in Lambda env",
      description: "Environment variable DB_PASSWORD=hunter2 is set",
    });
    const event = toOcsf(finding);
    expect(JSON.stringify(event)).not.toContain("AKIAQ7ZL4UI6D39ZZZG4");
    expect(JSON.stringify(event)).not.toContain("hunter2");
    expect(event.finding_info.title).toBe("Hardcoded key [REDACTED:aws_access_key_id] in Lambda env");
    expect(toOcsf(finding, { redact: false }).finding_info.title).toBe(finding.title);
  });

  it("produces JSON-serializable output without the raw record", () => {
    const event = toOcsf(makeFinding({ raw: { secret: "do-not-export" } }));
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
    expect(JSON.stringify(event)).not.toContain("do-not-export");
  });
});
