import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wiz } from "../../src/adapters/wiz/index.js";
import { enrich, fromServiceNowCmdb, fromTags } from "../../src/agents/enrich/index.js";
import { explain } from "../../src/agents/explain/index.js";
import { GENERIC_ARCHETYPE_ID } from "../../src/agents/knowledge/knowledge-base.js";
import { triage } from "../../src/agents/triage/index.js";
import type { Case } from "../../src/core/case.js";
import type { Finding } from "../../src/core/finding.js";
import { dedupKey } from "../../src/core/fingerprint.js";
import { pipeline } from "../../src/core/pipeline.js";
import type { RunReport } from "../../src/core/report.js";
import type { Stage } from "../../src/core/stage.js";
import { makeFinding } from "../../src/testing/factories.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";

let sandbox: Sandbox;
let prisma: Finding;
let cases: Case[];
let report: RunReport;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 21, size: 500, platforms: ["wiz"] });
  prisma = prismaDuplicate(sandbox);
  const collected: Case[] = [];
  const collect: Stage<Case, Case> = {
    name: "collect",
    async *run(input) {
      for await (const item of input) {
        collected.push(item);
        yield item;
      }
    },
  };
  const run = pipeline({
    source: wiz({ ...sandbox.wiz, rateLimit: false }),
    // Cross-platform dedup needs a second platform: a Prisma-style copy of one Wiz finding.
    sources: [
      (async function* () {
        yield prisma;
      })(),
    ],
    stages: [
      triage(),
      enrich({
        providers: [
          fromTags(),
          fromServiceNowCmdb({
            ...sandbox.servicenow,
            rateLimit: { requestsPerSecond: 10_000, burst: 10_000 },
          }),
        ],
      }),
      explain(),
      collect,
    ] as Stage<never, unknown>[],
    now: () => new Date(sandbox.estate.now),
  });
  report = await run.start();
  cases = collected;
}, 60_000);
afterAll(() => sandbox.close());

/**
 * A Prisma Cloud-style report of an open public-bucket finding Wiz reports once: Prisma's own policy
 * name and id, the bucket by bare name (as Prisma gives it), the same tags.
 */
function prismaDuplicate(sandbox: Sandbox): Finding {
  const { findings } = sandbox.estate;
  const estateFinding = findings.find(
    (finding) =>
      finding.archetype === "aws-s3-public-read" &&
      finding.status === "open" &&
      findings.filter(
        (other) => other.archetype === finding.archetype && other.resourceId === finding.resourceId,
      ).length === 1,
  )!;
  const resource = sandbox.estate.resources.find((candidate) => candidate.id === estateFinding.resourceId)!;
  return makeFinding({
    source: { platform: "prisma", nativeId: "P-900001", nativeSeverity: "high", nativeStatus: "open" },
    category: "exposure",
    severity: "high",
    title: "AWS S3 buckets are accessible to public",
    description: "This policy identifies S3 buckets which are publicly accessible.",
    rule: {
      id: "630d3779-d932-4fbf-9cce-6e8d793c6916",
      name: "AWS S3 buckets are accessible to public",
      remediation: "Remove the public grants from the bucket ACL and policy.",
    },
    resource: {
      id: resource.name,
      name: resource.name,
      type: resource.type,
      nativeType: "AWS::S3::Bucket",
      cloud: "aws",
      accountId: resource.accountId,
      region: "us-east-1",
      tags: resource.tags,
    },
    dedupKey: dedupKey(estateFinding.archetype, { ...resource, id: resource.name }),
  });
}

/** The last segment of a resource id, which snippets use for CLIs (`i-0ab…`, the bucket, the key id). */
const shortId = (id: string) => id.replace(/\/+$/, "").split(/[/:]/).at(-1) ?? id;

