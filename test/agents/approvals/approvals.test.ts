import { describe, expect, it } from "vitest";
import {
  type ApprovalRequest,
  approvalIdOf,
  approvalQueue,
  approvalsNamespace,
} from "../../../src/agents/approvals/index.js";
import { decideCase } from "../../../src/agents/decide/index.js";
import { approvalPermission, definePolicy } from "../../../src/agents/policy/index.js";
import { type AuditRecord, auditLog } from "../../../src/audit/index.js";
import type { Action } from "../../../src/core/action.js";
import type { Case } from "../../../src/core/case.js";
import { DeliveryError, PolicyError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { redact } from "../../../src/core/redact.js";
import type { Sink } from "../../../src/core/sink.js";
import { fixtureDate, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { caseIn } from "../policy/helpers.js";

const policy = definePolicy({
  mode: "assisted",
  rules: [
    {
      id: "prod",
      when: { environment: "production" },
      do: [
        { kind: "ticket", sink: "jira" },
        { kind: "remediate", sink: "fixer" },
        { kind: "exception", sink: "wiz" },
      ],
    },
  ],
  approvals: [
    { when: { kind: "remediate" }, approvers: ["approve:remediate"] },
    { when: { kind: "exception" }, approvers: ["board"] },
  ],
  principals: [
    { id: "bot", scopes: ["execute:*"] },
    { id: "alice", scopes: ["approve:*"] },
    { id: "bob", scopes: ["approve:ticket"] },
    { id: "board", scopes: [] },
  ],
  approvalTtlHours: 24,
});

function setup() {
  const store = memoryStore();
  let now = new Date(fixtureDate);
  const audit = auditLog(store);
  const queue = approvalQueue({ store, policy, audit, now: () => now });
  const [ticket, remediate, exception] = decideCase(policy, caseIn("production")) as [Action, Action, Action];
  return {
    store,
    audit,
    queue,
    ticket,
    remediate,
    exception,
    advance: (hours: number) => {
      now = new Date(now.getTime() + hours * 3_600_000);
    },
  };
}

function recordingSink(name: string, delivered: string[], fail?: Error): Sink {
  return {
    specificationVersion: "v1",
    name,
    async deliver(action) {
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw fail;
      delivered.push(`${name}:${action.kind}:${String(action.params.approvalId)}`);
      return { key: action.idempotencyKey, status: "created", ref: { id: `${name}-1` } };
    },
  };
}

describe("approvalQueue", () => {
  it("queues an action once, with its id, requester and expiry", async () => {
    const { queue, ticket } = setup();
    const first = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    const again = await queue.request(ticket, { requester: "someone-else", reason: "again" });
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      id: approvalIdOf(ticket),
      state: "requested",
      requester: "bot",
      requestedAt: fixtureDate,
      expiresAt: "2026-01-16T09:30:00.000Z",
    });
    expect(first.action.params.approvalId).toBe(first.id);
  });

  it("keeps each action redacted as a whole, its case redacted once for all the case's actions", async () => {
    const store = memoryStore();
    const queue = approvalQueue({ store, policy, now: () => new Date(fixtureDate) });
    const item = caseIn("production", { description: "found password=hunter2-secret-value in user data" });
    const actions = decideCase(policy, item) as Action[];
    const withSecret = { ...actions[0]!, params: { ...actions[0]!.params, apiToken: "plain-token-value" } };
    for (const action of [withSecret, ...actions.slice(1)]) {
      const request = await queue.request(action, { requester: "bot", reason: "assisted" });
      const kept = {
        ...action,
        requiresApproval: true,
        params: { ...action.params, approvalId: request.id },
      };
      expect(request.action).toEqual(redact(kept));
      expect(JSON.stringify(await store.get(approvalsNamespace, request.id))).not.toMatch(
        /hunter2|plain-token-value/,
      );
    }
    const [first, second] = await Promise.all(
      actions.slice(0, 2).map((action) => queue.get(approvalIdOf(action))),
    );
    expect(first!.action.case).toEqual(second!.action.case);
    expect(first!.action.case.findings[0]!.description).toContain("[REDACTED:password]");
  });

  it("masks every id of a big case's findingIds in each request, as redact does", async () => {
    const store = memoryStore();
    const queue = approvalQueue({ store, policy, now: () => new Date(fixtureDate) });
    const base = caseIn("production");
    const secret = "AKIAIOSFODNN7EXAMPLE";
    const findingIds = [...base.findings.map((finding) => finding.id), "wiz:2", `wiz:token=${secret}`];
    const item: Case = { ...base, findingIds, findingCount: findingIds.length };
    for (const action of decideCase(policy, item) as Action[]) {
      const request = await queue.request(action, { requester: "bot", reason: "assisted" });
      expect(request.action.case.findingIds).toEqual(redact({ findingIds }).findingIds);
      expect(request.action.case.findingIds?.at(-1)).toBe("wiz:token=[REDACTED:aws_access_key_id]");
      expect(JSON.stringify(await store.get(approvalsNamespace, request.id))).not.toContain(secret);
    }
  });

  it("keeps a message action's case compact (facts, totals, 10 findings and one of every other resource type) and a remediation's whole", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const queue = approvalQueue({ store, policy, audit, now: () => new Date(fixtureDate) });
    const findings = Array.from({ length: 30 }, (_, index) =>
      makeFinding({
        id: `wiz:f-${index}`,
        resource: { id: `r-${index}`, type: index === 25 ? "aws.iam.role" : "aws.s3.bucket" },
      }),
    );
    const item: Case = {
      ...makeCase({ findings }),
      context: { environment: { value: "production", source: "test" } },
    };
    const [ticket, remediate] = decideCase(policy, item) as [Action, Action];
    const ticketRequest = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    const kept = (await queue.get(ticketRequest.id))!.action.case;
    expect(kept.findings.map((finding) => finding.id)).toEqual([
      ...findings.slice(0, 10).map((finding) => finding.id),
      "wiz:f-25",
    ]);
    expect(kept).toMatchObject({
      id: item.id,
      severity: item.severity,
      context: item.context,
      findingCount: 30,
      findingIds: findings.map((finding) => finding.id),
      resourceCount: 30,
    });
    expect(approvalPermission(policy, "bob", ticketRequest.action)).toEqual(
      approvalPermission(policy, "bob", ticket),
    );
    const remediateRequest = await queue.request(remediate, { requester: "bot", reason: "assisted" });
    expect(remediateRequest.action.case.findings).toHaveLength(30);
    const approval: AuditRecord[] = [];
    for await (const record of audit.query({ type: "approval" })) approval.push(record);
    expect(approval.map((record) => record.event.findingIds)).toEqual([
      findings.map((finding) => finding.id),
      findings.map((finding) => finding.id),
    ]);
  });

  it("lets a scoped principal approve once, recording who and when", async () => {
    const { queue, ticket, audit, advance } = setup();
    const { id } = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    advance(1);
    const approved = await queue.approve(id, { principal: "bob", comment: "ok" });
    expect(approved).toMatchObject({
      state: "approved",
      decidedBy: "bob",
      decidedAt: "2026-01-15T10:30:00.000Z",
      comment: "ok",
    });
    await expect(queue.approve(id, { principal: "alice" })).rejects.toThrow(/already approved by bob/);
    await expect(queue.reject(id, { principal: "alice" })).rejects.toThrow(PolicyError);
    expect((await queue.get(id))?.decidedBy).toBe("bob");
    const decisions = [];
    for await (const record of audit.query({ type: "approval" }))
      decisions.push(`${record.event.actor}:${record.event.data.decision}`);
    expect(decisions).toEqual(["bot:requested", "bob:approved", "alice:denied", "alice:denied"]);
  });

  it("never lets a requester approve their own request", async () => {
    const { queue, ticket } = setup();
    const { id } = await queue.request(ticket, { requester: "alice", reason: "assisted" });
    await expect(queue.approve(id, { principal: "alice" })).rejects.toThrow(
      "approvals: alice may not approve " + id + ": a requester never decides their own request.",
    );
    expect((await queue.get(id))?.state).toBe("requested");
  });

  it("enforces the approvals rules and scopes from the policy", async () => {
    const { queue, remediate, exception } = setup();
    const fix = await queue.request(remediate, { requester: "bot", reason: "high risk" });
    const waiver = await queue.request(exception, { requester: "bot", reason: "exception" });
    await expect(queue.approve(fix.id, { principal: "bob" })).rejects.toThrow(/not among the approvers/);
    await expect(queue.approve(fix.id, { principal: "mallory" })).rejects.toThrow(/not a principal declared/);
    await expect(queue.approve(waiver.id, { principal: "alice" })).rejects.toThrow(/not among the approvers/);
    expect((await queue.approve(waiver.id, { principal: "board" })).state).toBe("approved");
    expect((await queue.approve(fix.id, { principal: "alice" })).state).toBe("approved");
    await expect(queue.approve("apr_missing", { principal: "alice" })).rejects.toThrow(/no approval request/);
  });

  it("decides once when two approvers race", async () => {
    const { queue, ticket } = setup();
    const { id } = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    const results = await Promise.allSettled([
      queue.approve(id, { principal: "alice" }),
      queue.reject(id, { principal: "bob" }),
      queue.approve(id, { principal: "bob" }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const final = (await queue.get(id)) as ApprovalRequest;
    const winner = results.find(
      (result) => result.status === "fulfilled",
    ) as PromiseFulfilledResult<ApprovalRequest>;
    expect(final.state).toBe(winner.value.state);
    expect(final.decidedBy).toBe(winner.value.decidedBy);
  });

  it("expires requests past their expiry, and asks again on the next request", async () => {
    const { queue, ticket, remediate, advance } = setup();
    const { id } = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    advance(12);
    await queue.request(remediate, { requester: "bot", reason: "high risk" });
    advance(13);
    const expired = await queue.expire();
    expect(expired.map((request) => request.id)).toEqual([id]);
    await expect(queue.approve(id, { principal: "alice" })).rejects.toThrow(/already expired/);
    advance(12);
    await expect(queue.approve(approvalIdOf(remediate), { principal: "alice" })).rejects.toThrow(
      /expired at/,
    );
    expect((await queue.get(approvalIdOf(remediate)))?.state).toBe("expired");
    expect((await queue.request(ticket, { requester: "bot", reason: "again" })).state).toBe("requested");
    const requested = [];
    for await (const request of queue.list({ state: "requested" })) requested.push(request.id);
    expect(requested).toEqual([id]);
  });

  it("keeps a rejection: the same action is not asked again", async () => {
    const { queue, ticket } = setup();
    const { id } = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    await queue.reject(id, { principal: "alice" });
    expect((await queue.request(ticket, { requester: "bot", reason: "again" })).state).toBe("rejected");
  });

  it("executes each approved action exactly once, even with concurrent workers", async () => {
    const { queue, ticket, remediate, audit } = setup();
    for (const action of [ticket, remediate]) {
      const { id } = await queue.request(action, { requester: "bot", reason: "assisted" });
      await queue.approve(id, { principal: "alice" });
    }
    await queue.request({ ...ticket, idempotencyKey: "other" }, { requester: "bot", reason: "pending" });
    const delivered: string[] = [];
    const sinks = { jira: recordingSink("jira", delivered), fixer: recordingSink("fixer", delivered) };
    const [a, b] = await Promise.all([queue.executeApproved({ sinks }), queue.executeApproved({ sinks })]);
    expect(delivered.sort()).toEqual([
      `fixer:remediate:${approvalIdOf(remediate)}`,
      `jira:ticket:${approvalIdOf(ticket)}`,
    ]);
    expect(a.executed.length + b.executed.length).toBe(2);
    expect(a.skipped + b.skipped).toBe(2);
    expect((await queue.executeApproved({ sinks })).skipped).toBe(2);
    expect(delivered).toHaveLength(2);
    expect(await queue.execution(approvalIdOf(ticket))).toMatchObject({
      state: "done",
      delivery: { status: "created" },
    });
    const deliveries = [];
    for await (const record of audit.query({ type: "delivery" }))
      deliveries.push(record.event.data.approvedBy);
    expect(deliveries).toEqual(["alice", "alice"]);
  });

  it("records a failed execution and retries it only when asked", async () => {
    const { queue, ticket } = setup();
    const { id } = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    await queue.approve(id, { principal: "alice" });
    const delivered: string[] = [];
    const failing = await queue.executeApproved({
      sinks: { jira: recordingSink("jira", delivered, new Error("boom")) },
    });
    expect(failing.failed.map((failure) => failure.error.message)).toEqual(["boom"]);
    expect(await queue.execution(id)).toMatchObject({ state: "failed", error: "boom" });
    expect((await queue.executeApproved({ sinks: { jira: recordingSink("jira", delivered) } })).skipped).toBe(
      1,
    );
    const retried = await queue.executeApproved({
      sinks: { jira: recordingSink("jira", delivered) },
      retryFailed: true,
    });
    expect(retried.executed).toHaveLength(1);
    expect(delivered).toHaveLength(1);
  });

  it("does not run an approved action whose kind the current policy no longer allows", async () => {
    const { store, queue, remediate } = setup();
    const { id } = await queue.request(remediate, { requester: "bot", reason: "high risk" });
    await queue.approve(id, { principal: "alice" });
    const stricter = approvalQueue({
      store,
      policy: { ...policy, rules: [], allowedActions: ["ticket"] },
    });
    const delivered: string[] = [];
    const result = await stricter.executeApproved({ sinks: { fixer: recordingSink("fixer", delivered) } });
    expect(result.failed[0]?.error).toBeInstanceOf(PolicyError);
    expect(delivered).toEqual([]);
  });

  it("fails an execution whose sink is missing with a DeliveryError", async () => {
    const { queue, ticket } = setup();
    const { id } = await queue.request(ticket, { requester: "bot", reason: "assisted" });
    await queue.approve(id, { principal: "alice" });
    const result = await queue.executeApproved({ sinks: {} });
    expect(result.failed[0]?.error).toBeInstanceOf(DeliveryError);
    expect(result.failed[0]?.error.message).toContain('no sink named "jira"');
  });
});
