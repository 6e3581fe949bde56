/**
 * Deliver tickets to Jira exactly once: the same action twice, a rerun with a lost ledger, and a
 * changed case. The ticket ledger (keyed by the action's idempotency key) stops the second create;
 * search-before-create (by the tracking label) stops the third even with an empty ledger.
 * Env: JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT — or nothing, to use the sandbox.
 * Run: npx tsx examples/deliver/jira/dedupe.ts
 */

import { decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { jira } from "../../../src/sinks/jira/index.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { run } from "../../run.js";

await run(async (context) => {
  const projectKey = context.env.JIRA_PROJECT ?? "SEC";
  const policy = definePolicy({
    mode: "automated",
    rules: [{ id: "tickets", when: {}, do: [{ kind: "ticket", sink: "jira", automatic: true }] }],
    sla: { high: 30 },
    allowedActions: ["ticket"],
  });
  const item = makeCase({
    severity: "high",
    findings: [makeFinding({ severity: "high", title: "S3 bucket allows public read access" })],
  });
  const [action] = decideCase(policy, item);
  if (!action) throw new Error("the policy produced no action");

  const store = memoryStore();
  const sink = jira({ ...context.jira, projectKey, store });
  const first = await sink.deliver(action);
  console.log(`1st delivery: ${first.status} ${first.ref?.id ?? ""}`);
  const second = await sink.deliver(action);
  console.log(`2nd delivery (same action, same ledger): ${second.status} ${second.ref?.id ?? ""}`);

  // A rerun on another machine, or after the ledger was lost: search-before-create finds the ticket.
  const fresh = jira({ ...context.jira, projectKey, store: memoryStore() });
  const third = await fresh.deliver(action);
  console.log(`3rd delivery (empty ledger): ${third.status} ${third.ref?.id ?? ""}`);

  if (first.ref?.id !== second.ref?.id || second.ref?.id !== third.ref?.id) {
    throw new Error("expected one ticket for one idempotency key");
  }
  console.log(`One ticket for one case: ${first.ref?.id}`);
});
