import { describe, expect, it } from "vitest";
import { buildReportData, type ReportInput } from "../../src/report/data.js";
import { renderReport } from "../../src/report/render.js";
import { makeFinding, makeCase as makeTestCase } from "../../src/testing/factories.js";
import { makeCase, sampleActions, sampleCases, sampleRunReport } from "./fixtures.js";

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  const cases = sampleCases();
  return {
    mode: "assisted",
    explainer: "openai gpt-4.1-mini",
    cases,
    report: sampleRunReport(),
    ...sampleActions(cases),
    audit: { ok: true, count: 7, lastHash: "b".repeat(64) },
    phases: [{ name: "pipeline", durationMs: 2500 }],
    now: () => new Date("2026-03-20T12:00:00Z"),
    ...overrides,
  };
}

describe("buildReportData", () => {
  it("counts findings per platform and the cases that fold findings from several platforms", () => {
    const shared = makeTestCase({
      platforms: ["wiz", "prisma"],
      findings: [
        makeFinding({ source: { platform: "wiz" } }),
        makeFinding({ source: { platform: "prisma" } }),
      ],
    });
    const single = makeTestCase({ findings: [makeFinding({ source: { platform: "wiz" } })] });
    const data = buildReportData(input({ cases: [shared, single], delivered: [], pending: [] }));
    expect(data.totals.casesAcrossPlatforms).toBe(1);
    expect(data.platform).toEqual([
      { label: "wiz", count: 2 },
      { label: "prisma", count: 1 },
    ]);
    const html = renderReport(data);
    expect(html).toContain('<span class="value">1</span><span class="label">Cases across platforms</span>');
    expect(html).toContain('data-chart="platform"');
  });

  it("counts findings per severity (all five, in order), category, owner and ISO week", () => {
    const data = buildReportData(
      input({
        cases: [
          makeCase({
            id: "a",
            severity: "critical",
            category: "exposure",
            owner: "payments",
            firstSeen: "2026-01-01T00:00:00Z",
            findings: 2,
          }),
          makeCase({
            id: "b",
            severity: "low",
            category: "identity",
            owner: "platform",
            firstSeen: "2025-12-29T08:00:00Z",
          }),
          makeCase({
            id: "c",
            severity: "high",
            category: "exposure",
            owner: "payments",
            firstSeen: "2026-01-05T00:00:00Z",
          }),
        ],
      }),
    );
    expect(data.totals).toEqual({
      findings: 4,
      cases: 3,
      delivered: 1,
      pending: 1,
      drafts: 1,
      deadLetters: 0,
      casesAcrossPlatforms: 0,
    });
    expect(data.severity.map((count) => count.count)).toEqual([2, 1, 0, 1, 0]);
    expect(data.category).toEqual([
      { label: "exposure", count: 3 },
      { label: "identity", count: 1 },
    ]);
    expect(data.owner[0]).toEqual({ label: "payments", count: 3 });
    // 2025-12-29 and 2026-01-01 are both in ISO week 2026-W01; 2026-01-05 starts W02.
    expect(data.trend).toEqual([
      { label: "2026-W01", count: 3 },
      { label: "2026-W02", count: 1 },
    ]);
  });

  it("groups the top cases by fix across owners: one Log4Shell entry with its resources and owners", () => {
    const data = buildReportData(input());
    const [log4shell, bucket, other] = data.topFixes;
    expect(data.topFixes).toHaveLength(3);
    expect(log4shell).toMatchObject({
      title: "Log4Shell (CVE-2021-44228)",
      severity: "critical",
      priority: 90,
      cases: 3,
      findings: 6,
      resources: 6,
      owners: ["payments", "platform", "data-engineering-and-analytics-platform-team"],
      environments: ["production", "development", "unknown"],
      caseIds: ["case_l1", "case_l2", "case_l3"],
    });
    expect(bucket).toMatchObject({ title: "S3 bucket allows public read", cases: 1, owners: ["platform"] });
    expect(other?.severity).toBe("low");
    expect(data.fixCount).toBe(3);
    const one = buildReportData(input({ topFixes: 1 }));
    expect(one.topFixes).toHaveLength(1);
    expect(renderReport(one)).toContain("<h2>Top fixes (1 of 3)</h2>");
  });

  it("lists every action with its status, severity, owner and due date, most severe first; sandbox links are marked", () => {
    const data = buildReportData(input());
    expect(
      data.actions.map(({ status, severity, owner, dueDate, kind }) => ({
        status,
        severity,
        owner,
        dueDate,
        kind,
      })),
    ).toEqual([
      { status: "waiting", severity: "critical", owner: "platform", dueDate: "2026-03-05", kind: "escalate" },
      { status: "delivered", severity: "critical", owner: "payments", dueDate: "2026-03-09", kind: "ticket" },
      { status: "draft", severity: "high", owner: "platform", dueDate: "2026-04-01", kind: "ticket" },
    ]);
    expect(data.actions[1]).toMatchObject({ ref: "SEC-1", local: true });
    expect(data.actions[0]?.note).toBe("high-risk escalate always waits for a human approval");
  });

  it("keeps status lines apart from warnings, and the stages with their place on the timeline", () => {
    const data = buildReportData(input());
    expect(data.warnings).toEqual(["enrich: 2 case(s) had an environment value that could not be read <b>"]);
    expect(data.notes).toEqual(["gate (automated): 1 action(s) allowed, 1 held for approval"]);
    expect(data.stages.map((stage) => [stage.name, stage.startMs])).toEqual([
      ["source", 0],
      ["triage", 50],
      ["explain", 400],
    ]);
    expect(data.pipelineMs).toBe(4000);
  });

  it("has no row cap: 450 actions are 450 rows", () => {
    const cases = Array.from({ length: 450 }, (_, index) =>
      makeCase({
        id: `case_${index}`,
        severity: "medium",
        category: "exposure",
        owner: `team-${index % 7}`,
        firstSeen: "2026-03-02T10:00:00Z",
      }),
    );
    const template = sampleActions(sampleCases()).drafts[0]!.action;
    const drafts = cases.map((item) => ({
      action: { ...template, case: item, idempotencyKey: item.id },
      reason: "read-only mode: kept as a draft for review",
      at: "2026-03-20T00:00:00Z",
    }));
    const html = renderReport(buildReportData(input({ cases, delivered: [], pending: [], drafts })));
    expect(html.match(/<tr data-status="draft"/g)).toHaveLength(450);
    expect(html).not.toContain("more.</p>");
  });
});

