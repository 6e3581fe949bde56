import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/orca/index.js";
import { detectOrcaRecordKind, orcaAlertIdOf } from "../../../src/adapters/orca/normalize.js";
import type { Warning } from "../../../src/core/report.js";
import {
  itChecksEveryFieldItReads,
  itNormalizesIntoValidFindings,
  normalizationErrors,
  readFixtures,
} from "../helpers.js";

const fetchedAt = "2026-02-01T00:00:00.000Z";
const { json: fixture } = readFixtures(import.meta.url);
const fixtures = [
  "alert-row",
  "alert-row-vulnerability",
  "alert-row-awkward",
  "legacy-alert",
  "legacy-alert-grouped",
  "webhook-legacy-quirks",
];

const normalizationError = normalizationErrors(normalize, { fetchedAt });

// biome-ignore lint/suspicious/noExplicitAny: fixtures are mutated ad hoc in these tests.
type Json = any;

/** A fresh copy of a fixture with one change applied. */
function mutated(name: string, change: (record: Json) => void) {
  const record = fixture(name);
  change(record);
  return record;
}

describe("orca normalize", () => {
  itNormalizesIntoValidFindings(fixtures, (name) => normalize(fixture(name), { fetchedAt }));

  // Rows nest their asset five deep: `data.Inventory.value.data.AssetType`.
  itChecksEveryFieldItReads(
    Object.fromEntries(fixtures.map((name) => [name, fixture(name)])),
    (record) => normalize(record, { fetchedAt }),
    detectOrcaRecordKind,
    5,
  );

  it("normalizes an alert without its cloud account id, with a fallback warning when asked for warnings", () => {
    const warnings: Warning[] = [];
    const record = mutated("legacy-alert", (r) => {
      delete r.cloud_provider_id;
      delete r.cloud_vendor_id;
    });
    const finding = normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    expect(finding.resource.accountId).toBe("");
    expect(warnings).toEqual([
      expect.objectContaining({ type: "fallback", source: "orca", feature: "cloud_vendor_id" }),
    ]);
  });

  it("detects the kind of each record", () => {
    expect(fixtures.map((name) => detectOrcaRecordKind(fixture(name)))).toEqual([
      "alert-row",
      "alert-row",
      "alert-row",
      "alert",
      "alert",
      "alert",
    ]);
  });

  it("maps the reference's legacy alert field by field", () => {
    const finding = normalize(fixture("legacy-alert"), { fetchedAt });
    expect(finding.id).toBe("orca:orca-123456");
    expect(finding.severity).toBe("high"); // risk_level wins over the legacy label and score
    expect(finding.source).toMatchObject({
      nativeSeverity: "high",
      nativeStatus: "open",
      url: "https://app.orcasecurity.io/alerts/orca-123456",
    });
    expect(finding.rule).toMatchObject({ id: "r1234abcd", name: "S3 bucket is publicly accessible" });
    expect(finding.resource).toEqual({
      id: "legacy-logs",
      type: "aws.s3.bucket",
      nativeType: "AwsS3Bucket",
      name: "legacy-logs",
      cloud: "aws",
      accountId: "111122223333",
      accountName: "prod",
      region: "us-east-1",
      tags: { owner: "team-a" },
    });
    expect(finding.firstSeen).toBe("2025-03-02T10:11:12.000Z");
    expect(finding.lastSeen).toBe("2025-03-04T08:00:00.000Z");
  });

  it("unwraps serving-layer rows and their related Inventory and CloudAccount objects", () => {
    const finding = normalize(fixture("alert-row"), {
      fetchedAt,
      consoleUrl: "https://app.eu.orcasecurity.io/",
    });
    expect(finding.category).toBe("identity");
    expect(finding.resource).toMatchObject({
      id: "deploy-admin",
      type: "aws.iam.role",
      accountId: "111122223333",
      accountName: "prod",
      tags: { owner: "team-a", Owner: "Team A" },
    });
    expect(finding.rule.remediation).toBe("Replace AdministratorAccess with a least-privilege policy.");
    expect(finding.source.url).toBe("https://app.eu.orcasecurity.io/alerts/orca-123456");
  });

  it("makes a vulnerability of an alert with CVE ids, keyed by its first CVE", () => {
    const finding = normalize(fixture("alert-row-vulnerability"), { fetchedAt });
    expect(finding.category).toBe("vulnerability");
    expect(finding.vulnerability).toEqual({ cve: "CVE-2021-44228" });
    expect(finding.status).toBe("in_progress");
    expect(finding.resource).toMatchObject({
      type: "gcp.compute.instance",
      region: "us-central1",
      accountName: "Prod project",
    });
  });

  it("accepts a row missing every optional field, with an unknown asset type and informational severity", () => {
    const finding = normalize(fixture("alert-row-awkward"), { fetchedAt });
    expect(finding.severity).toBe("info");
    expect(finding.status).toBe("resolved");
    expect(finding.category).toBe("other");
    expect(finding.title).toBe("oci_streaming_pool_public");
    expect(finding.description).toBe("");
    expect(finding.resource).toEqual({
      id: "OciStreamingPool_ocid1.tenancy.oc1..aaaa_pool-1",
      type: "oci.other.streaming-pool",
      nativeType: "OciStreamingPool",
      name: "",
      cloud: "oci",
      accountId: "",
      tags: {},
    });
    expect(finding.lastSeen).toBe(finding.firstSeen);
  });

  it("reads webhook quirks: legacy severity label, snoozed, offsets and fractions, empty vendor id, odd tags", () => {
    const finding = normalize(fixture("webhook-legacy-quirks"), { fetchedAt });
    expect(finding.severity).toBe("high");
    expect(finding.source.nativeSeverity).toBe("imminent compromise");
    expect(finding.status).toBe("risk_accepted");
    expect(finding.category).toBe("secret");
    expect(finding.firstSeen).toBe("2025-06-30T23:59:59.123Z");
    expect(finding.lastSeen).toBe("2025-06-30T23:02:03.000Z");
    expect(finding.resource.id).toBe("AzureComputeVm_9f1c2d3e-0000-4a5b-8c7d-112233445566_vm-batch-01");
    expect(finding.resource.accountId).toBe("9f1c2d3e-0000-4a5b-8c7d-112233445566");
    expect(Object.keys(finding.resource.tags)).toEqual(["__proto__", "cost-center", "env"]);
    expect(finding.resource.tags["cost-center"]).toBe("");
    expect(Object.getPrototypeOf(finding.resource.tags)).toBe(Object.prototype);
  });

  it("reads +00:00 times the same on any day of the month, leap days and 24:00 included", () => {
    const times = (createdAt: string, lastSeen: string) => {
      const row = mutated("alert-row", (r) => {
        r.data.CreatedAt.value = createdAt;
        r.data.LastSeen.value = lastSeen;
        r.data.LastUpdated.value = lastSeen;
      });
      const finding = normalize(row, { fetchedAt });
      return [finding.firstSeen, finding.lastSeen];
    };
    expect(times("2024-02-29T23:59:59+00:00", "2025-12-31T00:00:00+00:00")).toEqual([
      "2024-02-29T23:59:59.000Z",
      "2025-12-31T00:00:00.000Z",
    ]);
    expect(times("2025-01-28T09:05:00+00:00", "2025-02-28T24:00:00+00:00")).toEqual([
      "2025-01-28T09:05:00.000Z",
      "2025-03-01T00:00:00.000Z",
    ]);
  });

  it("takes the later of last seen and last updated as lastSeen, so a later status change counts", () => {
    const row = mutated("alert-row", (r) => {
      r.data.LastUpdated.value = "2025-03-09T00:00:00+00:00";
    });
    expect(normalize(row, { fetchedAt }).lastSeen).toBe("2025-03-09T00:00:00.000Z");
    const legacy = mutated("legacy-alert", (r) => {
      r.state.last_updated = "2025-03-01T00:00:00+00:00";
    });
    expect(normalize(legacy, { fetchedAt }).lastSeen).toBe("2025-03-04T08:00:00.000Z");
  });

  it("reads a grouped legacy list item: risk level over the legacy label, AwsUser, tags as JSON text", () => {
    const finding = normalize(fixture("legacy-alert-grouped"), { fetchedAt });
    expect(finding.severity).toBe("low");
    expect(finding.category).toBe("identity");
    expect(finding.resource).toMatchObject({
      id: "ci-bot",
      type: "aws.iam.user",
      accountId: "444455556666",
      region: "eu-central-1",
      tags: { team: "platform", expires: "" },
    });
    expect(finding.lastSeen).toBe("2023-03-14T00:00:00.000Z");
    expect(finding.rule.controls).toEqual([{ framework: "MITRE ATT&CK", control: "T1078" }]);
  });

  it("falls back to the legacy integer score when there is no risk level or label", () => {
    const record = mutated("webhook-legacy-quirks", (alert) => {
      delete alert.state.severity;
      alert.state.score = 4;
    });
    expect(normalize(record, { fetchedAt }).severity).toBe("info");
  });

  it("keeps the native record only when asked", () => {
    expect(normalize(fixture("alert-row"), { fetchedAt }).raw).toBeUndefined();
    expect(normalize(fixture("alert-row"), { fetchedAt, keepRaw: true }).raw).toEqual(fixture("alert-row"));
  });

  const cases: [string, string, (record: Json) => void, (string | number)[]][] = [
    [
      "a row with a numeric Title",
      "alert-row",
      (r) => {
        r.data.Title.value = 7;
      },
      ["data", "Title"],
    ],
    [
      "a row with CveIds not a list",
      "alert-row-vulnerability",
      (r) => {
        r.data.CveIds.value = "CVE-1";
      },
      ["data", "CveIds"],
    ],
    [
      "a row with a RiskLevel that is not text",
      "alert-row",
      (r) => {
        r.data.RiskLevel.value = 3;
      },
      ["data", "RiskLevel"],
    ],
  ];

  // A record the Finding can do without one field of: normalized with a fallback and a warning naming it.
  const fallbacks: [string, string, (record: Json) => void, string, (finding: Json) => void][] = [
    [
      "a row without RiskLevel",
      "alert-row",
      (r) => delete r.data.RiskLevel,
      "data.RiskLevel",
      (f) => expect(f.severity).toBe("high"),
    ],
    [
      "a row with an unknown RiskLevel",
      "alert-row",
      (r) => {
        r.data.RiskLevel.value = "severe";
      },
      "data.RiskLevel",
      (f) => expect(f.source.nativeSeverity).toBe("severe"),
    ],
    [
      "a row with an unknown Status",
      "alert-row",
      (r) => {
        r.data.Status.value = "archived";
      },
      "data.Status",
      (f) => expect(f.status).toBe("open"),
    ],
    [
      "a row without an asset type",
      "alert-row",
      (r) => delete r.data.Inventory.data.AssetType,
      "data.Inventory.data.AssetType",
      (f) => expect(f.resource.type).toBe("aws.other.unknown"),
    ],
    [
      "a row without an asset",
      "alert-row",
      (r) => delete r.data.Inventory,
      "data.Inventory.AssetUniqueId",
      (f) => expect(f.resource.id).toBe("orca-alert:orca-123456"),
    ],
    [
      "a row with a bad timestamp",
      "alert-row",
      (r) => {
        r.data.LastSeen.value = "yesterday";
      },
      "data.LastSeen",
      (f) => expect(f.lastSeen).toBe(f.firstSeen),
    ],
    [
      "a legacy alert without created_at",
      "legacy-alert",
      (r) => delete r.state.created_at,
      "state.created_at",
      (f) => expect(f.firstSeen).toBe("2025-03-04T08:00:00.000Z"),
    ],
    [
      "a legacy alert without any severity",
      "legacy-alert",
      (r) => {
        delete r.state.risk_level;
        delete r.state.severity;
        delete r.state.score;
      },
      "state.severity",
      (f) => expect(f.severity).toBe("high"),
    ],
    [
      "a legacy alert with an unknown score",
      "legacy-alert",
      (r) => {
        delete r.state.risk_level;
        delete r.state.severity;
        r.state.score = 9;
      },
      "state.score",
      (f) => expect(f.source.nativeSeverity).toBe("9"),
    ],
    [
      "a legacy alert without an asset",
      "legacy-alert",
      (r) => {
        delete r.asset_vendor_id;
        delete r.asset_unique_id;
      },
      "asset_unique_id",
      (f) => expect(f.resource.id).toBe("orca-alert:orca-123456"),
    ],
    [
      "a legacy alert without a rule",
      "legacy-alert",
      (r) => {
        delete r.rule_id;
        delete r.type;
      },
      "rule_id",
      (f) => expect(f.rule.id).toBe("unknown"),
    ],
  ];

  it.each(fallbacks)(
    "keeps %s, with a fallback warning naming the field",
    (_, name, change, feature, check) => {
      const warnings: Warning[] = [];
      const finding = normalize(mutated(name, change), {
        fetchedAt,
        onWarning: (warning) => warnings.push(warning),
      });
      check(finding);
      expect(warnings).toContainEqual(expect.objectContaining({ type: "fallback", source: "orca", feature }));
    },
  );

  it.each(cases)("names the path for %s", (_, name, change, path) => {
    const error = normalizationError(mutated(name, change));
    expect(error.path).toEqual(path);
    expect(error.platform).toBe("orca");
    expect(error.message).toMatch(/^orca: alert orca-\d+: /);
  });

  it("refuses what is not an Orca alert, and an alert with no id (the only record that becomes a dead letter)", () => {
    for (const value of [null, [], "orca-1", { data: {} }, { id: "x" }]) {
      expect(normalizationError(value).path).toEqual([]);
    }
    expect(normalizationError({ state: {} }).path).toEqual(["state", "alert_id"]);
    expect(normalizationError({ data: { AlertId: { value: "" } } }).path).toEqual(["data", "AlertId"]);
    expect(normalizationError({ alert_id: null, score: 2 }).path).toEqual(["alert_id"]);
  });

  it("names the alert id of every record shape for dead letters", () => {
    expect(orcaAlertIdOf(fixture("alert-row"))).toBe("orca-123456");
    expect(orcaAlertIdOf(fixture("legacy-alert"))).toBe("orca-123456"); // it has a data object too
    expect(orcaAlertIdOf({ AlertId: "orca-7", RiskLevel: 3 })).toBe("orca-7");
    expect(orcaAlertIdOf({ alert_id: "orca-8", score: "x" })).toBe("orca-8");
    expect(orcaAlertIdOf({ name: "orca-9", data: {} })).toBe("orca-9");
    expect(orcaAlertIdOf({ data: { AlertId: { value: 5 } } })).toBe("5");
    expect(orcaAlertIdOf({ data: { AlertId: { value: "" } } })).toBeUndefined();
  });

  it("reads a flat row (bare values, no data) as the vendor's client does", () => {
    const row = fixture("alert-row");
    const flat = Object.fromEntries(
      Object.entries(row.data as Record<string, Json>).map(([key, value]) => [key, value?.value ?? value]),
    );
    const finding = normalize(flat, { fetchedAt });
    expect(finding.id).toBe("orca:orca-123456");
    expect(finding.resource).toMatchObject({
      id: "deploy-admin",
      type: "aws.iam.role",
      accountId: "111122223333",
    });
  });
});
