/**
 * Governance throughput: 100,000 cases (a mix of production buckets, IAM roles, development tags
 * and low-severity noise) through `decide → gate` with the example policy in `automated` mode, in
 * memory. Rows: first sight (a fresh store, so 75,000 held actions are written as approval
 * requests — the memory store copies each through JSON and keeps it on the heap, which dominates),
 * a re-run over the same store (the steady state of a polling deployment), a policy whose actions
 * all pass (the policy and the gate alone), and the audit log's cost. Figures are cases per
 * CPU-second, best of 3, so other load on the machine counts less.
 */
import { readFile } from "node:fs/promises";
import { decide } from "../src/agents/decide/decide.js";
import { gate } from "../src/agents/gate/gate.js";
import { definePolicy } from "../src/agents/policy/define.js";
import { loadPolicy } from "../src/agents/policy/load.js";
import type { Policy } from "../src/agents/policy/schema.js";
import { auditLog } from "../src/audit/audit-log.js";
import type { Action } from "../src/core/action.js";
import type { Case } from "../src/core/case.js";
import { memoryStore } from "../src/core/memory-store.js";
import { createRunReport } from "../src/core/report.js";
import { createStageContext, type StageContext } from "../src/core/stage.js";
import type { Store } from "../src/core/store.js";
import { fixtureDate, makeCase, makeFinding } from "../src/testing/factories.js";
import { type Benchmark, resultRow } from "./harness.js";

const caseCount = 100_000;
const target = 20_000;

const benchmark: Benchmark = {
  name: "decide",
  async run() {
    const policy = loadPolicy(
      await readFile(new URL("../examples/policy/policy.yaml", import.meta.url), "utf8"),
      { filename: "policy.yaml" },
    );
    const cases = buildCases(caseCount);
    await decideAndGate(policy, cases.slice(0, 5_000), false);
    const plain = await bestOfThree(() => decideAndGate(policy, cases, false));
    const messagesOnly = definePolicy({
      mode: "automated",
      rules: [
        {
          id: "everything",
          do: [
            { kind: "ticket", sink: "jira", automatic: true },
            { kind: "notify", sink: "slack", automatic: true },
          ],
        },
      ],
      sla: policy.sla,
    });
    const allowed = await bestOfThree(() => decideAndGate(messagesOnly, cases, false));
    const known = memoryStore();
    await decideAndGate(policy, cases, false, known);
    const rerun = await bestOfThree(() => decideAndGate(policy, cases, false, known));
    const audited = await bestOfThree(() => decideAndGate(policy, cases.slice(0, 20_000), true));
    const row = resultRow("decide");
    return [
      row("decide → gate, 100,000 cases (per CPU-second, best of 3)", plain.perCpuSecond, "cases/s", {
        target: `>= ${target}`,
        pass: plain.perCpuSecond >= target,
        notes: `automated mode, example policy; ${plain.actions} actions proposed, ${plain.passed} passed, the rest held as approval requests`,
      }),
      row("decide → gate, 100,000 cases (wall, best of 3)", plain.perWallSecond, "cases/s"),
      row(
        "decide → gate, 100,000 known cases, re-run (per CPU-second, best of 3)",
        rerun.perCpuSecond,
        "cases/s",
        {
          notes:
            "the steady state of a polling deployment: the held actions' approval requests already exist",
        },
      ),
      row(
        "decide → gate, 100,000 cases, every action allowed (per CPU-second, best of 3)",
        allowed.perCpuSecond,
        "cases/s",
        {
          notes: `no approval requests written: the policy and gate work alone; ${allowed.passed} actions passed`,
        },
      ),
      row(
        "decide → gate + audit log (memory store), 20,000 cases (wall, best of 3)",
        audited.perWallSecond,
        "cases/s",
        {
          notes: "one hash-chained audit record per gate decision and approval request",
        },
      ),
    ];
  },
};

export default benchmark;

// Internal helpers.

interface RunFigures {
  cases: number;
  actions: number;
  passed: number;
}

async function decideAndGate(
  policy: Policy,
  cases: Case[],
  withAudit: boolean,
  store: Store = memoryStore(),
): Promise<RunFigures> {
  const context: StageContext = createStageContext({
    report: createRunReport("bench", new Date(fixtureDate)),
    store,
    mode: "automated",
    now: () => new Date(fixtureDate),
  });
  let actions = 0;
  async function* input() {
    yield* cases;
  }
  const decided = decide({ policy }).run(input(), context);
  async function* counted(): AsyncIterable<Action> {
    for await (const action of decided) {
      actions++;
      yield action;
    }
  }
  const gated = gate({ policy, ...(withAudit ? { audit: auditLog(store) } : {}) }).run(counted(), context);
  let passed = 0;
  for await (const _action of gated) passed++;
  return { cases: cases.length, actions, passed };
}

async function bestOfThree(fn: () => Promise<RunFigures>) {
  let perCpuSecond = 0;
  let perWallSecond = 0;
  let figures: RunFigures = { cases: 0, actions: 0, passed: 0 };
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    figures = await fn();
    const cpu = process.cpuUsage(cpuBefore);
    perWallSecond = Math.max(perWallSecond, figures.cases / ((performance.now() - started) / 1000));
    perCpuSecond = Math.max(perCpuSecond, figures.cases / ((cpu.user + cpu.system) / 1e6));
  }
  return { ...figures, perCpuSecond, perWallSecond };
}

/** Four kinds of case, with distinct ids, built from four validated templates. */
function buildCases(count: number): Case[] {
  const environments = ["production", "development", "staging", "production"] as const;
  const templates = [
    makeCase({ findings: [makeFinding({ severity: "critical" })] }),
    makeCase({
      findings: [
        makeFinding({
          severity: "low",
          rule: { id: "ec2-missing-tag-owner", name: "EC2 instances should carry an owner tag" },
          resource: { type: "aws.ec2.instance", nativeType: "INSTANCE", name: "i-0abc" },
        }),
      ],
    }),
    makeCase({ findings: [makeFinding({ severity: "medium" })] }),
    makeCase({
      findings: [
        makeFinding({
          severity: "high",
          category: "identity",
          rule: { id: "iam-role-wildcard", name: "IAM role should not grant *:*" },
          resource: { type: "aws.iam.role", nativeType: "ROLE", name: "admin" },
        }),
      ],
    }),
  ];
  return Array.from({ length: count }, (_, index) => {
    const template = templates[index % templates.length]!;
    return {
      ...template,
      id: `case_${index}`,
      context: { environment: { value: environments[index % environments.length]!, source: "bench" } },
      priority: { score: index % 100, reasons: [] },
    };
  });
}
