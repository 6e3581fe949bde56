import { describe, expect, it } from "vitest";
import { sandboxHandlers } from "../../../src/testing/msw/sandbox-handlers.js";
import { sandboxLaceworkApiKey, sandboxLaceworkApiSecret } from "../../../src/testing/sandbox/lacework.js";
import { serveSandbox } from "../helpers.js";

const { sandbox, server } = serveSandbox({
  seed: 3,
  size: 30,
  platforms: ["lacework"],
  faults: { malformedRecordEvery: 5 },
});

const base = `${sandbox.baseUrl}/lacework/api/v2`;
const day = 86_400_000;

async function token(): Promise<string> {
  const response = await fetch(`${base}/access/tokens`, {
    method: "POST",
    headers: { "x-lw-uaks": sandboxLaceworkApiSecret, "content-type": "application/json" },
    body: JSON.stringify({ keyId: sandboxLaceworkApiKey, expiryTime: 3600 }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { token: string; expiresAt: string };
  expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now() + 3500_000);
  return body.token;
}

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(path.startsWith("http") ? path : `${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** A search window of `days` starting `startDaysAgo` back; one clock reading, so it is never a millisecond over 7 days. */
const window = (startDaysAgo: number, days = 7) => {
  const now = Date.now();
  return {
    startTime: new Date(now - startDaysAgo * day).toISOString(),
    endTime: new Date(now - (startDaysAgo - days) * day).toISOString(),
  };
};

describe("lacework emulation", () => {
  it("rejects a wrong key or secret with 401 and Lacework's { ok, message } body", async () => {
    const response = await fetch(`${base}/access/tokens`, {
      method: "POST",
      headers: { "x-lw-uaks": "wrong", "content-type": "application/json" },
      body: JSON.stringify({ keyId: sandboxLaceworkApiKey, expiryTime: 3600 }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ ok: false, message: "Unauthorized: invalid keyId or secret" });
    const anonymous = await fetch(`${base}/Alerts/search`, { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);
  });

  it("renders alerts with the reference's field names, types and timestamp format", async () => {
    const search = await call("POST", "/Alerts/search", { timeFilter: window(7), filters: [] });
    const rows = [
      ...((search.body?.data as Record<string, unknown>[]) ?? []),
      ...(((await call("POST", "/Alerts/search", { timeFilter: window(90), filters: [] })).body?.data as
        | Record<string, unknown>[]
        | undefined) ?? []),
    ];
    const alert = rows.find((row) => "severity" in row)!;
    expect(typeof alert.alertId).toBe("number");
    expect(alert.startTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(["Critical", "High", "Medium", "Low", "Info"]).toContain(alert.severity);
    expect(["Open", "Closed"]).toContain(alert.status);
    expect(Object.keys(alert)).toEqual([
      "alertId",
      "alertName",
      "alertType",
      "severity",
      "status",
      "startTime",
      "endTime",
      "lastUserUpdatedTime",
      "policyId",
      "alertInfo",
      "derivedFields",
      "reachability",
      "alertSource",
    ]);
    const details = await call("GET", `/Alerts/${alert.alertId}?scope=Details`);
    expect(Object.keys((details.body!.data as Record<string, unknown>).entityMap as object)).toEqual([
      "Resource",
      "Region",
      "CloudAccount",
    ]);
  });

  it("serves malformed records (a severity that is not text) at the configured interval, keeping their ids", async () => {
    const rows: Record<string, unknown>[] = [];
    for (let start = 91; start > 0; start -= 7) {
      const page = await call("POST", "/Alerts/search", {
        timeFilter: window(start, Math.min(7, start)),
        filters: [],
      });
      rows.push(...((page.body?.data as Record<string, unknown>[] | undefined) ?? []));
    }
    const malformed = rows.filter((row) => typeof row.severity !== "string");
    expect(malformed.length).toBeGreaterThan(0);
    expect(malformed.every((row) => typeof row.alertId === "number")).toBe(true);
  });

  it("enforces the search limits: ≤7-day windows, ≤92 days back, known fields and expressions", async () => {
    expect(await call("POST", "/Alerts/search", { timeFilter: window(10, 8), filters: [] })).toEqual({
      status: 400,
      body: { ok: false, message: "Time range cannot exceed 7 days" },
    });
    expect((await call("POST", "/Alerts/search", { timeFilter: window(95), filters: [] })).status).toBe(400);
    const field = await call("POST", "/Alerts/search", {
      timeFilter: window(90),
      filters: [{ field: "nope", expression: "eq", value: "x" }],
    });
    expect(field).toEqual({ status: 400, body: { ok: false, message: "Invalid filter field: nope" } });
    const expression = await call("POST", "/Alerts/search", {
      timeFilter: window(7),
      filters: [{ field: "severity", expression: "like", value: "x" }],
    });
    expect(expression).toEqual({
      status: 400,
      body: { ok: false, message: "Unsupported filter expression: like" },
    });
  });

  it("answers an empty window with 204 and no body", async () => {
    const empty = await call("POST", "/Alerts/search", {
      timeFilter: window(7),
      filters: [{ field: "alertId", expression: "eq", value: "1" }],
    });
    expect(empty).toEqual({ status: 204, body: undefined });
  });

  it("serves each nextPage URL once", async () => {
    const big = sandboxHandlers({
      seed: 4,
      size: 200,
      platforms: ["lacework"],
      baseUrl: "http://paging-emulation.test",
    });
    server.use(...big.handlers);
    const bigBase = "http://paging-emulation.test/lacework/api/v2";
    const tokenResponse = await fetch(`${bigBase}/access/tokens`, {
      method: "POST",
      headers: { "x-lw-uaks": sandboxLaceworkApiSecret },
      body: JSON.stringify({ keyId: sandboxLaceworkApiKey }),
    });
    const { token: bearer } = (await tokenResponse.json()) as { token: string };
    const headers = { authorization: `Bearer ${bearer}` };
    const first = await fetch(`${bigBase}/Alerts/search`, {
      method: "POST",
      headers,
      body: JSON.stringify({ timeFilter: window(7), filters: [] }),
    });
    const page = (await first.json()) as {
      paging: { rows: number; totalRows: number; urls: { nextPage: string } };
    };
    expect(page.paging.rows).toBe(10);
    expect(page.paging.urls.nextPage).toMatch(
      /^http:\/\/paging-emulation\.test\/lacework\/api\/v2\/Alerts\/search\/[0-9A-F]+$/,
    );
    expect((await fetch(page.paging.urls.nextPage, { headers })).status).toBe(200);
    expect((await fetch(page.paging.urls.nextPage, { headers })).status).toBe(400);
  });

  it("validates writes: close reasons and comments, policy ids and constraints", async () => {
    const alertId = sandbox.estate.findings.find((finding) => finding.reportedBy.lacework)!.reportedBy
      .lacework;
    expect((await call("POST", `/Alerts/${alertId}/close`, { reason: 9 })).status).toBe(400);
    expect(await call("POST", `/Alerts/${alertId}/close`, { reason: 0 })).toEqual({
      status: 400,
      body: { ok: false, message: "comment is required when reason is 0 (Other)" },
    });
    expect((await call("POST", "/Alerts/424242/close", { reason: 1, comment: "x" })).status).toBe(404);
    expect((await call("POST", "/Exceptions?policyId=lacework-global-0", { constraints: [] })).status).toBe(
      404,
    );
    const policyId = sandbox.estate.rules.length > 0 ? await firstPolicyId() : "";
    expect((await call("POST", `/Exceptions?policyId=${policyId}`, { constraints: [] })).status).toBe(400);
    expect(
      (
        await call("POST", "/VulnerabilityExceptions", {
          exceptionName: "x",
          exceptionType: "Host",
          exceptionReason: "Because",
        })
      ).status,
    ).toBe(400);
    expect(sandbox.emulations.lacework.writes).toEqual([]);
  });

  it("requires the account and report type for a report", async () => {
    expect((await call("GET", "/Reports?format=json")).status).toBe(400);
    const report = await call(
      "GET",
      "/Reports?primaryQueryId=111122223333&format=json&reportType=AWS_CIS_14",
    );
    const [data] = report.body!.data as {
      reportTitle: string;
      recommendations: { SEVERITY: unknown; START_TIME: unknown }[];
    }[];
    expect(data!.reportTitle).toBe("AWS CIS Benchmark 1.4.0");
    for (const recommendation of data!.recommendations) {
      expect(typeof recommendation.SEVERITY).toBe("number");
      expect(typeof recommendation.START_TIME).toBe("number");
    }
  });
});

async function firstPolicyId(): Promise<string> {
  const rows: Record<string, unknown>[] = [];
  for (let start = 91; start > 0 && rows.length === 0; start -= 7) {
    const page = await call("POST", "/Alerts/search", {
      timeFilter: window(start, Math.min(7, start)),
      filters: [],
    });
    rows.push(...((page.body?.data as Record<string, unknown>[] | undefined) ?? []));
  }
  return String(rows[0]!.policyId);
}
