/**
 * Deliver a ticket to ServiceNow exactly once, then read its state back: the record is created with
 * `correlation_id` set to the action's idempotency key, a second delivery of the same action is
 * `unchanged`, and `readStatus` maps the record's state to open, in_progress or done.
 * Env: SERVICENOW_INSTANCE_URL, SERVICENOW_USERNAME and SERVICENOW_PASSWORD (or SERVICENOW_TOKEN),
 * SERVICENOW_TABLE (default incident) — or nothing, to use the sandbox.
 * Run: npx tsx examples/deliver/servicenow/incident.ts
 */

import { decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { servicenow } from "../../../src/sinks/servicenow/index.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { run } from "../../run.js";

await run(
  async (context) => {
    const policy = definePolicy({
      mode: "automated",
      rules: [{ id: "tickets", when: {}, do: [{ kind: "ticket", sink: "servicenow", automatic: true }] }],
      sla: { critical: 7 },
      allowedActions: ["ticket"],
    });
    const item = makeCase({
      severity: "critical",
      findings: [makeFinding({ severity: "critical", title: "Security group allows SSH from 0.0.0.0/0" })],
    });
    const [action] = decideCase(policy, item);
    if (!action) throw new Error("the policy produced no action");

    const sink = servicenow({
      ...context.servicenow,
      table: context.env.SERVICENOW_TABLE ?? "incident",
      store: memoryStore(),
    });
    const first = await sink.deliver(action);
    console.log(`1st delivery: ${first.status} ${first.ref?.id ?? ""}`);
    const second = await sink.deliver(action);
    console.log(`2nd delivery (same action): ${second.status} ${second.ref?.id ?? ""}`);
    if (first.ref?.id !== second.ref?.id) throw new Error("expected one record for one idempotency key");
    const status = await sink.readStatus(action.idempotencyKey);
    console.log(
      `One ServiceNow record for one case: ${first.ref?.id}, state ${status?.state} (ServiceNow state ${status?.nativeStatus})`,
    );
  },
  { integration: "servicenow" },
);
