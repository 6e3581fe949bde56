import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { enrich } from "../../../src/agents/enrich/enrich.js";
import { fromServiceNowCmdb } from "../../../src/agents/enrich/from-servicenow-cmdb.js";
import { fromTags } from "../../../src/agents/enrich/from-tags.js";
import { createTagReader } from "../../../src/agents/enrich/normalize.js";
import { triage } from "../../../src/agents/triage/triage.js";
import type { Case } from "../../../src/core/case.js";
import type { Finding } from "../../../src/core/finding.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";
import { runStage, stageContext } from "../triage/stage-context.js";

// No client-side pacing against the local sandbox.
const fast = { requestsPerSecond: 10_000, burst: 10_000 };
const readTags = createTagReader();

let sandbox: Sandbox;
let cases: Case[];
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, size: 150, platforms: ["wiz"] });
  const findings: Finding[] = [];
  for await (const finding of wiz({ ...sandbox.wiz, rateLimit: false }).findings()) findings.push(finding);
  // One resource per case, so each case's context is that resource's CI.
  cases = await runStage(triage({ groupBy: ["rule", "resource"] }), findings, stageContext().context);
});
afterAll(() => sandbox.close());

/** The CMDB's view of a resource: its CI and the email of the user each reference column points at. */
function ciOf(resourceId: string) {
  const servicenow = sandbox.emulations.servicenow;
  const ci = servicenow.records("cmdb_ci").find((record) => record.object_id === resourceId);
  const email = (sysId: string | undefined) =>
    servicenow.records("sys_user").find((user) => user.sys_id === sysId)?.email;
  const group = (sysId: string | undefined) =>
    servicenow.records("sys_user_group").find((item) => item.sys_id === sysId)?.name;
  return (
    ci && { ci, ownedBy: email(ci.owned_by), managedBy: email(ci.managed_by), team: group(ci.support_group) }
  );
}

