import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orca } from "../../../src/adapters/orca/index.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import type { Finding } from "../../../src/core/finding.js";
import type { FindingSource } from "../../../src/core/source.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, size: 120, platforms: ["wiz", "orca"] });
});
afterAll(() => sandbox.close());

async function byEstateId(source: FindingSource, platform: "wiz" | "orca") {
  const findings = new Map<string, Finding>();
  for await (const finding of source.findings()) findings.set(finding.source.nativeId, finding);
  const result = new Map<string, Finding>();
  for (const estateFinding of sandbox.estate.findings) {
    const nativeId = estateFinding.reportedBy[platform];
    const finding = nativeId === undefined ? undefined : findings.get(nativeId);
    if (finding) result.set(estateFinding.id, finding);
  }
  return result;
}

describe("orca and wiz on the same resource", () => {
  it("give a problem reported by both the same dedupKey (apart from platform-specific threat rules)", async () => {
    const fromWiz = await byEstateId(wiz({ ...sandbox.wiz, rateLimit: false }), "wiz");
    const fromOrca = await byEstateId(orca({ ...sandbox.orca, rateLimit: false }), "orca");
    const shared = sandbox.estate.findings.filter(
      (finding) => finding.reportedBy.wiz && finding.reportedBy.orca,
    );
    expect(shared.length).toBeGreaterThan(10);
    const mismatched: string[] = [];
    let compared = 0;
    for (const finding of shared) {
      const a = fromWiz.get(finding.id)!;
      const b = fromOrca.get(finding.id)!;
      expect(b.resource.type).toBe(a.resource.type);
      expect(b.resource.accountId).toBe(a.resource.accountId);
      // A generic threat has no specific archetype, so each platform keys it by its own rule id.
      if (finding.archetype === "threat-detected") continue;
      compared++;
      if (a.dedupKey !== b.dedupKey) mismatched.push(`${finding.archetype} on ${finding.resourceId}`);
    }
    expect(compared).toBeGreaterThan(10);
    expect(mismatched).toEqual([]);
  });
});
