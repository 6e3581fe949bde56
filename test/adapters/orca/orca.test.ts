import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orca } from "../../../src/adapters/orca/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { createRecorder } from "../../../src/core/recorder.js";
import { createRunReport } from "../../../src/core/report.js";
import type { FindingQuery } from "../../../src/core/source.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";
import { collect, recorder, withEnv } from "../helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, size: 80, platforms: ["orca"] });
});
afterAll(() => sandbox.close());

const emulation = () => sandbox.emulations.orca;
const source = (extra: Parameters<typeof orca>[0] = {}) =>
  orca({ ...sandbox.orca, rateLimit: false, pageSize: 25, ...extra });

/** The findings a source reads for a query, and the run report it filled. */
async function read(query: FindingQuery = {}, extra: Parameters<typeof orca>[0] = {}) {
  const report = createRunReport("orca-test");
  return {
    findings: await collect(source(extra).findings(query, { record: createRecorder(report) })),
    report,
  };
}

describe("orca findings", () => {
  it("authenticates with `Authorization: Token <api token>` and pages by offset until total_items", async () => {
    const probe = recorder();
    const { findings } = await read({}, { fetch: probe.fetch });
    const bodies = probe.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(findings).toHaveLength(80);
    expect(bodies.map((body) => body.start_at_index)).toEqual([0, 25, 50, 75]);
    expect(
      probe.requests.every(
        (request) => request.headers.get("authorization") === `Token ${sandbox.orca.apiToken}`,
      ),
    ).toBe(true);
    expect(bodies[0]).toMatchObject({ query: { models: ["Alert"], type: "object_set" }, limit: 25 });
  });

  it("keeps paging to total_items when the server returns fewer rows than the limit asked for", async () => {
    const starts: number[] = [];
    const capped: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const body = (await request.clone().json()) as Record<string, unknown>;
      starts.push(body.start_at_index as number);
      const response = (await (
        await globalThis.fetch(new Request(request, { body: JSON.stringify({ ...body, limit: 30 }) }))
      ).json()) as Record<string, unknown>;
      return Response.json(response);
    };
    const { findings } = await read({}, { fetch: capped, pageSize: 100 });
    expect(findings).toHaveLength(80);
    expect(starts).toEqual([0, 30, 60]);
  });

  it("stops on a short page without asking for a count-less next page", async () => {
    const before = emulation().queries.length;
    await read({}, { pageSize: 1000 });
    expect(emulation().queries.length - before).toBe(1);
  });

  it("filters severity, status, category, time and account server-side, and checks them again client-side", async () => {
    const { findings: all } = await read();
    const account = all[0]!.resource.accountId;
    const query: FindingQuery = {
      severity: ["critical", "high"],
      status: ["open", "risk_accepted"],
      category: ["identity", "exposure", "secret"],
      createdAfter: "2026-03-01T00:00:00.000Z",
      accountIds: [account],
    };
    const before = emulation().queries.length;
    const { findings, report } = await read(query);
    const sent = emulation().queries[before]!.query as { with: { values: Record<string, unknown>[] } };
    expect(sent.with.values).toEqual([
      { key: "RiskLevel", type: "str", operator: "in", values: ["critical", "high"] },
      { key: "Status", type: "str", operator: "in", values: ["open", "snoozed"] },
      {
        key: "Category",
        type: "str",
        operator: "in",
        values: expect.arrayContaining([
          "IAM misconfigurations",
          "Network misconfigurations",
          "Data at risk",
        ]),
      },
      {
        key: "CreatedAt",
        type: "datetime",
        operator: "date_gte",
        value_type: "days",
        values: ["2026-03-01T00:00:00.000Z"],
      },
      {
        keys: ["CloudAccount"],
        models: ["CloudAccount"],
        type: "object",
        operator: "has",
        with: { key: "CloudVendorId", type: "str", operator: "in", values: [account] },
      },
    ]);
    const expected = all.filter(
      (finding) =>
        ["critical", "high"].includes(finding.severity) &&
        ["open", "risk_accepted"].includes(finding.status) &&
        ["identity", "exposure", "secret"].includes(finding.category) &&
        finding.firstSeen >= "2026-03-01T00:00:00.000Z" &&
        finding.resource.accountId === account,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(findings.map((finding) => finding.id)).toEqual(expected.map((finding) => finding.id));
    expect(report.warnings).toEqual([]);
  });

  it("filters updatedAfter on either LastUpdated or LastSeen", async () => {
    const { findings: all } = await read();
    const before = emulation().queries.length;
    const { findings } = await read({ updatedAfter: "2026-09-01T00:00:00.000Z" });
    expect(emulation().queries[before]!.query).toMatchObject({
      with: {
        type: "operation",
        operator: "or",
        values: [
          { key: "LastUpdated", operator: "date_gte" },
          { key: "LastSeen", operator: "date_gte" },
        ],
      },
    });
    const expected = all.filter((finding) => finding.lastSeen >= "2026-09-01T00:00:00.000Z");
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    expect(findings.map((finding) => finding.id)).toEqual(expected.map((finding) => finding.id));
  });

  it("sends no Category leaf for `other`, which stands for categories no list can name", async () => {
    const before = emulation().queries.length;
    await read({ category: ["other", "identity"] });
    expect(emulation().queries[before]!.query).toEqual({ models: ["Alert"], type: "object_set" });
  });

  it("warns once per feature it cannot filter server-side", async () => {
    const { findings, report } = await read({ frameworks: ["CIS AWS"], projectIds: ["proj-payments"] });
    expect(report.warnings.map((warning) => warning.feature)).toEqual([
      "filter.frameworks",
      "filter.projectIds",
    ]);
    expect(
      report.warnings.every((warning) => warning.type === "unsupported" && warning.source === "orca"),
    ).toBe(true);
    expect(findings).toEqual([]); // Orca alerts carry no controls, so no alert matches a framework
  });

  it("resumes from a saved offset cursor and refuses a foreign one", async () => {
    const pages: (string | undefined)[] = [];
    const all = await collect(source().findings({}, { onPage: ({ next }) => void pages.push(next) }));
    expect(pages).toEqual(["25", "50", "75", undefined]);
    const rest = await collect(source().findings({ cursor: "50" }));
    expect(rest.map((finding) => finding.id)).toEqual(all.slice(50).map((finding) => finding.id));
    await expect(source().findings({ cursor: "wiz:abc" })[Symbol.asyncIterator]().next()).rejects.toSatisfy(
      (error) => isCloudstewardError(error, "CONFIGURATION"),
    );
  });

  it("reads the token and API URL from ORCA_API_TOKEN and ORCA_API_URL, and names them when missing", async () => {
    await withEnv(
      { ORCA_API_TOKEN: sandbox.orca.apiToken as string, ORCA_API_URL: sandbox.orca.apiUrl },
      async () => {
        const finding = await orca({ rateLimit: false }).getFinding("orca:orca-10001");
        expect(finding?.source.nativeId).toBe("orca-10001");
      },
    );
    await withEnv({ ORCA_API_TOKEN: undefined, ORCA_API_URL: sandbox.orca.apiUrl }, async () => {
      await expect(orca({ rateLimit: false }).getFinding("orca-10001")).rejects.toThrow(/ORCA_API_TOKEN/);
    });
  });

  it("links alerts to the console of the API's region", async () => {
    const finding = await source({ consoleUrl: "https://app.eu.orcasecurity.io" }).getFinding("orca-10002");
    expect(finding?.source.url).toBe("https://app.eu.orcasecurity.io/alerts/orca-10002");
    const calls: string[] = [];
    const regional = orca({
      apiToken: "t",
      apiUrl: "https://app.au.orcasecurity.io/api",
      rateLimit: false,
      fetch: async (input) => {
        calls.push(String(input instanceof Request ? input.url : input));
        return Response.json({ status: "success", data: [await rowOf("orca-10002")] });
      },
    });
    expect((await regional.getFinding("orca-10002"))?.source.url).toBe(
      "https://app.au.orcasecurity.io/alerts/orca-10002",
    );
    expect(calls).toEqual(["https://app.au.orcasecurity.io/api/serving-layer/query"]);
  });

  it("resolves a token function again after a 401, so a rotated token is picked up once", async () => {
    const handed: string[] = [];
    const tokens = ["revoked-token", sandbox.orca.apiToken as string];
    const rotating = source({
      apiToken: () => {
        const token = tokens.shift() ?? "exhausted";
        handed.push(token);
        return token;
      },
    });
    expect((await rotating.getFinding("orca-10001"))?.id).toBe("orca:orca-10001");
    expect(handed).toEqual(["revoked-token", sandbox.orca.apiToken]);
    await rotating.getFinding("orca-10002");
    expect(handed).toHaveLength(2); // cached until the next 401
    const revoked = source({ apiToken: "revoked-token" });
    await expect(revoked.getFinding("orca-10001")).rejects.toSatisfy((error) =>
      isCloudstewardError(error, "AUTHENTICATION"),
    );
  });

  it("treats a legacy { status: failure } in a 200 as an UpstreamError", async () => {
    const legacy = orca({
      apiToken: "t",
      rateLimit: false,
      fetch: async () => Response.json({ status: "failure", error: "invalid dsl_filter" }),
    });
    await expect(legacy.getFinding("orca-1")).rejects.toMatchObject({
      code: "UPSTREAM",
      message: expect.stringContaining("invalid dsl_filter"),
    });
  });

  it("fails loudly on a response without data instead of returning nothing", async () => {
    const broken = orca({
      apiToken: "t",
      rateLimit: false,
      fetch: async () => Response.json({ status: "success" }),
    });
    await expect(broken.getFinding("orca-1")).rejects.toSatisfy((error) =>
      isCloudstewardError(error, "INVALID_RESPONSE"),
    );
  });
});

