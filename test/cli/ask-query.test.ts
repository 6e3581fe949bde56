import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-ask-"));
});

describe("cloudsteward ask", () => {
  it("answers the issue's first example against the sandbox, with citations and each platform's native request", async () => {
    const result = await runCli(
      [
        "ask",
        "--sandbox",
        "--size",
        "100",
        "show me all resources in production with critical vulnerabilities older than 30 days",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+ findings? match\./);
    expect(result.stdout).toContain("Citations:");
    expect(result.stdout).toMatch(/\[critical\] orca:\S+ .*\n\s+https:\/\/app\.orcasecurity\.io\//);
    expect(result.stdout).toContain(
      'Query: {"subject":"findings","filters":{"severity":["critical"],"category":["vulnerability"],"environment":["production"],"olderThanDays":30},"limit":50}',
    );
    // The sandbox's accounts are mapped to environments, so production goes to the platforms as its
    // accounts: Prisma and Orca return only matching records; Wiz's issues have no account filter.
    expect(result.stdout).toMatch(
      /wiz: server-side severity, category, olderThanDays; client-side environment; received \d+, matched \d+/,
    );
    expect(result.stdout).toMatch(
      /prisma: server-side severity, environment, olderThanDays; client-side category; received (\d+), matched \1\n/,
    );
    expect(result.stdout).toMatch(
      /orca: server-side severity, category, environment, olderThanDays; client-side \(nothing\); received (\d+), matched \1\n/,
    );
    expect(result.stdout).toContain('{"name":"cloud.accountId","operator":"=","value":"prod-eks"}');
    expect(result.stdout).toContain("POST /v2/alert");
    expect(result.stdout).toContain('"name":"policy.severity","operator":"=","value":"critical"');
    expect(result.stdout).toContain("POST /api/serving-layer/query");
    expect(result.stdout).toContain('"RiskLevel"');
    expect(result.stdout).toContain("POST /api/v2/Alerts/search");
  }, 120_000);

  it("explains the gaps of the compliance example", async () => {
    const result = await runCli(
      [
        "ask",
        "--sandbox",
        "--size",
        "100",
        "--json",
        "which resources are out of compliance with PCI DSS 8.3, and why?",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.query.filters).toEqual({ framework: "pci-dss-4.0", requirement: "8.3" });
    expect(answer.gaps.length).toBeGreaterThan(0);
    for (const gap of answer.gaps) {
      expect(gap.requirement).toMatch(/^8\.3\./);
      expect(gap.resourceCount).toBeGreaterThan(0);
      expect(gap.explanations[0].risk.length).toBeGreaterThan(0);
    }
    // Knowledge-base text explains several resources at once: no placeholder is left unfilled.
    expect(JSON.stringify(answer.gaps)).not.toContain("{{");
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations.some((citation: { consoleUrl?: string }) => citation.consoleUrl)).toBe(true);
    const calls = answer.nativeCalls as { platform: string; requests: { method: string; path: string }[] }[];
    expect(calls.map((call) => call.platform).sort()).toEqual(["lacework", "orca", "prisma", "wiz"]);
    for (const call of calls) expect(call.requests[0]).toMatchObject({ method: "POST" });
  }, 120_000);

  it("asks back when the question is vague, and refuses a write; exit code 2, nothing guessed", async () => {
    const vague = await runCli(["ask", "--sandbox", "--size", "10", "old findings"], { cwd: dir });
    expect(vague).toMatchObject({ code: 2 });
    expect(vague.stdout).toMatch(/^Which do you mean\? How old, in days\?/);
    const write = await runCli(["ask", "--sandbox", "--size", "10", "close every alert in wiz"], {
      cwd: dir,
    });
    expect(write.code).toBe(2);
    expect(write.stdout).toMatch(/^Cannot answer: Questions only read/);
  }, 120_000);
});

describe("cloudsteward query", () => {
  it("runs a typed query given as JSON, with counts by group", async () => {
    const result = await runCli(
      [
        "query",
        "--sandbox",
        "--size",
        "50",
        "--output",
        "json",
        "--json",
        '{"filters":{"severity":["critical","high"]},"groupBy":["platform"]}',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.groups.map((group: { key: { platform: string } }) => group.key.platform).sort()).toEqual([
      "lacework",
      "orca",
      "prisma",
      "wiz",
    ]);
    expect(body.total).toBe(
      body.groups.reduce((sum: number, group: { count: number }) => sum + group.count, 0),
    );
    expect(
      body.findings.every((finding: { severity: string }) => ["critical", "high"].includes(finding.severity)),
    ).toBe(true);
  }, 120_000);

  it("--plan shows the native requests without calling anything; a bad query is a usage error naming the field", async () => {
    const shown = await runCli(
      [
        "query",
        "--sandbox",
        "--size",
        "10",
        "--plan",
        "--json",
        '{"filters":{"platform":["orca"],"status":["open"]}}',
      ],
      { cwd: dir },
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("wiz: not asked (platform filter)");
    expect(shown.stdout).toMatch(
      /orca: server-side status; client-side platform\n\s+POST \/api\/serving-layer\/query/,
    );
    expect(shown.stdout).not.toContain("received");
    const bad = await runCli(["query", "--sandbox", "--json", '{"filters":{"severity":["urgent"]}}'], {
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("filters.severity.0");
    const write = await runCli(
      ["query", "--sandbox", "--json", '{"filters":{},"update":{"status":"resolved"}}'],
      { cwd: dir },
    );
    expect(write.code).toBe(2);
    expect(write.stderr).toMatch(/update/);
  }, 120_000);
});
