/**
 * Exceptions: matching findings against 10,000 active exceptions in `applyExceptions` (a third each
 * by resource, rule on account and tag; one finding in ten covered), and one `sweepExceptions` over
 * 100,000 exceptions in a memory store (filed in the due index as requests and decisions file them),
 * one in a hundred due for a reminder and one in a hundred for an expiry. Figures are wall clock; the
 * sweep's notes give its CPU time too, which a busy machine distorts less.
 */
import { loadavg } from "node:os";
import { scheduleException } from "../src/agents/exceptions/due.js";
import {
  applyExceptions,
  type ExceptionRecord,
  exceptionPolicyOf,
  sweepExceptions,
} from "../src/agents/exceptions/index.js";
import { definePolicy } from "../src/agents/policy/define.js";
import type { Finding } from "../src/core/finding.js";
import { memoryStore } from "../src/core/memory-store.js";
import { createStageContext } from "../src/core/stage.js";
import { makeFinding } from "../src/testing/factories.js";
import { type Benchmark, resultRow } from "./harness.js";

const activeExceptions = 10_000;
const findingCount = 200_000;
const sweptExceptions = 100_000;
const matchTarget = 50_000;
const sweepTargetMs = 1_000;
const now = new Date("2026-06-01T00:00:00Z");
const dayMs = 86_400_000;
const row = resultRow("exceptions");

const benchmark: Benchmark = {
  name: "exceptions",
  async run() {
    return [await matchBench(), await sweepBench()];
  },
};

export default benchmark;

const load = () => `load average ${loadavg()[0]?.toFixed(1)}`;

/** `applyExceptions` over 200,000 findings; its own function, so its findings are garbage before the sweep runs. */
async function matchBench() {
  const store = memoryStore();
  for (let n = 0; n < activeExceptions; n++) await store.set("exceptions", `exc_${n}`, exception(n, 90));
  const findings = Array.from({ length: findingCount }, (_, n) => finding(n));
  const context = createStageContext({ store, now: () => now });
  let passed = 0;
  const started = performance.now();
  for await (const _ of applyExceptions().run(iterate(findings), context)) passed++;
  const matchMs = performance.now() - started;
  const perSecond = (findingCount / matchMs) * 1000;
  const withheld = findingCount - passed;
  if (withheld !== findingCount / 10)
    throw new Error(`expected ${findingCount / 10} withheld, got ${withheld}`);
  return row(
    `applyExceptions with ${activeExceptions.toLocaleString("en")} active exceptions`,
    perSecond,
    "findings/s",
    {
      target: `>= ${matchTarget}`,
      pass: perSecond >= matchTarget,
      notes: `${findingCount.toLocaleString("en")} findings, ${withheld.toLocaleString("en")} withheld, including reading the exceptions from the store; ${load()}`,
    },
  );
}

/** One `sweepExceptions` over 100,000 exceptions filed in the due index, 2,000 of them due. */
async function sweepBench() {
  const swept = memoryStore();
  const policy = { principals: [] };
  const rules = exceptionPolicyOf(definePolicy(policy));
  for (let n = 0; n < sweptExceptions; n++) {
    const record = exception(n, n % 100 === 0 ? 2 : n % 100 === 1 ? 0 : 90);
    await swept.set("exceptions", record.id, record);
    await scheduleException(swept, record, rules);
  }
  const sweepStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await sweepExceptions({ store: swept, policy, now: () => now });
  const sweepMs = performance.now() - sweepStarted;
  const cpu = process.cpuUsage(cpuStarted);
  const sweepCpuMs = (cpu.user + cpu.system) / 1000;
  return row(
    `sweepExceptions over ${sweptExceptions.toLocaleString("en")} exceptions (memory store)`,
    sweepMs,
    "ms",
    {
      target: `<= ${sweepTargetMs}`,
      pass: sweepMs <= sweepTargetMs,
      notes: `${result.reminded.length.toLocaleString("en")} reminders and ${result.expired.length.toLocaleString("en")} expiries claimed, delivered and recorded, reading only the due exceptions from the due index; ${Math.round(sweepCpuMs)} ms of CPU; ${load()}`,
    },
  );
}

async function* iterate(findings: readonly Finding[]): AsyncIterable<Finding> {
  yield* findings;
}

/** Exception `n`: scope by `n % 3`, on rule `rule-<n % 100>`; `daysLeft` until its expiry. */
function exception(n: number, daysLeft: number): ExceptionRecord {
  const ruleId = `rule-${n % 100}`;
  const target =
    n % 3 === 0
      ? { ruleId, resourceId: `resource-${n}` }
      : n % 3 === 1
        ? { ruleId, accountId: `account-${n}` }
        : { ruleId, tag: { key: "app", value: `app-${n}` } };
  return {
    id: `exc_${n}`,
    kind: "exception",
    state: "active",
    scope:
      n % 3 === 0 ? "resource" : n % 3 === 1 ? "rule-on-account" : { tag: { key: "app", value: `app-${n}` } },
    targets: [target],
    findingIds: [`finding-${n}`],
    severity: "medium",
    requester: "alice",
    justification: "a reviewed business need",
    compensatingControls: [],
    requestedAt: new Date(now.getTime() - 30 * dayMs).toISOString(),
    startsAt: new Date(now.getTime() - 30 * dayMs).toISOString(),
    expiresAt: new Date(now.getTime() + daysLeft * dayMs).toISOString(),
    requiredApprovals: 1,
    approvals: [{ principal: "bob", at: new Date(now.getTime() - 30 * dayMs).toISOString() }],
  };
}

/** Finding `n`: every tenth is covered by exception `n / 10` (its rule with its resource, account or tag). */
function finding(n: number): Finding {
  const covered = n % 10 === 0 ? (n / 10) % activeExceptions : -1;
  const rule = covered >= 0 ? `rule-${covered % 100}` : `rule-${n % 100}`;
  return makeFinding({
    rule: { id: rule },
    resource: {
      id: covered >= 0 && covered % 3 === 0 ? `resource-${covered}` : `resource-x${n}`,
      accountId: covered >= 0 && covered % 3 === 1 ? `account-${covered}` : "account-none",
      tags: { team: "a", env: "prod", app: covered >= 0 && covered % 3 === 2 ? `app-${covered}` : "other" },
    },
  });
}
