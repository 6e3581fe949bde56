/**
 * Post an Adaptive Card to a Microsoft Teams channel through a Workflows webhook, once per action:
 * the second delivery of the same action is `unchanged` (the delivery ledger remembers it; Teams has
 * no search). A later change of the case would be posted as a short follow-up card.
 * Env: TEAMS_WEBHOOK_URL (the flow "Post to a channel when a webhook request is received"; the URL is
 * a secret) — or nothing, to use the sandbox.
 * Run: npx tsx examples/deliver/teams/card.ts
 */

import { decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { teams } from "../../../src/sinks/teams/index.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { run } from "../../run.js";

await run(
  async (context) => {
    const policy = definePolicy({
      mode: "automated",
      rules: [{ id: "notify", when: {}, do: [{ kind: "notify", sink: "teams", automatic: true }] }],
      allowedActions: ["notify"],
    });
    const item = makeCase({
      severity: "high",
      findings: [makeFinding({ severity: "high", title: "Storage account allows public blob access" })],
    });
    const [action] = decideCase(policy, item);
    if (!action) throw new Error("the policy produced no action");

    const sink = teams({ ...context.teams, store: memoryStore() });
    const first = await sink.deliver(action);
    console.log(`1st delivery: ${first.status}`);
    const second = await sink.deliver(action);
    console.log(`2nd delivery (same action): ${second.status}`);
    if (second.status !== "unchanged") throw new Error("expected the second delivery to be skipped");
    const posted = context.sandbox ? context.sandbox.emulations.teams.cards().length : 1;
    console.log(`Posted ${posted} card for one action to Teams`);
  },
  { integration: "teams" },
);