describe("orca write-back", () => {
  it("refuses every write without allowWrite", async () => {
    const readOnly = source();
    for (const attempt of [
      () => readOnly.setStatus("orca:orca-10003", { status: "resolved" }),
      () =>
        readOnly.createException({
          findingId: "orca:orca-10003",
          reason: "accepted",
          expiresAt: "2099-01-01T00:00:00Z",
          requestedBy: "a",
          approvedBy: "b",
        }),
      () => readOnly.query({ query: JSON.stringify({ name: "x", rule: "AwsS3Bucket" }) }),
    ]) {
      await expect(attempt()).rejects.toSatisfy((error) => isCloudstewardError(error, "WRITE_DISABLED"));
    }
  });

  it("sends the path verbs and reads back the states, with the reason as a comment", async () => {
    const writable = source({ allowWrite: true });
    const before = emulation().writes.length;
    for (const [status, verb, state] of [
      ["resolved", "close", "resolved"],
      ["suppressed", "dismiss", "suppressed"],
      ["in_progress", "in_progress", "in_progress"],
      ["open", "open", "open"],
    ] as const) {
      await writable.setStatus("orca:orca-10004", {
        status,
        ...(status === "suppressed" ? { reason: "false positive", note: "test key" } : {}),
      });
      expect(emulation().writes.at(-1)?.path).toMatch(
        status === "suppressed" ? /\/comment$/ : new RegExp(`/status/${verb}$`),
      );
      expect((await writable.getFinding("orca:orca-10004"))?.status).toBe(state);
    }
    const written = emulation().writes.slice(before);
    expect(written.map((write) => write.path)).toEqual([
      "/alerts/orca-10004/status/close",
      "/alerts/orca-10004/status/dismiss",
      "/alerts/orca-10004/comment",
      "/alerts/orca-10004/status/in_progress",
      "/alerts/orca-10004/status/open",
    ]);
    expect(written[2]!.body).toEqual({ comment: "false positive: test key" });
  });

  it("snoozes an exception for whole days, rounded up, and records who asked and approved", async () => {
    const writable = source({ allowWrite: true });
    const expiresAt = new Date(Date.now() + 2.5 * 86_400_000).toISOString();
    const ref = await writable.createException({
      findingId: "orca:orca-10005",
      reason: "compensating control",
      expiresAt,
      requestedBy: "owner@example.com",
      approvedBy: "ciso@example.com",
      note: "CAB-123",
    });
    const [snooze, comment] = emulation().writes.slice(-2);
    expect(snooze).toMatchObject({ path: "/alerts/orca-10005/snooze", body: { days: 3 } });
    expect((comment!.body as { comment: string }).comment).toMatch(
      /compensating control.*owner@example\.com.*ciso@example\.com.*CAB-123/,
    );
    expect(ref).toEqual({
      id: "orca-10005/snooze/3d",
      url: expect.stringMatching(/\/alerts\/orca-10005$/),
      until: expect.any(String),
    });
    // Whole days: the platform's end is at or after the one asked for.
    expect(Date.parse(ref.until!)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect((await writable.getFinding("orca-10005"))?.status).toBe("risk_accepted");
  });

  it("refuses an expiry in the past or unreadable, and reports an unknown alert as NOT_FOUND", async () => {
    const writable = source({ allowWrite: true });
    const request = { findingId: "orca:orca-10006", reason: "r", requestedBy: "a", approvedBy: "b" };
    await expect(writable.createException({ ...request, expiresAt: "2020-01-01T00:00:00Z" })).rejects.toThrow(
      /in the past/,
    );
    await expect(writable.createException({ ...request, expiresAt: "soon" })).rejects.toThrow(/ISO-8601/);
    await expect(writable.setStatus("orca:orca-99999999", { status: "resolved" })).rejects.toSatisfy(
      (error) => isCloudstewardError(error, "NOT_FOUND"),
    );
  });
});

describe("orca query pass-through", () => {
  it("sends a Sonar object set with paging and returns the rows unwrapped from { value }", async () => {
    const rows = (await source().query({
      query: JSON.stringify({
        models: ["Alert"],
        type: "object_set",
        with: { key: "RiskLevel", type: "str", operator: "in", values: ["critical"] },
      }),
      variables: { limit: 5 },
    })) as { data: Record<string, unknown> }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(5);
    for (const row of rows) {
      expect(row.data.RiskLevel).toBe("critical");
      expect((row.data.CloudAccount as { data: Record<string, unknown> }).data.CloudVendorId).toEqual(
        expect.any(String),
      );
    }
  });

  it("passes a full serving-layer body through and surfaces Orca's 400", async () => {
    const rows = (await source().query({
      query: JSON.stringify({
        query: { models: ["Alert"], type: "object_set" },
        select: ["AlertId", "Status"],
        limit: 3,
      }),
    })) as { data: Record<string, unknown> }[];
    expect(rows.map((row) => Object.keys(row.data))).toEqual([
      ["AlertId", "Status"],
      ["AlertId", "Status"],
      ["AlertId", "Status"],
    ]);
    await expect(
      source().query({ query: JSON.stringify({ models: ["Inventory"], type: "object_set" }) }),
    ).rejects.toSatisfy((error) => isCloudstewardError(error, "BAD_REQUEST"));
    await expect(source().query({ query: "Alert with RiskLevel in ('high')" })).rejects.toThrow(
      /Sonar as JSON/,
    );
  });

  it("creates a custom Sonar rule only with allowWrite", async () => {
    const created = (await source({ allowWrite: true }).query({
      query: JSON.stringify({
        name: "public buckets",
        rule: "AwsS3Bucket with PublicAccess",
        category: "Data at risk",
      }),
    })) as { rule_id: string };
    expect(created.rule_id).toMatch(/^r[0-9a-f]{10}$/);
    expect(emulation().writes.at(-1)).toMatchObject({ method: "POST", path: "/sonar/rules" });
  });
});

async function rowOf(alertId: string): Promise<unknown> {
  const response = await fetch(`${sandbox.orca.apiUrl}/serving-layer/query`, {
    method: "POST",
    headers: { authorization: `Token ${sandbox.orca.apiToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      query: {
        models: ["Alert"],
        type: "object_set",
        with: { key: "AlertId", type: "str", operator: "in", values: [alertId] },
      },
    }),
  });
  return ((await response.json()) as { data: unknown[] }).data[0];
}
