import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orca, parseWebhook } from "../../../src/adapters/orca/index.js";
import { generateEstate } from "../../../src/testing/estate.js";
import { createFaults } from "../../../src/testing/sandbox/faults.js";
import { orcaEmulation, sandboxOrcaApiToken } from "../../../src/testing/sandbox/orca.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 9, size: 50, platforms: ["orca"] });
});
afterAll(() => sandbox.close());

// biome-ignore lint/suspicious/noExplicitAny: serving-layer responses are read ad hoc in these tests.
type Json = any;
/** A serving-layer field's value, in the wrapped (`{ value }`) or the flat form. */
const value = (field: Json): Json =>
  field !== null && typeof field === "object" && "value" in field ? field.value : field;

async function call(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const response = await fetch(`${sandbox.orca.apiUrl}${path}`, {
    method: init.method ?? "POST",
    headers: {
      authorization: `Token ${init.token ?? sandbox.orca.apiToken}`,
      "content-type": "application/json",
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const alertSet = (filter?: unknown) => ({
  models: ["Alert"],
  type: "object_set",
  ...(filter ? { with: filter } : {}),
});
const query = (filter?: unknown, extra: Record<string, unknown> = {}) =>
  call("/serving-layer/query", { body: { query: alertSet(filter), limit: 1000, ...extra } });

describe("Orca emulation", () => {
  it("answers 401 with Orca's body for a missing or wrong token, and accepts the scheme in any case", async () => {
    expect(await call("/serving-layer/query", { body: { query: alertSet() }, token: "nope" })).toEqual({
      status: 401,
      body: { message: "Invalid token." },
    });
    const response = await fetch(`${sandbox.orca.apiUrl}/serving-layer/query`, {
      method: "POST",
      headers: { authorization: `TOKEN ${sandboxOrcaApiToken}` },
      body: JSON.stringify({ query: alertSet(), limit: 1 }),
    });
    expect(response.status).toBe(200);
  });

  it("renders every estate alert Orca reports, wrapped in { value }, with Orca's id and time formats", async () => {
    const { status, body } = await query();
    expect(status).toBe(200);
    expect(body.status).toBe("success");
    expect(body.total_items).toBe(50);
    const row = body.data[0];
    expect(row).toMatchObject({ name: "orca-10001", type: "Alert" });
    expect(row.data.AlertId).toEqual({ value: "orca-10001" });
    expect(value(row.data.CreatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(["critical", "high", "medium", "low", "informational"]).toContain(value(row.data.RiskLevel));
    expect(row.data.Inventory).toMatchObject({
      type: "Inventory",
      data: { AssetType: { value: expect.any(String) } },
    });
  });

  it("evaluates in, or, range, any_match, date_gte and related-object filters, and ignores unknown keys", async () => {
    const all = (await query()).body.data as Json[];
    const critical = (await query({ key: "RiskLevel", type: "str", operator: "in", values: ["critical"] }))
      .body.data;
    expect(critical.length).toBe(all.filter((row) => value(row.data.RiskLevel) === "critical").length);
    const either = (
      await query({
        type: "operation",
        operator: "or",
        values: [
          { key: "RiskLevel", type: "str", operator: "in", values: ["critical"] },
          { key: "Status", type: "str", operator: "in", values: ["closed"] },
        ],
      })
    ).body.data as Json[];
    expect(either.length).toBe(
      all.filter((row) => value(row.data.RiskLevel) === "critical" || value(row.data.Status) === "closed")
        .length,
    );
    const scored = (await query({ key: "OrcaScore", type: "float", operator: "range", values: [7, 10] })).body
      .data as Json[];
    expect(scored.every((row) => value(row.data.OrcaScore) >= 7)).toBe(true);
    const withCve = all.find((row) => value(row.data.CveIds).length > 0);
    const cve = value(withCve.data.CveIds)[0] as string;
    const byCve = (
      await query({
        type: "list",
        key: "CveIds",
        operator: "any_match",
        values: [{ type: "str", key: "CveIds", operator: "in", values: [cve.toLowerCase()] }],
      })
    ).body.data as Json[];
    expect(byCve.length).toBeGreaterThan(0);
    expect(byCve.every((row) => value(row.data.CveIds).includes(cve))).toBe(true);
    const recent = (
      await query({
        key: "CreatedAt",
        type: "datetime",
        operator: "date_gte",
        values: ["2026-06-01T00:00:00Z"],
      })
    ).body.data as Json[];
    expect(
      recent.every((row) => Date.parse(value(row.data.CreatedAt)) >= Date.parse("2026-06-01T00:00:00Z")),
    ).toBe(true);
    expect(recent.length).toBeLessThan(all.length);
    const account = value(all[0].data.CloudAccount.data.CloudVendorId) as string;
    const inAccount = (
      await query({
        keys: ["CloudAccount"],
        models: ["CloudAccount"],
        type: "object",
        operator: "has",
        with: { key: "CloudVendorId", type: "str", operator: "in", values: [account] },
      })
    ).body.data as Json[];
    expect(inAccount.every((row) => value(row.data.CloudAccount.data.CloudVendorId) === account)).toBe(true);
    expect(
      (await query({ key: "Misspelt", type: "str", operator: "in", values: ["x"] })).body.data,
    ).toHaveLength(50);
  });

  it("pages by offset, honours select and order_by[], and omits the count when not asked", async () => {
    const page = await query(undefined, {
      limit: 20,
      start_at_index: 40,
      select: ["AlertId", "Status"],
      get_results_and_count: false,
    });
    expect(page.body.data).toHaveLength(10);
    expect(page.body.total_items).toBeUndefined();
    expect(Object.keys(page.body.data[0].data)).toEqual(["AlertId", "Status"]);
    const ordered = (await query(undefined, { "order_by[]": ["-OrcaScore"] })).body.data as Json[];
    const scores = ordered.map((row) => value(row.data.OrcaScore) as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("answers Orca's 400 bodies for an invalid limit, model, operator or missing query", async () => {
    expect((await query(undefined, { limit: 5000 })).status).toBe(400);
    expect(
      (await call("/serving-layer/query", { body: { query: { models: ["Inventory"], type: "object_set" } } }))
        .body,
    ).toMatchObject({
      status: "failure",
      error: expect.stringContaining("Alert model only"),
    });
    expect(
      (await query({ key: "RiskLevel", type: "str", operator: "regex", values: ["."] })).body.error,
    ).toMatch(/Unknown operator/);
    expect((await call("/serving-layer/query", { body: {} })).status).toBe(400);
  });

  it("applies the status verbs, snooze and comments, and answers 404 for an unknown alert", async () => {
    expect((await call("/alerts/orca-10002/status/close", { method: "PUT" })).body.data.status).toBe(
      "closed",
    );
    expect((await call("/alerts/orca-10002/status/archive", { method: "PUT" })).status).toBe(400);
    expect((await call("/alerts/orca-10002/snooze", { method: "PUT", body: { days: 0 } })).status).toBe(400);
    const snoozed = await call("/alerts/orca-10002/snooze", { method: "PUT", body: { days: 30 } });
    expect(snoozed.body.data).toMatchObject({ status: "snoozed", snooze_until: expect.any(String) });
    await call("/alerts/orca-10002/comment", { method: "PUT", body: { comment: "CAB-7" } });
    const state = await call("/alerts/orca-10002/state", { method: "GET" });
    expect(state.body.data).toMatchObject({ alert_id: "orca-10002", status: "snoozed", comments: ["CAB-7"] });
    expect((await call("/alerts/orca-1/status/close", { method: "PUT" })).status).toBe(404);
  });

  it("serves every Nth record malformed (its asset type of the wrong type) when the fault is on", async () => {
    const emulation = orcaEmulation(
      generateEstate({ seed: 9, size: 20, platforms: ["orca"] }),
      createFaults({ malformedRecordEvery: 5 }),
    );
    const response = await emulation.handle(
      new Request("http://sandbox.test/orca/api/serving-layer/query", {
        method: "POST",
        headers: { authorization: `Token ${sandboxOrcaApiToken}` },
        body: JSON.stringify({ query: alertSet(), limit: 20 }),
      }),
      "/api/serving-layer/query",
    );
    const rows = ((await response.json()) as Json).data as Json[];
    const malformed = rows
      .filter((row) => typeof value(row.data.Inventory.data.AssetType) !== "string")
      .map((row) => row.name);
    expect(malformed).toEqual(["orca-10005", "orca-10010", "orca-10015", "orca-10020"]);
  });

  it("serves every third row flat (bare values) and the rest wrapped ({ value })", async () => {
    const emulation = orcaEmulation(
      generateEstate({ seed: 9, size: 12, platforms: ["orca"] }),
      createFaults(),
    );
    const response = await emulation.handle(
      new Request("http://sandbox.test/orca/api/serving-layer/query", {
        method: "POST",
        headers: { authorization: `Token ${sandboxOrcaApiToken}` },
        body: JSON.stringify({ query: alertSet(), limit: 12 }),
      }),
      "/api/serving-layer/query",
    );
    const rows = ((await response.json()) as Json).data as Json[];
    const flat = rows.filter((row) => typeof row.data.Title === "string").map((row) => row.name);
    expect(flat).toEqual(["orca-10003", "orca-10006", "orca-10009", "orca-10012"]);
    expect(rows.filter((row) => typeof row.data.Title.value === "string")).toHaveLength(8);
  });

  it("posts webhook payloads that normalize to the same finding as the serving-layer row", async () => {
    const source = orca({ ...sandbox.orca, rateLimit: false });
    let compared = 0;
    for await (const finding of source.findings()) {
      const payload = sandbox.emulations.orca.webhookPayload(finding.source.nativeId);
      const request = new Request("https://hooks.example/orca", {
        method: "POST",
        headers: { "x-cloudsteward-token": "hook-secret" },
        body: JSON.stringify(payload),
      });
      const [fromHook] = await parseWebhook(request, {
        secret: "hook-secret",
        receivedAt: finding.source.fetchedAt,
      });
      const { fetchedAt: _, ...source } = finding.source;
      expect({ ...fromHook, source: { ...fromHook!.source, fetchedAt: undefined } }).toEqual({
        ...finding,
        source: { ...source, fetchedAt: undefined },
      });
      compared++;
    }
    expect(compared).toBe(50);
    expect(sandbox.emulations.orca.webhookPayload("orca-1")).toBeUndefined();
  });
});
