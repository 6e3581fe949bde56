import { beforeEach, describe, expect, it } from "vitest";
import {
  applyItsmDecision,
  exceptionAction,
  exceptionApprovals,
  getException,
  requestException,
  routeException,
  serviceNowExceptionFields,
  syncExceptionDecisions,
} from "../../../src/agents/exceptions/index.js";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { jira } from "../../../src/sinks/jira/index.js";
import { servicenow } from "../../../src/sinks/servicenow/index.js";
import { makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import { jiraEmulation } from "../../../src/testing/sandbox/jira.js";
import { servicenowEmulation } from "../../../src/testing/sandbox/servicenow.js";

const now = new Date("2026-03-01T00:00:00Z");
const policy: PolicyInput = {
  principals: [
    { id: "alice" },
    { id: "bob", scopes: ["approve:exception"] },
    { id: "carol", scopes: ["approve:exception"] },
  ],
  exceptions: { requesters: ["alice", "bob"], criticalQuorum: 2 },
};
/** The ITSM's names for the principals: Jira account ids and ServiceNow user names. */
const directory: Record<string, string> = {
  "acc-alice": "alice",
  "acc-bob": "bob",
  "acc-carol": "carol",
  "alice.smith": "alice",
  "bob.jones": "bob",
};

function setup() {
  const store = memoryStore();
  const events: AuditEvent[] = [];
  const options = {
    store,
    policy,
    now: () => now,
    audit: { append: async (event: AuditEvent) => events.push(event) },
    principalFor: (actor: string) => directory[actor],
  };
  return { store, events, options };
}

async function request(
  options: ReturnType<typeof setup>["options"],
  finding: Finding,
  kind: "exception" | "risk-acceptance" = "exception",
  requester = "alice",
) {
  return requestException(
    {
      kind,
      findings: [finding],
      scope: "resource",
      requester,
      justification: "The vendor appliance needs TLS 1.0 until its Q3 upgrade",
      requestedUntil: "2026-03-25T00:00:00Z",
      compensatingControls: [{ description: "WAF in front", verification: "WAF rule 12 logs" }],
      ...(kind === "risk-acceptance" ? { residualRisk: "medium" as const } : {}),
    },
    options,
  );
}

function jiraRig() {
  const emulation = jiraEmulation({
    users: ["alice", "bob", "carol"].map((name) => ({
      accountId: `acc-${name}`,
      emailAddress: `${name}@example.com`,
      displayName: name,
    })),
  });
  const baseUrl = "http://sandbox.test/jira";
  const sink = jira({
    ...emulation.options(baseUrl),
    fetch: emulationFetch(emulation, baseUrl),
    projectKey: "SEC",
    issueType: "Exception",
    store: memoryStore(),
    rateLimit: false,
  });
  return { emulation, sink };
}

function serviceNowRig() {
  const emulation = servicenowEmulation();
  const baseUrl = "http://sandbox.test/servicenow";
  const sink = servicenow({
    ...emulation.options(baseUrl),
    fetch: emulationFetch(emulation, baseUrl),
    table: "sn_compliance_policy_exception",
    fields: serviceNowExceptionFields,
    store: memoryStore(),
    rateLimit: false,
  });
  return { emulation, sink };
}

beforeEach(() => resetFactories());

describe("routeException", () => {
  it("creates one Jira Exception issue with the request and memo pre-filled, once however often it is routed", async () => {
    const { options, store, events } = setup();
    const finding = makeFinding({ severity: "high", title: "TLS 1.0 allowed on the listener" });
    const record = await request(options, finding);
    const { emulation, sink } = jiraRig();

    const first = await routeException(record, {
      ...options,
      sink,
      findings: [finding],
      memo: "Approve with conditions: 7 of 9 similar requests were approved.",
    });
    const second = await routeException(record, { ...options, sink, findings: [finding] });

    expect(first.status).toBe("created");
    expect(second).toMatchObject({ status: "unchanged", ref: first.ref });
    const issues = emulation.issues();
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(issue.fields.issuetype).toEqual({ name: "Exception" });
    expect(issue.fields.status.name).toBe("Awaiting Approval");
    expect(issue.fields.labels).toContain(`cs-${record.id}`);
    expect(String(issue.fields.summary)).toBe(
      "[HIGH] Exception requested by alice until 2026-03-25: TLS 1.0 allowed on the listener",
    );
    const description = JSON.stringify(issue.fields.description);
    expect(description).toContain("Justification: The vendor appliance needs TLS 1.0 until its Q3 upgrade");
    expect(description).toContain("7 of 9 similar requests were approved");
    expect(description).toContain("Compensating control: WAF in front (verify: WAF rule 12 logs)");
    const routed = events.filter((event) => event.data.step === "routed:jira");
    expect(routed).toHaveLength(1);
    expect(routed[0]!.data).toMatchObject({ exceptionId: record.id, ref: { id: issue.key } });
    expect(await store.get("exception-routes", `${record.id}:jira`)).toMatchObject({
      ref: { id: issue.key },
    });
  });

  it("creates a ServiceNow GRC policy exception (PER…, state New) with the justification and dates", async () => {
    const { options } = setup();
    const finding = makeFinding({ severity: "medium" });
    const record = await request(options, finding, "risk-acceptance");
    const { emulation, sink } = serviceNowRig();

    await routeException(record, { ...options, sink, findings: [finding] });

    const [created] = emulation.records("sn_compliance_policy_exception");
    expect(created).toMatchObject({
      number: expect.stringMatching(/^PER\d{7}$/),
      state: "1",
      correlation_id: `cs-${record.id}`,
      justification: "The vendor appliance needs TLS 1.0 until its Q3 upgrade",
      valid_from: "2026-03-01",
      valid_to: "2026-03-25",
      requested_valid_to: "2026-03-25",
    });
    expect(created!.short_description).toMatch(
      /^\[MEDIUM\] Risk acceptance requested by alice until 2026-03-25: /,
    );
  });

  it("refuses an exception that is no longer requested, and an action without findings", async () => {
    const { options } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding);
    const { sink } = jiraRig();
    expect(() => exceptionAction(record, [])).toThrow(/needs its findings/);
    expect(() => exceptionAction(record, [makeFinding({ id: "wiz:someone-else" })])).toThrow(
      /needs its findings/,
    );
    await applyItsmDecision(
      { exceptionId: record.id, sink: "jira", status: "Rejected", actor: "acc-bob" },
      options,
    );
    await expect(routeException(record, { ...options, sink, findings: [finding] })).rejects.toMatchObject({
      field: "state",
    });
  });
});

