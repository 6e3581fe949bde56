import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { feedbackLog } from "../../src/agents/feedback/index.js";
import type { AuditEvent } from "../../src/core/audit.js";
import { ticketLedger } from "../../src/core/ledger.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Store } from "../../src/core/store.js";
import { createWebhookHandler } from "../../src/server/webhook-handler.js";
import { jira } from "../../src/sinks/jira/index.js";
import { makeAction, makeCase, makeFinding } from "../../src/testing/factories.js";
import { emulationFetch } from "../../src/testing/sandbox/emulation.js";
import { jiraEmulation } from "../../src/testing/sandbox/jira.js";

const secret = "jira-webhook-secret";
const directory: Record<string, string> = { "acc-alice": "alice" };

/** A Jira sink on the sandbox's emulated Jira, its ledger in `store`. */
function sandboxJira(store: Store) {
  const emulation = jiraEmulation();
  const base = "http://sandbox.test/jira";
  return jira({
    ...emulation.options(base),
    fetch: emulationFetch(emulation, base),
    projectKey: "SEC",
    store,
    rateLimit: false,
  });
}

async function setup() {
  const store = memoryStore();
  const events: AuditEvent[] = [];
  const audit = { append: async (event: AuditEvent) => events.push(event) };
  const sink = sandboxJira(store);
  // Two tickets, so the route has to pick the right case.
  const cases = ["case-a", "case-b"].map((id) =>
    makeCase({ id, findings: [makeFinding({ id: `wiz:${id}` })] }),
  );
  const refs = [];
  for (const item of cases) {
    const delivery = await sink.deliver(makeAction({ case: item, idempotencyKey: `key-${item.id}` }));
    refs.push(delivery.ref!.id);
  }
  const results: string[] = [];
  const handler = createWebhookHandler({
    sources: {},
    onFindings: () => {},
    jiraFeedback: {
      secret,
      store,
      audit,
      principalFor: (accountId) => directory[accountId],
      onResult: (result) => {
        results.push(result.outcome);
      },
    },
  });
  return { store, events, handler, issueKeys: refs, results };
}

/** The body of Jira's `comment_created` admin webhook (the fields the route reads, and a few more). */
function commentCreated(issueKey: string, body: unknown, options: { id?: string; accountId?: string } = {}) {
  return JSON.stringify({
    timestamp: 1_780_000_000_000,
    webhookEvent: "comment_created",
    comment: {
      self: `https://acme.atlassian.net/rest/api/2/issue/10001/comment/${options.id ?? "20001"}`,
      id: options.id ?? "20001",
      author: { accountId: options.accountId ?? "acc-alice", displayName: "Alice" },
      body,
      created: "2026-12-07T16:00:00.000+0000",
    },
    issue: { id: "10001", key: issueKey, fields: { summary: "S3 bucket is public" } },
  });
}

const post = (
  body: string,
  signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
) =>
  new Request("http://receiver.test/feedback/jira", {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature": signature },
    body,
  });

