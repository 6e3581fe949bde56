/**
 * Cross-platform dedup over the sandbox, whose platforms name the same problem each in its own words
 * (src/testing/sandbox/vendor-rules.ts): every finding the four adapters read is tied back to the
 * estate's truth (its archetype and resource) through its native id, then every pair of findings from
 * different platforms on the same resource is checked. Same problem: the pair must share a dedupKey
 * (target ≥ 95% of pairs); different problems: it must not (target 0 merged). The figures are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lacework } from "../../src/adapters/lacework/index.js";
import { orca } from "../../src/adapters/orca/index.js";
import { prisma } from "../../src/adapters/prisma/index.js";
import { wiz } from "../../src/adapters/wiz/index.js";
import type { BuiltInPlatform, Finding } from "../../src/core/finding.js";
import type { EstateFinding } from "../../src/testing/estate.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { vendorRuleName } from "../../src/testing/sandbox/vendor-rules.js";

const platforms = ["wiz", "prisma", "orca", "lacework"] as const;

interface Read {
  platform: BuiltInPlatform;
  finding: Finding;
  truth: EstateFinding;
}

interface Pair {
  a: Read;
  b: Read;
  merged: boolean;
}

describe.each([1, 7])("sandbox seed %i", (seed) => {
  let sandbox: Sandbox;
  let reads: Read[];

  beforeAll(async () => {
    sandbox = await startSandbox({ seed, size: 200 });
    const sources = {
      wiz: wiz({ ...sandbox.wiz, rateLimit: false }),
      prisma: prisma({ ...sandbox.prisma, rateLimit: false }),
      orca: orca({ ...sandbox.orca, rateLimit: false }),
      lacework: lacework({ ...sandbox.lacework, rateLimit: false }),
    };
    reads = [];
    for (const platform of platforms) {
      const truthOf = new Map(
        sandbox.estate.findings
          .filter((finding) => finding.reportedBy[platform] !== undefined)
          .map((finding) => [finding.reportedBy[platform]!, finding]),
      );
      for await (const finding of sources[platform].findings()) {
        const truth = truthOf.get(finding.source.nativeId);
        if (truth) reads.push({ platform, finding, truth });
      }
    }
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  /** Every pair of findings from two different platforms on the same estate resource. */
  function crossPlatformPairs(): Pair[] {
    const byResource = new Map<string, Read[]>();
    for (const read of reads) {
      const list = byResource.get(read.truth.resourceId) ?? [];
      list.push(read);
      byResource.set(read.truth.resourceId, list);
    }
    const pairs: Pair[] = [];
    for (const list of byResource.values()) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          if (a.platform === b.platform) continue;
          pairs.push({ a, b, merged: a.finding.dedupKey === b.finding.dedupKey });
        }
      }
    }
    return pairs;
  }

  /** Merged and total pairs per platform pair (`lacework+wiz`), in name order. */
  function byPlatformPair(pairs: readonly Pair[]): [string, number, number][] {
    const counts = new Map<string, [number, number]>();
    for (const { a, b, merged } of pairs) {
      const key = [a.platform, b.platform].sort().join("+");
      const [hits, total] = counts.get(key) ?? [0, 0];
      counts.set(key, [hits + (merged ? 1 : 0), total + 1]);
    }
    return [...counts.entries()]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([key, [hits, total]]) => [key, hits, total]);
  }

  const describePair = ({ a, b }: Pair) =>
    `${a.truth.archetype} on ${a.truth.resourceId}: ${a.platform} "${a.finding.rule.name}" (${a.finding.rule.id}) vs ${b.platform} "${b.finding.rule.name}" (${b.finding.rule.id})`;

  describe("cross-platform dedup on vendor names (200 findings a platform)", () => {
    it("reads every platform's findings and ties each to the estate", () => {
      for (const platform of platforms) {
        const expected = sandbox.estate.findings.filter((finding) => finding.reportedBy[platform]).length;
        const read = reads.filter((entry) => entry.platform === platform).length;
        // Lacework serves alerts only from the last 92 days, and Wiz some findings only as issues: most, not all.
        expect(read, platform).toBeGreaterThan(expected * 0.5);
      }
    });

    it("names the same problem differently on each platform", () => {
      const sameProblem = crossPlatformPairs().filter(({ a, b }) => a.truth.archetype === b.truth.archetype);
      const differentNames = sameProblem.filter(({ a, b }) => a.finding.rule.name !== b.finding.rule.name);
      const nonVulnerability = sameProblem.filter(({ a }) => a.truth.category !== "vulnerability");
      expect(nonVulnerability.length).toBeGreaterThan(20);
      // Vulnerabilities are named by their CVE everywhere, and threats the catalogs do not name keep the
      // estate's title: nearly every other same-problem pair differs in name.
      expect(differentNames.length / nonVulnerability.length).toBeGreaterThanOrEqual(0.9);
    });

    it("merges ≥ 95% of same-problem pairs across platforms and never merges different problems", () => {
      const pairs = crossPlatformPairs();
      const same = pairs.filter(({ a, b }) => a.truth.archetype === b.truth.archetype);
      const different = pairs.filter(({ a, b }) => a.truth.archetype !== b.truth.archetype);
      const sameMerged = same.filter((pair) => pair.merged);
      const differentMerged = different.filter((pair) => pair.merged);
      const share = sameMerged.length / same.length;
      const missed = [...new Set(same.filter((pair) => !pair.merged).map(describePair))];
      console.info(
        [
          `cross-platform dedup, seed ${seed}: ${sameMerged.length}/${same.length} same-problem pairs share a dedupKey (${(share * 100).toFixed(1)}%, target ≥ 95%)`,
          `${differentMerged.length}/${different.length} different-problem pairs on the same resource merged (target 0)`,
          ...byPlatformPair(same).map(
            ([platforms, merged, total]) => `  ${platforms}: ${merged}/${total} same-problem pairs merged`,
          ),
          ...missed.map((line) => `  not merged: ${line}`),
        ].join("\n"),
      );
      expect(same.length).toBeGreaterThan(50);
      expect(different.length).toBeGreaterThan(50);
      expect(share).toBeGreaterThanOrEqual(0.95);
      expect(differentMerged.map(describePair)).toEqual([]);
    });

    it("serves each platform the name vendorRuleName gives it", () => {
      for (const { platform, finding, truth } of reads) {
        if (truth.category === "vulnerability") continue;
        const resource = sandbox.estate.resources.find((candidate) => candidate.id === truth.resourceId)!;
        // As the emulations pick it: the first rule of the archetype for the resource's type.
        const rule = sandbox.estate.rules.find(
          (candidate) =>
            candidate.archetype === truth.archetype && candidate.resourceTypes.includes(resource.type),
        )!;
        expect(finding.rule.name, `${platform} ${truth.id}`).toBe(
          vendorRuleName(platform, rule, resource.type),
        );
      }
    });
  });
});
