import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lacework } from "../../../src/adapters/lacework/index.js";
import { orca } from "../../../src/adapters/orca/index.js";
import { prisma } from "../../../src/adapters/prisma/index.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { compileFilters, parseOffline, runQuery } from "../../../src/agents/query/index.js";
import type { PostureFilters } from "../../../src/agents/query/schema.js";
import { estateAccountEnvironments } from "../../../src/testing/estate.js";
import { startSandbox } from "../../../src/testing/sandbox/server.js";

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, size: 120 });
});
afterAll(async () => {
  await sandbox.close();
});

const sources = () => [
  wiz({ ...sandbox.wiz, rateLimit: false }),
  prisma({ ...sandbox.prisma, rateLimit: false }),
  orca({ ...sandbox.orca, rateLimit: false }),
  lacework({ ...sandbox.lacework, rateLimit: false }),
];
const now = () => new Date(sandbox.estate.now);

describe("the age bound pushed to the sandbox's platforms", () => {
  it("returns only findings first seen 30 or more days ago, the same answer as fetching everything", async () => {
    const filters: PostureFilters = { severity: ["critical", "high"], category: ["vulnerability"] };
    const aged = await runQuery(
      { filters: { ...filters, olderThanDays: 30 }, limit: 1000 },
      { sources: sources(), now },
    );
    const all = await runQuery({ filters, limit: 1000 }, { sources: sources(), now });
    const bound = Date.parse(sandbox.estate.now) - 30 * 86_400_000;
    const expected = all.findings.filter((finding) => Date.parse(finding.firstSeen) <= bound);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.findings.length);
    expect(aged.findings.map((finding) => finding.id).sort()).toEqual(
      expected.map((finding) => finding.id).sort(),
    );
    // Wiz, Prisma and Orca apply the bound server-side: every record they return matches.
    for (const platform of ["wiz", "prisma", "orca"]) {
      const read = aged.reads.find((entry) => entry.platform === platform)!;
      expect(read.received, platform).toBe(read.matched);
    }
    const received = (result: typeof aged) => result.reads.reduce((sum, read) => sum + read.received, 0);
    expect(received(aged)).toBeLessThan(received(all));
  });
});

describe("the environment pushed as the accounts mapped to it", () => {
  it("answers the first example question with only matching records from Wiz, Prisma and Orca", async () => {
    const parsed = parseOffline(
      "show me all resources in production with critical vulnerabilities older than 30 days",
    );
    if (parsed.kind !== "query") throw new Error(parsed.kind);
    const accountEnvironments = estateAccountEnvironments(sandbox.estate);
    const pushed = await runQuery(
      { ...parsed.query, limit: 1000 },
      { sources: sources(), now, accountEnvironments },
    );
    // Everything fetched, the whole query applied afterwards: the same answer.
    const everything = await runQuery({ limit: 1000 }, { sources: sources(), now });
    const matches = compileFilters(parsed.query.filters, { asOf: now(), accountEnvironments });
    const expected = everything.findings.filter((finding) => matches(finding)).map((finding) => finding.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(pushed.findings.map((finding) => finding.id).sort()).toEqual(expected.sort());
    for (const platform of ["wiz", "prisma", "orca"]) {
      const read = pushed.reads.find((entry) => entry.platform === platform)!;
      expect(read.received, platform).toBe(read.matched);
      expect(read.error, platform).toBeUndefined();
    }
    const production = new Set(
      sandbox.estate.accounts.filter((account) => account.environment === "production").map((a) => a.id),
    );
    expect(pushed.findings.every((finding) => production.has(finding.resource.accountId))).toBe(true);
  });
});
