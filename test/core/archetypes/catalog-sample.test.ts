import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { matchArchetype } from "../../../src/core/archetypes/match.js";
import type { Category } from "../../../src/core/finding.js";

/** The hand-checked sample (sample-100.md) and the rule names it was drawn from. */
const sample = readFileSync(new URL("./sample-100.md", import.meta.url), "utf8");
const names = JSON.parse(
  readFileSync(new URL("../../__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
) as {
  prowler: [string, string, string, string, Category][];
  vendor: [string, string, string, string, Category][];
};

interface Row {
  index: number;
  platform: string;
  ruleId: string;
  resourceType: string;
  archetype: string;
  verdict: "right" | "wrong";
}

const rows: Row[] = sample
  .split("\n")
  .filter((line) => /^\| \d+ \|/.test(line))
  .map((line) => {
    const cells = line.split(" | ").map((cell) => cell.replace(/^\|\s*|`/g, "").trim());
    return {
      index: Number(cells[0]),
      platform: cells[1] as string,
      ruleId: cells[2] as string,
      resourceType: cells[3] as string,
      archetype: cells[4] as string,
      verdict: cells[5] as Row["verdict"],
    };
  });

const titleOf = new Map<string, { title: string; category: Category }>([
  ...names.prowler.map(
    ([, id, title, , category]) =>
      [`prowler\u0000${id}`, { title, category }] as [string, { title: string; category: Category }],
  ),
  ...names.vendor.map(
    ([platform, id, name, , category]) =>
      [`${platform}\u0000${id}`, { title: name, category }] as [
        string,
        { title: string; category: Category },
      ],
  ),
]);

describe("the hand-checked sample of 100 matches (sample-100.md)", () => {
  it("holds 100 distinct rules with a verdict each, at most 2 of them wrong", () => {
    expect(rows.length).toBe(100);
    expect(new Set(rows.map((row) => `${row.platform}:${row.ruleId}`)).size).toBe(100);
    for (const row of rows) expect(["right", "wrong"], String(row.index)).toContain(row.verdict);
    expect(rows.filter((row) => row.verdict === "wrong").length).toBeLessThanOrEqual(2);
  });

  it("still describes what the matcher answers (re-check the sample when this fails)", () => {
    const changed: string[] = [];
    for (const row of rows) {
      const known = titleOf.get(`${row.platform}\u0000${row.ruleId}`);
      expect(known, row.ruleId).toBeDefined();
      const got = matchArchetype({
        platform: row.platform,
        ruleId: row.ruleId,
        ruleName: known!.title,
        title: known!.title,
        category: known!.category,
        resourceType: row.resourceType,
      });
      if (got !== row.archetype) changed.push(`#${row.index} ${row.ruleId}: ${row.archetype} → ${got}`);
    }
    expect(changed).toEqual([]);
  });
});
