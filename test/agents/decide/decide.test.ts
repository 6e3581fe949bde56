import { describe, expect, it } from "vitest";
import { decide, decideCase } from "../../../src/agents/decide/index.js";
import { definePolicy, loadPolicyFile } from "../../../src/agents/policy/index.js";
import { stableHash } from "../../../src/core/fingerprint.js";
import { pipeline } from "../../../src/core/pipeline.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { caseIn, examplePolicyPath, runStage, stageContext } from "../policy/helpers.js";

const policy = definePolicy({
  mode: "automated",
  rules: [
    {
      id: "prod-critical",
      description: "critical in production",
      when: { severity: "critical", environment: "production" },
      do: [
        { kind: "ticket", sink: "jira", params: { labels: ["sec"] }, automatic: true },
        { kind: "notify", sink: "slack", automatic: true },
        { kind: "remediate", sink: "fixer", automatic: true },
      ],
    },
    { id: "rest", when: { severity: ["critical", "high"] }, do: [{ kind: "ticket", sink: "jira" }] },
  ],
  sla: { critical: 7, high: 30 },
});

describe("decideCase", () => {
  it("derives actions with a rationale, risk, idempotency key and SLA due date", () => {
    const item = caseIn("production", { severity: "critical" });
    const [ticket, notify, remediate, ...rest] = decideCase(policy, item);
    expect(rest).toEqual([]);
    expect(ticket).toMatchObject({
      kind: "ticket",
      sink: "jira",
      rule: "prod-critical",
      risk: "low",
      requiresApproval: false,
      params: { labels: ["sec"] },
      idempotencyKey: stableHash(item.id, "ticket", "jira", "prod-critical"),
      dueDate: "2026-01-22",
    });
    expect(ticket?.id).toBe(`act_${ticket?.idempotencyKey}`);
    expect(ticket?.rationale).toContain('Policy rule "prod-critical" (critical in production) matched');
    expect(ticket?.rationale).toContain("severity critical ∈ [critical]");
    expect(notify).toMatchObject({ kind: "notify", requiresApproval: false });
    expect(remediate).toMatchObject({ kind: "remediate", risk: "high", requiresApproval: true });
    expect(remediate?.rationale).toContain("high-risk remediate always waits for a human approval");
  });

  it("counts the SLA from the earliest firstSeen, so re-runs keep the due date", () => {
    const findings = [
      makeFinding({ severity: "high", firstSeen: "2026-03-01T00:00:00Z" }),
      makeFinding({ severity: "high", firstSeen: "2026-02-10T23:59:00Z" }),
    ];
    const item = makeCase({ findings });
    expect(decideCase(policy, item)[0]?.dueDate).toBe("2026-03-12");
  });

  it("gives no due date to a severity without an SLA and nothing to an unmatched case", () => {
    const noSla = definePolicy({ rules: [{ id: "all", do: [{ kind: "ticket" }] }] });
    const [action] = decideCase(noSla, caseIn("development", { severity: "low" }));
    expect(action?.dueDate).toBeUndefined();
    expect(action?.sink).toBe("default");
    expect(decideCase(policy, caseIn("development", { severity: "low" }))).toEqual([]);
  });

  it("is deterministic and keeps one action per kind and sink with routing all", () => {
    const all = definePolicy({ ...policy, routing: "all" });
    const item = caseIn("production", { severity: "critical" });
    const first = decideCase(all, item);
    expect(decideCase(all, item)).toEqual(first);
    expect(first.map((action) => `${action.kind}/${action.sink}/${action.rule}`)).toEqual([
      "ticket/jira/prod-critical",
      "notify/slack/prod-critical",
      "remediate/fixer/prod-critical",
    ]);
  });

  it("marks everything for approval in assisted mode, and never loosens a stricter policy", () => {
    const item = caseIn("production", { severity: "critical" });
    expect(decideCase(policy, item, { mode: "assisted" }).every((action) => action.requiresApproval)).toBe(
      true,
    );
    const assisted = definePolicy({ ...policy, mode: "assisted" });
    expect(decideCase(assisted, item, { mode: "automated" }).every((action) => action.requiresApproval)).toBe(
      true,
    );
  });

  it("routes the example policy's cases", async () => {
    const example = await loadPolicyFile(examplePolicyPath);
    const bucket = caseIn("staging", { severity: "medium" });
    expect(decideCase(example, bucket).map((action) => `${action.rule}:${action.kind}`)).toEqual([
      "public-bucket-fix:ticket",
      "public-bucket-fix:remediate",
    ]);
  });
});

describe("decide stage", () => {
  it("yields the actions of each case and emits action-proposed", async () => {
    const context = stageContext({ stage: "decide", mode: "automated" });
    const proposed: string[] = [];
    context.events.on("action-proposed", ({ kind, requiresApproval }) =>
      proposed.push(`${kind}:${requiresApproval}`),
    );
    const actions = await runStage(
      decide({ policy }),
      [caseIn("production", { severity: "critical" }), caseIn("development", { severity: "info" })],
      context,
    );
    expect(actions.map((action) => action.kind)).toEqual(["ticket", "notify", "remediate"]);
    expect(proposed).toEqual(["ticket:false", "notify:false", "remediate:true"]);
  });

  it("sends a case it cannot decide to the dead letters and goes on", async () => {
    const context = stageContext({ stage: "decide", mode: "automated" });
    const broken = { ...caseIn("production", { severity: "critical" }), findings: undefined } as never;
    const actions = await runStage(
      decide({ policy }),
      [broken, caseIn("production", { severity: "critical" })],
      context,
    );
    expect(actions).toHaveLength(3);
    expect(context.report.deadLetters).toHaveLength(1);
    expect(context.report.deadLetters[0]).toMatchObject({ stage: "decide", error: { code: "POLICY" } });
  });

  it("rejects an invalid policy at creation", () => {
    expect(() => decide({ policy: { rules: [{ id: "x", do: [] }] } })).toThrow(/rules\.0\.do/);
  });

  it("composes with pipeline: actions come out of the last stage", async () => {
    const delivered: string[] = [];
    const item = caseIn("production", { severity: "critical" });
    const run = pipeline({
      source: (async function* () {
        yield item.findings[0]!;
      })(),
      stages: [
        {
          name: "as-case",
          async *run(findings) {
            for await (const _finding of findings) yield item;
          },
        },
        decide({ policy }),
      ],
      sinks: Object.fromEntries(
        ["jira", "slack", "fixer"].map((name) => [
          name,
          {
            specificationVersion: "v1" as const,
            name,
            async deliver(action) {
              delivered.push(`${name}:${action.kind}`);
              return { key: action.idempotencyKey, status: "created" as const };
            },
          },
        ]),
      ),
      mode: "automated",
    });
    const result = await run.start();
    expect(result.stages.decide).toMatchObject({ in: 1, out: 3 });
    // Without a gate, the pipeline delivers whatever decide proposes: put gate() last.
    expect(delivered.sort()).toEqual(["fixer:remediate", "jira:ticket", "slack:notify"]);
  });
});