describe("renderReport", () => {
  it("is self-contained: no external script, stylesheet, image or font", () => {
    const html = renderReport(buildReportData(input({ delivered: [] })));
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain("default-src 'none'");
  });

  it("counts the named owners of a fix and says when some resources have none", () => {
    const cases = sampleCases();
    const orphan = makeCase({
      id: "case_l4",
      severity: "high",
      category: "vulnerability",
      owner: "payments",
      firstSeen: "2026-03-12T10:00:00Z",
      rule: { id: "wiz-cve-2021-44228", name: "Log4Shell (CVE-2021-44228)" },
    });
    orphan.context = {};
    const html = renderReport(buildReportData(input({ cases: [...cases, orphan] })));
    expect(html).toContain("Log4Shell (CVE-2021-44228): 7 resources, 3 owners and unowned ones</h3>");
    expect(html).toContain(
      "Explained for its highest-priority case, <code>case_l1</code>; the same fix applies to the other 3 cases.",
    );
  });

  it("draws the charts as inline SVG with whole labels, and a print stylesheet", () => {
    const html = renderReport(buildReportData(input()));
    for (const name of ["severity", "category", "owner", "trend", "timeline"]) {
      expect(html).toMatch(new RegExp(`<svg [^>]*data-chart="${name}"`));
    }
    expect(html).toContain(">data-engineering-and-analytics-platform-team</tspan>");
    expect(html).toContain("@media print");
    expect(html).toMatch(/Wall clock 4\.00 s\. Stages stream/);
  });

  it("opens with a brief: the severity mix, what was done, and the fixes to do first", () => {
    const html = renderReport(buildReportData(input()));
    const brief = /<section id="brief"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(brief).toContain("<li>8 findings in 5 cases: 5 critical, 2 high.</li>");
    expect(brief).toContain("<li>1 action taken, 1 waiting for approval, 1 draft kept (mode assisted).</li>");
    expect(brief).toContain(
      "<li>Fix first: Log4Shell (CVE-2021-44228) (6 resources, 3 owners); S3 bucket allows public read (1 resource, 1 owner);",
    );
  });

  it("says when a link points at the sandbox, and keeps warnings apart from run notes", () => {
    const html = renderReport(buildReportData(input()));
    expect(html).toMatch(
      /<a href="http:\/\/127\.0\.0\.1:4010\/browse\/SEC-1">SEC-1<\/a> <span class="local"[^>]*>sandbox<\/span>/,
    );
    expect(html).toMatch(/<section id="warnings"[\s\S]*could not be read &lt;b&gt;[\s\S]*<\/section>/);
    expect(html).toMatch(/<section id="notes"[\s\S]*gate \(automated\): 1 action\(s\) allowed/);
    expect(html.indexOf('id="warnings"')).toBeLessThan(html.indexOf('id="fixes"'));
  });

  it("escapes finding content everywhere", () => {
    const hostile = "</script><img src=x onerror=alert(1)>";
    const html = renderReport(
      buildReportData(
        input({
          cases: [
            makeCase({
              id: "case_x",
              severity: "high",
              category: "exposure",
              owner: hostile,
              firstSeen: "2026-01-01T00:00:00Z",
            }),
          ],
          delivered: [],
          pending: [],
          drafts: [],
        }),
      ),
    );
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
  });

  it("shows a failed audit verification with the first bad record", () => {
    const html = renderReport(
      buildReportData(
        input({
          audit: { ok: false, count: 9, firstBadSeq: 4, reason: "edited", message: "record 4 was edited" },
        }),
      ),
    );
    expect(html).toMatch(/<p id="audit" class="bad">FAILED at record 4 \(edited\): record 4 was edited/);
  });
});

describe("the briefing section", () => {
  it("shows the executive brief the input carries, escaped, and nothing when it carries none", async () => {
    const { buildBriefing } = await import("../../src/agents/briefing/briefing.js");
    const findings = [
      makeFinding({
        severity: "critical",
        firstSeen: "2026-03-16T00:00:00Z",
        lastSeen: "2026-03-19T00:00:00Z",
      }),
      makeFinding({ severity: "high", firstSeen: "2026-03-17T00:00:00Z", lastSeen: "2026-03-19T00:00:00Z" }),
    ];
    const briefing = await buildBriefing({
      findings,
      period: { from: "2026-03-13T00:00:00Z", to: "2026-03-20T00:00:00Z" },
      exceptions: [{ id: "<EXC-1>", reason: "r", expiresAt: "2026-03-25T00:00:00Z" }],
      now: new Date("2026-03-20T12:00:00Z"),
    });
    const html = renderReport(buildReportData(input({ briefing })));
    expect(html).toContain('<section class="briefing">');
    expect(html).toContain("Security brief, 2026-03-13 to 2026-03-20");
    expect(html).toContain("&lt;EXC-1&gt;: 2026-03-25");
    expect(html).not.toContain("<EXC-1>");
    expect(renderReport(buildReportData(input()))).not.toContain('class="briefing"');
  });
});
