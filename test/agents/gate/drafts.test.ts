import { describe, expect, it } from "vitest";
import { decideCase } from "../../../src/agents/decide/index.js";
import { gate, gateDrafts } from "../../../src/agents/gate/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { caseIn, runStage, stageContext } from "../policy/helpers.js";

const policy = definePolicy({
  mode: "automated",
  rules: [
    {
      id: "prod",
      when: { environment: "production" },
      do: [
        { kind: "ticket", sink: "jira", automatic: true },
        { kind: "notify", sink: "slack" },
      ],
    },
  ],
  principals: [{ id: "bot", scopes: ["execute:ticket"] }],
  allowedActions: ["ticket", "notify"],
});

describe("gate drafts across runs", () => {
  it("a delivering run removes the drafts of the actions it gates, allowed or held, and keeps the others", async () => {
    const store = memoryStore();
    const production = caseIn("production");
    const other = caseIn("production", {}, { id: "case_other" });
    const draftRun = [
      ...decideCase(policy, production, { mode: "read-only" }),
      ...decideCase(policy, other, { mode: "read-only" }),
    ];
    await runStage(
      gate({ policy, principal: "bot" }),
      draftRun,
      stageContext({ stage: "gate", store, mode: "read-only" }),
    );
    const before = [];
    for await (const draft of gateDrafts(store)) before.push(draft.action.idempotencyKey);
    expect(before).toHaveLength(4);

    const delivering = decideCase(policy, production, { mode: "automated" });
    const passed = await runStage(
      gate({ policy, principal: "bot" }),
      delivering,
      stageContext({ stage: "gate", store, mode: "automated" }),
    );
    expect(passed.map((action) => action.kind)).toEqual(["ticket"]);
    const after = [];
    for await (const draft of gateDrafts(store)) after.push(draft.action.case.id);
    expect(after).toEqual([other.id, other.id]);
  });
});
