import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wiz } from "../../../src/adapters/wiz/index.js";
import {
  activateException,
  analyzeException,
  type ExceptionRecord,
  exceptionRoutes,
  exceptionWriteBacks,
  getException,
  reopenRoutedTicket,
  requestException,
  routeException,
  sweepExceptions,
  syncExceptionDecisions,
} from "../../../src/agents/exceptions/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { createWebhookHandler } from "../../../src/server/webhook-handler.js";
import { jira } from "../../../src/sinks/jira/index.js";
import { slack } from "../../../src/sinks/slack/index.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";
import { collect } from "../../adapters/helpers.js";
import { casesAt } from "./helpers.js";

const dayMs = 86_400_000;
const signingSecret = "e2e-signing-secret";
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ size: 60, seed: 11, platforms: ["wiz"] });
});
afterAll(() => sandbox?.close());

/** The ticket's comments and status, read from the sandbox's Jira the way a user would. */
async function jiraIssue(key: string): Promise<{ status: string; comments: string[] }> {
  const headers = { authorization: jiraAuth() };
  const issue = (await (
    await fetch(`${sandbox.jira.baseUrl}/rest/api/3/issue/${key}`, { headers })
  ).json()) as { fields: { status: { name: string } } };
  const comments = (await (
    await fetch(`${sandbox.jira.baseUrl}/rest/api/3/issue/${key}/comment`, { headers })
  ).json()) as { comments: { body: unknown }[] };
  return {
    status: issue.fields.status.name,
    comments: comments.comments.map((comment) => JSON.stringify(comment.body)),
  };
}

function jiraAuth(): string {
  return `Basic ${Buffer.from(`${sandbox.jira.email}:${sandbox.jira.apiToken}`).toString("base64")}`;
}

/** A Slack button press, signed the way Slack signs it. */
function slackPress(user: string, exceptionId: string): Request {
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: "block_actions",
      user: { id: user },
      actions: [{ action_id: "cloudsteward:approve", value: exceptionId }],
    }),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex");
  return new Request("http://localhost/slack/interactions", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": `v0=${signature}`,
    },
    body,
  });
}

