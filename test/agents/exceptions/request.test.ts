import { beforeEach, describe, expect, it } from "vitest";
import {
  decideException,
  ExceptionError,
  type ExceptionRequestInput,
  getException,
  requestException,
} from "../../../src/agents/exceptions/index.js";
import { casesNamespace } from "../../../src/agents/governance/governance.js";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeCase, makeFinding, resetFactories } from "../../../src/testing/factories.js";

const now = new Date("2026-03-01T00:00:00Z");
const days = (count: number) => new Date(now.getTime() + count * 86_400_000).toISOString();

const policy: PolicyInput = {
  principals: [
    { id: "alice" },
    { id: "bob", scopes: ["approve:exception"] },
    { id: "carol", scopes: ["approve:*"] },
    { id: "mallory" },
  ],
  exceptions: { requesters: ["alice", "bob"], criticalQuorum: 2, scopes: ["resource", "tag"] },
};

function setup() {
  const store = memoryStore();
  const events: AuditEvent[] = [];
  const options = {
    store,
    policy,
    now: () => now,
    audit: { append: async (event: AuditEvent) => events.push(event) },
  };
  return { store, events, options };
}

function input(overrides: Partial<ExceptionRequestInput> = {}): ExceptionRequestInput {
  return {
    kind: "exception",
    findings: [makeFinding({ severity: "high", resource: { tags: { app: "legacy" } } })],
    scope: "resource",
    requester: "alice",
    justification: "The vendor appliance needs TLS 1.0 until its Q3 upgrade",
    requestedUntil: days(60),
    ...overrides,
  };
}

async function fieldOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ExceptionError);
  return (error as ExceptionError).field;
}

beforeEach(() => resetFactories());

describe("requestException", () => {
  it("stores a valid request as requested, with its targets, severity and an audit record", async () => {
    const { options, events } = setup();
    const finding = makeFinding({ severity: "high" });
    const record = await requestException(input({ findings: [finding], caseId: "case_1" }), options);
    expect(record).toMatchObject({
      state: "requested",
      severity: "high",
      requester: "alice",
      caseId: "case_1",
      findingIds: [finding.id],
      targets: [{ ruleId: finding.rule.id, resourceId: finding.resource.id }],
      startsAt: now.toISOString(),
      expiresAt: days(60),
      requiredApprovals: 1,
    });
    expect(record.id).toMatch(/^exc_/);
    expect(await getException(record.id, options)).toEqual(record);
    expect(events).toEqual([
      expect.objectContaining({
        type: "exception",
        actor: "alice",
        data: expect.objectContaining({ step: "requested", exceptionId: record.id }),
      }),
    ]);
  });

  it("names the field at fault", async () => {
    const { options } = setup();
    expect(await fieldOf(requestException(input({ requestedUntil: "next week" }), options))).toBe(
      "requestedUntil",
    );
    expect(await fieldOf(requestException(input({ findings: [] }), options))).toBe("findings");
    // beyond maxDays for high (90)
    expect(await fieldOf(requestException(input({ requestedUntil: days(91) }), options))).toBe(
      "requestedUntil",
    );
    // critical: 30 days by default
    const critical = [makeFinding({ severity: "critical" })];
    expect(
      await fieldOf(requestException(input({ findings: critical, requestedUntil: days(31) }), options)),
    ).toBe("requestedUntil");
    expect(await fieldOf(requestException(input({ requestedUntil: days(-1) }), options))).toBe(
      "requestedUntil",
    );
    expect(await fieldOf(requestException(input({ requester: "mallory" }), options))).toBe("requester");
    expect(await fieldOf(requestException(input({ requester: "nobody" }), options))).toBe("requester");
    expect(await fieldOf(requestException(input({ scope: "rule-on-account" }), options))).toBe("scope");
    expect(await fieldOf(requestException(input({ justification: "because" }), options))).toBe(
      "justification",
    );
    expect(await fieldOf(requestException(input({ kind: "risk-acceptance" }), options))).toBe("residualRisk");
    expect(await fieldOf(requestException(input({ renews: "exc_unknown" }), options))).toBe("renews");
    expect(
      await fieldOf(requestException(input({ scope: { tag: { key: "app", value: "other" } } }), options)),
    ).toBe("scope.tag");
  });

  it("accepts a risk acceptance with a residual-risk rating and a tag scope the findings carry", async () => {
    const { options } = setup();
    const record = await requestException(
      input({
        kind: "risk-acceptance",
        residualRisk: "low",
        scope: { tag: { key: "app", value: "legacy" } },
        compensatingControls: [
          { description: "WAF in front", verification: "aws wafv2 get-web-acl-for-resource" },
        ],
      }),
      options,
    );
    expect(record.targets).toEqual([
      { ruleId: record.targets[0]?.ruleId, tag: { key: "app", value: "legacy" } },
    ]);
    expect(record.residualRisk).toBe("low");
  });

  it("requests by case id: the case's findings come from the Store where governed runs keep cases", async () => {
    const { options, store } = setup();
    const findings = [
      makeFinding({ severity: "medium" }),
      makeFinding({ severity: "critical", resource: { accountId: "222" } }),
    ];
    const item = makeCase({ id: "case_stored", findings });
    await store.set(casesNamespace, item.id, item);
    const { findings: _, ...byCase } = input();
    const record = await requestException({ ...byCase, caseId: item.id, requestedUntil: days(10) }, options);
    expect(record).toMatchObject({
      caseId: "case_stored",
      findingIds: findings.map((finding) => finding.id),
      severity: "critical",
      requiredApprovals: 2,
      targets: findings.map((finding) => ({ ruleId: finding.rule.id, resourceId: finding.resource.id })),
    });
  });

  it("names caseId for an unknown case and for a case kept only as a sample", async () => {
    const { options, store } = setup();
    const { findings: _, ...byCase } = input();
    const unknown = requestException({ ...byCase, caseId: "case_missing" }, options);
    expect(await fieldOf(unknown)).toBe("caseId");
    const sampled = makeCase({ id: "case_big", findings: [makeFinding()], findingCount: 500 });
    await store.set(casesNamespace, sampled.id, sampled);
    expect(await fieldOf(requestException({ ...byCase, caseId: sampled.id }, options))).toBe("caseId");
  });
});

