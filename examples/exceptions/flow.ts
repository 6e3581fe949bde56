/**
 * An exception from request to expiry: Alice asks to except a critical finding for two weeks; the
 * request goes to Slack (Approve/Reject buttons) and to Jira (an Exception issue) with the
 * justification and compensating control pre-filled; Bob approves in Slack, Carol in Jira (a critical
 * finding needs two approvers, neither of them the requester); the approved exception is written to
 * Wiz as an ignore rule with the same expiry (in the sandbox only: against a real tenant the source has
 * no allowWrite and the write is refused); the sweep reminds once a week before the end, expires it
 * loudly at the end and ends the write-back. The clock is simulated, so two weeks pass in a second.
 * Env: Wiz/Jira/Slack credentials for real accounts — or nothing, to use the sandbox.
 * Run: npx tsx examples/exceptions/flow.ts
 */
import { createHmac } from "node:crypto";
import { wiz } from "../../src/adapters/wiz/index.js";
import {
  activateException,
  getException,
  requestException,
  routeException,
  sweepExceptions,
  syncExceptionDecisions,
  withdrawException,
} from "../../src/agents/exceptions/index.js";
import { definePolicy } from "../../src/agents/policy/index.js";
import type { Finding } from "../../src/core/finding.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { createWebhookHandler } from "../../src/server/webhook-handler.js";
import { jira } from "../../src/sinks/jira/index.js";
import { slack } from "../../src/sinks/slack/index.js";
import { run } from "../run.js";

await run(async (context) => {
  const policy = definePolicy({
    principals: [
      { id: "alice" },
      { id: "bob", scopes: ["approve:exception"] },
      { id: "carol", scopes: ["approve:exception"] },
    ],
    exceptions: { requesters: ["alice"], criticalQuorum: 2, reminderDays: [7] },
  });
  // Who is who in Slack (user ids) and Jira (account ids).
  const people: Record<string, string> = { U0BOB: "bob", U0CAROL: "carol", "acc-carol": "carol" };
  let clock = new Date();
  const store = memoryStore();
  const options = { store, policy, now: () => clock, principalFor: (actor: string) => people[actor] };

  // 1. Alice asks for an exception on a critical finding.
  let finding: Finding | undefined;
  for await (const candidate of wiz(context.wiz).findings()) {
    if (candidate.severity === "critical") {
      finding = candidate;
      break;
    }
  }
  if (!finding) throw new Error("the estate has no critical finding");
  const record = await requestException(
    {
      kind: "exception",
      findings: [finding],
      scope: "resource",
      requester: "alice",
      justification: "The payment gateway's vendor ships the fix in its next release, in two weeks",
      requestedUntil: new Date(clock.getTime() + 14 * 86_400_000).toISOString(),
      compensatingControls: [
        { description: "WAF rule blocks the path", verification: "WAF logs show blocks" },
      ],
    },
    options,
  );
  console.log(`${record.id} requested by alice: ${record.requiredApprovals} approvals needed`);

  // 2. The request goes to Slack and to Jira, each exactly once.
  const chat = slack({ ...context.slack, store });
  const tickets = jira({ ...context.jira, projectKey: "SEC", issueType: "Exception", store });
  const message = await routeException(record, { ...options, sink: chat, findings: [finding] });
  const issue = await routeException(record, { ...options, sink: tickets, findings: [finding] });
  const again = await routeException(record, { ...options, sink: tickets, findings: [finding] });
  console.log(
    `Posted to Slack (${message.ref?.id}) and Jira (${issue.ref?.id}); routing again: ${again.status}`,
  );

  // 3. Bob presses Approve in Slack (a request signed the way Slack signs it).
  const signingSecret = context.env.SLACK_SIGNING_SECRET ?? "sandbox-signing-secret";
  const handler = createWebhookHandler({
    sources: {},
    onFindings: () => {},
    slackSigningSecret: signingSecret,
    slack: { principalFor: (id) => people[id] },
    exceptions: { ...options, slack: true },
  });
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: "block_actions",
      user: { id: "U0BOB" },
      actions: [{ action_id: "cloudsteward:approve", value: record.id }],
    }),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  await handler(
    new Request("http://localhost/slack/interactions", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
      },
      body,
    }),
  );
  const afterSlack = await getException(record.id, options);
  console.log(`Slack: approved by bob → ${afterSlack?.state} (${afterSlack?.approvals.length} of 2)`);

  // 4. Carol approves the Jira issue (in the sandbox, the emulation plays Carol); a scheduled sync reads it.
  context.sandbox?.emulations.jira.transition(issue.ref!.id, "Approved", "acc-carol");
  const { decisions } = await syncExceptionDecisions({ ...options, sinks: { jira: tickets } });
  const active = await getException(record.id, options);
  console.log(
    `Jira: ${decisions.map((item) => item.outcome).join(", ")} → ${active?.state}, approved by ${active?.approvals
      .map((item) => item.principal)
      .join(" and ")}`,
  );

  // 5. Written back to Wiz with the same expiry (writes are on only against the sandbox).
  const source = wiz({ ...context.wiz, allowWrite: Boolean(context.sandbox) });
  const writeBack = { sources: [source], store, now: () => clock };
  const [rule] = await activateException(active!, writeBack);
  console.log(`Wiz: ${rule?.outcome}${rule?.ref?.until ? ` until ${rule.ref.until}` : ""}`);

  // 6. Days pass: a daily sweep reminds once, a week before the end, and expires it at the end.
  const notices: string[] = [];
  for (let day = 1; day <= 15; day++) {
    clock = new Date(clock.getTime() + 86_400_000);
    await sweepExceptions({
      ...options,
      onNotice: async (notice) => {
        notices.push(
          `${notice.type} on day ${day}${notice.daysLeft ? ` (${notice.daysLeft} days left)` : ""}`,
        );
        if (notice.type === "expired") {
          const [ended] = await withdrawException({ ...notice.exception, state: "expired" }, writeBack);
          if (ended) console.log(`Wiz at the expiry: ${ended.outcome}`);
        }
      },
    });
  }
  const ended = await getException(record.id, options);
  console.log(`Sweeps: ${notices.join("; ")} → ${ended?.state}; the finding counts again from now on`);
  if (ended?.state !== "expired" || notices.length !== 2)
    throw new Error("the exception did not expire loudly");
});
