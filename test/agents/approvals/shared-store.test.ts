import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import { decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import type { Sink } from "../../../src/core/sink.js";
import type { Store } from "../../../src/core/store.js";
import { sqliteStore } from "../../../src/stores/index.js";
import { caseIn } from "../policy/helpers.js";

const policy = definePolicy({
  mode: "assisted",
  rules: [{ id: "prod", when: { environment: "production" }, do: [{ kind: "ticket", sink: "jira" }] }],
  principals: [
    { id: "alice", scopes: ["approve:*"] },
    { id: "bob", scopes: ["approve:*"] },
  ],
});

const opened: Store[] = [];
let directory: string | undefined;
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** Two workers: two store connections on one SQLite file, each with its own queue. */
async function twoWorkers() {
  directory = await mkdtemp(join(tmpdir(), "cloudsteward-approvals-"));
  const path = join(directory, "state.db");
  const stores = [sqliteStore({ path, synchronous: "normal" }), sqliteStore({ path, synchronous: "normal" })];
  opened.push(...stores);
  return stores.map((store) => approvalQueue({ store, policy }));
}

describe("approvals across workers sharing a SQLite store", () => {
  it("decides once and executes once", async () => {
    const [first, second] = await twoWorkers();
    const [action] = decideCase(policy, caseIn("production"));
    const request = await first!.request(action!, { requester: "bot", reason: "assisted" });
    expect((await second!.request(action!, { requester: "bot", reason: "again" })).requestedAt).toBe(
      request.requestedAt,
    );

    const decisions = await Promise.allSettled([
      first!.approve(request.id, { principal: "alice" }),
      second!.reject(request.id, { principal: "bob" }),
    ]);
    expect(decisions.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const state = (await first!.get(request.id))?.state;
    expect((await second!.get(request.id))?.state).toBe(state);

    const [other] = decideCase(policy, caseIn("production", {}, { id: "case_other" }));
    const approved = await second!.request(other!, { requester: "bot", reason: "assisted" });
    await first!.approve(approved.id, { principal: "bob" });
    const delivered: string[] = [];
    const sink: Sink = {
      specificationVersion: "v1",
      name: "jira",
      async deliver(item) {
        delivered.push(item.idempotencyKey);
        return { key: item.idempotencyKey, status: "created" };
      },
    };
    const runs = await Promise.all([
      first!.executeApproved({ sinks: { jira: sink } }),
      second!.executeApproved({ sinks: { jira: sink } }),
    ]);
    // Approved by one worker, executed by exactly one of two workers racing; a rejection runs nothing.
    const expected = [other!.idempotencyKey, ...(state === "approved" ? [action!.idempotencyKey] : [])];
    expect(delivered.sort()).toEqual(expected.sort());
    expect(runs.reduce((sum, run) => sum + run.executed.length, 0)).toBe(expected.length);
  });
});
