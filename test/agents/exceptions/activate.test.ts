import { describe, expect, it } from "vitest";
import { lacework } from "../../../src/adapters/lacework/index.js";
import { orca } from "../../../src/adapters/orca/index.js";
import { prisma } from "../../../src/adapters/prisma/index.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import {
  activateException,
  commentException,
  decideException,
  type ExceptionRecord,
  exceptionWriteBackNamespace,
  requestException,
  withdrawException,
} from "../../../src/agents/exceptions/index.js";
import { type AuditLog, auditLog } from "../../../src/audit/index.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { Store } from "../../../src/core/store.js";
import { collect, serveSandbox } from "../../adapters/helpers.js";

const { sandbox } = serveSandbox({ seed: 23, size: 80, platforms: ["wiz", "prisma", "orca", "lacework"] });

const policy = {
  principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }],
  exceptions: { criticalQuorum: 1 as const },
};
const secret = "AKIAIOSFODNN7EXAMPLE";

const sources = (allowWrite: boolean) => [
  wiz({ ...sandbox.wiz, rateLimit: false, allowWrite }),
  prisma({ ...sandbox.prisma, rateLimit: false, allowWrite }),
  orca({ ...sandbox.orca, rateLimit: false, allowWrite }),
  lacework({ ...sandbox.lacework, rateLimit: false, allowWrite }),
];

/** One finding per platform that is open there now (on Wiz an issue, so it takes notes). */
async function openFindings(): Promise<Finding[]> {
  const issues = new Set(
    sandbox.estate.findings
      .filter((finding) => finding.wizKind === "issue" && finding.category !== "threat")
      .map((finding) => `wiz:${finding.reportedBy.wiz}`),
  );
  const found: Finding[] = [];
  for (const source of sources(false)) {
    const open = await collect(source.findings({ status: ["open"] }));
    found.push(
      open.find((finding) =>
        source.platform === "wiz"
          ? issues.has(finding.id)
          : // A Lacework policy alert (an anomaly alert has no policy to except).
            source.platform !== "lacework" || /-\d+$/.test(finding.rule.id),
      )!,
    );
  }
  return found;
}

/** The estate's write counts, to tell that nothing was sent. */
const writeCounts = () => [
  sandbox.emulations.wiz.writes.length,
  sandbox.emulations.prisma.writes.length,
  sandbox.emulations.orca.writes.length,
  sandbox.emulations.lacework.writes.length,
];

async function approved(store: Store, findings: Finding[], days = 30): Promise<ExceptionRecord> {
  const options = { store, policy };
  const record = await requestException(
    {
      kind: "risk-acceptance",
      findings,
      scope: "resource",
      requester: "alice",
      justification: "Legacy payment gateway until the Q3 migration",
      requestedUntil: new Date(Date.now() + days * 86_400_000).toISOString(),
      residualRisk: "medium",
      compensatingControls: [{ description: "WAF rule blocks the path" }],
    },
    options,
  );
  return decideException(record.id, { decision: "approve", principal: "bob" }, options);
}

async function auditRecords(audit: AuditLog) {
  const events = [];
  for await (const record of audit.query()) events.push(record.event);
  return events.filter((event) => event.type === "exception-write-back");
}

