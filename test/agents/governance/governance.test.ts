import { describe, expect, expectTypeOf, it } from "vitest";
import { decide } from "../../../src/agents/decide/index.js";
import { enrich, fromTags } from "../../../src/agents/enrich/index.js";
import { explain } from "../../../src/agents/explain/index.js";
import { gate } from "../../../src/agents/gate/index.js";
import { casesNamespace, governance } from "../../../src/agents/governance/index.js";
import { definePolicy } from "../../../src/agents/policy/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import { type AuditRecord, auditLog } from "../../../src/audit/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Sink } from "../../../src/core/sink.js";
import { fixtureDate, makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

const policy = definePolicy({
  mode: "automated",
  rules: [
    {
      id: "urgent",
      when: { severity: ["critical", "high"] },
      do: [
        { kind: "ticket", sink: "jira", automatic: true, params: { project: "SEC" } },
        { kind: "notify", sink: "slack", automatic: true },
      ],
    },
  ],
  principals: [{ id: "bot", scopes: ["execute:ticket", "execute:notify"] }],
  allowedActions: ["ticket", "notify"],
});

function findings(): Finding[] {
  resetFactories();
  return Array.from({ length: 12 }, (_, index) =>
    makeFinding({
      severity: index % 3 === 0 ? "medium" : "critical",
      resource: {
        id: `arn:aws:s3:::bucket-${index % 5}`,
        name: `bucket-${index % 5}`,
        tags: { owner: "payments", env: index % 2 ? "production" : "staging" },
      },
    }),
  );
}

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

function sink(name: string): Sink {
  return {
    specificationVersion: "v1",
    name,
    async deliver(action) {
      return { key: action.idempotencyKey, status: "created", ref: { id: `${name}-${action.id}` } };
    },
  };
}

const model = () =>
  scriptedModel({
    defaultObject: {
      headline: "{{resource.name}} is readable by anyone",
      risk: "Anyone on the internet can read {{resource.name}}.",
      whyItMatters: "Data in it can leak.",
      likelyIntent: "Probably a test left public.",
      remediationSteps: ["Turn on the public access block for {{resource.name}}."],
    },
  });

async function records(store: ReturnType<typeof memoryStore>): Promise<AuditRecord[]> {
  const list: AuditRecord[] = [];
  for await (const record of auditLog(store).query()) list.push(record);
  return list;
}

/**
 * The trail without times, sequence numbers and prompt digests (each prompt fences finding text with a
 * random nonce), sorted, so two runs can be compared.
 */
function comparable(list: AuditRecord[]): string[] {
  return list
    .map(({ event }) => {
      const { at: _at, ...rest } = event as AuditEvent;
      const { inputDigest: _inputDigest, ...data } = rest.data;
      return JSON.stringify({ ...rest, findingIds: [...(rest.findingIds ?? [])].sort(), data });
    })
    .sort();
}

describe("governed runs record their own audit trail", () => {
  it("pipeline({ audit }) composed by hand writes the same trail as governance()", async () => {
    const handStore = memoryStore();
    const stages = [
      triage(),
      enrich({ providers: [fromTags()] }),
      explain({ model: model() }),
      decide({ policy }),
      gate({ policy, principal: "bot" }),
    ] as const;
    const report = await pipeline({
      source: iterate(findings()),
      stages,
      sinks: { jira: sink("jira"), slack: sink("slack") },
      store: handStore,
      audit: auditLog(handStore),
      mode: "automated",
      principal: "bot",
      now: () => new Date(fixtureDate),
    }).start();
    expect(report.deadLetters).toEqual([]);

    const presetStore = memoryStore();
    const result = await governance({
      sources: [iterate(findings())],
      policy,
      principal: "bot",
      sinks: { jira: sink("jira"), slack: sink("slack") },
      store: presetStore,
      audit: auditLog(presetStore),
      model: model(),
      enrich: { providers: [fromTags()] },
      now: () => new Date(fixtureDate),
    }).start();
    expect(result.report.deadLetters).toEqual([]);
    expect(result.delivered.length).toBeGreaterThan(0);

    const hand = await records(handStore);
    expect(comparable(hand)).toEqual(comparable(await records(presetStore)));
    expect(new Set(hand.map((record) => record.event.type))).toEqual(
      new Set(["ingestion", "ai-output", "decision", "gate", "delivery"]),
    );
    expect(await auditLog(handStore).verify()).toMatchObject({ ok: true, count: hand.length });
    // The preset keeps every explained case for replay and reports.
    let kept = 0;
    for await (const _ of presetStore.list(casesNamespace)) kept++;
    expect(kept).toBe(result.cases.length);
  });

  it("records every finding once with its digest, before any record about its case", async () => {
    const store = memoryStore();
    const input = findings();
    const result = await governance({
      sources: [iterate(input)],
      policy,
      principal: "bot",
      sinks: { jira: sink("jira"), slack: sink("slack") },
      store,
      audit: auditLog(store),
      model: model(),
    }).start();
    const trail = await records(store);

    const ingested = trail.filter((record) => record.event.type === "ingestion");
    const ids = ingested.flatMap((record) => record.event.findingIds ?? []);
    expect(ids.sort()).toEqual(input.map((finding) => finding.id).sort());
    for (const record of ingested) {
      const digests = record.event.data.digests as Record<string, string>;
      expect(Object.keys(digests).sort()).toEqual([...(record.event.findingIds ?? [])].sort());
      for (const digest of Object.values(digests)) expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(record.event.actor).toBe("cloudsteward/source:wiz");
    }
    const ingestedAt = new Map(
      ingested.flatMap((record) => (record.event.findingIds ?? []).map((id) => [id, record.seq])),
    );
    for (const record of trail.filter((item) => item.event.type !== "ingestion")) {
      for (const id of record.event.findingIds ?? []) expect(ingestedAt.get(id)).toBeLessThan(record.seq);
    }

    // One ai-output per case, naming the model, the prompt version and both digests; the model's
    // usage is recorded once per call, so the records add up to the run's usage.
    const outputs = trail.filter((record) => record.event.type === "ai-output");
    expect(outputs.map((record) => record.event.caseId).sort()).toEqual(
      result.cases.map((item) => item.id).sort(),
    );
    for (const { event } of outputs) {
      expect(event.data).toMatchObject({ source: "model", model: expect.stringContaining("scripted") });
      expect(event.data.promptVersion).toEqual(expect.any(String));
      expect(event.data.outputDigest).toMatch(/^[0-9a-f]{64}$/);
    }
    const billed = outputs.filter((record) => record.event.data.usage !== null);
    expect(billed.length).toBeGreaterThan(0);
    for (const { event } of billed) expect(event.data.inputDigest).toMatch(/^[0-9a-f]{64}$/);
    const tokens = billed.reduce(
      (sum, record) => sum + (record.event.data.usage as { inputTokens: number }).inputTokens,
      0,
    );
    expect(tokens).toBe(result.report.usage.inputTokens);

    // A decision per case, a gate record per action, a delivery per delivered action.
    expect(trail.filter((record) => record.event.type === "decision")).toHaveLength(result.cases.length);
    const deliveries = trail.filter((record) => record.event.type === "delivery");
    expect(deliveries).toHaveLength(result.delivered.length);
    for (const { event } of deliveries) {
      expect(event.actor).toBe("bot");
      expect(event.data).toMatchObject({ status: "created", ref: { id: expect.any(String) } });
    }
  });

  it("records a failed delivery and dead-letters it; the run goes on", async () => {
    const store = memoryStore();
    const failing: Sink = {
      specificationVersion: "v1",
      name: "slack",
      async deliver() {
        throw new Error("channel_not_found");
      },
    };
    const result = await governance({
      sources: [iterate(findings())],
      policy,
      principal: "bot",
      sinks: { jira: sink("jira"), slack: failing },
      store,
      audit: auditLog(store),
    }).start();
    const failed = (await records(store)).filter(
      (record) => record.event.type === "delivery" && record.event.data.status === "failed",
    );
    expect(failed.length).toBe(result.report.deadLetters.length);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.event.data).toMatchObject({ sink: "slack", code: "DELIVERY" });
  });

  it("fails closed: an audit log that cannot be written ends the run", async () => {
    const broken = {
      append: async () => {
        throw new Error("disk full");
      },
    };
    const run = governance({
      sources: [iterate(findings())],
      policy,
      principal: "bot",
      sinks: { jira: sink("jira"), slack: sink("slack") },
      audit: broken,
    });
    await expect(run.start()).rejects.toThrow("disk full");
  });

  it("types: a stage out of order does not compile", () => {
    const source = iterate(findings());
    // @ts-expect-error decide takes cases, not findings: triage must come first
    pipeline({ source, stages: [decide({ policy }), triage()] });
    // @ts-expect-error gate takes actions, not cases
    pipeline({ source, stages: [triage(), gate({ policy })] });
    expectTypeOf(
      pipeline({ source, stages: [triage(), enrich(), explain(), decide({ policy }), gate({ policy })] }),
    ).toHaveProperty("start");
  });
});
