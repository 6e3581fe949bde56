import { describe, expect, it } from "vitest";
import { createPrismaClient, sessionExtendAfterMs } from "../../../src/adapters/prisma/client.js";
import { prisma } from "../../../src/adapters/prisma/index.js";
import { planAlertList } from "../../../src/adapters/prisma/queries.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { type Finding, findingId } from "../../../src/core/finding.js";
import { createRecorder } from "../../../src/core/recorder.js";
import { createRunReport } from "../../../src/core/report.js";
import type { EstateFinding } from "../../../src/testing/estate.js";
import { collect, rejection, serveSandbox, withEnv } from "../helpers.js";

const { sandbox } = serveSandbox({ seed: 5, size: 80, platforms: ["wiz", "prisma"] });

const emulation = sandbox.emulations.prisma;
const prismaFindings = sandbox.estate.findings.filter((finding) => finding.reportedBy.prisma);
const source = (options: Parameters<typeof prisma>[0] = {}) =>
  prisma({ ...sandbox.prisma, rateLimit: false, ...options });

/** The list bodies the emulation received during `run`. */
async function listBodies(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const before = emulation.alertListBodies.length;
  await run();
  return emulation.alertListBodies.slice(before);
}

const firstWhere = (predicate: (finding: EstateFinding) => boolean) =>
  findingId("prisma", prismaFindings.find(predicate)!.reportedBy.prisma!);