describe("activateException", () => {
  it("writes the approved exception to each platform with the same expiry, once, and audits every outcome", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const findings = await openFindings();
    const record = await approved(store, findings);
    expect(record.state).toBe("active");
    const options = { sources: sources(true), store, audit };

    const results = await activateException(record, options);
    const created = results.slice(0, 4);
    expect(created.map((result) => [result.platform, result.outcome])).toEqual([
      ["wiz", "written"],
      ["prisma", "written"],
      ["orca", "written"],
      ["lacework", "written"],
    ]);
    // The platforms show the findings as accepted: the Wiz issue is covered by an ignore rule whose
    // expiredAt is the exception's expiry, Prisma snoozed it until then, Orca for whole days.
    const [wizSource, prismaSource, orcaSource] = options.sources;
    expect((await wizSource!.getFinding!(findings[0]!.id))?.status).toBe("risk_accepted");
    expect((await prismaSource!.getFinding!(findings[1]!.id))?.status).toBe("risk_accepted");
    expect((await orcaSource!.getFinding!(findings[2]!.id))?.status).toBe("risk_accepted");
    const rule = sandbox.emulations.wiz.writes.findLast((write) => write.operation === "createIgnoreRule")!;
    expect(rule.input.expiredAt).toBe(record.expiresAt);
    expect(created[0]!.ref?.until).toBe(record.expiresAt);
    expect(created[1]!.ref?.until).toBe(record.expiresAt);
    expect(Date.parse(created[2]!.ref!.until!)).toBeGreaterThanOrEqual(Date.parse(record.expiresAt));
    expect(created[3]!.ref?.until).toBeUndefined();

    // The approval is commented where the platform has a comment API; Prisma has none.
    expect(results.slice(4).map((result) => [result.platform, result.outcome])).toEqual([
      ["wiz", "written"],
      ["prisma", "unsupported"],
      ["orca", "written"],
      ["lacework", "written"],
    ]);
    const note = sandbox.emulations.wiz.writes.at(-1)!;
    expect(note.operation).toBe("createIssueNote");
    expect(String(note.input.text)).toContain(`${record.id} approved by bob until ${record.expiresAt}`);

    // Activating again sends nothing: the ledger's key is the exception id.
    const before = writeCounts();
    const again = await activateException(record, options);
    expect(
      again.filter((result) => result.outcome !== "unsupported").map((result) => result.outcome),
    ).toEqual(Array(7).fill("existing"));
    expect(again[0]!.ref).toEqual(created[0]!.ref);
    expect(writeCounts()).toEqual(before);

    const audited = await auditRecords(audit);
    expect(audited).toHaveLength(16);
    expect(audited[0]!.data).toMatchObject({
      exceptionId: record.id,
      step: "create",
      platform: "wiz",
      outcome: "written",
      ref: created[0]!.ref!.id,
    });
  });

  it("refuses clearly without allowWrite, sends nothing, and writes later once allowed", async () => {
    const store = memoryStore();
    const findings = await openFindings();
    const record = await approved(store, findings.slice(2, 3));
    const before = writeCounts();
    const refused = await activateException(record, { sources: sources(false), store });
    expect(refused.map((result) => result.outcome)).toEqual(["refused", "refused"]);
    expect(refused[0]!.message).toMatch(/allowWrite: true/);
    expect(writeCounts()).toEqual(before);
    const written = await activateException(record, { sources: sources(true), store });
    expect(written.map((result) => result.outcome)).toEqual(["written", "written"]);
  });

  it("refuses an exception that is not approved, or not started", async () => {
    const store = memoryStore();
    const findings = await openFindings();
    const record = await requestException(
      {
        kind: "exception",
        findings: findings.slice(0, 1),
        scope: "resource",
        requester: "alice",
        justification: "Vendor appliance needs it until the upgrade",
        requestedUntil: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      },
      { store, policy },
    );
    await expect(activateException(record, { sources: sources(true), store })).rejects.toMatchObject({
      field: "state",
    });
    const ahead = { ...record, state: "approved" as const, startsAt: record.expiresAt };
    await expect(activateException(ahead, { sources: sources(true), store })).rejects.toMatchObject({
      field: "startsAt",
    });
  });

  it("reports a platform with no source as unsupported and a pending write as pending, sending nothing", async () => {
    const store = memoryStore();
    const findings = await openFindings();
    const record = await approved(store, findings.slice(0, 2));
    await store.set(exceptionWriteBackNamespace, `${record.id}/${findings[0]!.id}`, {
      state: "pending",
      exceptionId: record.id,
      findingId: findings[0]!.id,
      platform: "wiz",
      updatedAt: new Date().toISOString(),
    });
    const results = await activateException(record, { sources: sources(true).slice(0, 1), store });
    expect(results.map((result) => result.outcome)).toEqual([
      "pending",
      "unsupported",
      "written",
      "unsupported",
    ]);
    expect(results[0]!.message).toMatch(/check wiz, then delete the entry/);
    expect(results[1]!.message).toBe('no source for platform "prisma"');
  });
});

