import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import { decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import {
  cnappRemediation,
  functionRemediation,
  pipelineTrigger,
  remediationRecord,
  remediationSink,
  webhookRemediation,
} from "../../../src/agents/remediation/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { Action } from "../../../src/core/action.js";
import { AuthenticationError, PolicyError, WriteDisabledError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { FindingSource } from "../../../src/core/source.js";
import { verifyWebhookSignature } from "../../../src/sinks/webhook/index.js";
import { fixtureDate } from "../../../src/testing/factories.js";
import { caseIn } from "../policy/helpers.js";

const received: { url: string; headers: Headers; body: string }[] = [];
const server = setupServer(
  http.post(
    "https://api.github.test/repos/acme/infra/actions/workflows/fix.yml/dispatches",
    async ({ request }) => {
      if (request.headers.get("authorization") !== "Bearer gh-token")
        return new HttpResponse(null, { status: 401 });
      received.push({ url: request.url, headers: request.headers, body: await request.text() });
      return new HttpResponse(null, { status: 204 });
    },
  ),
  http.post("https://fixer.test/hooks", async ({ request }) => {
    received.push({ url: request.url, headers: request.headers, body: await request.text() });
    return HttpResponse.json({ accepted: true }, { status: 202 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received.length = 0;
});
afterAll(() => server.close());

const policy = definePolicy({
  mode: "automated",
  rules: [
    {
      id: "fix",
      when: {},
      do: [
        { kind: "remediate", sink: "fixer", automatic: true },
        { kind: "ticket", sink: "jira" },
      ],
    },
  ],
  principals: [{ id: "alice", scopes: ["approve:*"] }],
});

function remediateAction(): Action {
  return decideCase(policy, caseIn("development"))[0]!;
}

describe("remediators", () => {
  it("pipelineTrigger POSTs the action with a bearer token and returns the rollback note", async () => {
    const action = remediateAction();
    const trigger = pipelineTrigger({
      url: "https://api.github.test/repos/acme/infra/actions/workflows/fix.yml/dispatches",
      token: () => "gh-token",
      body: (item) => ({ ref: "main", inputs: { case: item.case.id, key: item.idempotencyKey } }),
      rollback: (item) => `Revert the PR for ${item.case.id}.`,
    });
    const result = await trigger.remediate(action);
    expect(result).toEqual({
      status: "triggered",
      details: {
        url: "https://api.github.test/repos/acme/infra/actions/workflows/fix.yml/dispatches",
        status: 204,
      },
      rollback: `Revert the PR for ${action.case.id}.`,
    });
    expect(JSON.parse(received[0]!.body)).toEqual({
      ref: "main",
      inputs: { case: action.case.id, key: action.idempotencyKey },
    });
    expect(received[0]?.headers.get("idempotency-key")).toBe(action.idempotencyKey);
  });

  it("pipelineTrigger maps a 401 to AuthenticationError without the token", async () => {
    const trigger = pipelineTrigger({
      url: "https://api.github.test/repos/acme/infra/actions/workflows/fix.yml/dispatches",
      token: "wrong-token",
      rollback: "n/a",
    });
    const error = await trigger.remediate(remediateAction()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).not.toContain("wrong-token");
  });

  it("webhookRemediation signs the body like the webhook sink", async () => {
    const action = remediateAction();
    const now = new Date(fixtureDate);
    const fix = webhookRemediation({
      url: "https://fixer.test/hooks",
      secret: "hook-secret",
      rollback: "Restore the previous bucket policy.",
      now: () => now,
    });
    const result = await fix.remediate(action);
    expect(result).toMatchObject({ status: "triggered", rollback: "Restore the previous bucket policy." });
    const request = received[0]!;
    expect(
      verifyWebhookSignature({
        body: request.body,
        headers: request.headers,
        secret: "hook-secret",
        now: now.getTime(),
      }),
    ).toBe(true);
    expect(
      verifyWebhookSignature({
        body: request.body,
        headers: request.headers,
        secret: "other",
        now: now.getTime(),
      }),
    ).toBe(false);
    expect(JSON.parse(request.body)).toMatchObject({
      type: "remediation.requested",
      idempotencyKey: action.idempotencyKey,
      caseId: action.case.id,
      rollback: "Restore the previous bucket policy.",
    });
  });

  it("cnappRemediation refuses without allowWrite and runs per finding with it", async () => {
    const source = { platform: "wiz" } as FindingSource;
    const calls: string[] = [];
    const run = async (finding: { id: string }) => {
      calls.push(finding.id);
      return { details: { fixed: true }, rollback: "Re-open the setting in the console." };
    };
    const action = remediateAction();
    await expect(cnappRemediation({ source, remediate: run }).remediate(action)).rejects.toBeInstanceOf(
      WriteDisabledError,
    );
    expect(calls).toEqual([]);
    const result = await cnappRemediation({ source, allowWrite: true, remediate: run }).remediate(action);
    expect(calls).toEqual([action.case.findings[0]!.id]);
    expect(result.status).toBe("applied");
    expect(result.rollback).toContain("Re-open the setting in the console.");
  });
});

describe("remediationSink", () => {
  async function setup() {
    const store = memoryStore();
    const audit = auditLog(store);
    const approvals = approvalQueue({ store, policy, now: () => new Date(fixtureDate) });
    let runs = 0;
    const fixer = functionRemediation({
      name: "fixer",
      remediate: async () => {
        runs++;
        return { status: "applied", details: { run: runs }, rollback: "Put the ACL back." };
      },
    });
    const sink = remediationSink(fixer, { approvals, store, audit });
    return { store, audit, approvals, sink, runs: () => runs };
  }

  it("refuses a remediation without an approved approval, or another kind", async () => {
    const { sink, approvals, runs } = await setup();
    const action = remediateAction();
    await expect(sink.deliver(action)).rejects.toThrow(/carries no approval id/);
    const request = await approvals.request(action, { requester: "bot", reason: "high risk" });
    await expect(sink.deliver(request.action)).rejects.toThrow(/is requested, not approved/);
    const ticket = decideCase(policy, caseIn("development"))[1]!;
    await expect(sink.deliver({ ...ticket, params: { approvalId: request.id } })).rejects.toBeInstanceOf(
      PolicyError,
    );
    await approvals.approve(request.id, { principal: "alice" });
    const other = { ...action, idempotencyKey: "other-key", params: { approvalId: request.id } };
    await expect(sink.deliver(other)).rejects.toThrow(/given for another action/);
    expect(runs()).toBe(0);
  });

  it("runs an approved remediation once through executeApproved, keeping the rollback note", async () => {
    const { sink, approvals, store, audit, runs } = await setup();
    const request = await approvals.request(remediateAction(), { requester: "bot", reason: "high risk" });
    await approvals.approve(request.id, { principal: "alice" });
    const first = await approvals.executeApproved({ sinks: { fixer: sink } });
    expect(first.executed[0]?.delivery).toMatchObject({ status: "created" });
    expect(await sink.deliver(request.action)).toMatchObject({ status: "unchanged" });
    expect(runs()).toBe(1);
    const record = await remediationRecord(store, "fixer", request.action.idempotencyKey);
    expect(record).toMatchObject({
      rollback: "Put the ACL back.",
      approvedBy: "alice",
      approvalId: request.id,
    });
    const logged = [];
    for await (const entry of audit.query({ type: "remediation" })) logged.push(entry.event.data.rollback);
    expect(logged).toEqual(["Put the ACL back."]);
  });

  it("requires approvals and a store", () => {
    const fixer = functionRemediation({
      name: "f",
      remediate: async () => ({ status: "applied", details: {}, rollback: "" }),
    });
    expect(() => remediationSink(fixer, {} as never)).toThrow(/approval-gated/);
  });
});
