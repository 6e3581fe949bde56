import { describe, expect, it } from "vitest";
import { casesNamespace } from "../../../src/agents/governance/governance.js";
import { runQuery, storedCases } from "../../../src/agents/query/index.js";
import type { Case } from "../../../src/core/case.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

function caseOf(id: string, severity: "critical" | "low"): Case {
  return makeCase({
    findings: [makeFinding({ source: { nativeId: id }, severity })],
    groupKey: { rule: `rule-${id}` },
  });
}

describe("storedCases", () => {
  it("decodes the Store's cases once, re-reads them in the background after refreshMs, and waits after maxStaleMs", async () => {
    const store = memoryStore();
    await store.set(casesNamespace, "a", caseOf("a", "critical"));
    let clock = 0;
    // prepare sees each copy once, before any read returns it (the background re-read's included).
    const prepared: (readonly Case[])[] = [];
    const cases = storedCases(store, {
      refreshMs: 1_000,
      maxStaleMs: 10_000,
      now: () => clock,
      prepare: (copy) => prepared.push(copy),
    });
    const first = await cases.read();
    expect(first.map((item) => item.findings[0]!.source.nativeId)).toEqual(["a"]);
    expect(prepared).toEqual([first]);
    expect(prepared[0]).toBe(first);

    await store.set(casesNamespace, "b", caseOf("b", "low"));
    clock = 500;
    expect(await cases.read()).toBe(first); // fresh enough: the same copy

    clock = 1_500;
    expect(await cases.read()).toBe(first); // stale: answered from the copy, re-read started
    await new Promise((resolve) => setTimeout(resolve, 0));
    const second = await cases.read();
    expect(second).not.toBe(first);
    expect(second).toHaveLength(2);
    expect(prepared).toHaveLength(2);
    expect(prepared[1]).toBe(second);

    await store.delete(casesNamespace, "a");
    clock = 20_000;
    expect(await cases.read()).toHaveLength(1); // too old to answer from: waits for the Store
  });

  it("gives runQuery the same answer as reading the Store", async () => {
    const store = memoryStore();
    for (const [id, severity] of [
      ["c1", "critical"],
      ["c2", "low"],
      ["c3", "critical"],
    ] as const)
      await store.set(casesNamespace, id, caseOf(id, severity));
    const query = {
      filters: { severity: ["critical" as const], environment: ["production" as const] },
      groupBy: ["environment" as const],
    };
    const direct = await runQuery(query, { store });
    const viaCopy = await runQuery(query, { store, cases: storedCases(store) });
    expect(viaCopy.total).toBe(2);
    expect(viaCopy.findings.map((finding) => finding.id)).toEqual(
      direct.findings.map((finding) => finding.id),
    );
    expect(viaCopy.groups).toEqual(direct.groups);
  });

  it("over many findings, returns the first `limit` in sort order, as sorting every match would", async () => {
    const store = memoryStore();
    const asOf = new Date("2026-06-01T00:00:00Z");
    const severities = ["critical", "high", "medium", "low"] as const;
    for (let n = 0; n < 40; n++) {
      const findings = Array.from({ length: 25 }, (_, index) =>
        makeFinding({
          source: { nativeId: `f-${n}-${index}` },
          severity: severities[(n + index) % 4],
          firstSeen: new Date(asOf.getTime() - ((n * 7 + index) % 60) * 86_400_000).toISOString(),
        }),
      );
      await store.set(casesNamespace, `c${n}`, makeCase({ findings, groupKey: { rule: `rule-${n}` } }));
    }
    const cases = storedCases(store);
    for (const sort of [undefined, { by: "age" as const, order: "asc" as const }]) {
      const query = { filters: { severity: ["critical" as const, "high" as const] }, limit: 30, sort };
      const all = await runQuery({ ...query, limit: 1000 }, { store, cases, now: () => asOf });
      const first = await runQuery(query, { store, cases, now: () => asOf });
      const direct = await runQuery(query, { store, now: () => asOf });
      expect(all.total).toBe(500);
      expect(first.total).toBe(500);
      // Sorting every match by score, then id, and taking 30: the same findings in the same order.
      const time = asOf.getTime();
      const score = (finding: (typeof all.findings)[number]) =>
        sort
          ? time - Date.parse(finding.firstSeen)
          : -(
              (finding.severity === "critical" ? 4 : 3) * 1e13 +
              (time - Date.parse(finding.firstSeen)) / 1000
            );
      const expected = [...all.findings]
        .sort((a, b) => score(a) - score(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, 30)
        .map((finding) => finding.id);
      expect(first.findings.map((finding) => finding.id)).toEqual(expected);
      expect(direct.findings.map((finding) => finding.id)).toEqual(expected);
    }
  });
});
