import { describe, expect, it } from "vitest";
import { lacework } from "../../../src/adapters/lacework/index.js";
import { orca } from "../../../src/adapters/orca/index.js";
import { prisma } from "../../../src/adapters/prisma/index.js";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { approvalQueue } from "../../../src/agents/approvals/index.js";
import {
  compilePolicies,
  deployDraft,
  draftDeploymentsNamespace,
  draftPolicy,
  listDraftVersions,
  saveDraft,
} from "../../../src/agents/drafting/index.js";
import { type AuditLog, auditLog } from "../../../src/audit/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { serveSandbox } from "../../adapters/helpers.js";

const { sandbox } = serveSandbox({ seed: 31, size: 40, platforms: ["wiz", "prisma", "lacework", "orca"] });

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

  it("creates Prisma Cloud config policies with the RQL as criteria, once, named uniquely", async () => {
    const { store, audit, approvals } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const { version } = await saveDraft(draft, { store, by: "alice" });
    const source = prisma({ ...sandbox.prisma, rateLimit: false, allowWrite: true });
    const options = { platform: "prisma" as const, source, store, approvals, requester: "alice", audit };
    const created = () => sandbox.emulations.prisma.writes.filter((write) => write.route === "createPolicy");
    const before = created().length;
    const [held] = await deployDraft(version, options);
    expect(held).toMatchObject({ outcome: "held" });
    expect(created().length).toBe(before);
    await approvals.approve(held!.approvalId!, { principal: "bob" });

    const written = await deployDraft(version, options);
    expect(written).toEqual([expect.objectContaining({ outcome: "written", platform: "prisma" })]);
    expect(written[0]!.ref).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const body = created().at(-1)!.body as {
      rule: { criteria: string; parameters: object };
      enabled: boolean;
    };
    const rql = draft.policies.find((policy) => policy.platform === "prisma")!.text;
    expect(body.rule.criteria).toBe(rql);
    expect(body.rule.parameters).toEqual({ savedSearch: "false", withIac: "false" });
    expect(body.enabled).toBe(false);

    expect(await deployDraft(version, options)).toEqual([
      expect.objectContaining({ outcome: "existing", ref: written[0]!.ref }),
    ]);
    expect(created().length).toBe(before + 1);
    expect((await deployments(audit)).map((event) => event.data.outcome)).toEqual([
      "held",
      "written",
      "existing",
    ]);
  });

  it("finds the Prisma policy id by its name when the create answer carries none", async () => {
    const { store, approvals } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const rule = { ...draft.rule, id: "public-bucket-by-name", title: "Public buckets (by name)" };
    const renamed = { ...draft, rule, policies: compilePolicies(rule).policies };
    const { version } = await saveDraft(renamed, { store, by: "alice" });
    // An answer without a body, as the vendor's Go SDK expects (it identifies the policy by name).
    const fetchWithoutId: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      return new URL(request.url).pathname.endsWith("/policy") && request.method === "POST" && response.ok
        ? new Response("{}", { status: 200, headers: { "content-type": "application/json" } })
        : response;
    };
    const source = prisma({ ...sandbox.prisma, rateLimit: false, allowWrite: true, fetch: fetchWithoutId });
    const options = { platform: "prisma" as const, source, store, approvals, requester: "alice" };
    const [held] = await deployDraft(version, options);
    await approvals.approve(held!.approvalId!, { principal: "bob" });
    const [written] = await deployDraft(version, options);
    expect(written).toMatchObject({ outcome: "written" });
    const listed = sandbox.emulations.prisma.writes.filter((write) => write.route === "createPolicy");
    expect(listed.at(-1)!.body.name).toBe(policyName(version.draft.policies, "prisma"));
    expect(written!.ref).toMatch(/^[0-9a-f]{8}-/);
  });

  it("saves each Lacework query per version, then creates its policy, and retries a refused policy without re-saving the query", async () => {
    const { store, approvals } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const { version } = await saveDraft(draft, { store, by: "alice" });
    let refuseNextPolicy = true;
    const flaky: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname.endsWith("/api/v2/Policies") && refuseNextPolicy) {
        refuseNextPolicy = false;
        return new Response(JSON.stringify({ message: "Policy service busy, try later" }), { status: 400 });
      }
      return fetch(request);
    };
    const source = lacework({ ...sandbox.lacework, rateLimit: false, allowWrite: true, fetch: flaky });
    const options = { platform: "lacework" as const, source, store, approvals, requester: "alice" };
    const writes = (operation: string) =>
      sandbox.emulations.lacework.writes.filter((write) => write.operation === operation);
    const held = await deployDraft(version, options);
    const laceworkPolicies = draft.policies.filter((policy) => policy.platform === "lacework");
    expect(held.map((result) => result.outcome)).toEqual(laceworkPolicies.map(() => "held"));
    await approvals.approve(held[0]!.approvalId!, { principal: "bob" });

    const first = await deployDraft(version, options);
    expect(first.map((result) => result.outcome)).toEqual(["failed", "written"]);
    expect(first[0]!.message).toMatch(/busy/);
    expect(await store.get(draftDeploymentsNamespace, `${version.ruleId}/1/lacework/0`)).toBeUndefined();
    const second = await deployDraft(version, options);
    expect(second.map((result) => result.outcome)).toEqual(["written", "existing"]);
    expect(second[0]!.ref).toMatch(/^sandbox-custom-/);

    const saved = writes("saveQuery").map((write) => write.target);
    expect(saved.filter((id) => id.endsWith("_v1"))).toEqual(
      laceworkPolicies.map(
        (policy) => `${(policy.request as { query: { queryId: string } }).query.queryId}_v1`,
      ),
    );
    const policies = writes("createPolicy").map((write) => write.body);
    expect(policies).toHaveLength(laceworkPolicies.length);
    for (const policy of policies) expect(policy).toMatchObject({ policyType: "Violation", enabled: false });
    expect(policies.map((policy) => policy.queryId).sort()).toEqual(
      saved.filter((id) => id.endsWith("_v1")).sort(),
    );
  });

  it("answers unsupported for a platform the rule could not be compiled for, and refuses a draft that is not ready", async () => {
    const { store, approvals } = setup();
    const draft = await draftPolicy("no storage bucket may be public");
    const withoutLacework = {
      ...draft,
      rule: { ...draft.rule, id: "no-lql" },
      policies: draft.policies.filter((policy) => policy.platform !== "lacework"),
      uncompiled: [{ platform: "lacework" as const, reason: "LQL cannot express this" }],
    };
    const { version } = await saveDraft(withoutLacework, { store, by: "alice" });
    const results = await deployDraft(version, {
      platform: "lacework",
      source: lacework({ ...sandbox.lacework, rateLimit: false, allowWrite: true }),
      store,
      approvals,
      requester: "alice",
    });
    expect(results).toEqual([
      expect.objectContaining({ outcome: "unsupported", message: "LQL cannot express this" }),
    ]);
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
    const source = prisma({ ...sandbox.prisma, rateLimit: false });
    await expect(
      deployDraft(version, { platform: "wiz", source, store, approvals, requester: "alice" }),
    ).rejects.toThrow(/source is for prisma/);
  });
});

function policyName(policies: readonly { platform: string; request: unknown }[], platform: string): string {
  return (policies.find((policy) => policy.platform === platform)!.request as { name: string }).name;
}
