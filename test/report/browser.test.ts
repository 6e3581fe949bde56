import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReportData } from "../../src/report/data.js";
import { renderReport } from "../../src/report/render.js";
import { headlessFlags, headlessPage } from "./chromium.js";
import { sampleActions, sampleCases, sampleRunReport } from "./fixtures.js";

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
    const cases = sampleCases();
    const data = buildReportData({
      mode: "automated",
      explainer: "knowledge base (no model)",
      cases,
      report: sampleRunReport(),
      ...sampleActions(cases),
      audit: { ok: true, count: 12, lastHash: "a".repeat(64) },
      phases: [{ name: "pipeline", durationMs: 1234 }],
    });
    await writeFile(file, renderReport(data));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("with JavaScript disabled: the SVG charts with their labels, the fixes grouped across owners, the whole actions table", async () => {
    const dom = await pageHtml(`file://${file}`, { javascript: false });
    expect(dom).not.toContain('data-filters="on"');
    for (const name of ["severity", "category", "owner", "trend", "timeline"]) {
      expect(dom).toMatch(new RegExp(`<svg[^>]*data-chart="${name}"`));
    }
    const severity = svgOf(dom, "severity");
    expect(severity.match(/<rect /g) ?? []).toHaveLength(5);
    for (const label of ["critical", "high", "medium", "low", "info"])
      expect(severity).toContain(`>${label}</tspan>`);
    // Labels are whole, never cut with an ellipsis; hostile ones are text, not markup.
    expect(svgOf(dom, "owner")).toContain(">data-engineering-and-analytics-platform-team</tspan>");
    expect(svgOf(dom, "owner")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(svgOf(dom, "trend").match(/<rect /g) ?? []).toHaveLength(3);
    expect(svgOf(dom, "timeline")).toContain(">explain</text>");

    const fixes = [...dom.matchAll(/<article class="fix[^>]*>\s*<h3>([\s\S]*?)<\/h3>/g)].map((match) =>
      (match[1] ?? "").replace(/<[^>]+>/g, "").trim(),
    );
    expect(fixes[0]).toBe("critical Log4Shell (CVE-2021-44228): 6 resources, 3 owners");
    expect(fixes.filter((heading) => heading.includes("Log4Shell"))).toHaveLength(1);

    const header = /<table class="actions"><thead><tr>([\s\S]*?)<\/tr><\/thead>/.exec(dom)?.[1] ?? "";
    expect([...header.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((match) => match[1])).toEqual([
      "Status",
      "Severity",
      "Owner",
      "Due",
      "Kind",
      "Sink",
      "Risk",
      "Case",
      "Reference",
      "Why",
    ]);
    expect(dom.match(/<tr data-status="[^"]+"(?! hidden)/g)).toHaveLength(3);
    expect(dom).toMatch(/<form class="filters" hidden/);
    expect(dom).toContain("Verified: 12 record(s)");
  });

  it("with JavaScript: shows the filters and applies the one in the URL's hash", async () => {
    const dom = await pageHtml(`file://${file}#severity=critical&q=SEC-1`, { javascript: true });
    expect(dom).toContain('data-filters="on"');
    expect(dom).not.toMatch(/<form class="filters" hidden/);
    expect(dom).toMatch(/<output name="shown">1 of 3<\/output>/);
    const rows = dom.match(/<tr data-status="[^>]*>/g) ?? [];
    expect(rows.filter((row) => !row.includes("hidden"))).toEqual([
      expect.stringContaining('data-status="delivered"'),
    ]);
  });

  it("prints to PDF and takes a non-trivial screenshot", async () => {
    const page = await headlessPage(chromium, { javascript: false });
    try {
      await page.open(`file://${file}`);
      const pdf = await page.pdf();
      expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(pdf.length).toBeGreaterThan(20_000);
    } finally {
      await page.close();
    }
    const png = join(directory, "shot.png");
    await browser([`--screenshot=${png}`, "--window-size=1200,1600", `file://${file}`], directory);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(bytes.length).toBeGreaterThan(20_000);
  });
});

/** Runs headless Chromium with a fresh profile and no network features; returns stdout. */
async function browser(args: string[], directory: string): Promise<string> {
  const profile = await mkdtemp(join(directory, "profile-"));
  const { stdout } = await run(chromium, [...headlessFlags, `--user-data-dir=${profile}`, ...args], {
    timeout: 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

/** The page's DOM after it loaded, with or without its scripts. */
async function pageHtml(url: string, options: { javascript: boolean }): Promise<string> {
  const page = await headlessPage(chromium, options);
  try {
    await page.open(url);
    return await page.html();
  } finally {
    await page.close();
  }
}

function svgOf(dom: string, name: string): string {
  const start = dom.search(new RegExp(`<svg[^>]*data-chart="${name}"`));
  expect(start).toBeGreaterThanOrEqual(0);
  return dom.slice(start, dom.indexOf("</svg>", start));
}
