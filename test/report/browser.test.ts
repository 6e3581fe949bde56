import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReportData } from "../../src/report/data.js";
import { renderReport } from "../../src/report/render.js";
import { makeCase } from "./fixtures.js";

const run = promisify(execFile);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without a browser this check cannot run: skipped with a note on a developer's machine, required
// in CI (`.ci/run` installs Debian's chromium and sets CI).
const hasChromium = existsSync(chromium);
if (!hasChromium && process.env.CI) {
  throw new Error(
    `CI needs Chromium at ${chromium} for the report check: apt-get install chromium (or set CHROMIUM_PATH).`,
  );
}
if (!hasChromium) {
  console.warn(
    `test/report/browser.test.ts skipped: no Chromium at ${chromium}. Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH to run it.`,
  );
}

describe.skipIf(!hasChromium)("the HTML report in headless Chromium", () => {
  let directory: string;
  let file: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "cloudsteward-report-"));
    file = join(directory, "index.html");
    const cases = [
      makeCase({
        id: "case_a",
        severity: "critical",
        category: "exposure",
        owner: "payments",
        firstSeen: "2026-03-02T10:00:00Z",
      }),
      makeCase({
        id: "case_b",
        severity: "high",
        category: "identity",
        owner: "platform",
        firstSeen: "2026-03-10T10:00:00Z",
      }),
      makeCase({
        id: "case_c",
        severity: "low",
        category: "misconfiguration",
        owner: "<script>alert(1)</script>",
        firstSeen: "2026-03-17T10:00:00Z",
      }),
    ];
    const data = buildReportData({
      mode: "automated",
      explainer: "knowledge base (no model)",
      cases,
      report: {
        runId: "run_1",
        startedAt: "2026-03-20T00:00:00Z",
        stages: {},
        warnings: [],
        deadLetters: [],
        usage: { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 },
      },
      delivered: [],
      pending: [],
      audit: { ok: true, count: 12, lastHash: "a".repeat(64) },
      phases: [{ name: "pipeline", durationMs: 1234 }],
    });
    await writeFile(file, renderReport(data));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("runs the inline script and renders every chart as SVG with one bar per value", async () => {
    const dom = await browser(["--dump-dom", `file://${file}`], directory);
    expect(dom).toContain('data-charts-rendered="4"');
    for (const name of ["severity", "category", "owner", "trend"]) {
      expect(dom).toMatch(new RegExp(`<svg[^>]*data-chart="${name}"`));
    }
    const severityBars = svgOf(dom, "severity").match(/<rect /g) ?? [];
    expect(severityBars).toHaveLength(5);
    expect(svgOf(dom, "trend").match(/<rect /g) ?? []).toHaveLength(3);
    // The hostile owner name is drawn as text, never as a script element.
    expect(svgOf(dom, "owner")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(dom).toContain("Verified: 12 record(s)");
  });

  it("takes a non-trivial screenshot", async () => {
    const png = join(directory, "shot.png");
    await browser([`--screenshot=${png}`, "--window-size=1200,1600", `file://${file}`], directory);
    const { readFile } = await import("node:fs/promises");
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(bytes.length).toBeGreaterThan(20_000);
  });
});

/** Runs headless Chromium with a fresh profile and no network features; returns stdout. */
async function browser(args: string[], directory: string): Promise<string> {
  const profile = await mkdtemp(join(directory, "profile-"));
  const { stdout } = await run(
    chromium,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

function svgOf(dom: string, name: string): string {
  const start = dom.search(new RegExp(`<svg[^>]*data-chart="${name}"`));
  expect(start).toBeGreaterThanOrEqual(0);
  return dom.slice(start, dom.indexOf("</svg>", start));
}
