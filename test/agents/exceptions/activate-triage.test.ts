import { describe, expect, it } from "vitest";
import { decideException, requestException } from "../../../src/agents/exceptions/index.js";
import { type Case, caseSchema } from "../../../src/core/case.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding } from "../../../src/testing/factories.js";
import { casesAt } from "./helpers.js";

const day = 86_400_000;
const requestedAt = new Date("2026-03-01T00:00:00Z");
const at = (days: number) => new Date(requestedAt.getTime() + days * day);
const policy = { principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }] };

describe("an approved exception in triage, by the clock", () => {
  it("withholds its findings from its start to its expiry and names itself in the case of their group", async () => {
    const store = memoryStore();
    const excepted = makeFinding({
      rule: { id: "s3-public" },
      resource: { id: "bucket-web", accountId: "111" },
    });
    const kept = makeFinding({
      rule: { id: "s3-public" },
      resource: { id: "bucket-data", accountId: "111" },
    });
    const other = makeFinding({
      rule: { id: "sg-open" },
      resource: { id: "sg-1", accountId: "111", tags: { owner: "team-b" } },
    });
    const findings = [excepted, kept, other];
    const options = { store, policy, now: () => requestedAt };
    const requested = await requestException(
      {
        kind: "risk-acceptance",
        findings: [excepted],
        scope: "resource",
        requester: "alice",
        justification: "The public website's assets bucket is public by design",
        startsAt: at(2).toISOString(),
        requestedUntil: at(10).toISOString(),
        residualRisk: "low",
      },
      options,
    );
    const record = await decideException(requested.id, { decision: "approve", principal: "bob" }, options);
    expect(record.state).toBe("approved");

    const idsOf = (cases: Case[]) =>
      cases.flatMap((item) => item.findings.map((finding) => finding.id)).sort();
    // Before its start: nothing is withheld, and no case names it.
    const before = await casesAt(store, findings, at(1));
    expect(idsOf(before)).toEqual([excepted.id, kept.id, other.id].sort());
    expect(before.every((item) => item.exceptions === undefined)).toBe(true);

    // From its start (inclusive) until just before its expiry: withheld, and named in its group's case.
    for (const now of [at(2), at(5), new Date(at(10).getTime() - 1)]) {
      const cases = await casesAt(store, findings, now);
      expect(idsOf(cases)).toEqual([kept.id, other.id].sort());
      const bucketCase = cases.find((item) => item.findings.some((finding) => finding.id === kept.id))!;
      expect(bucketCase.exceptions).toEqual([
        { id: record.id, kind: "risk-acceptance", expiresAt: record.expiresAt, findingIds: [excepted.id] },
      ]);
      expect(caseSchema.parse(bucketCase).exceptions).toEqual(bucketCase.exceptions);
      const otherCase = cases.find((item) => item.findings.some((finding) => finding.id === other.id))!;
      expect(otherCase.exceptions).toBeUndefined();
    }

    // At its expiry the finding counts again, even before a sweep marks the exception expired.
    const after = await casesAt(store, findings, at(10));
    expect(idsOf(after)).toEqual([excepted.id, kept.id, other.id].sort());
    expect(after.every((item) => item.exceptions === undefined)).toBe(true);
  });

  it("names no case when the exception withheld every finding of the group", async () => {
    const store = memoryStore();
    const excepted = makeFinding({
      rule: { id: "s3-public" },
      resource: { id: "bucket-web", accountId: "111" },
    });
    const other = makeFinding({
      rule: { id: "sg-open" },
      resource: { id: "sg-1", accountId: "111", tags: { owner: "team-b" } },
    });
    const options = { store, policy, now: () => requestedAt };
    const requested = await requestException(
      {
        kind: "exception",
        findings: [excepted],
        scope: "resource",
        requester: "alice",
        justification: "The public website's assets bucket is public by design",
        requestedUntil: at(10).toISOString(),
      },
      options,
    );
    await decideException(requested.id, { decision: "approve", principal: "bob" }, options);
    const cases = await casesAt(store, [excepted, other], at(1));
    expect(cases.map((item) => item.findings.map((finding) => finding.id))).toEqual([[other.id]]);
    expect(cases[0]!.exceptions).toBeUndefined();
  });
});
