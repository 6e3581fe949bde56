import { describe, expect, it } from "vitest";
import { type ApprovalRequest, approvalQueue } from "../../src/agents/approvals/index.js";
import { decide } from "../../src/agents/decide/index.js";
import { gate } from "../../src/agents/gate/index.js";
import { definePolicy } from "../../src/agents/policy/index.js";
import { triage } from "../../src/agents/triage/index.js";
import type { Action } from "../../src/core/action.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Store } from "../../src/core/store.js";
import { createQueuedPipeline } from "../../src/queue/index.js";
import { makeFinding, resetFactories } from "../../src/testing/factories.js";
import { backends, recording, useBackend } from "./backends.js";

const policy = definePolicy({
  mode: "assisted",
  rules: [{ id: "tickets", when: { severity: ["critical"] }, do: [{ kind: "ticket", sink: "jira" }] }],
  principals: [
    { id: "bot", scopes: ["execute:ticket"] },
    { id: "alice", scopes: ["approve:*"] },
  ],
  allowedActions: ["ticket"],
  approvalTtlHours: 24,
});

async function requests(store: Store): Promise<ApprovalRequest[]> {
  const list: ApprovalRequest[] = [];
  for await (const request of approvalQueue({ store, policy }).list()) list.push(request);
  return list;
}

let counter = 0;

describe.each(backends)("durable approval waits on $name", (backend) => {
  const started = useBackend(backend);

  /** One deployment's queued pipeline over `store`; built again to stand for a restart. */
  function deployment(store: Store, delivered: Action[], now: () => Date, prefix: string) {
    const approvals = approvalQueue({ store, policy, now });
    return createQueuedPipeline({
      connection: started().connection,
      prefix,
      store,
      stages: [triage(), decide({ policy }), gate({ policy, principal: "bot", approvals })],
      sinks: { jira: recording("jira", delivered) },
      approvals,
      approvalSweepMs: 50,
      mode: "assisted",
      principal: "bot",
      now,
    });
  }

  it("parks held actions in the store, resumes an approved one once after a restart, expires the rest", async () => {
    const store = memoryStore();
    const delivered: Action[] = [];
    const prefix = `a${++counter}`;
    let clock = new Date("2026-03-01T10:00:00Z");
    const now = () => clock;
    resetFactories();
    const findings = [1, 2].map((n) =>
      makeFinding({
        severity: "critical",
        resource: { id: `arn:aws:s3:::b${n}`, tags: { owner: `team-${n}` } },
      }),
    );

    const first = deployment(store, delivered, now, prefix);
    expect(first.queues).toContain("approvals");
    const worker = await first.startWorker();
    await first.enqueue(findings);
    await first.idle();
    const held = await requests(store);
    expect(held.map((request) => request.state)).toEqual(["requested", "requested"]);
    expect(delivered).toEqual([]);
    // A deploy: every worker stops; the waits stay in the store.
    await worker.close();
    await first.close();

    const second = deployment(store, delivered, now, prefix);
    const restarted = await second.startWorker();
    const [chosen, other] = held as [ApprovalRequest, ApprovalRequest];
    await approvalQueue({ store, policy, now }).approve(chosen.id, { principal: "alice" });
    // The button pressed twice, the ITSM webhook redelivered: one job, one delivery.
    await second.resume(chosen.id);
    await second.resume(chosen.id);
    await second.resume(other.id); // not approved: left waiting
    await second.idle();
    expect(delivered.map((action) => action.idempotencyKey)).toEqual([chosen.action.idempotencyKey]);

    // Past the policy's deadline, a sweeping worker expires what still waits.
    clock = new Date("2026-03-02T10:00:01Z");
    let states: string[] = [];
    for (let poll = 0; poll < 100; poll++) {
      states = (await requests(store)).map(
        (request) => `${request.id === chosen.id ? "chosen" : "other"}:${request.state}`,
      );
      if (states.includes("other:expired")) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(states.sort()).toEqual(["chosen:approved", "other:expired"]);
    expect(delivered).toHaveLength(1);
    await restarted.close();
    await second.close();
  }, 60_000);
});