describe("the lifecycle", () => {
  it("approver ≠ requester; one approval activates a non-critical exception", async () => {
    const { options } = setup();
    const record = await requestException(input({ requester: "bob" }), options);
    expect(
      await fieldOf(decideException(record.id, { decision: "approve", principal: "bob" }, options)),
    ).toBe("principal");
    expect(
      await fieldOf(decideException(record.id, { decision: "approve", principal: "alice" }, options)),
    ).toBe("principal");
    const approved = await decideException(
      record.id,
      { decision: "approve", principal: "carol", comment: "ok" },
      options,
    );
    expect(approved.state).toBe("active");
    expect(approved.approvals).toEqual([{ principal: "carol", at: now.toISOString(), comment: "ok" }]);
    expect(
      await fieldOf(decideException(record.id, { decision: "approve", principal: "carol" }, options)),
    ).toBe("state");
  });

  it("a critical finding needs two distinct approvers when the policy says so", async () => {
    const { options } = setup();
    const record = await requestException(
      input({ findings: [makeFinding({ severity: "critical" })], requestedUntil: days(20) }),
      options,
    );
    expect(record.requiredApprovals).toBe(2);
    const first = await decideException(record.id, { decision: "approve", principal: "bob" }, options);
    expect(first.state).toBe("requested");
    expect(
      await fieldOf(decideException(record.id, { decision: "approve", principal: "bob" }, options)),
    ).toBe("principal");
    const second = await decideException(record.id, { decision: "approve", principal: "carol" }, options);
    expect(second.state).toBe("active");
    expect(second.approvals.map((approval) => approval.principal)).toEqual(["bob", "carol"]);
  });

  it("two approvals at once both count and the state moves once", async () => {
    const { options, events } = setup();
    const record = await requestException(
      input({ findings: [makeFinding({ severity: "critical" })], requestedUntil: days(20) }),
      options,
    );
    await Promise.all([
      decideException(record.id, { decision: "approve", principal: "bob" }, options),
      decideException(record.id, { decision: "approve", principal: "carol" }, options),
    ]);
    const stored = await getException(record.id, options);
    expect(stored?.state).toBe("active");
    expect(stored?.approvals).toHaveLength(2);
    expect(events.map((event) => event.data.step)).toEqual(["requested", "approved", "approved"]);
  });

  it("an exception whose start is ahead is approved, not active", async () => {
    const { options } = setup();
    const record = await requestException(input({ startsAt: days(5), requestedUntil: days(30) }), options);
    expect((await decideException(record.id, { decision: "approve", principal: "bob" }, options)).state).toBe(
      "approved",
    );
  });

  it("rejects and revokes, and says why not when it cannot", async () => {
    const { options } = setup();
    const rejected = await requestException(input(), options);
    expect(
      (await decideException(rejected.id, { decision: "reject", principal: "bob", comment: "no" }, options))
        .state,
    ).toBe("rejected");
    expect(
      await fieldOf(decideException(rejected.id, { decision: "revoke", principal: "bob" }, options)),
    ).toBe("state");
    expect(
      await fieldOf(decideException("exc_missing", { decision: "approve", principal: "bob" }, options)),
    ).toBe("id");

    const active = await requestException(input(), options);
    await decideException(active.id, { decision: "approve", principal: "bob" }, options);
    expect(
      await fieldOf(decideException(active.id, { decision: "revoke", principal: "mallory" }, options)),
    ).toBe("principal");
    const revoked = await decideException(
      active.id,
      { decision: "revoke", principal: "alice", comment: "fixed early" },
      options,
    );
    expect(revoked).toMatchObject({ state: "revoked", endedBy: "alice", endedAt: now.toISOString() });
  });
});

it("names the decision when it is not one", async () => {
  const { options } = setup();
  const record = await requestException(input(), options);
  const decision = "maybe" as "approve";
  expect(await fieldOf(decideException(record.id, { decision, principal: "bob" }, options))).toBe("decision");
});