describe("prisma findings", () => {
  it("sends severity, status, accounts, account groups, standards and a time window as FilterModel filters", async () => {
    const report = createRunReport("test");
    let findings: Finding[] = [];
    const [body] = await listBodies(async () => {
      findings = await collect(
        source().findings(
          {
            severity: ["high", "medium"],
            status: ["open", "risk_accepted"],
            accountIds: ["111122223333"],
            projectIds: ["proj-payments"],
            frameworks: ["CIS AWS 2.0.0"],
            createdAfter: "2026-01-01T00:00:00Z",
          },
          { record: createRecorder(report) },
        ),
      );
    });
    expect(body).toMatchObject({
      detailed: true,
      limit: 500,
      timeRange: { type: "absolute", value: { startTime: Date.parse("2026-01-01T00:00:00Z") } },
      filters: [
        { name: "policy.severity", operator: "=", value: "high" },
        { name: "policy.severity", operator: "=", value: "medium" },
        { name: "alert.status", operator: "=", value: "open" },
        { name: "alert.status", operator: "=", value: "snoozed" },
        { name: "cloud.accountId", operator: "=", value: "111122223333" },
        { name: "account.group", operator: "=", value: "proj-payments" },
        { name: "policy.complianceStandard", operator: "=", value: "CIS AWS 2.0.0" },
        { name: "timeRange.type", operator: "=", value: "ALERT_OPENED" },
      ],
    });
    expect(report.warnings).toEqual([]);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(["high", "medium"]).toContain(finding.severity);
      expect(["open", "risk_accepted"]).toContain(finding.status);
      expect(finding.resource.accountId).toBe("111122223333");
      expect(finding.rule.controls.map((control) => control.framework)).toContain("CIS AWS 2.0.0");
      expect(Date.parse(finding.firstSeen)).toBeGreaterThanOrEqual(Date.parse("2026-01-01T00:00:00Z"));
    }
  });

  it("filters category, in_progress and a second time window client-side with one warning each", async () => {
    const report = createRunReport("test");
    let findings: Finding[] = [];
    const [body] = await listBodies(async () => {
      findings = await collect(
        source().findings(
          {
            category: ["vulnerability"],
            status: ["open", "in_progress"],
            updatedAfter: "2026-03-01T00:00:00Z",
            createdAfter: "2026-02-01T00:00:00Z",
          },
          { record: createRecorder(report) },
        ),
      );
    });
    expect(report.warnings.map((warning) => warning.feature).sort()).toEqual([
      "filter.category",
      "filter.createdAfter",
      "filter.status",
    ]);
    expect(
      report.warnings.every((warning) => warning.type === "unsupported" && warning.source === "prisma"),
    ).toBe(true);
    expect(body!.filters).toEqual([{ name: "timeRange.type", operator: "=", value: "ALERT_STATUS_UPDATED" }]);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.category).toBe("vulnerability");
      expect(finding.vulnerability?.cve).toMatch(/^CVE-/);
      expect(Date.parse(finding.firstSeen)).toBeGreaterThanOrEqual(Date.parse("2026-02-01T00:00:00Z"));
      expect(Date.parse(finding.lastSeen)).toBeGreaterThanOrEqual(Date.parse("2026-03-01T00:00:00Z"));
    }
  });

  it("pages with the token alone and stops on a short page, also when a full last page still carries a token", async () => {
    const pageSize = prismaFindings.length / 4; // 20: the fourth page is full and the API still sends a token
    const pages: { next: string | undefined; count: number }[] = [];
    let findings: Finding[] = [];
    const bodies = await listBodies(async () => {
      findings = await collect(
        source({ pageSize }).findings({}, { onPage: (page) => void pages.push(page) }),
      );
    });
    expect(findings.map((finding) => finding.id).sort()).toEqual(
      prismaFindings.map((finding) => findingId("prisma", finding.reportedBy.prisma!)).sort(),
    );
    expect(bodies).toHaveLength(5);
    expect(bodies[0]).toMatchObject({ limit: pageSize, timeRange: { type: "to_now", value: "epoch" } });
    for (const body of bodies.slice(1)) expect(Object.keys(body)).toEqual(["pageToken"]);
    expect(pages.map((page) => page.count)).toEqual([20, 20, 20, 20, 0]);
    expect(pages.at(-1)?.next).toBeUndefined();
  });

  it("asks for informational alerts by Prisma's word and ORs repeated values", () => {
    const { body, clientSide } = planAlertList(
      { severity: ["info", "critical", "info"], status: ["resolved"] },
      100,
    );
    expect(body.filters).toEqual([
      { name: "policy.severity", operator: "=", value: "informational" },
      { name: "policy.severity", operator: "=", value: "critical" },
      { name: "alert.status", operator: "=", value: "resolved" },
    ]);
    expect(body.timeRange).toEqual({ type: "to_now", value: "epoch" });
    expect(clientSide.size).toBe(0);
  });

  it("refuses a time filter that is not an instant before sending anything", async () => {
    const error = await rejection(collect(source().findings({ updatedAfter: "last tuesday" })));
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect(error.message).toContain("updatedAfter");
  });

  it("reads only the configured policy types", async () => {
    const findings = await collect(source({ policyTypes: ["workload_vulnerability"] }).findings());
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((finding) => finding.category === "vulnerability")).toBe(true);
  });

  it("gets one alert by cloudsteward or native id, and undefined for an unknown one", async () => {
    const id = firstWhere(() => true);
    const byId = await source().getFinding(id);
    expect(byId?.id).toBe(id);
    expect((await source().getFinding(id.slice("prisma:".length)))?.id).toBe(id);
    expect(await source().getFinding("prisma:P-1")).toBeUndefined();
  });

  it("links findings to the console derived from the API host", async () => {
    // Route the tenant's real host name to the sandbox, to see the app URL it derives.
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      return globalThis.fetch(new Request(`${sandbox.prisma.apiUrl}${url.pathname}${url.search}`, request));
    };
    const finding = await source({ apiUrl: "https://api2.eu.prismacloud.io", fetch }).getFinding(
      firstWhere(() => true),
    );
    expect(finding?.source.url).toMatch(
      /^https:\/\/app2\.eu\.prismacloud\.io\/alerts\/overview\?viewId=default&filters=/,
    );
    expect((await source().getFinding(firstWhere(() => true)))?.source.url).toBeUndefined();
  });

  it("gives a resource reported by Wiz and Prisma Cloud the same dedupKey from both adapters", async () => {
    const [fromPrisma, fromWiz] = await Promise.all([
      collect(source().findings()),
      collect(wiz({ ...sandbox.wiz, rateLimit: false }).findings()),
    ]);
    const prismaById = new Map(fromPrisma.map((finding) => [finding.source.nativeId, finding]));
    const wizById = new Map(fromWiz.map((finding) => [finding.source.nativeId, finding]));
    // Category fallbacks (threat-detected) never dedupe across platforms, by design of ruleKeyFor.
    const shared = sandbox.estate.findings.filter(
      (finding) =>
        finding.reportedBy.wiz && finding.reportedBy.prisma && finding.archetype !== "threat-detected",
    );
    expect(shared.length).toBeGreaterThan(5);
    for (const finding of shared) {
      const a = prismaById.get(finding.reportedBy.prisma!)!;
      const b = wizById.get(finding.reportedBy.wiz!)!;
      expect(a.resource.type, finding.archetype).toBe(b.resource.type);
      expect(a.dedupKey, `${finding.archetype} on ${finding.resourceId}`).toBe(b.dedupKey);
    }
  });
});