describe("Jira comment feedback route", () => {
  it("stores a signed /cloudsteward comment with the ticket's case and audits it", async () => {
    const { store, events, handler, issueKeys } = await setup();
    const body = commentCreated(
      issueKeys[1]!,
      "Thanks.\n/cloudsteward wrong remediation: Use module acme/s3-private",
    );
    const response = await handler(post(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: "recorded" });
    const log = feedbackLog({ store });
    expect(await log.forCase("case-a")).toEqual([]);
    expect(await log.forCase("case-b")).toEqual([
      expect.objectContaining({
        caseId: "case-b",
        verdict: "wrong",
        by: "alice",
        via: "jira",
        comment: "remediation: Use module acme/s3-private",
      }),
    ]);
    expect(events).toEqual([
      expect.objectContaining({
        type: "analyst-feedback",
        actor: "alice",
        caseId: "case-b",
        data: { verdict: "wrong", via: "jira", comment: "remediation: Use module acme/s3-private" },
      }),
    ]);
  });

  it("reads the command from an ADF comment body", async () => {
    const { store, handler, issueKeys } = await setup();
    const adf = {
      type: "doc",
      version: 1,
      content: [
        { type: "paragraph", content: [{ type: "text", text: "Looks right to me." }] },
        { type: "paragraph", content: [{ type: "text", text: "/cloudsteward helpful" }] },
      ],
    };
    const response = await handler(post(commentCreated(issueKeys[0]!, adf)));
    expect(await response.json()).toEqual({ outcome: "recorded" });
    expect(await feedbackLog({ store }).forCase("case-a")).toEqual([
      expect.objectContaining({ verdict: "helpful", by: "alice", via: "jira" }),
    ]);
  });

  it("answers 401 to a bad or missing signature and stores nothing", async () => {
    const { store, events, handler, issueKeys } = await setup();
    const body = commentCreated(issueKeys[0]!, "/cloudsteward wrong nope");
    const tampered = `sha256=${createHmac("sha256", "another-secret").update(body).digest("hex")}`;
    expect((await handler(post(body, tampered))).status).toBe(401);
    expect((await handler(post(body, ""))).status).toBe(401);
    expect(await feedbackLog({ store }).forCase("case-a")).toEqual([]);
    expect(events).toEqual([]);
  });

  it("refuses an author who maps to no principal, and audits the refusal", async () => {
    const { store, events, handler, issueKeys, results } = await setup();
    const body = commentCreated(issueKeys[0]!, "/cloudsteward wrong", { accountId: "acc-mallory" });
    const response = await handler(post(body));
    expect(await response.json()).toEqual({ outcome: "refused" });
    expect(results).toEqual(["refused"]);
    expect(await feedbackLog({ store }).forCase("case-a")).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        type: "analyst-feedback-refused",
        actor: "jira:acc-mallory",
        data: expect.objectContaining({ issueKey: issueKeys[0], verdict: "wrong" }),
      }),
    ]);
  });

  it("refuses a command on an issue cloudsteward has no case for", async () => {
    const { events, handler } = await setup();
    const response = await handler(post(commentCreated("SEC-999", "/cloudsteward helpful")));
    expect(await response.json()).toEqual({ outcome: "refused" });
    expect(events[0]?.data.reason).toBe("no case is recorded for Jira issue SEC-999");
  });

  it("ignores comments without a command, and other events", async () => {
    const { store, events, handler, issueKeys } = await setup();
    const plain = commentCreated(issueKeys[0]!, "I think cloudsteward wrong about this one");
    expect(await (await handler(post(plain))).json()).toEqual({ outcome: "ignored" });
    const updated = commentCreated(issueKeys[0]!, "/cloudsteward helpful").replace(
      "comment_created",
      "comment_updated",
    );
    expect(await (await handler(post(updated))).json()).toEqual({ outcome: "ignored" });
    expect(await feedbackLog({ store }).forCase("case-a")).toEqual([]);
    expect(events).toEqual([]);
  });

  it("stores and audits a redelivered comment once", async () => {
    const { store, events, handler, issueKeys, results } = await setup();
    const body = commentCreated(issueKeys[0]!, "/cloudsteward wrong risk: only internal traffic");
    expect((await handler(post(body))).status).toBe(200);
    expect((await handler(post(body))).status).toBe(200);
    expect(results).toEqual(["recorded", "duplicate"]);
    expect(await feedbackLog({ store }).forCase("case-a")).toHaveLength(1);
    expect(events.filter((event) => event.type === "analyst-feedback")).toHaveLength(1);
  });

  it("is not served unless configured, and needs a secret when it is", async () => {
    const handler = createWebhookHandler({ sources: {}, onFindings: () => {} });
    expect((await handler(post(commentCreated("SEC-1", "/cloudsteward helpful")))).status).toBe(404);
    const previous = process.env.JIRA_WEBHOOK_SECRET;
    delete process.env.JIRA_WEBHOOK_SECRET;
    try {
      expect(() =>
        createWebhookHandler({ sources: {}, onFindings: () => {}, jiraFeedback: { store: memoryStore() } }),
      ).toThrow(/jiraFeedback\.secret/);
    } finally {
      if (previous !== undefined) process.env.JIRA_WEBHOOK_SECRET = previous;
    }
  });
});

describe("ledger case ids", () => {
  it("records the case with the ticket, also for an entry reconciliation filled in", async () => {
    const store = memoryStore();
    const ledger = ticketLedger(store, "jira");
    const sink = sandboxJira(store);
    const action = makeAction({ case: makeCase({ id: "case-c" }), idempotencyKey: "key-c" });
    const { ref } = await sink.deliver(action);
    expect((await ledger.get("key-c"))?.caseId).toBe("case-c");
    // An entry known only from the remote system gains its case on the next delivery.
    await ledger.record("key-c", ref!);
    expect((await ledger.get("key-c"))?.caseId).toBeUndefined();
    await sink.deliver(action);
    expect((await ledger.get("key-c"))?.caseId).toBe("case-c");
  });
});
