import { describe, expect, it } from "vitest";
import { generateEstate } from "../../../src/testing/estate.js";
import { createFaults } from "../../../src/testing/sandbox/faults.js";
import {
  prismaEmulation,
  sandboxPrismaAccessKeyId,
  sandboxPrismaSecretKey,
} from "../../../src/testing/sandbox/prisma.js";

const estate = generateEstate({ seed: 3, size: 40, platforms: ["prisma"] });
const base = "http://sandbox.test/prisma";

async function session(emulation = prismaEmulation(estate, createFaults())) {
  const login = await emulation.handle(
    new Request(`${base}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: sandboxPrismaAccessKeyId, password: sandboxPrismaSecretKey }),
    }),
    "/login",
  );
  const { token } = (await login.json()) as { token: string };
  const call = (path: string, body?: unknown) =>
    emulation.handle(
      new Request(`${base}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "x-redlock-auth": token, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      path.split("?")[0]!,
    );
  return { emulation, token, call };
}

interface RenderedAlert {
  id: string;
  status: string;
  firstSeen: unknown;
  policyId: string;
  dismissalUntilTs: number;
  policy: { severity: string };
  resource: Record<string, unknown>;
}

const redlockStatus = (response: Response) => JSON.parse(response.headers.get("x-redlock-status") ?? "[]");
const allTime = { timeRange: { type: "to_now", value: "epoch" } };
const alertIds = estate.findings.map((finding) => finding.reportedBy.prisma!);

describe("prisma emulation", () => {
  it("answers a wrong login and a missing session with 401 and the reason in x-redlock-status", async () => {
    const emulation = prismaEmulation(estate, createFaults());
    const login = await emulation.handle(
      new Request(`${base}/login`, {
        method: "POST",
        body: JSON.stringify({ username: "x", password: "y" }),
      }),
      "/login",
    );
    expect(login.status).toBe(401);
    expect(await login.text()).toBe("");
    expect(redlockStatus(login)).toEqual([
      { i18nKey: "invalid_credentials", severity: "error", subject: null },
    ]);
    const list = await emulation.handle(
      new Request(`${base}/v2/alert`, { method: "POST", body: "{}" }),
      "/v2/alert",
    );
    expect(list.status).toBe(401);
  });

  it("renders alerts with epoch-millisecond timestamps, P- ids and lower-case vocabularies", async () => {
    const { call } = await session();
    const response = await call("/v2/alert?detailed=true", { limit: 5, ...allTime, filters: [] });
    const page = (await response.json()) as {
      items: RenderedAlert[];
      totalRows: number;
      nextPageToken: string;
    };
    expect(page.totalRows).toBe(40);
    expect(page.items).toHaveLength(5);
    expect(typeof page.nextPageToken).toBe("string");
    for (const alert of page.items) {
      expect(alert.id).toMatch(/^P-\d+$/);
      expect(typeof alert.firstSeen).toBe("number");
      expect(["open", "dismissed", "snoozed", "resolved"]).toContain(alert.status);
      expect(["critical", "high", "medium", "low", "informational"]).toContain(alert.policy.severity);
      expect(alert.resource).toHaveProperty("resourceApiName");
    }
  });

  it("refuses unknown filters and operators, and bad time ranges", async () => {
    const { call } = await session();
    for (const [body, subject] of [
      [
        { ...allTime, filters: [{ name: "alert.colour", operator: "=", value: "red" }] },
        "filters.alert.colour",
      ],
      [{ ...allTime, filters: [{ name: "alert.status", operator: "!=", value: "open" }] }, "filters"],
      [{ timeRange: { type: "relative", value: { amount: 3, unit: "fortnight" } } }, "timeRange.value"],
      [{ timeRange: { type: "sometime" } }, "timeRange.type"],
    ] as const) {
      const response = await call("/v2/alert", body);
      expect(response.status).toBe(400);
      expect(redlockStatus(response)[0]).toMatchObject({ i18nKey: "invalid_parameter_value", subject });
    }
  });

  it("requires filter.timeRange and a note to dismiss, enforces a minimum snooze, and refuses resolved alerts", async () => {
    const { call, emulation } = await session();
    const open = estate.findings.find((finding) => finding.status === "open")!.reportedBy.prisma!;
    const resolved = estate.findings.find((finding) => finding.status === "resolved")!.reportedBy.prisma!;
    const cases: [unknown, number, string][] = [
      [{ alerts: [open], dismissalNote: "x" }, 400, "missing_required_parameter"],
      [{ alerts: [open], filter: allTime }, 400, "missing_required_parameter"],
      [
        {
          alerts: [open],
          dismissalNote: "x",
          filter: allTime,
          dismissalTimeRange: { type: "relative", value: { amount: 5, unit: "minute" } },
        },
        400,
        "violates_minimum_alert_dismiss_duration_time",
      ],
      [{ alerts: [resolved], dismissalNote: "x", filter: allTime }, 404, "alert_no_longer_in_expected_state"],
      [{ alerts: ["P-1"], dismissalNote: "x", filter: allTime }, 400, "invalid_parameter_value"],
    ];
    for (const [body, status, key] of cases) {
      const response = await call("/alert/dismiss", body);
      expect(response.status).toBe(status);
      expect(redlockStatus(response)[0].i18nKey).toBe(key);
    }
    expect(emulation.writes).toEqual([]);
    const reopenOpen = await call("/alert/reopen", { alerts: [open], filter: allTime });
    expect(reopenOpen.status).toBe(404);
  });

  it("snoozes for a relative window and dismisses every open alert of a policy", async () => {
    const { call } = await session();
    const target = estate.findings.find((finding) => finding.status === "open")!;
    const snooze = await call("/alert/dismiss", {
      alerts: [target.reportedBy.prisma],
      dismissalNote: "patch window",
      dismissalTimeRange: { type: "relative", value: { amount: 30, unit: "day" } },
      filter: allTime,
    });
    expect(snooze.status).toBe(200);
    const alert = (await (
      await call(`/alert/${target.reportedBy.prisma}?detailed=true`)
    ).json()) as RenderedAlert;
    expect(alert).toMatchObject({
      status: "snoozed",
      dismissalNote: "patch window",
      reason: "USER_DISMISSED",
    });
    expect(alert.dismissalUntilTs).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const policy = await call("/alert/dismiss", {
      alerts: [],
      policies: [alert.policyId],
      dismissalNote: "policy-wide",
      filter: allTime,
    });
    expect(policy.status).toBe(200);
    const page = (await (
      await call("/v2/alert?detailed=true", {
        ...allTime,
        filters: [{ name: "alert.status", operator: "=", value: "open" }],
      })
    ).json()) as { items: { policyId: string }[] };
    expect(page.items.some((item) => item.policyId === alert.policyId)).toBe(false);
    expect(alertIds.length).toBe(40);
  });

  it("answers config RQL it understands and says what it does not", async () => {
    const { call } = await session();
    const ok = (await (
      await call("/search/api/v2/config", {
        query: "config from cloud.resource where cloud.type = 'azure'",
        limit: 100,
      })
    ).json()) as { items: { cloudType: string; data?: unknown }[]; totalRows: number };
    expect(ok.totalRows).toBeGreaterThan(0);
    expect(ok.items.every((item) => item.cloudType === "azure" && item.data === undefined)).toBe(true);
    const bad = await call("/search/api/v2/config", {
      query: "config from cloud.resource where json.rule = 'x'",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_rql");
  });
});