describe("prisma sessions", () => {
  it("logs in once, extends the session before it expires, and logs in again after it expired", async () => {
    let now = 1_000_000;
    const client = createPrismaClient({ ...sandbox.prisma, rateLimit: false, now: () => now });
    const id = prismaFindings[0]!.reportedBy.prisma!;
    const before = emulation.sessions;
    const get = () => client.request("GET", `/alert/${id}`, { idempotent: true });
    await get();
    await get();
    expect(emulation.sessions).toEqual({ logins: before.logins + 1, extensions: before.extensions });
    now += sessionExtendAfterMs + 1;
    await get();
    expect(emulation.sessions).toEqual({ logins: before.logins + 1, extensions: before.extensions + 1 });
    now += 11 * 60_000;
    await get();
    expect(emulation.sessions).toEqual({ logins: before.logins + 2, extensions: before.extensions + 1 });
  });

  it("logs in again when the extension fails", async () => {
    let now = 1_000_000;
    const fetch: typeof globalThis.fetch = (input, init) =>
      (input instanceof Request ? input.url : String(input)).endsWith("/auth_token/extend")
        ? Promise.resolve(new Response(null, { status: 401 }))
        : globalThis.fetch(input, init);
    const client = createPrismaClient({ ...sandbox.prisma, rateLimit: false, now: () => now, fetch });
    const before = emulation.sessions;
    const get = () =>
      client.request("GET", `/alert/${prismaFindings[0]!.reportedBy.prisma}`, { idempotent: true });
    await get();
    now += sessionExtendAfterMs + 1;
    await get();
    expect(emulation.sessions.logins).toBe(before.logins + 2);
  });

  it("fails with an AuthenticationError naming the environment variables, without the secret", async () => {
    const error = await rejection(collect(source({ secretKey: "not-the-secret-key" }).findings()));
    expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
    expect(error.message).toContain("PRISMA_SECRET_KEY");
    expect(error.message).toContain("invalid_credentials");
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("not-the-secret-key");
  });

  it("keeps the session token out of errors even when the API echoes it", async () => {
    const tokens = new Set<string>();
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const token = request.headers.get("x-redlock-auth");
      if (token === null) return globalThis.fetch(request);
      tokens.add(token);
      return new Response(
        JSON.stringify({ error: { code: "bad_request", message: `token ${token} rejected` } }),
        {
          status: 400,
          headers: { "content-type": "application/json" },
        },
      );
    };
    const error = await rejection(collect(source({ fetch }).findings()));
    expect(isCloudstewardError(error, "BAD_REQUEST")).toBe(true);
    expect(error.message).toMatch(/bad_request: token \[REDACTED[^\]]*\] rejected/);
    expect(tokens.size).toBe(1);
    for (const token of tokens)
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(token);
  });

  it("reads the API URL and the access key from the environment", async () => {
    const environment = {
      PRISMA_API_URL: sandbox.prisma.apiUrl,
      PRISMA_ACCESS_KEY_ID: sandbox.prisma.accessKeyId,
      PRISMA_SECRET_KEY: sandbox.prisma.secretKey as string,
    };
    await withEnv(environment, async () => {
      const id = firstWhere(() => true);
      expect((await prisma({ rateLimit: false }).getFinding(id))?.id).toBe(id);
    });
  });

  it("asks for the API URL by option or environment variable", async () => {
    const error = await rejection(prisma({ accessKeyId: "x", secretKey: "y" }).getFinding("P-1"));
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect(error.message).toContain("PRISMA_API_URL");
  });
});