describe("an exception from a user's words to its expiry and back", () => {
  it("request → analysis → Slack and Jira approval → write-back to Wiz → withheld in triage → reminder → expiry: resurfaced, ticket reopened, write-back ended, audit log intact", async () => {
    const policy = definePolicy({
      principals: [
        { id: "alice" },
        { id: "bob", scopes: ["approve:exception"] },
        { id: "carol", scopes: ["approve:exception"] },
      ],
      exceptions: { requesters: ["alice"], criticalQuorum: 2, reminderDays: [7] },
    });
    const people: Record<string, string> = { U0BOB: "bob", "acc-carol": "carol" };
    const start = new Date();
    let clock = start;
    const now = () => clock;
    const store = memoryStore();
    const audit = auditLog(store, { now });
    const options = { store, policy, audit, now, principalFor: (actor: string) => people[actor] };
    const source = wiz({ ...sandbox.wiz, rateLimit: false, allowWrite: true });
    const writeBack = { sources: [source], store, audit, now };

    // A critical Wiz issue (it takes an ignore rule and notes), and a neighbour the exception does not cover.
    const issues = new Set(
      sandbox.estate.findings
        .filter((item) => item.wizKind === "issue" && item.category !== "threat")
        .map((item) => `wiz:${item.reportedBy.wiz}`),
    );
    const open = await collect(source.findings({ status: ["open"] }));
    const finding = open.find((item) => item.severity === "critical" && issues.has(item.id)) as Finding;
    expect(finding).toBeDefined();
    const other = open.find((item) => item.id !== finding.id && item.resource.id !== finding.resource.id)!;

    // 1. Alice's words, as she posted them, are the request's justification.
    const words =
      "The payment gateway's vendor ships the TLS fix in its next release, in two weeks; a WAF rule blocks the path meanwhile";
    const record = await requestException(
      {
        kind: "exception",
        findings: [finding],
        scope: "resource",
        requester: "alice",
        justification: words,
        requestedUntil: new Date(start.getTime() + 14 * dayMs).toISOString(),
        compensatingControls: [
          { description: "WAF rule blocks the path", verification: "WAF logs show blocks" },
        ],
      },
      options,
    );
    expect(record).toMatchObject({ state: "requested", requiredApprovals: 2, justification: words });

    // 2. The review board's memo, grounded in the finding read again from Wiz.
    const analysis = await analyzeException(record, { store, policy, sources: [source], now });
    expect(analysis.memo.text.length).toBeGreaterThan(0);

    // 3. Routed once to Slack (buttons) and to a Jira Exception issue with the memo.
    const chat = slack({ ...sandbox.slack, store });
    const tickets = jira({
      ...sandbox.jira,
      projectKey: "SEC",
      issueType: "Exception",
      store,
      rateLimit: false,
    });
    await routeException(record, { ...options, sink: chat, findings: [finding], memo: analysis.memo.text });
    const issue = await routeException(record, {
      ...options,
      sink: tickets,
      findings: [finding],
      memo: analysis.memo.text,
    });
    const key = issue.ref!.id;
    expect((await exceptionRoutes(record.id, store)).map((route) => route.sink).sort()).toEqual([
      "jira",
      "slack",
    ]);

    // 4. Bob presses Approve in Slack: one of the two approvals a critical finding needs.
    const handler = createWebhookHandler({
      sources: {},
      onFindings: () => {},
      slackSigningSecret: signingSecret,
      slack: { principalFor: (id) => people[id] },
      exceptions: { ...options, slack: true },
    });
    expect((await handler(slackPress("U0BOB", record.id))).status).toBe(200);
    expect(await getException(record.id, options)).toMatchObject({
      state: "requested",
      approvals: [{ principal: "bob" }],
    });

    // 5. Carol approves the Jira issue; the scheduled sync reads it back: active.
    sandbox.emulations.jira.transition(key, "Approved", "acc-carol");
    const { decisions } = await syncExceptionDecisions({ ...options, sinks: { jira: tickets } });
    expect(decisions.map((decision) => decision.outcome)).toEqual(["approved"]);
    const active = (await getException(record.id, options)) as ExceptionRecord;
    expect(active.state).toBe("active");

    // 6. Written back to Wiz with the same expiry: an ignore rule, and the approval as a note.
    const written = await activateException(active, writeBack);
    expect(written.map((result) => result.outcome)).toEqual(["written", "written"]);
    const rule = sandbox.emulations.wiz.writes.findLast((write) => write.operation === "createIgnoreRule");
    expect(rule?.input.expiredAt).toBe(active.expiresAt);
    expect((await source.getFinding!(finding.id))?.status).toBe("risk_accepted");

    // 7. Triage withholds the finding and keeps its neighbour.
    const triaged = async () =>
      (await casesAt(store, [finding, other], clock, audit)).flatMap((item) =>
        item.findings.map((covered) => covered.id),
      );
    expect(await triaged()).toEqual([other.id]);

    // 8. Daily sweeps: one reminder a week before, then the expiry, which ends the write-back and reopens the ticket.
    // No user code: the ready-made reopenTicket and the sweep's own withdrawal.
    const notices: string[] = [];
    const reopenTicket = reopenRoutedTicket({ sinks: [tickets], store });
    const wizWrites = sandbox.emulations.wiz.writes.length;
    for (let day = 1; day <= 15; day++) {
      clock = new Date(start.getTime() + day * dayMs);
      const swept = await sweepExceptions({
        ...options,
        onNotice: async (notice) => {
          notices.push(`${notice.type}@${day}`);
        },
        reopenTicket,
        withdraw: { sources: [source] },
      });
      expect(swept.failed).toEqual([]);
    }
    expect(notices).toEqual(["reminder@7", "expired@14"]);
    // Wiz ends its ignore rule itself at the same instant (nothing to send); the end is noted on the issue, once.
    expect(sandbox.emulations.wiz.writes.slice(wizWrites).map((write) => write.operation)).toEqual([
      "createIssueNote",
    ]);
    expect((await exceptionWriteBacks(active, store)).map((entry) => entry.state)).toEqual(["lapsed"]);
    expect(sandbox.emulations.wiz.writes.at(-1)?.operation).toBe("createIssueNote");
    expect(await getException(record.id, options)).toMatchObject({ state: "expired" });

    // 9. The finding counts again, the ticket is open again with a comment, and the log verifies.
    expect((await triaged()).sort()).toEqual([finding.id, other.id].sort());
    const ticket = await jiraIssue(key);
    expect(ticket.status).toBe("Awaiting Approval");
    expect(ticket.comments.at(-1)).toContain(`Exception ${record.id} expired at ${active.expiresAt}`);
    expect(ticket.comments.at(-1)).toContain(`Justification: ${record.justification}`);
    expect(ticket.comments.filter((text) => text.includes("expired at"))).toHaveLength(1);
    expect((await audit.verify()).ok).toBe(true);
    const steps: string[] = [];
    for await (const entry of audit.query()) {
      if (entry.event.type === "exception") steps.push(String(entry.event.data?.step));
    }
    expect(steps).toEqual(
      expect.arrayContaining([
        "requested",
        "routed:slack",
        "routed:jira",
        "approved",
        "reminder-7",
        "expired",
        "ticket-reopened-expired",
      ]),
    );
    expect(steps.filter((step) => step === "approved")).toHaveLength(2);
  });
});