describe("triage → enrich → explain over the sandbox (Wiz, 500 findings, ServiceNow CMDB)", () => {
  it("accounts for every finding: counts line up, nothing is dead-lettered or lost", () => {
    const fetched = report.stages.source!.out;
    expect(fetched).toBeGreaterThan(400);
    expect(report.deadLetters).toEqual([]);
    expect(report.stages.triage).toMatchObject({ in: fetched });
    expect(report.stages.triage!.out).toBeLessThan(fetched);
    expect(report.stages.triage!.out).toBeGreaterThan(20);
    expect(report.stages.enrich).toMatchObject({
      in: report.stages.triage!.out,
      out: report.stages.triage!.out,
    });
    expect(report.stages.explain).toMatchObject({
      in: report.stages.triage!.out,
      out: report.stages.triage!.out,
    });
    expect(cases).toHaveLength(report.stages.triage!.out);
    // Every fetched finding sits in exactly one case.
    const ids = cases.flatMap((item) => item.findings.map((finding) => finding.id));
    expect(ids).toHaveLength(fetched);
    expect(new Set(ids).size).toBe(fetched);
    // …and every finding Wiz reports in the estate was fetched.
    const wizIds = cases.flatMap((item) =>
      item.findings
        .filter((finding) => finding.source.platform === "wiz")
        .map((finding) => finding.source.nativeId),
    );
    const reported = sandbox.estate.findings.map((finding) => finding.reportedBy.wiz).filter(Boolean);
    expect(new Set(wizIds)).toEqual(new Set(reported));
  });

  it("gives every case context with provenance, mostly from the CMDB", () => {
    let ownedFromCmdb = 0;
    for (const item of cases) {
      expect(item.context, item.id).toBeDefined();
      const entries = Object.entries(item.context!).filter(([, value]) => value !== undefined);
      expect(entries.length, item.id).toBeGreaterThan(0);
      for (const [field, value] of entries) {
        expect(typeof value!.source, `${item.id} ${field}`).toBe("string");
        expect(value!.source.length, `${item.id} ${field}`).toBeGreaterThan(0);
      }
      expect(item.context!.blastRadius?.source).toBe("estimate");
      if (item.context!.owner?.source.startsWith("cmdb:servicenow:")) ownedFromCmdb++;
    }
    expect(ownedFromCmdb / cases.length).toBeGreaterThan(0.6);
  });

  it("explains every case with remediation steps and snippets naming its resource; ≥95% specific archetypes", () => {
    let specific = 0;
    let packageLevel = 0;
    for (const item of cases) {
      const explanation = item.explanation;
      expect(explanation, item.id).toBeDefined();
      expect(explanation!.source).toBe("knowledge");
      expect(explanation!.remediationSteps.length, item.id).toBeGreaterThan(0);
      for (const step of explanation!.remediationSteps) expect(step.trim(), item.id).not.toBe("");
      const resource = item.findings[0]!.resource;
      const names = (text: string) =>
        [resource.id, resource.name, shortId(resource.id)].some(
          (value) => value !== "" && text.includes(value),
        );
      const snippets = explanation!.snippets.map((snippet) => snippet.code).join("\n");
      expect(snippets, `${item.id} ${explanation!.archetypeId}`).not.toBe("");
      if (item.findings[0]!.category === "vulnerability" && !names(snippets)) {
        // A package-level fix (Log4Shell's jar mitigation, a dependency bump): the steps say where.
        packageLevel++;
        const steps = explanation!.remediationSteps.join("\n");
        expect(names(steps), `${explanation!.archetypeId} steps name ${resource.id}`).toBe(true);
      } else {
        expect(names(snippets), `${explanation!.archetypeId} snippets name ${resource.id}`).toBe(true);
      }
      if (explanation!.archetypeId && explanation!.archetypeId !== GENERIC_ARCHETYPE_ID) specific++;
    }
    expect(specific / cases.length).toBeGreaterThanOrEqual(0.95);
    expect(packageLevel / cases.length).toBeLessThan(0.1);
  });

  it("merges the Prisma copy with the Wiz finding into one case with both platforms", () => {
    const merged = cases.filter((item) => item.findings.some((finding) => finding.id === prisma.id));
    expect(merged).toHaveLength(1);
    const [item] = merged;
    expect(item!.platforms).toEqual(["prisma", "wiz"]);
    const duplicates = item!.findings.filter((finding) => finding.dedupKey === prisma.dedupKey);
    expect(duplicates.map((finding) => finding.source.platform).sort()).toEqual(["prisma", "wiz"]);
    const [wizCopy] = duplicates.filter((finding) => finding.source.platform === "wiz");
    // Different ids for the bucket on each platform, one canonical resource.
    expect(wizCopy!.resource.id).toBe(`arn:aws:s3:::${prisma.resource.name}`);
    expect(item!.groupKey.rule).toBe("aws-s3-public-read");
    expect(item!.explanation?.archetypeId).toBe("aws-s3-public-read");
  });
});