describe("syncExceptionDecisions", () => {
  it("applies an approval made in Jira by a mapped approver, once", async () => {
    const { options, events } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding);
    const { emulation, sink } = jiraRig();
    const { ref } = await routeException(record, { ...options, sink, findings: [finding] });

    expect((await syncExceptionDecisions({ ...options, sinks: { jira: sink } })).decisions).toEqual([]);
    emulation.transition(ref!.id, "Approved", "acc-bob");
    const first = await syncExceptionDecisions({ ...options, sinks: { jira: sink } });
    const second = await syncExceptionDecisions({ ...options, sinks: { jira: sink } });

    expect(first.decisions).toEqual([
      expect.objectContaining({ outcome: "approved", exceptionId: record.id }),
    ]);
    expect(second.decisions).toEqual([]);
    const stored = await getException(record.id, options);
    expect(stored).toMatchObject({ state: "active", approvals: [{ principal: "bob" }] });
    expect(events.filter((event) => event.data.step === "approved")).toHaveLength(1);
  });

  it("applies a rejection made in ServiceNow (state 7), read with the user who set it", async () => {
    const { options } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding);
    const { emulation, sink } = serviceNowRig();
    const { ref } = await routeException(record, { ...options, sink, findings: [finding] });

    emulation.setState("sn_compliance_policy_exception", ref!.id, "6", "bob.jones");
    expect((await syncExceptionDecisions({ ...options, sinks: { servicenow: sink } })).decisions).toEqual([]);
    emulation.setState("sn_compliance_policy_exception", ref!.id, "7", "bob.jones");
    const { decisions } = await syncExceptionDecisions({ ...options, sinks: { servicenow: sink } });

    expect(decisions).toEqual([expect.objectContaining({ outcome: "rejected" })]);
    expect(await getException(record.id, options)).toMatchObject({ state: "rejected", endedBy: "bob" });
  });

  it("refuses and records an unknown approver and the requester approving their own request, never approving", async () => {
    const { options, events } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding, "exception", "bob");
    const { emulation, sink } = jiraRig();
    const { ref } = await routeException(record, { ...options, sink, findings: [finding] });

    emulation.transition(ref!.id, "Approved", "acc-stranger");
    const unknown = await syncExceptionDecisions({ ...options, sinks: { jira: sink } });
    const again = await syncExceptionDecisions({ ...options, sinks: { jira: sink } });
    emulation.transition(ref!.id, "Awaiting Approval", "acc-bob");
    emulation.transition(ref!.id, "Approved", "acc-bob");
    const own = await syncExceptionDecisions({ ...options, sinks: { jira: sink } });

    expect(unknown.decisions).toEqual([
      expect.objectContaining({
        outcome: "refused",
        reason: 'jira gave approver "acc-stranger", who maps to no principal',
      }),
    ]);
    expect(again.decisions).toEqual([expect.objectContaining({ outcome: "unchanged" })]);
    expect(own.decisions).toEqual([
      expect.objectContaining({
        outcome: "refused",
        reason: expect.stringMatching(/"bob" requested .* may not decide it/),
      }),
    ]);
    expect(await getException(record.id, options)).toMatchObject({ state: "requested", approvals: [] });
    const refused = events.filter((event) => event.data.step === "itsm-decision-refused");
    expect(refused.map((event) => [event.actor, event.data.nativeStatus])).toEqual([
      ["acc-stranger", "Approved"],
      ["acc-bob", "Approved"],
    ]);
  });

  it("counts a critical finding's ITSM approval as one of the two the quorum needs", async () => {
    const { options } = setup();
    const finding = makeFinding({ severity: "critical" });
    const record = await request(options, finding);
    const { emulation, sink } = jiraRig();
    const { ref } = await routeException(record, { ...options, sink, findings: [finding] });

    emulation.transition(ref!.id, "Approved", "acc-bob");
    const { decisions } = await syncExceptionDecisions({ ...options, sinks: { jira: sink } });
    expect(decisions).toEqual([expect.objectContaining({ outcome: "pending" })]);
    const approvals = exceptionApprovals(options);
    await expect(approvals.approve(record.id, { principal: "bob" })).rejects.toMatchObject({
      field: "principal",
    });
    expect(await approvals.approve(record.id, { principal: "carol" })).toMatchObject({ state: "active" });
  });

  it("reports a status it could not read and goes on with the other routes", async () => {
    const { options } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding);
    const { sink } = jiraRig();
    await routeException(record, { ...options, sink, findings: [finding] });
    const broken = {
      readStatus: () => Promise.reject(new Error("jira is down")),
    };
    const { failed } = await syncExceptionDecisions({ ...options, sinks: { jira: broken } });
    expect(failed).toEqual([{ exceptionId: record.id, sink: "jira", error: new Error("jira is down") }]);
  });
});

