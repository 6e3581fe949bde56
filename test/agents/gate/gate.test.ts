import { describe, expect, it } from "vitest";
import { approvalIdOf, approvalQueue } from "../../../src/agents/approvals/index.js";
import { decide, decideCase } from "../../../src/agents/decide/index.js";
import { draftsNamespace, gate, gateDrafts } from "../../../src/agents/gate/index.js";
import { definePolicy, type PolicyInput } from "../../../src/agents/policy/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { Action } from "../../../src/core/action.js";
import type { Case } from "../../../src/core/case.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Sink } from "../../../src/core/sink.js";
import type { Stage } from "../../../src/core/stage.js";
import { caseIn, runStage, stageContext } from "../policy/helpers.js";

const input: PolicyInput = {
  mode: "automated",
  rules: [
    {
      id: "prod",
      when: { environment: "production" },
      do: [
        { kind: "ticket", sink: "jira", automatic: true, params: { project: "SEC" } },
        { kind: "notify", sink: "slack" },
        { kind: "tag", sink: "tagger", automatic: true },
        { kind: "remediate", sink: "fixer", automatic: true },
      ],
    },
    {
      id: "dev",
      when: { environment: "development" },
      do: [
        { kind: "tag", sink: "tagger", automatic: true },
        { kind: "escalate", sink: "slack", automatic: true },
      ],
    },
  ],
  principals: [
    { id: "bot", scopes: ["execute:ticket", "execute:tag:development"] },
    { id: "alice", scopes: ["approve:*"] },
  ],
};
const policy = definePolicy(input);

async function gated(
  actions: Action[],
  options: { mode?: "read-only" | "assisted" | "automated"; principal?: string } = {},
) {
  const store = memoryStore();
  const audit = auditLog(store);
  const context = stageContext({ stage: "gate", store, mode: options.mode ?? "automated", audit });
  const passed = await runStage(gate({ policy, principal: options.principal }), actions, context);
  const records = [];
  for await (const record of audit.query({ type: "gate" })) records.push(record.event.data);
  return { passed, records, store, context };
}

