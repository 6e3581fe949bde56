import { describe, expect, it } from "vitest";
import { buildBriefing, uncheckedNumbers } from "../../../src/agents/briefing/briefing.js";
import { briefingHtml, briefingMarkdown, briefingSummary } from "../../../src/agents/briefing/render.js";
import { defineFramework } from "../../../src/agents/compliance/framework.js";
import { postureHistory } from "../../../src/agents/compliance/history.js";
import { complianceMapper } from "../../../src/agents/compliance/mapping.js";
import { assessCompliance, toSnapshot } from "../../../src/agents/compliance/posture.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding } from "../../../src/testing/factories.js";

const period = { from: "2026-03-02T00:00:00Z", to: "2026-03-09T00:00:00Z" };
const bucket = (name: string, overrides: Parameters<typeof makeFinding>[0] = {}) =>
  makeFinding({ ...overrides, resource: { name, id: `arn:aws:s3:::${name}`, ...overrides.resource } });
const findings = [
  bucket("a", { severity: "critical", firstSeen: "2026-03-03T00:00:00Z", lastSeen: "2026-03-08T00:00:00Z" }),
  bucket("b", { severity: "critical", firstSeen: "2026-01-01T00:00:00Z", lastSeen: "2026-03-08T00:00:00Z" }),
  bucket("c", {
    severity: "high",
    status: "resolved",
    firstSeen: "2026-02-27T00:00:00Z",
    lastSeen: "2026-03-05T00:00:00Z",
  }),
  makeFinding({
    severity: "low",
    category: "other",
    title: "Cost report ready",
    rule: { id: "x-1", name: "Cost report ready", controls: [] },
    resource: { type: "aws.ce.report" },
    firstSeen: "2026-03-04T00:00:00Z",
  }),
];

describe("buildBriefing", () => {
  it("reports the trend, MTTR, SLA breaches, top risks by fix, expiring exceptions and compliance scores", async () => {
    const acme = defineFramework({
      key: "acme",
      name: "ACME",
      requirements: [
        { id: "A-1", title: "No public buckets", archetypes: ["aws-s3-public-read"] },
        { id: "A-2", title: "Rule x-1", rules: ["x-1"] },
      ],
    });
    const history = postureHistory(memoryStore());
    const mapper = complianceMapper({ frameworks: [acme] });
    await history.save(toSnapshot(assessCompliance([], { mapper, at: "2026-03-02T00:00:00Z" })[0]!));
    await history.save(toSnapshot(assessCompliance(findings, { mapper, at: "2026-03-08T00:00:00Z" })[0]!));
    const brief = await buildBriefing({
      findings,
      period,
      history,
      frameworks: ["acme"],
      slaDays: { critical: 7 },
      exceptions: [
        { id: "EXC-1", reason: "r", expiresAt: "2026-03-12T00:00:00Z", approvedBy: "ciso@example.com" },
        { id: "EXC-2", reason: "r", expiresAt: "2026-06-01T00:00:00Z" },
      ],
      now: new Date("2026-03-09T06:00:00Z"),
    });
    expect(brief.trend.new).toMatchObject({ critical: 1, low: 1, high: 0 }); // c was first seen before the period
    expect(brief.trend.resolved).toMatchObject({ high: 1 });
    expect(brief.trend.open).toMatchObject({ critical: 2, low: 1 });
    expect(brief.meanDaysToRemediate).toBe(6);
    expect(brief.slaBreaches.critical).toBe(1);
    expect(brief.topRisks[0]).toMatchObject({
      fix: "aws-s3-public-read",
      findings: 2,
      resources: 2,
      severity: "critical",
    });
    expect(brief.topRisks[1]).toMatchObject({ fix: "wiz:x-1", title: "Cost report ready", severity: "low" });
    expect(brief.exceptionsExpiring).toEqual([
      { id: "EXC-1", expiresAt: "2026-03-12T00:00:00Z", approvedBy: "ciso@example.com" },
    ]);
    expect(brief.compliance).toEqual([
      {
        framework: "acme",
        scores: [
          { at: "2026-03-02T00:00:00.000Z", score: 100 },
          { at: "2026-03-08T00:00:00.000Z", score: 0 },
        ],
        newlyFailing: ["A-1", "A-2"],
        newlyPassing: [],
      },
    ]);
    expect(brief.narrative).toContain("2 new findings (1 critical), 1 resolved, 3 open (2 critical, 0 high)");
    expect(brief.narrative).toContain(
      "1 open finding is past SLA. The largest risk is S3 bucket readable by anyone (critical): one fix closes 2 findings on 2 resources. 1 exception expires soon. acme scores 0%; 2 requirements newly failing.",
    );
    expect(uncheckedNumbers(brief.narrative, brief)).toEqual([]);
  });

  it("uses a written narrative only when every number in it is a figure of the data", async () => {
    const honest = await buildBriefing({
      findings,
      period,
      narrate: async (facts) => `${facts.trend.open.critical} critical findings stay open.`,
    });
    expect(honest.narrative).toBe("2 critical findings stay open.");
    expect(honest.warnings).toEqual([]);
    const inventive = await buildBriefing({
      findings,
      period,
      narrate: async () => "We fixed 47 issues this week.",
    });
    expect(inventive.narrative).toMatch(/^From 2026-03-02 to 2026-03-09:/);
    expect(inventive.warnings).toEqual(["the written narrative was not used: 47 is not among the facts"]);
    // 9 appears only in the period's end date, which backs nothing.
    const dated = await buildBriefing({ findings, period, narrate: async () => "We fixed 9 issues." });
    expect(dated.warnings).toEqual(["the written narrative was not used: 9 is not among the facts"]);
  });

  it("counts totals, lengths and numbers in fact texts as figures, and S3 or EC2 as words", () => {
    const facts = {
      open: { critical: 2, high: 5 },
      risks: [{ title: "ALB uses TLS 1.0" }],
      at: "2026-03-09T00:00:00Z",
    };
    expect(uncheckedNumbers("7 open on S3 and EC2; 1 risk on TLS 1.0, as of 2026-03-09.", facts)).toEqual([]);
    expect(uncheckedNumbers("8 open, 1,000 resources", facts)).toEqual(["8", "1000"]);
  });

  it("needs a history for frameworks", async () => {
    await expect(buildBriefing({ findings, frameworks: ["soc2"] })).rejects.toThrow(
      /frameworks need a history/,
    );
  });

  it("renders Markdown, an HTML section and a short summary with a link", async () => {
    const brief = await buildBriefing({ findings, period });
    expect(briefingMarkdown(brief)).toContain("| open | 2 | 0 | 0 | 1 | 0 |");
    const html = briefingHtml(brief);
    expect(html).toMatch(/^<section class="briefing">/);
    expect(html).not.toMatch(/<script/i);
    expect(briefingSummary(brief, "https://reports.example.com/w10")).toMatch(
      /\nDetails: https:\/\/reports\.example\.com\/w10$/,
    );
  });
});
