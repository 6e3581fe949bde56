import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { analyzeException, requestException } from "../../../src/agents/exceptions/index.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 16, size: 40, platforms: ["wiz"] });
});
afterAll(() => sandbox.close());

describe("analyzeException against the sandbox's Wiz", () => {
  it("reads the finding again through the adapter's getFinding and grounds the memo in what Wiz returns", async () => {
    const source = wiz({ ...sandbox.wiz, rateLimit: false });
    let finding: Finding | undefined;
    for await (const candidate of source.findings()) {
      if (candidate.resource.tags.env || candidate.resource.tags.environment) {
        finding = candidate;
        break;
      }
    }
    if (!finding) throw new Error("the sandbox estate has no tagged Wiz finding");
    const store = memoryStore();
    const now = new Date(Date.parse(finding.lastSeen) + 86_400_000);
    const policy = { principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }] };
    // The request carries only what requestException needs; the rest comes from Wiz.
    const record = await requestException(
      {
        kind: "exception",
        findings: [
          {
            id: finding.id,
            severity: finding.severity,
            rule: { id: finding.rule.id },
            resource: { id: finding.resource.id, accountId: finding.resource.accountId, tags: {} },
          },
        ],
        scope: "resource",
        requester: "alice",
        justification: "A migration window needs this until the cut-over",
        requestedUntil: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
      },
      { store, policy, now: () => now },
    );

    const analysis = await analyzeException(record, { store, policy, sources: [source], now: () => now });

    expect(analysis.warnings).toEqual([]);
    expect(analysis.findings.map((read) => read.id)).toEqual([finding.id]);
    expect(analysis.findings[0]?.rule.name).toBe(finding.rule.name);
    expect(analysis.environment).not.toBe("unknown");
    const cnapp = analysis.facts.find((fact) => fact.source === "cnapp:wiz");
    expect(cnapp?.text).toContain(
      `rule “${finding.rule.name}” on ${finding.resource.type} ${finding.resource.id}`,
    );
    expect(analysis.memo.sentences[1]?.cites).toContain(cnapp?.id);
    expect(analysis.compensatingControls.length).toBeGreaterThan(0);
  });
});
