import { describe, expect, it } from "vitest";
import { defineFramework } from "../../../src/agents/compliance/framework.js";
import { postureHistory } from "../../../src/agents/compliance/history.js";
import { complianceMapper } from "../../../src/agents/compliance/mapping.js";
import {
  assessCompliance,
  complianceScore,
  scopeKey,
  snapshotStatus,
  toSnapshot,
} from "../../../src/agents/compliance/posture.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding } from "../../../src/testing/factories.js";

const acme = defineFramework({
  key: "acme",
  name: "ACME baseline",
  requirements: [
    { id: "A-1", title: "No public buckets", archetypes: ["aws-s3-public-read"] },
    { id: "A-2", title: "Rule r-2 holds", rules: ["r-2"] },
    { id: "A-3", title: "Nothing assesses this" },
  ],
});
const mapper = complianceMapper({ frameworks: [acme] });
const bucket = (name: string, overrides: Parameters<typeof makeFinding>[0] = {}) =>
  makeFinding({ ...overrides, resource: { name, id: `arn:aws:s3:::${name}`, ...overrides.resource } });

describe("assessCompliance", () => {
  it("fails on open findings, passes what is assessed, and never passes what nothing assesses", () => {
    const [assessment] = assessCompliance([bucket("a"), bucket("b", { status: "resolved" })], {
      mapper,
      at: "2026-03-01T00:00:00Z",
    });
    const byId = Object.fromEntries(
      assessment!.requirements.map((requirement) => [requirement.id, requirement]),
    );
    expect(byId["A-1"]).toMatchObject({
      status: "fail",
      failingResources: [{ id: "arn:aws:s3:::a", findings: 1 }],
    });
    expect(byId["A-1"]!.routes).toEqual([{ route: "catalog", via: "archetype aws-s3-public-read" }]);
    expect(byId["A-2"]!.status).toBe("pass");
    expect(byId["A-3"]!.status).toBe("not-assessed");
    expect(assessment).toMatchObject({
      framework: "acme",
      scope: "all",
      at: "2026-03-01T00:00:00.000Z",
      findingCount: 2,
    });
  });

  it("keeps exceptions in force out of the failures, and expired ones in", () => {
    const finding = bucket("held");
    const exception = {
      id: "EXC-7",
      resourceIds: ["arn:aws:s3:::held"],
      reason: "public website bucket",
      approvedBy: "ciso@example.com",
      expiresAt: "2026-04-01T00:00:00Z",
    };
    const before = assessCompliance([finding], {
      mapper,
      at: "2026-03-15T00:00:00Z",
      exceptions: [exception],
    });
    expect(before[0]!.requirements[0]).toMatchObject({ status: "pass", exceptions: ["EXC-7"], failing: [] });
    const after = assessCompliance([finding], {
      mapper,
      at: "2026-04-02T00:00:00Z",
      exceptions: [exception],
    });
    expect(after[0]!.requirements[0]).toMatchObject({ status: "fail", exceptions: [] });
    const accepted = assessCompliance([bucket("x", { status: "risk_accepted" })], { mapper });
    expect(accepted[0]!.requirements[0]!.status).toBe("pass");
    expect(accepted[0]!.requirements[0]!.exceptions[0]).toMatch(/^wiz:risk_accepted:wiz:/);
  });

  it("assesses only the findings in scope", () => {
    const findings = [
      bucket("p", { resource: { accountId: "111111111111", tags: { unit: "payments" } } }),
      bucket("q", { resource: { accountId: "222222222222", tags: { unit: "retail" } } }),
    ];
    const scope = { accounts: ["222222222222"], tags: { unit: "retail" } };
    const [assessment] = assessCompliance(findings, { mapper, scope });
    expect(assessment!.findingCount).toBe(1);
    expect(assessment!.requirements[0]!.failingResources).toEqual([{ id: "arn:aws:s3:::q", findings: 1 }]);
    expect(assessment!.scope).toBe("accounts=222222222222;tags=unit:retail");
    expect(scopeKey({ name: "retail" })).toBe("retail");
  });
});

describe("snapshots and posture history", () => {
  it("keeps status, failing resources and exceptions; answers as-of questions", async () => {
    const history = postureHistory(memoryStore());
    const at = ["2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-15T00:00:00Z"];
    const runs = [[bucket("a"), bucket("b")], [bucket("a")], []];
    for (const [index, findings] of runs.entries())
      await history.save(toSnapshot(assessCompliance(findings, { mapper, at: at[index] })[0]!));
    const all = await history.list("acme", "all");
    expect(all.map((snapshot) => Object.values(snapshot.fail).flat().length)).toEqual([2, 1, 0]);
    const asOf = await history.asOf("acme", "all", "2026-03-10T12:00:00Z");
    expect(asOf).toMatchObject({ at: "2026-03-08T00:00:00.000Z", fail: { "A-1": ["arn:aws:s3:::a"] } });
    expect(snapshotStatus(asOf!, "A-1")).toBe("fail");
    expect(snapshotStatus(asOf!, "A-2")).toBe("pass");
    expect(snapshotStatus(asOf!, "A-3")).toBe("not-assessed");
    expect(complianceScore(asOf!)).toBe(0.5);
    expect(await history.asOf("acme", "all", "2026-02-01T00:00:00Z")).toBeUndefined();
    expect((await history.list("acme", "all", { since: "2026-03-08T00:00:00Z" })).length).toBe(2);
    expect(await history.list("acme", "retail")).toEqual([]);
    // The summaries beside the snapshots say the same statuses, with counts instead of resource ids.
    const summaries = await history.summaries("acme", "all", { until: "2026-03-10T12:00:00Z" });
    expect(summaries.map((summary) => summary.fail)).toEqual([{ "A-1": 2 }, { "A-1": 1 }]);
    expect(summaries[1]).toMatchObject({ pass: asOf!.pass, notAssessed: 1, findingCount: 1 });
    expect(snapshotStatus(summaries[1]!, "A-1")).toBe("fail");
    expect(complianceScore(summaries[1]!)).toBe(0.5);
  });

  it("counts a finding once per requirement and its resource's findings", () => {
    const findings = [bucket("a"), bucket("a"), bucket("b")];
    const [assessment] = assessCompliance(findings, { mapper, at: "2026-03-01T00:00:00Z" });
    const a1 = assessment!.requirements.find((requirement) => requirement.id === "A-1")!;
    expect(a1.failing).toHaveLength(3);
    expect(a1.failingResources).toEqual([
      { id: "arn:aws:s3:::a", findings: 2 },
      { id: "arn:aws:s3:::b", findings: 1 },
    ]);
  });

  it("grows with failing resources, not with findings", async () => {
    const history = postureHistory(memoryStore());
    const on = (resources: number, perResource: number) =>
      Array.from({ length: resources * perResource }, (_, index) => bucket(`bucket-${index % resources}`));
    const size = async (findings: ReturnType<typeof on>) =>
      history.save(toSnapshot(assessCompliance(findings, { mapper, at: "2026-03-01T00:00:00Z" })[0]!));
    const few = await size(on(10, 1));
    const many = await size(on(10, 100));
    const wider = await size(on(100, 1));
    expect(many - few).toBe(String(1000).length - String(10).length); // only the finding count's digits
    expect(wider).toBeGreaterThan(few + 90 * "arn:aws:s3:::bucket-00".length);
  });

  it("refuses an instant that is not a date", async () => {
    const history = postureHistory(memoryStore());
    await expect(history.list("acme", "all", { since: "last week" })).rejects.toThrow(/since is not a date/);
  });
});
