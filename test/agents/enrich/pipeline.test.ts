import { describe, expect, it } from "vitest";
import { enrich } from "../../../src/agents/enrich/enrich.js";
import { fromMap } from "../../../src/agents/enrich/from-map.js";
import { fromTags } from "../../../src/agents/enrich/from-tags.js";
import { triage } from "../../../src/agents/triage/triage.js";
import type { Case } from "../../../src/core/case.js";
import type { Finding } from "../../../src/core/finding.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Warning } from "../../../src/core/report.js";
import type { Stage } from "../../../src/core/stage.js";
import { makeFinding } from "../../../src/testing/factories.js";

describe("triage → enrich in a pipeline", () => {
  it("dedups, suppresses, expires loudly, groups and enriches, with counts and events", async () => {
    const devBucket = (nativeId: string) =>
      makeFinding({
        source: { nativeId },
        severity: "low",
        resource: { tags: { env: "dev", owner: "data" } },
      });
    const wiz = makeFinding({
      source: { platform: "wiz", nativeId: "w-1" },
      dedupKey: "dk_shared",
      resource: { name: "acme-logs" },
    });
    const prisma = makeFinding({
      source: { platform: "prisma", nativeId: "p-1" },
      dedupKey: "dk_shared",
      rule: { id: "prisma-public-s3", name: "AWS S3 buckets are accessible to public" },
      resource: { id: "acme-logs", name: "acme-logs" },
    });
    const findings: Finding[] = [wiz, prisma, wiz, devBucket("d-1"), devBucket("d-2")];
    const collected: Case[] = [];
    const collect: Stage<Case, Case> = {
      name: "collect",
      async *run(cases) {
        for await (const item of cases) {
          collected.push(item);
          yield item;
        }
      },
    };
    const run = pipeline({
      source: (async function* () {
        yield* findings;
      })(),
      stages: [
        triage({
          suppressions: [
            {
              id: "dev",
              match: { tags: { env: "dev" } },
              reason: "Dev",
              owner: "data",
              expiresAt: "2026-12-31",
            },
            { id: "old", match: { severity: "info" }, reason: "Old", owner: "sec", expiresAt: "2026-01-01" },
          ],
        }),
        enrich({ providers: [fromTags(), fromMap({ "acme-logs": { criticality: "tier-1" } })] }),
        collect,
      ] as Stage<never, unknown>[],
      now: () => new Date("2026-06-01T00:00:00Z"),
    });
    const raised: Warning[] = [];
    const expired: string[] = [];
    const created: string[] = [];
    run.on("warning-raised", ({ warning }) => raised.push(warning));
    run.on("suppression-expired", ({ ruleId }) => expired.push(ruleId));
    run.on("case-created", ({ caseId }) => created.push(caseId));
    const report = await run.start();

    expect(collected).toHaveLength(1);
    expect(collected[0]!.platforms).toEqual(["prisma", "wiz"]);
    expect(collected[0]!.context?.criticality).toEqual({ value: "critical", source: "map" });
    expect(created).toEqual([collected[0]!.id]);
    expect(expired).toEqual(["old"]);
    expect(report.stages.triage).toMatchObject({ in: 5, out: 1 });
    expect(report.stages.enrich).toMatchObject({ in: 1, out: 1 });
    expect(raised.map((warning) => warning.type).sort()).toEqual(["other", "suppression-expired"]);
    expect(report.warnings.find((warning) => warning.feature === "triage.suppressed")?.details).toEqual({
      total: 2,
      byRule: { dev: 2 },
    });
  });
});
