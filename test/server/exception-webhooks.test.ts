import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getException, requestException, routeException } from "../../src/agents/exceptions/index.js";
import type { PolicyInput } from "../../src/agents/policy/index.js";
import type { AuditEvent } from "../../src/core/audit.js";
import { isCloudstewardError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { createWebhookHandler } from "../../src/server/webhook-handler.js";
import { jira } from "../../src/sinks/jira/index.js";
import { servicenow } from "../../src/sinks/servicenow/index.js";
import { makeFinding, resetFactories } from "../../src/testing/factories.js";
import { emulationFetch } from "../../src/testing/sandbox/emulation.js";
import { jiraEmulation } from "../../src/testing/sandbox/jira.js";
import { servicenowEmulation } from "../../src/testing/sandbox/servicenow.js";

const policy: PolicyInput = {
  principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }],
  exceptions: { requesters: ["alice"] },
};
const directory: Record<string, string> = { "acc-bob": "bob", "acc-alice": "alice", "bob.jones": "bob" };
const jiraSecret = "jira-webhook-secret";
const serviceNowSecret = "servicenow-webhook-secret";
const signingSecret = "slack-signing-secret";
const finding = makeFinding({ id: "wiz:issue-1", severity: "high" });

async function setup() {
  const store = memoryStore();
  const events: AuditEvent[] = [];
  const options = {
    store,
    policy,
    audit: { append: async (event: AuditEvent) => events.push(event) },
    principalFor: (actor: string) => directory[actor],
  };
  const record = await requestException(
    {
      kind: "exception",
      findings: [finding],
      scope: "resource",
      requester: "alice",
      justification: "The vendor appliance needs TLS 1.0 until its Q3 upgrade",
      requestedUntil: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    },
    options,
  );
  const emulation = jiraEmulation({
    users: [{ accountId: "acc-bob", emailAddress: "bob@example.com", displayName: "Bob" }],
  });
  const sink = jira({
    ...emulation.options("http://sandbox.test/jira"),
    fetch: emulationFetch(emulation, "http://sandbox.test/jira"),
    projectKey: "SEC",
    issueType: "Exception",
    store,
    rateLimit: false,
  });
  const { ref } = await routeException(record, { ...options, sink, findings: [finding] });
  const decisions: string[] = [];
  const handler = createWebhookHandler({
    sources: {},
    onFindings: () => {},
    slackSigningSecret: signingSecret,
    slack: { principalFor: (id) => ({ U0BOB: "bob", U0ALICE: "alice" })[id] },
    exceptions: {
      ...options,
      jira: { secret: jiraSecret },
      servicenow: { secret: serviceNowSecret },
      slack: true,
      onDecision: (result) => {
        decisions.push(result.outcome);
      },
    },
  });
  return { store, events, record, emulation, issueKey: ref!.id, handler, decisions, options };
}

const jiraRequest = (body: string, secret = jiraSecret) =>
  new Request("http://receiver.test/exceptions/jira", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });

const serviceNowRequest = (payload: unknown, secret = serviceNowSecret) =>
  new Request("http://receiver.test/exceptions/servicenow", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify(payload),
  });

const slackRequest = (value: string, user: string) => {
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: "block_actions",
      user: { id: user },
      actions: [{ action_id: "cloudsteward:approve", value }],
    }),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  return new Request("http://receiver.test/slack/interactions", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
    },
    body,
  });
};

beforeEach(() => resetFactories());
afterEach(() => vi.unstubAllEnvs());

