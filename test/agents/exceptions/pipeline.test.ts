import { describe, expect, it } from "vitest";
import { applyExceptions, decideException, requestException } from "../../../src/agents/exceptions/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import { auditLog } from "../../../src/audit/index.js";
import type { Case } from "../../../src/core/case.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Stage } from "../../../src/core/stage.js";
import { makeFinding } from "../../../src/testing/factories.js";

describe("applyExceptions in a pipeline", () => {
  it("keeps excepted findings out of triage's cases and records why in the audit log", async () => {
    const now = new Date("2026-04-01T00:00:00Z");
    const store = memoryStore();
    const policy = { principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }] };
    const excepted = makeFinding({
      rule: { id: "s3-public" },
      resource: { id: "bucket-web", accountId: "111" },
    });
    const kept = makeFinding({
      rule: { id: "s3-public" },
      resource: { id: "bucket-data", accountId: "111" },
    });
    const options = { store, policy, now: () => now };
    const record = await requestException(
      {
        kind: "exception",
        findings: [excepted],
        scope: "resource",
        requester: "alice",
        justification: "The public website's assets bucket is public by design",
        requestedUntil: "2026-05-01T00:00:00Z",
      },
      options,
    );
    await decideException(record.id, { decision: "approve", principal: "bob" }, options);

    const cases: Case[] = [];
    const collect: Stage<Case, Case> = {
      name: "collect",
      async *run(input) {
        for await (const item of input) {
          cases.push(item);
          yield item;
        }
      },
    };
    const audit = auditLog(store, { now: () => now });
    const report = await pipeline({
      source: (async function* () {
        yield* [excepted, kept];
      })(),
      stages: [applyExceptions(), triage(), collect],
      store,
      audit,
      now: () => now,
    }).start();

    expect(cases.flatMap((item) => item.findings.map((finding) => finding.id))).toEqual([kept.id]);
    expect(report.warnings.filter((warning) => warning.feature === "exceptions.suppressed")).toHaveLength(1);
    const suppressions = [];
    for await (const record of audit.query())
      if (record.event.type === "suppression") suppressions.push(record.event);
    expect(suppressions).toEqual([
      expect.objectContaining({
        findingIds: [excepted.id],
        data: expect.objectContaining({ exceptionId: record.id }),
      }),
    ]);
  });
});
