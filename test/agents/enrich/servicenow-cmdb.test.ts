import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enrich } from "../../../src/agents/enrich/enrich.js";
import { fromServiceNowCmdb } from "../../../src/agents/enrich/from-servicenow-cmdb.js";
import { fromTags } from "../../../src/agents/enrich/from-tags.js";
import { makeCase, makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { runStage, stageContext } from "../triage/stage-context.js";

const instanceUrl = "https://acme.service-now.test";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
beforeEach(() => resetFactories());

const password = "s3cret-Pa55word!";

function cmdb(records: Record<string, unknown>[], status = 200) {
  const requests: Request[] = [];
  server.use(
    http.get(`${instanceUrl}/api/now/table/cmdb_ci`, ({ request }) => {
      requests.push(request);
      return status === 200
        ? HttpResponse.json({ result: records })
        : HttpResponse.json(
            {
              error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
              status: "failure",
            },
            { status },
          );
    }),
  );
  return requests;
}

const finding = () =>
  makeFinding({
    resource: { id: "arn:aws:s3:::acme-logs", name: "acme-logs", tags: { owner: "alice", env: "dev" } },
  });

describe("fromServiceNowCmdb", () => {
  it("queries cmdb_ci by object id or name, with display values and Basic auth", async () => {
    const requests = cmdb([]);
    const provider = fromServiceNowCmdb({ instanceUrl, username: "cmdb.reader", password });
    const item = makeCase({ findings: [finding()] });
    await runStage(enrich({ providers: [provider] }), [item], stageContext().context);
    expect(requests).toHaveLength(1);
    const url = new URL(requests[0]!.url);
    expect(url.searchParams.get("sysparm_query")).toBe("object_id=arn:aws:s3:::acme-logs^ORname=acme-logs");
    expect(url.searchParams.get("sysparm_display_value")).toBe("true");
    expect(url.searchParams.get("sysparm_exclude_reference_link")).toBe("true");
    expect(url.searchParams.get("sysparm_fields")?.split(",")).toEqual(
      expect.arrayContaining([
        "sys_id",
        "name",
        "object_id",
        "owned_by",
        "support_group",
        "used_for",
        "busines_criticality",
      ]),
    );
    expect(requests[0]!.headers.get("authorization")).toBe(
      `Basic ${Buffer.from(`cmdb.reader:${password}`).toString("base64")}`,
    );
    expect(requests[0]!.headers.get("accept")).toBe("application/json");
  });

  it("uses only a CI that really matches (the Table API ignores bad query parts), normalized, CMDB over tags", async () => {
    cmdb([
      { sys_id: "1", name: "something-else", object_id: "arn:aws:s3:::other", owned_by: "Wrong Person" },
      {
        sys_id: "2",
        name: "acme-logs",
        object_id: "arn:aws:s3:::acme-logs",
        owned_by: "Jane Doe",
        support_group: "Payments SRE",
        used_for: "Production",
        busines_criticality: "1 - most critical",
      },
    ]);
    const provider = fromServiceNowCmdb({ instanceUrl, username: "cmdb.reader", password });
    const [result] = await runStage(
      enrich({ providers: [fromTags(), provider] }),
      [makeCase({ findings: [finding()] })],
      stageContext().context,
    );
    expect(result!.context).toMatchObject({
      owner: {
        value: "Jane Doe",
        source: "cmdb:servicenow:owned_by",
        conflicts: [{ value: "alice", source: "tag:owner" }],
      },
      team: { value: "Payments SRE", source: "cmdb:servicenow:support_group" },
      environment: {
        value: "production",
        source: "cmdb:servicenow:used_for",
        conflicts: [{ value: "development", source: "tag:env" }],
      },
      criticality: { value: "critical", source: "cmdb:servicenow:busines_criticality" },
    });
  });

  it("answers nothing when no returned CI matches the resource", async () => {
    cmdb([{ sys_id: "1", name: "unrelated", object_id: "x", owned_by: "Wrong Person" }]);
    const provider = fromServiceNowCmdb({ instanceUrl, username: "cmdb.reader", password });
    const [result] = await runStage(
      enrich({ providers: [provider] }),
      [makeCase({ findings: [finding()] })],
      stageContext().context,
    );
    expect(result!.context?.owner).toBeUndefined();
  });

  it("sends a bearer token when given one, and looks each resource up once per run", async () => {
    const requests = cmdb([]);
    const provider = fromServiceNowCmdb({ instanceUrl, token: () => "oauth-token-abc" });
    const cases = [makeCase({ findings: [finding()] }), makeCase({ findings: [finding()] })];
    await runStage(enrich({ providers: [provider] }), cases, stageContext().context);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.get("authorization")).toBe("Bearer oauth-token-abc");
  });

  it("turns a refused CMDB call into a warning without secrets; tags still apply", async () => {
    cmdb([], 401);
    const provider = fromServiceNowCmdb({ instanceUrl, username: "cmdb.reader", password });
    const { context } = stageContext();
    const [result] = await runStage(
      enrich({ providers: [fromTags(), provider] }),
      [makeCase({ findings: [finding()] })],
      context,
    );
    expect(result!.context?.owner).toEqual({ value: "alice", source: "tag:owner" });
    expect(context.report.warnings).toHaveLength(1);
    const warning = context.report.warnings[0]!;
    expect(warning.message).toMatch(/provider cmdb:servicenow failed for resource arn:aws:s3:::acme-logs/);
    expect(warning.details).toMatchObject({ code: "AUTHENTICATION" });
    const text = JSON.stringify(warning);
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`cmdb.reader:${password}`).toString("base64"));
  });

  it("survives a CMDB outage (500 after retries): a warning, and the case goes on", async () => {
    const requests = cmdb([], 500);
    const provider = fromServiceNowCmdb({
      instanceUrl,
      username: "cmdb.reader",
      password,
      retry: { limit: 1, baseDelayMs: 1 },
    });
    const { context } = stageContext();
    const result = await runStage(
      enrich({ providers: [fromTags(), provider] }),
      [makeCase({ findings: [finding()] })],
      context,
    );
    expect(requests).toHaveLength(2);
    expect(result[0]!.context?.environment).toEqual({ value: "development", source: "tag:env" });
    expect(context.report.warnings[0]!.details).toMatchObject({
      provider: "cmdb:servicenow",
      code: "UPSTREAM",
    });
  });

  it("reports missing configuration on lookup, naming the option and variable", async () => {
    const saved = process.env.SERVICENOW_INSTANCE_URL;
    delete process.env.SERVICENOW_INSTANCE_URL;
    try {
      const provider = fromServiceNowCmdb({ username: "u", password: "p" });
      const { context } = stageContext();
      const result = await runStage(
        enrich({ providers: [provider] }),
        [makeCase({ findings: [finding()] })],
        context,
      );
      expect(result).toHaveLength(1);
      expect(context.report.warnings[0]!.message).toMatch(/instanceUrl is missing.*SERVICENOW_INSTANCE_URL/);
    } finally {
      if (saved !== undefined) process.env.SERVICENOW_INSTANCE_URL = saved;
    }
  });
});
