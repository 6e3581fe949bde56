/**
 * What cannot be read fails closed (#14.1): an unreadable, unknown or disputed environment routes
 * as production unless the policy says otherwise, and says so in the case and the run report.
 */
import { describe, expect, it } from "vitest";
import { decide, decideCase } from "../../../src/agents/decide/index.js";
import { enrich, fromMap, fromTags } from "../../../src/agents/enrich/index.js";
import { gate } from "../../../src/agents/gate/index.js";
import { definePolicy, type PolicyInput, validatePolicy } from "../../../src/agents/policy/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import type { Action } from "../../../src/core/action.js";
import type { Case } from "../../../src/core/case.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Sink } from "../../../src/core/sink.js";
import type { Stage } from "../../../src/core/stage.js";
import { fixtureDate, makeCase, makeFinding, resetFactories } from "../../../src/testing/factories.js";

const base: PolicyInput = {
  mode: "automated",
  rules: [
    {
      id: "production",
      when: { environment: "production" },
      do: [{ kind: "ticket", sink: "jira", automatic: true }],
    },
    { id: "elsewhere", do: [{ kind: "ticket", sink: "jira", automatic: true }] },
  ],
  // Production tickets wait for a human.
  approvals: [{ when: { environment: "production" }, approvers: ["alice"] }],
  principals: [{ id: "alice", scopes: ["approve:*"] }],
};

async function run(findings: Finding[], policyInput: PolicyInput = base, providers = [fromTags()]) {
  const policy = definePolicy(policyInput);
  const delivered: Action[] = [];
  const cases: Case[] = [];
  const jira: Sink = {
    specificationVersion: "v1",
    name: "jira",
    async deliver(action) {
      delivered.push(action);
      return { key: action.idempotencyKey, status: "created" };
    },
  };
  const tap: Stage<Case, Case> = {
    name: "tap",
    async *run(input) {
      for await (const item of input) {
        cases.push(item);
        yield item;
      }
    },
  };
  const report = await pipeline({
    source: (async function* () {
      yield* findings;
    })(),
    stages: [triage(), enrich({ providers }), tap, decide({ policy }), gate({ policy })] as Stage<
      never,
      unknown
    >[],
    sinks: { jira },
    store: memoryStore(),
    mode: "automated",
    now: () => new Date(fixtureDate),
  }).start();
  return { delivered, cases, report };
}

function tagged(tags: Record<string, string>): Finding[] {
  resetFactories();
  return [makeFinding({ severity: "high", resource: { tags } })];
}

describe("unknown context fails closed", () => {
  it("routes an unreadable environment tag as production: the ticket waits for approval", async () => {
    const { delivered, cases, report } = await run(tagged({ env: "prod-eu-1" }));
    expect(delivered).toEqual([]);
    expect(cases[0]?.context?.environment).toEqual({
      value: "unknown",
      source: 'tag:env (unreadable: "prod-eu-1", treated as unknown)',
    });
    const features = report.warnings.map((warning) => warning.feature);
    expect(features).toContain("enrich.unreadable.environment");
    expect(features).toContain("decide.unknown-environment");
    const decision = decideCase(definePolicy(base), cases[0]!)[0];
    expect(decision?.rule).toBe("production");
    expect(decision?.requiresApproval).toBe(true);
    expect(decision?.rationale).toContain("routed as production (policy unknownEnvironment)");
  });

  it("a readable non-production environment still runs automatically", async () => {
    const { delivered } = await run(tagged({ env: "dev" }));
    expect(delivered.map((action) => action.rule)).toEqual(["elsewhere"]);
  });

  it("a case without any environment context routes as production by default", () => {
    const policy = definePolicy(base);
    const [action] = decideCase(policy, makeCase());
    expect(action?.rule).toBe("production");
    expect(action?.requiresApproval).toBe(true);
  });

  it("the policy can name another environment for unknown ones, and the schema validates it", async () => {
    const { delivered } = await run(tagged({ env: "prod-eu-1" }), {
      ...base,
      unknownEnvironment: "development",
    });
    expect(delivered.map((action) => action.rule)).toEqual(["elsewhere"]);
    const invalid = validatePolicy({ ...base, unknownEnvironment: "prod" });
    expect(invalid.issues[0]?.path).toEqual(["unknownEnvironment"]);
  });

  it("disagreeing providers route as the most guarded value", async () => {
    resetFactories();
    const finding = makeFinding({
      severity: "high",
      resource: { name: "payments-db", tags: { env: "production" } },
    });
    const { delivered, cases } = await run([finding], base, [
      fromMap({ "payments-db": { environment: "development" } }),
      fromTags(),
    ]);
    expect(cases[0]?.context?.environment?.value).toBe("development");
    expect(cases[0]?.context?.environment?.conflicts).toEqual([{ value: "production", source: "tag:env" }]);
    expect(delivered).toEqual([]);
  });

  it("an unreadable data classification, criticality or exposure counts as the most sensitive value", async () => {
    const { cases, report } = await run(
      tagged({ "data-classification": "PII/PHI", criticality: "crown-jewels", "internet-facing": "maybe" }),
    );
    const context = cases[0]?.context;
    expect(context?.dataClassification?.value).toBe("restricted");
    expect(context?.dataClassification?.source).toContain("unreadable");
    expect(context?.criticality?.value).toBe("critical");
    expect(context?.internetExposed?.value).toBe(true);
    const features = report.warnings.map((warning) => warning.feature);
    expect(features).toContain("enrich.unreadable.dataClassification");
  });

  it("an unreadable environment on one resource of a case outranks a readable development one", async () => {
    resetFactories();
    const findings = [
      makeFinding({ severity: "high", resource: { id: "r1", name: "r1", tags: { env: "dev", owner: "a" } } }),
      makeFinding({ severity: "high", resource: { id: "r2", name: "r2", tags: { env: "???", owner: "a" } } }),
    ];
    const { delivered, cases } = await run(findings);
    expect(cases).toHaveLength(1);
    expect(cases[0]?.context?.environment?.value).toBe("unknown");
    expect(delivered).toEqual([]);
  });
});
