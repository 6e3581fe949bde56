import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/core/report.js";
import { buildReportData, type ReportInput } from "../../src/report/data.js";
import { renderReport } from "../../src/report/render.js";
import { makeCase } from "./fixtures.js";

const emptyReport: RunReport = {
  runId: "run_1",
  startedAt: "2026-03-20T00:00:00Z",
  stages: {},
  warnings: [{ type: "other", source: "gate", message: "gate: 1 held <b>" }],
  deadLetters: [],
  usage: { calls: 3, inputTokens: 1200, outputTokens: 300, cost: 0.0123 },
};

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    mode: "assisted",
    explainer: "openai gpt-4.1-mini",
    cases: [
      makeCase({
        id: "case_a",
        severity: "critical",
        category: "exposure",
        owner: "payments",
        firstSeen: "2026-01-01T00:00:00Z",
        findings: 2,
      }),
      makeCase({
        id: "case_b",
        severity: "low",
        category: "identity",
        owner: "platform",
        firstSeen: "2025-12-29T08:00:00Z",
      }),
      makeCase({
        id: "case_c",
        severity: "high",
        category: "exposure",
        owner: "payments",
        firstSeen: "2026-01-05T00:00:00Z",
      }),
    ],
    report: emptyReport,
    delivered: [],
    pending: [],
    audit: { ok: true, count: 7, lastHash: "b".repeat(64) },
    phases: [{ name: "pipeline", durationMs: 2500 }],
    now: () => new Date("2026-03-20T12:00:00Z"),
    ...overrides,
  };
}

describe("buildReportData", () => {
  it("counts findings per severity (all five, in order), category, owner and ISO week", () => {
    const data = buildReportData(input());
    expect(data.totals).toEqual({ findings: 4, cases: 3, delivered: 0, pending: 0, deadLetters: 0 });
    expect(data.severity).toEqual([
      { label: "critical", count: 2 },
      { label: "high", count: 1 },
      { label: "medium", count: 0 },
      { label: "low", count: 1 },
      { label: "info", count: 0 },
    ]);
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

  it("orders the top cases by priority and keeps the usage and audit result", () => {
    const data = buildReportData(input({ topCases: 2 }));
    expect(data.topCases.map((item) => item.id)).toEqual(["case_a", "case_c"]);
    expect(data.usage.cost).toBe(0.0123);
    expect(data.audit).toMatchObject({ ok: true, count: 7 });
  });
});

describe("renderReport", () => {
  it("is self-contained: no external script, stylesheet, image or font", () => {
    const html = renderReport(buildReportData(input()));
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain("default-src 'none'");
  });

  it("escapes finding content in the page and in the inline JSON", () => {
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
        }),
      ),
    );
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("\\u003c/script>\\u003cimg");
    expect(html).toContain("gate: 1 held &lt;b&gt;");
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
