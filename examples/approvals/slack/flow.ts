/**
 * The assisted flow: the gate holds a ticket for approval, the request is posted to Slack with
 * Approve/Reject buttons, a human presses Approve (simulated here with a request signed the way Slack
 * signs it), and the approved ticket is delivered to Jira exactly once.
 * Env: Slack/Jira credentials for real accounts — or nothing, to use the sandbox.
 * Run: npx tsx examples/approvals/slack/flow.ts
 */
import { createHmac } from "node:crypto";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import { decide } from "../../../src/agents/decide/index.js";
import { gate } from "../../../src/agents/gate/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Stage } from "../../../src/core/stage.js";
import { createWebhookHandler } from "../../../src/server/webhook-handler.js";
import { jira } from "../../../src/sinks/jira/index.js";
import { slack } from "../../../src/sinks/slack/index.js";
import { run } from "../../run.js";

await run(async (context) => {
  const policy = definePolicy({
    mode: "assisted",
    rules: [{ id: "critical", when: { severity: "critical" }, do: [{ kind: "ticket", sink: "jira" }] }],
    sla: { critical: 7 },
    principals: [
      { id: "cloudsteward-bot", scopes: ["execute:ticket"] },
      { id: "alice", scopes: ["approve:ticket"] },
    ],
    allowedActions: ["ticket"],
  });
  const store = memoryStore();
  const approvals = approvalQueue({ store, policy });
  const sinks = { jira: jira({ ...context.jira, projectKey: "SEC", store }) };
  const chat = slack({ ...context.slack, store });

  // 1. The run: in assisted mode the gate holds every action in the approval queue.
  const report = await pipeline({
    source: wiz(context.wiz),
    stages: [
      triage(),
      decide({ policy }),
      gate({ policy, principal: "cloudsteward-bot", approvals }),
    ] as Stage<never, unknown>[],
    sinks,
    store,
    mode: "assisted",
  }).start();
  const held = [];
  for await (const request of approvals.list({ state: "requested" })) held.push(request);
  console.log(`${report.stages.source?.in ?? 0} findings → ${held.length} ticket(s) held for approval`);
  const request = held[0];
  if (!request) throw new Error("nothing was held; the estate has no critical finding");

  // 2. Ask on Slack: a held action renders with Approve/Reject buttons whose value is the approval id.
  const message = await chat.deliver({
    ...request.action,
    kind: "notify",
    idempotencyKey: `ask-${request.id}`,
    params: { approvalId: request.id },
  });
  console.log(`Asked for approval on Slack: ${message.ref?.id}`);

  // 3. Alice presses Approve. Slack signs the request with the app's signing secret.
  const signingSecret = context.env.SLACK_SIGNING_SECRET ?? "sandbox-signing-secret";
  const handler = createWebhookHandler({
    sources: {},
    onFindings: () => {},
    approvals,
    slackSigningSecret: signingSecret,
    slack: { principalFor: (slackUserId) => (slackUserId === "U0ALICE" ? "alice" : undefined) },
  });
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: "block_actions",
      user: { id: "U0ALICE" },
      actions: [{ action_id: "cloudsteward:approve", value: request.id }],
    }),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  const response = await handler(
    new Request("http://localhost/slack/interactions", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
      },
      body,
    }),
  );
  const decided = await approvals.get(request.id);
  console.log(
    `Slack button → HTTP ${response.status}; ${request.id} is ${decided?.state} by ${decided?.decidedBy}`,
  );

  // 4. Deliver what was approved, exactly once (a second call skips it).
  const executed = await approvals.executeApproved({ sinks });
  const again = await approvals.executeApproved({ sinks });
  console.log(
    `Delivered ${executed.executed.map((item) => item.delivery.ref?.id).join(", ")}; second execute skipped ${again.skipped}`,
  );
  if (decided?.state !== "approved" || executed.executed.length !== 1)
    throw new Error("the approval flow did not complete");
});
