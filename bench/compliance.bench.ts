/**
 * Compliance: mapping 100,000 findings to every bundled framework (10), assessing them into
 * snapshots, the size of those snapshots, evidence packs over the same findings for five frameworks
 * (with an audit log of 10,000 records naming them), and a brief from a year of weekly snapshots (it
 * reads their summaries). The findings carry the real rule names of the catalogs
 * (every Prowler check and named vendor rule in test/__fixtures__/catalogs/rule-names.json, in turn),
 * one resource each, a third of them with a vendor SOC 2 control. Figures are findings per
 * CPU-second, best of 3, with a fresh mapper each time (its per-rule cache starts empty).
 */
import { readFile } from "node:fs/promises";
import { buildBriefing } from "../src/agents/briefing/briefing.js";
import { buildEvidencePacks } from "../src/agents/compliance/evidence.js";
import { bundledFrameworks } from "../src/agents/compliance/framework.js";
import { postureHistory, summarize } from "../src/agents/compliance/history.js";
import { complianceMapper } from "../src/agents/compliance/mapping.js";
import { assessCompliance, toSnapshot } from "../src/agents/compliance/posture.js";
import {
  evidencePackCsv,
  evidencePackHtml,
  evidencePackMarkdown,
  evidencePackOscal,
} from "../src/agents/compliance/render.js";
import { auditLog } from "../src/audit/audit-log.js";
import type { Category, Finding } from "../src/core/finding.js";
import { memoryStore } from "../src/core/memory-store.js";
import { makeFinding } from "../src/testing/factories.js";
import { type Benchmark, measure, resultRow } from "./harness.js";

const findingCount = 100_000;
const target = 50_000;