describe("withdrawException", () => {
  it("on revocation removes what was written, so each finding is open on its platform again", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const findings = await openFindings();
    const record = await approved(store, findings);
    const options = { sources: sources(true), store, audit };
    await activateException(record, options);
    const revoked = await decideException(
      record.id,
      { decision: "revoke", principal: "bob", comment: "migration done early" },
      { store, policy },
    );
    const results = await withdrawException(revoked, options);
    expect(results.slice(0, 4).map((result) => [result.platform, result.outcome])).toEqual([
      ["wiz", "removed"],
      ["prisma", "removed"],
      ["orca", "removed"],
      ["lacework", "removed"],
    ]);
    const [wizSource, prismaSource, orcaSource] = options.sources;
    expect((await wizSource!.getFinding!(findings[0]!.id))?.status).toBe("open");
    expect((await prismaSource!.getFinding!(findings[1]!.id))?.status).toBe("open");
    expect((await orcaSource!.getFinding!(findings[2]!.id))?.status).toBe("open");
    expect(
      sandbox.emulations.lacework.writes.some((write) => write.operation === "deletePolicyException"),
    ).toBe(true);
    const orcaComment = sandbox.emulations.orca.writes.at(-1)!;
    expect(JSON.stringify(orcaComment.body)).toContain("revoked by bob: migration done early");
    // Withdrawing again sends nothing more than the (already written) comments.
    const before = writeCounts();
    const again = await withdrawException(revoked, options);
    expect(again.every((result) => ["existing", "unsupported"].includes(result.outcome))).toBe(true);
    expect(writeCounts()).toEqual(before);
    const steps = (await auditRecords(audit)).map((entry) => `${entry.data.step}:${entry.data.outcome}`);
    expect(steps.filter((step) => step === "revoke:removed")).toHaveLength(4);
  });

  it("at expiry lets the platform's own expiry run out, and removes what the platform would keep", async () => {
    const store = memoryStore();
    const findings = await openFindings();
    const record = await approved(store, findings);
    const options = { sources: sources(true), store };
    const activated = await activateException(record, options);
    expect(
      activated.slice(0, 4).map((result) => result.outcome),
      JSON.stringify(activated),
    ).toEqual(Array(4).fill("written"));
    const expired: ExceptionRecord = { ...record, state: "expired" };
    const results = await withdrawException(expired, options);
    expect(results.length, JSON.stringify(results)).toBeGreaterThan(4);
    // Wiz and Prisma end at the same instant; Orca's snooze runs to the end of a whole day, and a
    // Lacework policy exception has no expiry: both are removed.
    expect(results.slice(0, 4).map((result) => [result.platform, result.outcome])).toEqual([
      ["wiz", "lapsed"],
      ["prisma", "lapsed"],
      ["orca", "removed"],
      ["lacework", "removed"],
    ]);
    await expect(withdrawException(record, options)).rejects.toMatchObject({ field: "state" });
  });
});

describe("commentException", () => {
  it("writes an AI suggestion once per finding where the platform takes comments, secrets redacted", async () => {
    const store = memoryStore();
    const findings = await openFindings();
    const record = await approved(store, findings);
    const options = { sources: sources(true), store };
    const text = `AI suggestion: approve with conditions (WAF verified; old key ${secret} rotated).`;
    const results = await commentException(record, text, options);
    expect(results.map((result) => result.outcome)).toEqual(["written", "unsupported", "written", "written"]);
    const written = [
      sandbox.emulations.wiz.writes.at(-1)!.input,
      sandbox.emulations.orca.writes.at(-1)!.body,
      sandbox.emulations.lacework.writes.at(-1)!.body,
    ];
    for (const body of written) {
      expect(JSON.stringify(body)).toContain("AI suggestion: approve with conditions");
      expect(JSON.stringify(body)).not.toContain(secret);
    }
    const before = writeCounts();
    const again = await commentException(record, text, options);
    expect(again.map((result) => result.outcome)).toEqual([
      "existing",
      "unsupported",
      "existing",
      "existing",
    ]);
    expect(writeCounts()).toEqual(before);
  });
});