async function query(table: string, params: Record<string, string>, authorization?: string) {
  const url = new URL(`${sandbox.servicenow.instanceUrl}/api/now/table/${table}`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const basic = Buffer.from(`${sandbox.servicenow.username}:${sandbox.servicenow.password}`).toString(
    "base64",
  );
  const response = await fetch(url, { headers: { authorization: authorization ?? `Basic ${basic}` } });
  return { status: response.status, body: (await response.json()) as { result: Record<string, unknown>[] } };
}

describe("the sandbox's ServiceNow CMDB", () => {
  it("answers the Table API queries the provider sends: object_id ^OR name, fields, limit, display values", async () => {
    const resource = sandbox.estate.resources[0]!;
    const expected = ciOf(resource.id)!;
    expect(expected).toBeDefined();
    const byId = await query("cmdb_ci", {
      sysparm_query: `object_id=${resource.id}^ORname=no-such-ci`,
      sysparm_fields: "sys_id,name,object_id,owned_by,support_group",
      sysparm_display_value: "true",
      sysparm_exclude_reference_link: "true",
    });
    expect(byId.status).toBe(200);
    expect(byId.body.result).toEqual([
      {
        sys_id: expected.ci.sys_id,
        name: resource.name,
        object_id: resource.id,
        owned_by: expected.ownedBy ?? "",
        support_group: expected.team ?? "",
      },
    ]);
    const byName = await query("cmdb_ci", { sysparm_query: `object_id=nothing^ORname=${resource.name}` });
    expect(byName.body.result.map((record) => record.object_id)).toEqual([resource.id]);
    // Without display values a reference is a sys_id, with a link unless excluded.
    const raw = byName.body.result[0]!;
    expect(raw.managed_by).toEqual({
      link: expect.stringMatching(
        new RegExp(`/servicenow/api/now/table/sys_user/${expected.ci.managed_by}$`),
      ),
      value: expected.ci.managed_by,
    });
    // `^` is an and: the same CI is not found when its name does not match too.
    const both = await query("cmdb_ci", { sysparm_query: `object_id=${resource.id}^name=other` });
    expect(both.body.result).toEqual([]);
    const limited = await query("cmdb_ci", { sysparm_query: "install_status=1", sysparm_limit: "3" });
    expect(limited.body.result).toHaveLength(3);
    // A CI class reads only its own CIs.
    const vms = await query("cmdb_ci_vm_instance", { sysparm_fields: "sys_class_name" });
    expect(vms.body.result.length).toBeGreaterThan(0);
    expect(new Set(vms.body.result.map((record) => record.sys_class_name))).toEqual(
      new Set(["cmdb_ci_vm_instance"]),
    );
    expect((await query("cmdb_ci", {}, "Basic bm9ib2R5Om5vcGU=")).status).toBe(401);
  });
});

describe("fromServiceNowCmdb over the sandbox (Wiz findings → triage → enrich)", () => {
  it("takes owners from the CMDB, naming the column, and keeps disagreeing tags as conflicts", async () => {
    const { context } = stageContext();
    const before = sandbox.faults.servicenow.stats.requests;
    const enriched = await runStage(
      enrich({ providers: [fromTags(), fromServiceNowCmdb({ ...sandbox.servicenow, rateLimit: fast })] }),
      cases,
      context,
    );
    expect(enriched).toHaveLength(cases.length);
    expect(context.report.warnings).toEqual([]);
    const resources = new Set(cases.map((item) => item.findings[0]!.resource.id));
    // One lookup per resource, each one answered.
    expect(sandbox.faults.servicenow.stats.requests - before).toBe(resources.size);

    let fromCmdb = 0;
    let agreed = 0;
    let conflicting = 0;
    let missing = 0;
    for (const item of enriched) {
      const resource = item.findings[0]!.resource;
      const cmdb = ciOf(resource.id);
      const tag = readTags(resource.tags).owner;
      const owner = item.context?.owner;
      if (!cmdb) {
        missing++;
        // Not in the CMDB: the tags alone speak.
        expect(owner).toEqual(tag ? { value: tag.value, source: `tag:${tag.key}` } : undefined);
        continue;
      }
      fromCmdb++;
      const column = cmdb.ownedBy ? "owned_by" : "managed_by";
      expect(owner).toMatchObject({
        value: cmdb.ownedBy ?? cmdb.managedBy,
        source: `cmdb:servicenow:${column}`,
      });
      expect(item.context?.team).toMatchObject({ value: cmdb.team, source: "cmdb:servicenow:support_group" });
      expect(item.context?.criticality?.source).toBe("cmdb:servicenow:busines_criticality");
      if (tag && tag.value !== owner?.value) {
        conflicting++;
        expect(owner?.conflicts).toEqual([{ value: tag.value, source: `tag:${tag.key}` }]);
      } else {
        if (tag) agreed++;
        expect(owner?.conflicts).toBeUndefined();
      }
    }
    // The estate has all three situations: agreement, disagreement, and resources the CMDB lacks.
    expect(fromCmdb).toBeGreaterThan(missing);
    expect(agreed).toBeGreaterThan(0);
    expect(conflicting).toBeGreaterThan(0);
    expect(missing).toBeGreaterThan(0);
  });

  it("works with a bearer token, and a refused login leaves the tags and one warning", async () => {
    const withToken = await runStage(
      enrich({
        providers: [
          fromServiceNowCmdb({
            instanceUrl: sandbox.servicenow.instanceUrl,
            token: "sandbox-servicenow-token",
            rateLimit: fast,
          }),
        ],
      }),
      cases.slice(0, 5),
      stageContext().context,
    );
    expect(
      withToken.filter((item) => item.context?.owner?.source.startsWith("cmdb:servicenow:")),
    ).not.toEqual([]);

    const { context } = stageContext();
    const refused = await runStage(
      enrich({
        providers: [
          fromTags(),
          fromServiceNowCmdb({ ...sandbox.servicenow, password: "wrong-password", rateLimit: fast }),
        ],
      }),
      cases.slice(0, 5),
      context,
    );
    expect(refused).toHaveLength(5);
    for (const item of refused) expect(item.context?.owner?.source ?? "tag:").toMatch(/^tag:/);
    expect(context.report.warnings[0]?.details).toMatchObject({
      provider: "cmdb:servicenow",
      code: "AUTHENTICATION",
    });
    expect(JSON.stringify(context.report.warnings)).not.toContain("wrong-password");
  });
});