const benchmark: Benchmark = {
  name: "compliance",
  async run() {
    const findings = await buildFindings(findingCount);
    const frameworks = bundledFrameworks();
    const mapping = bestOfThree(() => {
      const mapper = complianceMapper();
      let mappings = 0;
      for (const finding of findings) mappings += mapper.map(finding).length;
      return mappings;
    });
    const assessing = bestOfThree(() => {
      const snapshots = assessCompliance(findings, {
        mapper: complianceMapper(),
        at: "2026-03-01T00:00:00Z",
      });
      return snapshots.length;
    });
    const history = postureHistory(memoryStore());
    const assessments = assessCompliance(findings, {
      mapper: complianceMapper(),
      at: "2026-03-01T00:00:00Z",
    });
    const sizes = new Map<string, number>();
    for (const assessment of assessments)
      sizes.set(assessment.framework, await history.save(toSnapshot(assessment)));
    // Size against findings (fixed resources) and against failing resources (fixed findings), SOC 2.
    const soc2 = complianceMapper({ frameworks: ["soc2"] });
    // `count` findings repeating the first `pattern` (same rules), on `resources` resources.
    const snapshotOf = (count: number, resources: number, pattern = count) =>
      toSnapshot(
        assessCompliance(
          Array.from({ length: count }, (_, index) => ({
            ...findings[index % pattern]!,
            id: `finding-${index}`,
            resource: { ...findings[index % pattern]!.resource, id: `resource-${index % resources}` },
          })),
          { mapper: soc2, at: "2026-03-01T00:00:00Z" },
        )[0]!,
      );
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const byFindings = [1_000, 10_000, 100_000].map((count) => [
      count,
      bytes(snapshotOf(count, 1_000, 1_000)),
    ]);
    const byResources = [100, 10_000, 100_000].map((resources) => [
      resources,
      bytes(snapshotOf(100_000, resources)),
    ]);
    const summaryBytes = bytes(summarize(snapshotOf(100_000, 100_000)));
    const failing = (key: string) =>
      assessments
        .find((assessment) => assessment.framework === key)!
        .requirements.filter((r) => r.status === "fail").length;
    const packFrameworks = ["soc2", "iso27001-2022", "pci-dss-4.0", "hipaa", "cis-aws-7.0"];
    const store = memoryStore();
    const audit = auditLog(store);
    for (let start = 0; start < findings.length; start += 5_000)
      await audit.appendMany(
        Array.from({ length: 500 }, (_, batch) => ({
          type: "ingestion",
          at: "2026-02-20T00:00:00Z",
          actor: "cloudsteward/pipeline",
          findingIds: findings
            .slice(start + batch * 10, start + batch * 10 + 10)
            .map((finding) => finding.id),
          data: {},
        })),
      );
    const packHistory = postureHistory(store);
    let packBytes = 0;
    const packMs = await measure(async () => {
      const packs = await buildEvidencePacks({
        frameworks: packFrameworks,
        findings,
        audit,
        history: packHistory,
        period: { from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z" },
      });
      for (const pack of packs) {
        packBytes +=
          JSON.stringify(pack).length + evidencePackMarkdown(pack).length + evidencePackCsv(pack).length;
        packBytes += evidencePackHtml(pack).length + JSON.stringify(evidencePackOscal(pack)).length;
      }
    });
    const yearHistory = postureHistory(memoryStore());
    const year = Date.parse("2026-03-01T00:00:00Z") - 365 * 86_400_000;
    for (const assessment of assessments.filter((item) => packFrameworks.includes(item.framework)))
      for (let week = 0; week < 52; week++)
        await yearHistory.save({
          ...toSnapshot(assessment),
          at: new Date(year + week * 7 * 86_400_000).toISOString(),
        });
    const briefMs = await measure(() =>
      buildBriefing({
        findings,
        history: yearHistory,
        frameworks: packFrameworks,
        period: { from: new Date(year).toISOString(), to: "2026-03-01T00:00:00Z" },
        slaDays: { critical: 7, high: 30 },
      }),
    );
    const row = resultRow("compliance");
    return [
      row(
        `map 100,000 findings to all ${frameworks.length} bundled frameworks (per CPU-second, best of 3)`,
        mapping.perCpuSecond,
        "findings/s",
        {
          target: `>= ${target}`,
          pass: mapping.perCpuSecond >= target,
          notes: `${mapping.result.toLocaleString("en-US")} requirement mappings (vendor, catalog and knowledge-base routes); ${distinctRules.toLocaleString("en-US")} distinct rules, a fresh mapper per round`,
        },
      ),
      row(
        "map 100,000 findings to all bundled frameworks (wall, best of 3)",
        mapping.perWallSecond,
        "findings/s",
      ),
      row(
        "assess 100,000 findings into 10 framework assessments (per CPU-second, best of 3)",
        assessing.perCpuSecond,
        "findings/s",
        {
          notes: "mapping plus per-requirement status, failing findings and resources, routes",
        },
      ),
      row("SOC 2 snapshot, 100,000 findings (one resource each)", sizes.get("soc2")!, "bytes", {
        notes: `${failing("soc2")} of 28 requirements failing; the size follows failing resource ids, not findings`,
      }),
      row(
        "SOC 2 snapshot, 100,000 findings repeating 1,000 on 1,000 resources",
        byFindings[2]![1]!,
        "bytes",
        {
          notes: `the same rules and resources under ${byFindings.map(([count, size]) => `${count!.toLocaleString("en-US")} findings: ${size!.toLocaleString("en-US")} B`).join("; ")} (only the finding count's digits differ)`,
        },
      ),
      row("SOC 2 snapshot, 100,000 findings on 100,000 resources", byResources[2]![1]!, "bytes", {
        notes: `the same findings on ${byResources.map(([resources, size]) => `${resources!.toLocaleString("en-US")} resources: ${size!.toLocaleString("en-US")} B`).join("; ")}: about ${Math.round((byResources[2]![1]! - byResources[1]![1]!) / (90_000 * 28))} B per failing resource and requirement`,
      }),
      row("SOC 2 snapshot summary (what briefs and pack histories read)", summaryBytes, "bytes", {
        notes:
          "pass ids and failing requirement → failing resource count; independent of findings and resources",
      }),
      row(
        "all 10 snapshots, 100,000 findings",
        [...sizes.values()].reduce((sum, size) => sum + size, 0),
        "bytes",
        {
          notes: [...sizes].map(([key, size]) => `${key} ${Math.round(size / 1024)} kB`).join(", "),
        },
      ),
      row(
        "5 evidence packs (SOC 2, ISO 27001, PCI DSS, HIPAA, CIS AWS), 100,000 findings, all formats (wall)",
        packMs / 1000,
        "s",
        {
          target: "<= 10",
          pass: packMs <= 10_000,
          notes: `audit log of 10,000 records naming the findings (memory store); per requirement the totals, the 100 resources with most findings and a sample of 20 findings with their audit records; ${Math.round(packBytes / 1_048_576)} MB written in JSON, Markdown, CSV, HTML and OSCAL`,
        },
      ),
      row(
        "brief from a year of weekly snapshots (52 × 5 frameworks) and 100,000 findings (wall)",
        briefMs / 1000,
        "s",
        {
          target: "<= 2",
          pass: briefMs <= 2_000,
        },
      ),
    ];
  },
};

export default benchmark;

// Internal helpers.

let distinctRules = 0;

async function buildFindings(count: number): Promise<Finding[]> {
  const names = JSON.parse(
    await readFile(new URL("../test/__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
  ) as {
    prowler: [string, string, string, string, Category][];
    vendor: [string, string, string, string, Category][];
  };
  const rules = [
    ...names.prowler.map(([, id, title, resourceType, category]) => ({
      platform: "prowler",
      id,
      title,
      resourceType,
      category,
    })),
    ...names.vendor.map(([platform, id, title, resourceType, category]) => ({
      platform,
      id,
      title,
      resourceType,
      category,
    })),
  ];
  distinctRules = rules.length;
  const template = makeFinding();
  return Array.from({ length: count }, (_, index) => {
    const rule = rules[index % rules.length]!;
    const resourceId = `resource-${index}`;
    return {
      ...template,
      id: `${rule.platform}:${index}`,
      source: { ...template.source, platform: rule.platform, nativeId: String(index) },
      category: rule.category,
      title: rule.title,
      rule: {
        id: rule.id,
        name: rule.title,
        controls: index % 3 === 0 ? [{ framework: "SOC 2", control: "CC6.1" }] : [],
      },
      resource: { ...template.resource, id: resourceId, name: resourceId, type: rule.resourceType },
    };
  });
}

function bestOfThree<T>(fn: () => T) {
  let perCpuSecond = 0;
  let perWallSecond = 0;
  let result!: T;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    result = fn();
    const cpu = process.cpuUsage(cpuBefore);
    perWallSecond = Math.max(perWallSecond, findingCount / ((performance.now() - started) / 1000));
    perCpuSecond = Math.max(perCpuSecond, findingCount / ((cpu.user + cpu.system) / 1e6));
  }
  return { result, perCpuSecond, perWallSecond };
}
