import { HttpResponse, http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { lacework } from "../../../src/adapters/lacework/index.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { createRecorder } from "../../../src/core/recorder.js";
import { createRunReport } from "../../../src/core/report.js";
import { sandboxHandlers } from "../../../src/testing/msw/sandbox-handlers.js";
import { sandboxLaceworkApiSecret } from "../../../src/testing/sandbox/lacework.js";
import { collect, recorder as recorderUnder, rejection, serveSandbox, withEnv } from "../helpers.js";

const { sandbox, server } = serveSandbox({ seed: 5, size: 60, platforms: ["wiz", "lacework"] });

const laceworkFindings = sandbox.estate.findings.filter((finding) => finding.reportedBy.lacework);

/** A fetch that records each request, with paths relative to the Lacework API's root. */
const recorder = () => recorderUnder("/lacework");

const source = (extra: Parameters<typeof lacework>[0] = {}) =>
  lacework({ ...sandbox.lacework, rateLimit: false, ...extra });

describe("lacework source", () => {
  it("mints a token with X-LW-UAKS and { keyId, expiryTime }, then sends it as a bearer token", async () => {
    const probe = recorder();
    await collect(source({ fetch: probe.fetch, tokenTtlSeconds: 900 }).findings({ severity: ["critical"] }));
    const [token, ...rest] = probe.requests;
    expect(token).toMatchObject({ method: "POST", path: "/api/v2/access/tokens" });
    expect(token!.headers.get("x-lw-uaks")).toBe(sandboxLaceworkApiSecret);
    expect(token!.headers.get("authorization")).toBeNull();
    expect(JSON.parse(token!.body)).toEqual({ keyId: sandbox.lacework.apiKey, expiryTime: 900 });
    expect(
      rest.every((request) => /^Bearer _[0-9a-f]+$/.test(request.headers.get("authorization") ?? "")),
    ).toBe(true);
    expect(rest.filter((request) => request.path === "/api/v2/access/tokens")).toHaveLength(0);
  });

  it("reuses a token until shortly before expiresAt, then mints a new one (there is no refresh endpoint)", async () => {
    const probe = recorder();
    const reader = source({ fetch: probe.fetch, tokenTtlSeconds: 60 });
    const id = laceworkFindings[0]!.reportedBy.lacework!;
    const tokens = () => probe.requests.filter((request) => request.path === "/api/v2/access/tokens").length;
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await reader.getFinding(id);
      await reader.getFinding(id);
      expect(tokens()).toBe(1);
      // A 60-second token is renewed at half-life.
      vi.setSystemTime(Date.now() + 31_000);
      await reader.getFinding(id);
      expect(tokens()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("searches alerts in ≤7-day windows over 90 days with server-side severity and status filters", async () => {
    const probe = recorder();
    const report = createRunReport("test");
    const findings = await collect(
      source({ fetch: probe.fetch, alertDetails: false }).findings(
        { severity: ["critical", "high"], status: ["open"] },
        { record: createRecorder(report) },
      ),
    );
    const searches = probe.requests.filter(
      (request) => request.method === "POST" && request.path === "/api/v2/Alerts/search",
    );
    expect(searches.length).toBe(13);
    for (const search of searches) {
      const body = JSON.parse(search.body) as {
        timeFilter: { startTime: string; endTime: string };
        filters: unknown[];
      };
      expect(Date.parse(body.timeFilter.endTime) - Date.parse(body.timeFilter.startTime)).toBeLessThanOrEqual(
        7 * 86_400_000,
      );
      expect(body.filters).toEqual([
        { field: "severity", expression: "in", values: ["Critical", "High"] },
        { field: "status", expression: "in", values: ["Open"] },
      ]);
    }
    const expected = laceworkFindings.filter(
      (finding) =>
        ["critical", "high"].includes(finding.severity) && ["open", "in_progress"].includes(finding.status),
    );
    expect(findings.map((finding) => finding.source.nativeId).sort()).toEqual(
      expected.map((finding) => finding.reportedBy.lacework).sort(),
    );
    expect(report.warnings).toEqual([]);
  });

  it("filters what the API cannot client-side, with one unsupported warning per feature", async () => {
    const report = createRunReport("test");
    const accountId = "111122223333";
    const findings = await collect(
      source().findings(
        { accountIds: [accountId], category: ["exposure", "identity"], projectIds: ["p"] },
        { record: createRecorder(report) },
      ),
    );
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.resource.accountId).toBe(accountId);
      expect(["exposure", "identity"]).toContain(finding.category);
    }
    expect(report.warnings.map((warning) => warning.feature)).toEqual([
      "filter.category",
      "filter.accountIds",
      "filter.projectIds",
    ]);
    expect(
      report.warnings.every((warning) => warning.type === "unsupported" && warning.source === "lacework"),
    ).toBe(true);
  });

  it("narrows the first window to createdAfter and follows paging.urls.nextPage with GET", async () => {
    const probe = recorder();
    const createdAfter = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const findings = await collect(
      source({ fetch: probe.fetch, alertDetails: false }).findings({ createdAfter }),
    );
    const searches = probe.requests.filter((request) => request.path === "/api/v2/Alerts/search");
    expect(searches).toHaveLength(3);
    expect(JSON.parse(searches[0]!.body).timeFilter.startTime).toBe(createdAfter);
    for (const finding of findings)
      expect(Date.parse(finding.firstSeen)).toBeGreaterThanOrEqual(Date.parse(createdAfter));
    // A bigger estate puts more alerts in a window than the emulation's page holds.
    const big = sandboxHandlers({
      seed: 9,
      size: 250,
      platforms: ["lacework"],
      baseUrl: "http://paging.test",
    });
    server.use(...big.handlers);
    const all = await collect(
      lacework({ ...big.lacework, fetch: probe.fetch, rateLimit: false, alertDetails: false }).findings(),
    );
    expect(all).toHaveLength(250);
    expect(new Set(all.map((finding) => finding.id)).size).toBe(250);
    const pages = probe.requests.filter(
      (request) => request.method === "GET" && request.path.startsWith("/api/v2/Alerts/search/"),
    );
    expect(pages.length).toBeGreaterThan(0);
  });

  it("treats an empty window answered with 204 as no rows", async () => {
    server.use(
      http.post(
        "http://sandbox.test/lacework/api/v2/Alerts/search",
        () => new HttpResponse(null, { status: 204 }),
      ),
    );
    expect(await collect(source().findings())).toEqual([]);
  });

  it("refuses a nextPage URL outside the tenant instead of sending it the token", async () => {
    server.use(
      http.post("http://sandbox.test/lacework/api/v2/Alerts/search", () =>
        HttpResponse.json({
          paging: {
            rows: 0,
            totalRows: 1,
            urls: { nextPage: "https://evil.example/api/v2/Alerts/search/X" },
          },
          data: [],
        }),
      ),
    );
    const error = await rejection(collect(source().findings()));
    expect(isCloudstewardError(error, "INVALID_RESPONSE")).toBe(true);
    expect(error.message).toContain("evil.example");
  });

  it("reads compliance reports and vulnerabilities when asked, with composite ids and getFinding", async () => {
    const report = createRunReport("test");
    const findings = await collect(
      source({ kinds: ["compliance", "vulnerability"] }).findings({}, { record: createRecorder(report) }),
    );
    const compliance = findings.filter((finding) => finding.rule.controls.length > 0);
    const vulnerabilities = findings.filter((finding) => finding.category === "vulnerability");
    expect(compliance.length).toBeGreaterThan(0);
    expect(vulnerabilities.length).toBeGreaterThan(0);
    expect(compliance[0]!.source.nativeId.split(":").length).toBeGreaterThanOrEqual(3);
    expect(vulnerabilities.every((finding) => /^CVE-/.test(finding.source.nativeId))).toBe(true);
    const again = await source({ kinds: ["compliance", "vulnerability"] }).getFinding(vulnerabilities[0]!.id);
    expect(again?.id).toBe(vulnerabilities[0]!.id);
    expect(report.deadLetters).toEqual([]);
  });

  it("warns and skips the compliance family when no reports are configured", async () => {
    const report = createRunReport("test");
    const findings = await collect(
      source({ kinds: ["compliance"], reports: [] }).findings({}, { record: createRecorder(report) }),
    );
    expect(findings).toEqual([]);
    expect(report.warnings.map((warning) => warning.feature)).toEqual(["kinds.compliance"]);
  });

  it("gets one alert with its details, and undefined for an unknown id", async () => {
    const first = laceworkFindings[0]!;
    const finding = await source().getFinding(`lacework:${first.reportedBy.lacework}`);
    expect(finding?.resource.id).toBe(first.resourceId);
    expect(await source().getFinding("lacework:999999999")).toBeUndefined();
    expect(await source().getFinding("nonsense")).toBeUndefined();
  });

  it("gives a resource reported by both Wiz and Lacework the same dedupKey from both adapters", async () => {
    const shared = sandbox.estate.findings.filter(
      (finding) => finding.reportedBy.wiz && finding.reportedBy.lacework,
    );
    expect(shared.length).toBeGreaterThan(3);
    const fromWiz = await collect(wiz({ ...sandbox.wiz, rateLimit: false }).findings());
    const fromLacework = await collect(source().findings());
    for (const estateFinding of shared) {
      const a = fromWiz.find((finding) => finding.source.nativeId === estateFinding.reportedBy.wiz);
      const b = fromLacework.find((finding) => finding.source.nativeId === estateFinding.reportedBy.lacework);
      expect(a?.dedupKey, estateFinding.id).toBeDefined();
      expect(b?.dedupKey, `${estateFinding.id} ${estateFinding.archetype}`).toBe(a?.dedupKey);
    }
  });

  it("reads the account, key and secret from LW_ACCOUNT / LACEWORK_API_URL, LW_API_KEY and LW_API_SECRET", async () => {
    const credentials = { LW_API_KEY: sandbox.lacework.apiKey, LW_API_SECRET: sandboxLaceworkApiSecret };
    await withEnv({ ...credentials, LACEWORK_API_URL: sandbox.lacework.apiUrl }, async () => {
      const finding = await lacework({ rateLimit: false }).getFinding(
        laceworkFindings[0]!.reportedBy.lacework!,
      );
      expect(finding).toBeDefined();
    });
    await withEnv({ ...credentials, LACEWORK_API_URL: undefined, LW_ACCOUNT: undefined }, async () => {
      const missing = await rejection(lacework({ rateLimit: false }).getFinding("1"));
      expect(isCloudstewardError(missing, "CONFIGURATION")).toBe(true);
      expect(missing.message).toContain("LW_ACCOUNT");
    });
  });

  it("builds the tenant URL from an account name or a full host", async () => {
    const hosts: string[] = [];
    const fetch: typeof globalThis.fetch = async (input) => {
      hosts.push(new URL(new Request(input).url).origin);
      return new Response(JSON.stringify({ ok: false, message: "Unauthorized" }), { status: 401 });
    };
    for (const account of ["acme", "acme.fra.lacework.net"]) {
      const error = await rejection(
        lacework({ account, apiKey: "k", apiSecret: "s", fetch, rateLimit: false }).getFinding("1"),
      );
      expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
    }
    expect(hosts).toEqual(["https://acme.lacework.net", "https://acme.fra.lacework.net"]);
  });
});

describe("lacework write-back", () => {
  const open = () => laceworkFindings.filter((finding) => ["open", "in_progress"].includes(finding.status));

  it("refuses every write without allowWrite", async () => {
    const id = `lacework:${open()[0]!.reportedBy.lacework}`;
    for (const attempt of [
      source().setStatus(id, { status: "resolved" }),
      source().createException({
        findingId: id,
        reason: "r",
        expiresAt: "2099-01-01T00:00:00Z",
        requestedBy: "a",
        approvedBy: "b",
      }),
      source().query({ query: "{ source { LW_CFG_AWS r } return { r.ARN } }", variables: { saveAs: "q" } }),
    ]) {
      expect(isCloudstewardError(await rejection(attempt), "WRITE_DISABLED")).toBe(true);
    }
  });

  it("closes an alert with the reason code for the status and a comment", async () => {
    const writer = source({ allowWrite: true });
    const [first, second] = open();
    await writer.setStatus(`lacework:${first!.reportedBy.lacework}`, {
      status: "suppressed",
      note: "scanner test bucket",
    });
    await writer.setStatus(second!.reportedBy.lacework!, { status: "resolved", reason: "4" });
    const writes = sandbox.emulations.lacework.writes.filter((write) => write.operation === "closeAlert");
    expect(writes.slice(-2)).toEqual([
      {
        operation: "closeAlert",
        target: first!.reportedBy.lacework,
        body: { reason: 1, comment: "scanner test bucket" },
      },
      {
        operation: "closeAlert",
        target: second!.reportedBy.lacework,
        body: { reason: 4, comment: "Closed by cloudsteward as resolved." },
      },
    ]);
    expect((await writer.getFinding(`lacework:${first!.reportedBy.lacework}`))?.status).toBe("resolved");
  });

  it("refuses states Lacework cannot write, and statuses on non-alert findings", async () => {
    const writer = source({ allowWrite: true });
    const id = `lacework:${open()[2]!.reportedBy.lacework}`;
    for (const status of ["open", "in_progress"] as const) {
      const error = await rejection(writer.setStatus(id, { status }));
      expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    }
    const error = await rejection(writer.setStatus("lacework:CVE-2024-3094:1:xz", { status: "resolved" }));
    expect(error.message).toContain("createException");
  });

  it("creates a policy exception scoped to the account and resource, and closes the alert as accepted", async () => {
    const writer = source({ allowWrite: true });
    const target = open()[3]!;
    const ref = await writer.createException({
      findingId: `lacework:${target.reportedBy.lacework}`,
      reason: "accepted risk",
      expiresAt: "2099-01-01T00:00:00.000Z",
      requestedBy: "owner@example.com",
      approvedBy: "ciso@example.com",
      note: "CAB-123",
    });
    expect(ref.id).toMatch(/^(lacework-global-\d+)\/\1-[0-9a-f]{12}$/);
    const [exception, close] = sandbox.emulations.lacework.writes.slice(-2);
    const resource = sandbox.estate.resources.find((candidate) => candidate.id === target.resourceId)!;
    expect(exception?.operation).toBe("createPolicyException");
    expect(exception?.body).toMatchObject({
      description:
        "accepted risk (requested by owner@example.com, approved by ciso@example.com, until 2099-01-01T00:00:00.000Z). CAB-123",
      constraints: [
        { fieldKey: "accountIds", fieldValues: [resource.accountId] },
        { fieldKey: "resourceNames", fieldValues: [expect.any(String)] },
      ],
    });
    expect(close).toMatchObject({
      operation: "closeAlert",
      target: target.reportedBy.lacework,
      body: { reason: 5 },
    });
  });

  it("creates an expiring vulnerability exception for a vulnerability finding", async () => {
    const writer = source({ allowWrite: true, kinds: ["alert", "vulnerability"] });
    const vulnerability = (await collect(source({ kinds: ["vulnerability"] }).findings()))[0]!;
    const ref = await writer.createException({
      findingId: vulnerability.id,
      reason: "false positive: not loaded",
      expiresAt: "2099-06-30T00:00:00Z",
      requestedBy: "owner@example.com",
      approvedBy: "ciso@example.com",
    });
    expect(ref.id).toMatch(/^VULN_[0-9A-F]{24}$/);
    const write = sandbox.emulations.lacework.writes.at(-1)!;
    expect(write.operation).toBe("createVulnerabilityException");
    expect(write.body).toMatchObject({
      exceptionReason: "False Positive",
      expiryTime: "2099-06-30T00:00:00.000Z",
      state: 1,
      vulnerabilityCriteria: { cve: [vulnerability.vulnerability!.cve] },
    });
  });

  it("rejects an exception without a valid expiry, or for a finding that does not exist", async () => {
    const writer = source({ allowWrite: true });
    const request = { reason: "r", requestedBy: "a", approvedBy: "b" };
    const invalid = await rejection(
      writer.createException({ ...request, findingId: "lacework:1", expiresAt: "soon" }),
    );
    expect(isCloudstewardError(invalid, "CONFIGURATION")).toBe(true);
    const missing = await rejection(
      writer.createException({
        ...request,
        findingId: "lacework:999999999",
        expiresAt: "2099-01-01T00:00:00Z",
      }),
    );
    expect(isCloudstewardError(missing, "NOT_FOUND")).toBe(true);
  });
});

describe("lacework query pass-through (LQL)", () => {
  it("executes LQL with time-range arguments and returns the rows", async () => {
    const probe = recorder();
    const rows = (await source({ fetch: probe.fetch }).query({
      query:
        "{ source { LW_CFG_AWS r } filter { r.ACCOUNT_ID = '111122223333' } return distinct { r.ARN, r.ACCOUNT_ID } }",
      variables: { limit: 3 },
    })) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(3);
    for (const row of rows)
      expect(row).toEqual({ ARN: expect.stringMatching(/^arn:aws:/), ACCOUNT_ID: "111122223333" });
    const body = JSON.parse(probe.requests.at(-1)!.body);
    expect(body.options).toEqual({ limit: 3 });
    expect(body.arguments.map((argument: { name: string }) => argument.name)).toEqual([
      "StartTimeRange",
      "EndTimeRange",
    ]);
  });

  it("saves a query when writes are on, then runs it by id", async () => {
    const writer = source({ allowWrite: true });
    await writer.query({
      query: "{ source { LW_CFG_GCP r } return { r.RESOURCE_ID } }",
      variables: { saveAs: "gcp_ids" },
    });
    const rows = (await writer.query({ query: "", variables: { queryId: "gcp_ids" } })) as Record<
      string,
      unknown
    >[];
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0]!)).toEqual(["RESOURCE_ID"]);
  });

  it("refuses text that is not LQL, and surfaces the service's error message", async () => {
    expect(isCloudstewardError(await rejection(source().query({ query: "SELECT 1" })), "CONFIGURATION")).toBe(
      true,
    );
    const error = await rejection(source().query({ query: "{ source { Nope n } return { n.X } }" }));
    expect(isCloudstewardError(error, "BAD_REQUEST")).toBe(true);
    expect(error.message).toContain("Unknown data source Nope");
  });
});