describe("createWebhookHandler({ exceptions })", () => {
  it("applies a Jira approval from a signed jira:issue_updated event, and answers a bad signature 401", async () => {
    const { handler, emulation, issueKey, record, store, decisions } = await setup();
    const body = JSON.stringify(emulation.transition(issueKey, "Approved", "acc-bob"));

    const forged = await handler(jiraRequest(body, "not-the-secret"));
    expect(forged.status).toBe(401);
    expect((await getException(record.id, { store }))?.state).toBe("requested");

    const response = await handler(jiraRequest(body));
    const redelivered = await handler(jiraRequest(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: "approved" });
    expect(await redelivered.json()).toEqual({ outcome: "unchanged" });
    expect(await getException(record.id, { store })).toMatchObject({
      state: "active",
      approvals: [{ principal: "bob" }],
    });
    expect(decisions).toEqual(["approved", "unchanged"]);
  });

  it("refuses and audits a Jira approval by an unmapped user and one by the requester", async () => {
    const { handler, emulation, issueKey, record, store, events } = await setup();
    const stranger = await handler(
      jiraRequest(JSON.stringify(emulation.transition(issueKey, "Approved", "acc-mallory"))),
    );
    emulation.transition(issueKey, "Awaiting Approval", "acc-bob");
    const own = await handler(
      jiraRequest(JSON.stringify(emulation.transition(issueKey, "Approved", "acc-alice"))),
    );
    expect(await stranger.json()).toEqual({ outcome: "refused" });
    expect(await own.json()).toEqual({ outcome: "refused" });
    expect((await getException(record.id, { store }))?.state).toBe("requested");
    expect(
      events.filter((event) => event.data.step === "itsm-decision-refused").map((event) => event.actor),
    ).toEqual(["acc-mallory", "acc-alice"]);
  });

  it("ignores Jira updates that change no status or concern no exception", async () => {
    const { handler, emulation, issueKey } = await setup();
    const event = emulation.transition(issueKey, "Approved", "acc-bob");
    const comment = { ...event, changelog: { id: "1", items: [{ field: "summary" }] } };
    const other = {
      ...event,
      issue: { ...event.issue, fields: { ...event.issue.fields, labels: ["cs-abc"] } },
    };
    for (const body of [comment, other]) {
      expect(await (await handler(jiraRequest(JSON.stringify(body)))).json()).toEqual({ outcome: "ignored" });
    }
  });

  it("applies a ServiceNow rejection posted with the bearer secret, and answers a wrong secret 401", async () => {
    const { handler, record, store, options } = await setup();
    const emulation = servicenowEmulation();
    const grc = servicenow({
      ...emulation.options("http://sandbox.test/servicenow"),
      fetch: emulationFetch(emulation, "http://sandbox.test/servicenow"),
      table: "sn_compliance_policy_exception",
      store,
      rateLimit: false,
    });
    const { ref } = await routeException(record, { ...options, sink: grc, findings: [finding] });
    // What the business rule of docs/sinks.md posts when Bob rejects the PER record.
    const { correlation_id, state, sys_updated_by } = emulation.setState(
      "sn_compliance_policy_exception",
      ref!.id,
      "7",
      "bob.jones",
    );
    const payload = { correlation_id, state, sys_updated_by };
    expect((await handler(serviceNowRequest(payload, "wrong"))).status).toBe(401);
    const response = await handler(serviceNowRequest(payload));
    expect(await response.json()).toEqual({ outcome: "rejected" });
    expect(await getException(record.id, { store })).toMatchObject({ state: "rejected", endedBy: "bob" });
  });

  it("applies Slack's Approve on an exception id by the mapped user, refusing the requester", async () => {
    const { handler, record, store } = await setup();
    expect((await handler(slackRequest(record.id, "U0ALICE"))).status).toBe(200);
    expect((await getException(record.id, { store }))?.state).toBe("requested");
    expect((await handler(slackRequest(record.id, "U0BOB"))).status).toBe(200);
    expect(await getException(record.id, { store })).toMatchObject({
      state: "active",
      approvals: [{ principal: "bob", comment: "approved in Slack" }],
    });
  });

  it("refuses at creation an exception route without a secret, and serves no route that was not configured", () => {
    vi.stubEnv("JIRA_WEBHOOK_SECRET", "");
    let error: unknown;
    try {
      createWebhookHandler({
        sources: {},
        onFindings: () => {},
        exceptions: { store: memoryStore(), policy, jira: {} },
      });
    } catch (caught) {
      error = caught;
    }
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect((error as Error).message).toContain("exceptions.jira.secret");
    const handler = createWebhookHandler({
      sources: {},
      onFindings: () => {},
      exceptions: { store: memoryStore(), policy, jira: { secret: jiraSecret } },
    });
    return handler(serviceNowRequest({})).then((response) => expect(response.status).toBe(404));
  });
});