describe("gate", () => {
  it("read-only: nothing passes; drafts go to the store and the audit log", async () => {
    const actions = decideCase(policy, caseIn("production"), { mode: "read-only" });
    const { passed, records, store, context } = await gated(actions, { mode: "read-only" });
    expect(passed).toEqual([]);
    const drafts = [];
    for await (const draft of gateDrafts(store)) drafts.push(draft.action.kind);
    expect(drafts.sort()).toEqual(["notify", "remediate", "tag", "ticket"]);
    expect(records.map((record) => record.decision)).toEqual(["draft", "draft", "draft", "draft"]);
    expect(await store.get(draftsNamespace, actions[0]!.idempotencyKey)).toMatchObject({
      reason: "read-only mode: kept as a draft for review",
    });
    expect(context.report.warnings.at(-1)?.details).toMatchObject({ draft: 4, allowed: 0 });
  });

  it("assisted: every action waits for an approval, queued in the store", async () => {
    const actions = decideCase(policy, caseIn("production"), { mode: "assisted" });
    const { passed, records, store } = await gated(actions, { mode: "assisted" });
    expect(passed).toEqual([]);
    expect(records.map((record) => `${record.kind}:${record.decision}`)).toEqual([
      "ticket:held",
      "notify:held",
      "tag:held",
      "remediate:held",
    ]);
    const queue = approvalQueue({ store, policy });
    const request = await queue.get(approvalIdOf(actions[0]!));
    expect(request).toMatchObject({ state: "requested", requester: "cloudsteward" });
    expect(request?.reason).toBe("assisted mode: a human approves each action");
  });

  it("automated: only low-risk automatic actions pass; high-risk ones always wait", async () => {
    const actions = decideCase(policy, caseIn("production"));
    const { passed, records } = await gated(actions);
    expect(passed.map((action) => action.kind)).toEqual(["ticket"]);
    expect(Object.fromEntries(records.map((record) => [record.kind, record.reason]))).toEqual({
      ticket: "automated mode: low-risk ticket marked automatic by the policy",
      notify: "the policy does not mark this notify automatic",
      tag: "high-risk tag always waits for a human approval",
      remediate: "high-risk remediate always waits for a human approval",
    });
  });

  it("uses the stricter of the pipeline's and the policy's mode", async () => {
    const actions = decideCase(policy, caseIn("development"));
    expect((await gated(actions, { mode: "automated" })).passed.map((action) => action.kind)).toEqual([
      "tag",
    ]);
    expect((await gated(actions, { mode: "assisted" })).passed).toEqual([]);
    const assistedPolicy = definePolicy({ ...input, mode: "assisted" });
    const context = stageContext({ mode: "automated" });
    expect(
      await runStage(
        gate({ policy: assistedPolicy }),
        decideCase(assistedPolicy, caseIn("development")),
        context,
      ),
    ).toEqual([]);
  });

  it("holds what the principal has no execute scope for", async () => {
    const prod = decideCase(policy, caseIn("production"));
    expect((await gated(prod, { principal: "bot" })).passed.map((action) => action.kind)).toEqual(["ticket"]);
    const withoutTicketScope = await gated(prod, { principal: "alice" });
    expect(withoutTicketScope.passed).toEqual([]);
    expect(withoutTicketScope.records[0]?.reason).toBe(
      'principal "alice" lacks the scope execute:ticket:production',
    );
    expect(() => gate({ policy, principal: "nobody" })).toThrow(/not declared/);
  });

  it("rejects actions the policy does not produce and ignores changed fields", async () => {
    const item = caseIn("production");
    const [ticket, , , remediate] = decideCase(policy, item);
    const forged: Action = { ...ticket!, idempotencyKey: "forged", id: "act_forged", kind: "remediate" };
    const widened: Action = {
      ...remediate!,
      requiresApproval: false,
      risk: "low",
      params: { scope: "all-accounts" },
    };
    const moved: Action = { ...ticket!, sink: "attacker", params: { project: "PUBLIC" } };
    const { passed, records, context } = await gated([forged, widened, moved]);
    expect(passed).toHaveLength(1);
    expect(passed[0]).toMatchObject({ kind: "ticket", sink: "jira", params: { project: "SEC" } });
    expect(records.map((record) => [record.decision, record.ignoredChanges])).toEqual([
      ["rejected", undefined],
      ["held", ["risk", "requiresApproval", "params"]],
      ["allowed", ["sink", "params"]],
    ]);
    expect(context.report.warnings.some((warning) => warning.feature === "gate.rejected")).toBe(true);
  });

  it("is not fooled by actions changed in place after decide", async () => {
    const item = caseIn("production");
    const actions = decideCase(policy, item);
    const ticket = actions[0]!;
    ticket.params.project = "PUBLIC";
    const remediate = actions[3]!;
    remediate.requiresApproval = false;
    remediate.risk = "low";
    const { passed, records } = await gated(actions);
    expect(passed.map((action) => [action.kind, action.params.project])).toEqual([["ticket", "SEC"]]);
    expect(records.find((record) => record.kind === "remediate")?.decision).toBe("held");
    expect(decideCase(policy, item)[0]?.params.project).toBe("SEC");
  });

  it("freezes the policy so no stage can widen it at run time", () => {
    expect(Object.isFrozen(policy.rules[0]?.do[0]?.params)).toBe(true);
    expect(() => {
      (policy.rules[0]!.do[0] as { automatic?: boolean }).automatic = false;
    }).toThrow(TypeError);
    expect(definePolicy(policy)).toBe(policy);
  });

  it("posts each open approval request to the request sink, keyed by its approval id", async () => {
    const posted: Action[] = [];
    const requestSink: Sink = {
      specificationVersion: "v1",
      name: "approvals-channel",
      async deliver(action) {
        posted.push(action);
        if (action.kind === "remediate") throw new Error("channel archived");
        return { key: action.idempotencyKey, status: "created" };
      },
    };
    const actions = decideCase(policy, caseIn("production"));
    const context = stageContext({ stage: "gate" });
    await runStage(gate({ policy, requestSink }), actions, context);
    expect(posted.map((action) => [action.kind, action.idempotencyKey === action.params.approvalId])).toEqual(
      [
        ["notify", true],
        ["tag", true],
        ["remediate", true],
      ],
    );
    expect(
      posted.every((action) => action.requiresApproval && action.idempotencyKey.startsWith("apr_")),
    ).toBe(true);
    expect(context.report.deadLetters.map((letter) => [letter.stage, letter.error.code])).toEqual([
      ["gate", "DELIVERY"],
    ]);
  });

  it("queues each held action once across runs", async () => {
    const store = memoryStore();
    const actions = decideCase(policy, caseIn("production"));
    for (let run = 0; run < 2; run++) {
      await runStage(gate({ policy }), actions, stageContext({ store }));
    }
    const ids = [];
    for await (const { key } of store.list("approvals")) ids.push(key);
    expect(ids).toHaveLength(3);
  });

  it("keeps drafts and delivers nothing in a read-only pipeline, whatever the policy allows", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const item: Case = caseIn("development");
    const delivered: string[] = [];
    const sink: Sink = {
      specificationVersion: "v1",
      name: "any",
      async deliver(action) {
        delivered.push(action.kind);
        return { key: action.idempotencyKey, status: "created" };
      },
    };
    const report = await pipeline({
      source: (async function* () {
        yield item.findings[0]!;
      })(),
      stages: [
        {
          name: "as-case",
          async *run(findings: AsyncIterable<unknown>) {
            for await (const _ of findings) yield item;
          },
        },
        decide({ policy }),
        gate({ policy }),
      ] as Stage<never, unknown>[],
      sinks: { tagger: sink, slack: sink },
      store,
      audit,
    }).start();
    expect(delivered).toEqual([]);
    expect(report.stages.gate).toMatchObject({ in: 2, out: 0 });
    const drafts = [];
    for await (const draft of gateDrafts(store)) drafts.push(draft.action.kind);
    expect(drafts.sort()).toEqual(["escalate", "tag"]);
    const decisions = [];
    for await (const record of audit.query({ type: "gate" })) decisions.push(record.event.data.decision);
    expect(decisions).toEqual(["draft", "draft"]);
  });

  it("delivers only what passes, in a pipeline", async () => {
    const delivered: string[] = [];
    const recording = (name: string): Sink => ({
      specificationVersion: "v1",
      name,
      async deliver(action) {
        delivered.push(`${name}:${action.kind}`);
        return { key: action.idempotencyKey, status: "created" };
      },
    });
    const item: Case = caseIn("production");
    const toCase: Stage<unknown, Case> = {
      name: "as-case",
      async *run(findings) {
        for await (const _ of findings) yield item;
      },
    };
    const report = await pipeline({
      source: (async function* () {
        yield item.findings[0]!;
      })(),
      stages: [toCase, decide({ policy }), gate({ policy })] as Stage<never, unknown>[],
      sinks: {
        jira: recording("jira"),
        slack: recording("slack"),
        tagger: recording("tagger"),
        fixer: recording("fixer"),
      },
      mode: "automated",
    }).start();
    expect(delivered).toEqual(["jira:ticket"]);
    expect(report.stages.gate).toMatchObject({ in: 4, out: 1 });
  });
});
