import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalize } from "../../../src/adapters/wiz/index.js";
import type { Warning } from "../../../src/core/report.js";
import { testRealFixtures } from "../real-fixtures.js";

const fetchedAt = "2026-01-01T00:00:00.000Z";
const real = new URL("./__fixtures__/real/", import.meta.url);

describe("wiz on real-shaped records (test/adapters/wiz/__fixtures__/real, PROVENANCE.md)", () => {
  testRealFixtures("wiz", import.meta.url, (record, onWarning) =>
    normalize(record, { fetchedAt, onWarning }),
  );
});

describe("wiz vocabularies (the XSOAR WizDefend integration's lists)", () => {
  const detection = () =>
    JSON.parse(readFileSync(new URL("elastic-detections.json", real), "utf8"))[0] as Record<string, unknown>;
  const normalizeWarning = (record: unknown) => {
    const warnings: Warning[] = [];
    const finding = normalize(record, { fetchedAt, onWarning: (warning) => warnings.push(warning) });
    return { finding, warnings };
  };

  it.each([
    ["OKE", "kubernetes"],
    ["ACK", "kubernetes"],
    ["OpenShift", "kubernetes"],
    ["Alibaba", "alibaba"],
    ["vSphere", "other"],
    ["GitHub", "other"],
  ])("reads the cloud platform %s as %s without a warning", (platform, cloud) => {
    const record = { ...detection(), cloudAccounts: [{ externalId: "1", cloudProvider: platform }] };
    const { finding, warnings } = normalizeWarning(record);
    expect(finding.resource.cloud).toBe(cloud);
    expect(warnings).toEqual([]);
  });

  it("reads an undocumented cloud platform as other, with a warning naming the field", () => {
    const record = { ...detection(), cloudAccounts: [{ externalId: "1", cloudProvider: "Hetzner" }] };
    const { finding, warnings } = normalizeWarning(record);
    expect(finding.resource.cloud).toBe("other");
    expect(warnings).toEqual([
      expect.objectContaining({
        feature: "cloudAccounts[0].cloudProvider",
        message: expect.stringContaining('unknown cloud platform "Hetzner"'),
      }),
    ]);
  });

  it.each([
    ["AWS_CLOUDTRAIL", "aws"],
    ["AZURE_ACTIVITY_LOGS", "azure"],
    ["GCP_AUDIT_LOGS", "gcp"],
    ["OCI_AUDIT_LOGS", "oci"],
    ["WIZ_KUBERNETES_AUDIT_LOGS_COLLECTOR", "kubernetes"],
    ["OKTA_SYSTEM_LOGS", "other"],
  ])("maps the event source %s to %s when no account names a cloud", (origin, cloud) => {
    const record: Record<string, unknown> = { ...detection(), origins: [origin] };
    delete record.cloudAccounts;
    expect(normalize(record, { fetchedAt }).resource.cloud).toBe(cloud);
  });
});