describe("exceptionApprovals", () => {
  it("applies Slack presses through decideException: the requester is refused, Acknowledge is refused", async () => {
    const { options } = setup();
    const record = await request(options, makeFinding({ severity: "high" }));
    const approvals = exceptionApprovals(options);
    await expect(approvals.approve(record.id, { principal: "alice" })).rejects.toMatchObject({
      field: "principal",
    });
    await expect(approvals.acknowledge(record.id, { principal: "bob" })).rejects.toMatchObject({
      field: "decision",
    });
    expect(await approvals.reject(record.id, { principal: "bob" })).toMatchObject({
      state: "rejected",
      endedBy: "bob",
    });
  });
});

describe("routing under concurrency", () => {
  it("two workers routing the same request at once: one creates, the other is told to retry, one issue and one audit record", async () => {
    const { options, events } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding);
    const { emulation, sink } = jiraRig();
    const results = await Promise.allSettled([
      routeException(record, { ...options, sink, findings: [finding] }),
      routeException(record, { ...options, sink, findings: [finding] }),
    ]);
    const created = results.filter((result) => result.status === "fulfilled");
    const busy = results.filter((result) => result.status === "rejected");
    expect(created).toHaveLength(1);
    expect(busy.map((result) => (result as PromiseRejectedResult).reason)).toEqual([
      expect.objectContaining({ code: "DELIVERY", safeToRetry: true, isRetryable: true }),
    ]);
    const retried = await routeException(record, { ...options, sink, findings: [finding] });
    expect(retried).toMatchObject({ status: "unchanged", ref: { id: "SEC-1" } });
    expect(emulation.issues()).toHaveLength(1);
    expect(events.filter((event) => event.data.step === "routed:jira")).toHaveLength(1);
  });
});

describe("decisions racing routing and each other", () => {
  it("a decision that comes back before routing has recorded its route still leaves the route and one routed record", async () => {
    const { options, events, store } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await request(options, finding);
    const { sink: inner } = jiraRig();
    // The webhook lands while the delivery is still returning.
    const sink = {
      ...inner,
      deliver: async (...args: Parameters<typeof inner.deliver>) => {
        const delivery = await inner.deliver(...args);
        await applyItsmDecision(
          { exceptionId: record.id, sink: "jira", status: "Approved", actor: "acc-bob" },
          options,
        );
        return delivery;
      },
    };
    await routeException(record, { ...options, sink, findings: [finding] });
    expect(await store.get("exception-routes", `${record.id}:jira`)).toMatchObject({
      ref: { id: "SEC-1" },
      seen: "Approved|acc-bob",
    });
    expect(events.filter((event) => event.data.step === "routed:jira")).toHaveLength(1);
    expect((await getException(record.id, options))?.state).toBe("active");
  });

  it("the same rejection applied by a webhook and a poll at once is applied once and refused by neither", async () => {
    const { options, events } = setup();
    const record = await request(options, makeFinding({ severity: "high" }));
    const input = { exceptionId: record.id, sink: "servicenow", status: "7", actor: "bob.jones" };
    const results = await Promise.all([applyItsmDecision(input, options), applyItsmDecision(input, options)]);
    expect(results.map((result) => result.outcome).sort()).toEqual(["rejected", "unchanged"]);
    expect(events.filter((event) => event.data.step === "itsm-decision-refused")).toEqual([]);
  });
});
