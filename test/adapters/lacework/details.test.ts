/**
 * Alert details (`scope=Details`) are fetched only for the alerts whose list row names no resource, at
 * most two at a time (issue #15.9).
 */
import { describe, expect, it } from "vitest";
import { needsAlertDetails } from "../../../src/adapters/lacework/client.js";
import { lacework } from "../../../src/adapters/lacework/index.js";
import { collect } from "../helpers.js";

const compliance = { category: "Policy", sub_category: "Compliance", source: "AWS" };
const row = (alertId: number, extra: Record<string, unknown> = {}) => ({
  alertId,
  alertName: "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22",
  alertType: "NewViolations",
  severity: "High",
  status: "Open",
  startTime: "2026-11-01T10:00:00.000Z",
  endTime: "2026-11-01T11:00:00.000Z",
  policyId: "lacework-global-68",
  alertInfo: { subject: "Security group open", description: "Security group open" },
  derivedFields: compliance,
  ...extra,
});
const entityMap = {
  Resource: [
    {
      KEY: { resource_name: "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0" },
      PROPS: { resource_type: "AWS::EC2::SecurityGroup", account_id: "111122223333" },
    },
  ],
};

describe("lacework alert details", () => {
  it("needs details only for a list row that names an alert, carries no entityMap and is no platform alert", () => {
    expect(needsAlertDetails(row(1))).toBe(true);
    expect(needsAlertDetails(row(2, { entityMap }))).toBe(false);
    expect(
      needsAlertDetails(
        row(3, { derivedFields: { category: "Policy", sub_category: "Platform", source: "" } }),
      ),
    ).toBe(false);
    expect(needsAlertDetails({ alertName: "no id" })).toBe(false);
    expect(needsAlertDetails(null)).toBe(false);
  });

  it("requests details for those alerts only, never more than two at once, and names their resources", async () => {
    const rows = [
      ...Array.from({ length: 6 }, (_, index) => row(100 + index)),
      row(200, { entityMap }),
      row(300, { derivedFields: { category: "Policy", sub_category: "Platform", source: "" } }),
    ];
    const detailsFor: string[] = [];
    let inFlight = 0;
    let peak = 0;
    let searched = false;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.pathname.endsWith("/access/tokens"))
        return Response.json(
          { token: "_token", expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
          { status: 201 },
        );
      if (url.pathname.endsWith("/Alerts/search")) {
        // One page in the first window; every later window is empty (204).
        if (searched) return new Response(null, { status: 204 });
        searched = true;
        return Response.json({ data: rows, paging: { rows: rows.length, totalRows: rows.length, urls: {} } });
      }
      const id = /\/Alerts\/(\d+)$/.exec(url.pathname)?.[1];
      if (id && url.searchParams.get("scope") === "Details") {
        detailsFor.push(id);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return Response.json({ data: [{ ...row(Number(id)), entityMap }] });
      }
      return Response.json({ message: `unexpected ${url.pathname}` }, { status: 404 });
    };
    const findings = await collect(
      lacework({
        apiUrl: "https://acme.lacework.net",
        apiKey: "k",
        apiSecret: "s",
        fetch,
        rateLimit: false,
      }).findings(),
    );
    expect(findings).toHaveLength(rows.length);
    expect(detailsFor.sort()).toEqual(["100", "101", "102", "103", "104", "105"]);
    expect(peak).toBe(2);
    const named = findings.filter((finding) => finding.resource.id.includes("sg-0123456789abcdef0"));
    expect(named.map((finding) => finding.source.nativeId).sort()).toEqual([
      "100",
      "101",
      "102",
      "103",
      "104",
      "105",
      "200",
    ]);
  });
});
