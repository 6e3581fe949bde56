import { describe, expect, it } from "vitest";
import { parseOffline, parsePostureQuery } from "../../../src/agents/query/index.js";
import { evalSet } from "./eval-set.js";

/** Whether the parser's reading of a question is exactly what the eval set expects. */
function exact(item: (typeof evalSet)[number]): { ok: boolean; got: unknown } {
  const got = parseOffline(item.question);
  if ("query" in item)
    return { ok: got.kind === "query" && equal(got.query, parsePostureQuery(item.query)), got };
  if ("clarify" in item) return { ok: got.kind === "clarify", got };
  return { ok: got.kind === "unanswerable", got };
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

describe("the offline question parser over the evaluation set", () => {
  it("has at least 60 questions, every expected query valid", () => {
    expect(evalSet.length).toBeGreaterThanOrEqual(60);
    for (const item of evalSet)
      if ("query" in item) expect(() => parsePostureQuery(item.query)).not.toThrow();
  });

  it("reads at least 80% of them exactly", () => {
    const misses = evalSet
      .map((item) => ({ question: item.question, ...exact(item) }))
      .filter((item) => !item.ok);
    if (misses.length) console.log(JSON.stringify(misses, null, 1));
    expect((evalSet.length - misses.length) / evalSet.length).toBeGreaterThanOrEqual(0.8);
  });
});