describe("prisma write-back", () => {
  const writer = () => source({ allowWrite: true });

  it("refuses every write without allowWrite", async () => {
    const id = firstWhere((finding) => finding.status === "open");
    for (const write of [
      source().setStatus(id, { status: "suppressed" }),
      source().createException({
        findingId: id,
        reason: "accepted",
        expiresAt: "2099-01-01T00:00:00Z",
        requestedBy: "a@example.com",
        approvedBy: "b@example.com",
      }),
    ]) {
      expect(isCloudstewardError(await rejection(write), "WRITE_DISABLED")).toBe(true);
    }
  });

  it("dismisses with a note and the required filter, then reopens", async () => {
    const id = firstWhere((finding) => finding.status === "open");
    const writes = emulation.writes.length;
    await writer().setStatus(id, { status: "suppressed", reason: "False positive", note: "test account" });
    expect(emulation.writes.at(-1)).toEqual({
      route: "dismiss",
      body: {
        alerts: [id.slice(7)],
        policies: [],
        dismissalNote: "False positive: test account",
        filter: { timeRange: { type: "to_now", value: "epoch" }, filters: [] },
      },
    });
    expect((await source().getFinding(id))?.status).toBe("suppressed");
    await writer().setStatus(id, { status: "open" });
    expect(emulation.writes.at(-1)?.route).toBe("reopen");
    expect(emulation.writes).toHaveLength(writes + 2);
    expect((await source().getFinding(id))?.status).toBe("open");
  });

  it("snoozes until the exception expires and reports it as an accepted risk", async () => {
    const id = firstWhere((finding) => finding.status === "open" && finding.severity === "high");
    const ref = await writer().createException({
      findingId: id,
      reason: "Risk accepted",
      expiresAt: "2099-01-01T00:00:00Z",
      requestedBy: "owner@example.com",
      approvedBy: "ciso@example.com",
      note: "CAB-123",
    });
    expect(ref).toEqual({ id: id.slice(7), until: "2099-01-01T00:00:00.000Z" });
    const body = emulation.writes.at(-1)!.body;
    expect(body.dismissalTimeRange).toMatchObject({
      type: "absolute",
      value: { endTime: Date.parse("2099-01-01T00:00:00Z") },
    });
    expect(body.dismissalNote).toBe(
      "Risk accepted (requested by owner@example.com, approved by ciso@example.com, until 2099-01-01T00:00:00.000Z). CAB-123",
    );
    const finding = await source().getFinding(id);
    expect(finding).toMatchObject({ status: "risk_accepted", source: { nativeStatus: "snoozed" } });
  });

  it("refuses states Prisma Cloud cannot set, and expiries in the past", async () => {
    const id = firstWhere((finding) => finding.status === "open");
    const writes = emulation.writes.length;
    for (const status of ["in_progress", "resolved"] as const) {
      const error = await rejection(writer().setStatus(id, { status }));
      expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
      expect(error.message).toContain(status);
    }
    const past = await rejection(
      writer().createException({
        findingId: id,
        reason: "late",
        expiresAt: "2020-01-01T00:00:00Z",
        requestedBy: "a@example.com",
        approvedBy: "b@example.com",
      }),
    );
    expect(isCloudstewardError(past, "CONFIGURATION")).toBe(true);
    expect(emulation.writes).toHaveLength(writes);
  });

  it("surfaces the x-redlock-status reason when an alert is no longer in the expected state", async () => {
    const id = firstWhere((finding) => finding.status === "resolved");
    const error = await rejection(writer().setStatus(id, { status: "risk_accepted" }));
    expect(isCloudstewardError(error, "NOT_FOUND")).toBe(true);
    expect(error.message).toContain("alert_no_longer_in_expected_state");
  });
});

describe("prisma query", () => {
  it("passes config RQL through and follows nextPageToken", async () => {
    const result = (await source().query({
      query: "config from cloud.resource where cloud.type = 'aws' AND api.name = 'aws-s3api-get-bucket-acl'",
      variables: { limit: 1 },
    })) as { items: { resourceType: string; cloudType: string; data?: unknown }[]; totalRows: number };
    const buckets = sandbox.estate.resources.filter((resource) => resource.type === "aws.s3.bucket");
    expect(buckets.length).toBeGreaterThan(1);
    expect(result.totalRows).toBe(buckets.length);
    expect(result.items).toHaveLength(buckets.length);
    for (const item of result.items)
      expect(item).toMatchObject({ resourceType: "MANAGED_BUCKET", cloudType: "aws" });
    expect(result.items[0]!.data).toBeDefined();
  });

  it("returns event search results as the API sends them", async () => {
    const result = await source().query({
      query: "event from cloud.audit_logs where operation = 'DeleteBucket'",
    });
    expect(result).toEqual({ data: { items: [], totalRows: 0 } });
  });

  it("refuses anything that is not RQL without sending it", async () => {
    const before = emulation.alertListBodies.length;
    const error = await rejection(source({ allowWrite: true }).query({ query: "DELETE /alert/P-1" }));
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect(emulation.alertListBodies).toHaveLength(before);
  });

  it("reports the API's reason for RQL the emulation does not support", async () => {
    const error = await rejection(
      source().query({ query: "config from cloud.resource where json.rule = 'x'" }),
    );
    expect(isCloudstewardError(error, "BAD_REQUEST")).toBe(true);
    expect(error.message).toContain("Unsupported condition");
  });
});
