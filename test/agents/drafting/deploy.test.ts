import { describe, expect, it } from "vitest";
import { orca } from "../../../src/adapters/orca/index.js";
import { prisma } from "../../../src/adapters/prisma/index.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import {
  deployDraft,
  draftDeploymentsNamespace,
  draftPolicy,
  listDraftVersions,
  saveDraft,
} from "../../../src/agents/drafting/index.js";
import { type AuditLog, auditLog } from "../../../src/audit/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { serveSandbox } from "../../adapters/helpers.js";

const { sandbox } = serveSandbox({ seed: 31, size: 40, platforms: ["wiz", "prisma", "orca"] });

const policy = {
  principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:remediate"] }],
};

function setup() {
  const store = memoryStore();
  const audit = auditLog(store);
  const approvals = approvalQueue({ store, policy, audit });
  return { store, audit, approvals };
}

async function deployments(audit: AuditLog) {
  const events = [];
  for await (const record of audit.query())
    if (record.event.type === "draft-deployment") events.push(record.event);
  return events;
}

const wizWrites = () =>
  sandbox.emulations.wiz.writes.filter((write) => write.operation === "createCloudConfigurationRule");

describe("saveDraft", () => {
  it("keeps one version per distinct rule, with who drafted it, the digest and the fixture results", async () => {
    const { store, audit } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const first = await saveDraft(draft, { store, by: "alice", audit });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({
      ruleId: draft.rule.id,
      version: 1,
      requirement: "no storage bucket may be public",
      draftedBy: "alice",
      source: "template",
      ready: true,
    });
    expect(first.version.fixtures.passed).toBe(first.version.fixtures.total);
    expect(first.version.digest).toMatch(/^[0-9a-f]{24}$/);

    const again = await saveDraft(
      { ...draft, requirement: "buckets must not be public" },
      { store, by: "bob", audit },
    );
    expect(again).toEqual({ version: first.version, created: false });

    const changed = { ...draft, rule: { ...draft.rule, severity: "critical" as const } };
    const second = await saveDraft(changed, { store, by: "bob", audit });
    expect(second.created).toBe(true);
    expect(second.version.version).toBe(2);
    expect(second.version.digest).not.toBe(first.version.digest);

    const history = await listDraftVersions(store, draft.rule.id);
    expect(history.map((version) => [version.version, version.draftedBy])).toEqual([
      [1, "alice"],
      [2, "bob"],
    ]);
    const audited = [];
    for await (const record of audit.query())
      if (record.event.type === "draft-version") audited.push(record.event);
    expect(audited.map((event) => event.data.version)).toEqual([1, 2]);
  });
});

