import { describe, expect, it } from "vitest";
import { memoryStore } from "../../src/core/memory-store.js";
import { jira } from "../../src/sinks/jira/index.js";
import { servicenow } from "../../src/sinks/servicenow/index.js";
import { makeAction } from "../../src/testing/factories.js";
import { emulationFetch } from "../../src/testing/sandbox/emulation.js";
import { jiraEmulation } from "../../src/testing/sandbox/jira.js";
import { servicenowEmulation } from "../../src/testing/sandbox/servicenow.js";

describe("readStatus: who made the last status change", () => {
  it("jira: the author of the latest status change in the changelog, through an Exception issue's workflow", async () => {
    const emulation = jiraEmulation();
    const baseUrl = "http://sandbox.test/jira";
    const sink = jira({
      ...emulation.options(baseUrl),
      fetch: emulationFetch(emulation, baseUrl),
      projectKey: "SEC",
      issueType: "Exception",
      store: memoryStore(),
      rateLimit: false,
    });
    const action = makeAction();
    const { ref } = await sink.deliver(action);
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({
      state: "open",
      nativeStatus: "Awaiting Approval",
    });
    expect((await sink.readStatus(action.idempotencyKey))?.changedBy).toBeUndefined();
    emulation.transition(ref!.id, "Rejected", "acc-bob");
    emulation.transition(ref!.id, "Awaiting Approval", "acc-alice");
    emulation.transition(ref!.id, "Approved", "acc-carol");
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({
      state: "done",
      nativeStatus: "Approved",
      changedBy: "acc-carol",
    });
    expect(() => emulation.transition(ref!.id, "Done", "acc-bob")).toThrow(/no status "Done"/);
  });

  it("servicenow: sys_updated_by by default, or the fieldMap.decidedBy column", async () => {
    const emulation = servicenowEmulation();
    const baseUrl = "http://sandbox.test/servicenow";
    const create = (decidedBy?: string) =>
      servicenow({
        ...emulation.options(baseUrl),
        fetch: emulationFetch(emulation, baseUrl),
        table: "sn_compliance_policy_exception",
        store: memoryStore(),
        rateLimit: false,
        ...(decidedBy ? { fieldMap: { decidedBy } } : {}),
      });
    const sink = create();
    const action = makeAction();
    const { ref } = await sink.deliver(action);
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({
      nativeStatus: "1",
      state: "open",
      changedBy: "cloudsteward",
    });
    emulation.setState("sn_compliance_policy_exception", ref!.id, "8", "bob.jones");
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({
      nativeStatus: "8",
      state: "in_progress",
      changedBy: "bob.jones",
    });
    const byColumn = create("u_approved_by");
    expect((await byColumn.readStatus(action.idempotencyKey))?.changedBy).toBeUndefined();
  });
});