describe("deployDraft", () => {
  it("waits for approval, then creates the Wiz rule once per version, and audits each outcome", async () => {
    const { store, audit, approvals } = setup();
    const { version } = await saveDraft(await draftPolicy("no storage bucket may be public"), {
      store,
      by: "alice",
    });
    const source = wiz({ ...sandbox.wiz, rateLimit: false, allowWrite: true });
    const options = { platform: "wiz" as const, source, store, approvals, requester: "alice", audit };
    const before = wizWrites().length;

    const held = await deployDraft(version, options);
    expect(held.map((result) => result.outcome)).toEqual(["held"]);
    expect(wizWrites().length).toBe(before);
    const approvalId = held[0]!.approvalId!;
    await expect(approvals.approve(approvalId, { principal: "alice" })).rejects.toThrow(/own request/);
    await approvals.approve(approvalId, { principal: "bob" });

    const written = await deployDraft(version, options);
    expect(written).toEqual([expect.objectContaining({ outcome: "written", platform: "wiz", version: 1 })]);
    expect(written[0]!.ref).toMatch(/^ccr-/);
    expect(wizWrites().length).toBe(before + 1);
    const input = wizWrites().at(-1)!.input;
    expect(input).toMatchObject({ enabled: false, severity: "HIGH" });
    expect(String(input.opaPolicy)).toContain("package wiz");

    const again = await deployDraft(version, options);
    expect(again).toEqual([expect.objectContaining({ outcome: "existing", ref: written[0]!.ref })]);
    expect(wizWrites().length).toBe(before + 1);
    expect((await store.get(draftDeploymentsNamespace, `${version.ruleId}/1/wiz/0`)) as object).toMatchObject(
      {
        state: "written",
        digest: version.digest,
      },
    );

    expect((await deployments(audit)).map((event) => [event.data.outcome, event.data.approvedBy])).toEqual([
      ["held", undefined],
      ["written", "bob"],
      ["existing", "bob"],
    ]);
  });

  it("refuses an approved deployment through a source without allowWrite, sending nothing", async () => {
    const { store, audit, approvals } = setup();
    const { version } = await saveDraft(await draftPolicy("no storage bucket may be public"), {
      store,
      by: "alice",
    });
    const source = wiz({ ...sandbox.wiz, rateLimit: false });
    const options = { platform: "wiz" as const, source, store, approvals, requester: "alice", audit };
    const [held] = await deployDraft(version, options);
    await approvals.approve(held!.approvalId!, { principal: "bob" });
    const before = wizWrites().length;
    const [refused] = await deployDraft(version, options);
    expect(refused).toMatchObject({ outcome: "refused" });
    expect(refused!.message).toMatch(/allowWrite/);
    expect(wizWrites().length).toBe(before);
    expect(await store.get(draftDeploymentsNamespace, `${version.ruleId}/1/wiz/0`)).toBeUndefined();
    expect((await deployments(audit)).map((event) => event.data.outcome)).toEqual(["held", "refused"]);
  });

  it("sends nothing for a rejected deployment", async () => {
    const { store, approvals } = setup();
    const { version } = await saveDraft(await draftPolicy("no storage bucket may be public"), {
      store,
      by: "alice",
    });
    const source = wiz({ ...sandbox.wiz, rateLimit: false, allowWrite: true });
    const options = { platform: "wiz" as const, source, store, approvals, requester: "alice" };
    const [held] = await deployDraft(version, options);
    await approvals.reject(held!.approvalId!, { principal: "bob", comment: "wrong scope" });
    const before = wizWrites().length;
    expect((await deployDraft(version, options)).map((result) => result.outcome)).toEqual(["rejected"]);
    expect(wizWrites().length).toBe(before);
  });

  it("creates Orca Sonar rules, and asks a new approval for a new version", async () => {
    const { store, approvals } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const { version } = await saveDraft(draft, { store, by: "alice" });
    const source = orca({ ...sandbox.orca, rateLimit: false, allowWrite: true });
    const options = { platform: "orca" as const, source, store, approvals, requester: "alice" };
    const held = await deployDraft(version, options);
    const orcaPolicies = draft.policies.filter((policy) => policy.platform === "orca");
    expect(held).toHaveLength(orcaPolicies.length);
    await approvals.approve(held[0]!.approvalId!, { principal: "bob" });
    const before = sandbox.emulations.orca.writes.length;
    const written = await deployDraft(version, options);
    expect(written.every((result) => result.outcome === "written" && /^r/.test(result.ref ?? ""))).toBe(true);
    expect(sandbox.emulations.orca.writes.length).toBe(before + orcaPolicies.length);

    const { version: next } = await saveDraft(
      { ...draft, rule: { ...draft.rule, severity: "low" } },
      { store, by: "bob" },
    );
    const nextHeld = await deployDraft(next, options);
    expect(nextHeld.map((result) => result.outcome)).toEqual(orcaPolicies.map(() => "held"));
    expect(nextHeld[0]!.approvalId).not.toBe(held[0]!.approvalId);
  });

  it("answers unsupported for Prisma Cloud without queuing an approval, and refuses a draft that is not ready", async () => {
    const { store, approvals } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const { version } = await saveDraft(draft, { store, by: "alice" });
    const source = prisma({ ...sandbox.prisma, rateLimit: false, allowWrite: true });
    const results = await deployDraft(version, {
      platform: "prisma",
      source,
      store,
      approvals,
      requester: "alice",
    });
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((result) => result.outcome === "unsupported")).toBe(true);
    const queued = [];
    for await (const request of approvals.list()) queued.push(request);
    expect(queued).toEqual([]);

    const broken = { ...draft, rule: { ...draft.rule, id: "broken" }, ready: false };
    const { version: notReady } = await saveDraft(broken, { store, by: "alice" });
    await expect(
      deployDraft(notReady, {
        platform: "wiz",
        source: wiz({ ...sandbox.wiz }),
        store,
        approvals,
        requester: "alice",
      }),
    ).rejects.toThrow(/fails its own fixtures/);
    await expect(
      deployDraft(version, { platform: "wiz", source, store, approvals, requester: "alice" }),
    ).rejects.toThrow(/source is for prisma/);
  });
});
