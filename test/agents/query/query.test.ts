import { beforeEach, describe, expect, it } from "vitest";
import type { ExceptionRecord } from "../../../src/agents/exceptions/index.js";
import { casesNamespace } from "../../../src/agents/governance/governance.js";
import {
  ask,
  compileFilters,
  compilePlatform,
  parsePostureQuery,
  plan,
  QueryError,
  runQuery,
} from "../../../src/agents/query/index.js";
import type { Case } from "../../../src/core/case.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { FindingQuery, FindingSource } from "../../../src/core/source.js";
import { makeCase, makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

const asOf = new Date("2026-06-01T00:00:00Z");
const daysAgo = (days: number) => new Date(asOf.getTime() - days * 86_400_000).toISOString();

/** A source that records the FindingQuery it was given and yields its findings. */
function fakeSource(platform: string, findings: Finding[]): FindingSource & { queries: FindingQuery[] } {
  const queries: FindingQuery[] = [];
  return {
    specificationVersion: "v1",
    platform,
    capabilities: {},
    queries,
    async *findings(query = {}) {
      queries.push(query);
      yield* findings;
    },
  };
}

/** A critical, known-exploited Log4Shell finding on a production instance; `overrides` merge into it. */
function vulnerability(overrides: Parameters<typeof makeFinding>[0] = {}): Finding {
  return makeFinding({
    category: "vulnerability",
    severity: "critical",
    title: "CVE-2021-44228 in log4j-core",
    rule: { id: "CVE-2021-44228", name: "CVE-2021-44228", controls: [] },
    vulnerability: { cve: "CVE-2021-44228", knownExploited: true },
    firstSeen: daysAgo(45),
    lastSeen: daysAgo(1),
    ...overrides,
    resource: {
      type: "aws.ec2.instance",
      name: "api-prod",
      tags: { env: "prod", owner: "payments" },
      ...overrides.resource,
    },
  });
}

beforeEach(() => resetFactories());

describe("the posture query schema", () => {
  it("is strict: an unknown field (a write, a raw query string) is refused, naming it", () => {
    expect(() => parsePostureQuery({ filters: {}, action: "delete" })).toThrow(QueryError);
    expect(() => parsePostureQuery({ filters: { rql: "config from cloud.resource" } })).toThrow(/filters/);
    try {
      parsePostureQuery({ filters: { severity: ["urgent"] } });
    } catch (error) {
      expect((error as QueryError).field).toBe("filters.severity.0");
    }
  });

  it("applies defaults and round-trips through JSON", () => {
    const query = parsePostureQuery(JSON.parse('{"filters":{"severity":["critical"]}}'));
    expect(query).toEqual({ subject: "findings", filters: { severity: ["critical"] }, limit: 50 });
    expect(parsePostureQuery(JSON.parse(JSON.stringify(query)))).toEqual(query);
  });
});

describe("compileFilters: one predicate per query", () => {
  const check = (filters: Parameters<typeof compileFilters>[0], finding: Finding) =>
    compileFilters(filters, { asOf })(finding);

  it("reads each finding filter", () => {
    const finding = vulnerability({ resource: { region: "us-east-1", accountId: "111122223333" } });
    expect(check({ severity: ["critical"] }, finding)).toBe(true);
    expect(check({ severity: ["high"] }, finding)).toBe(false);
    expect(check({ status: ["open"] }, finding)).toBe(true);
    expect(check({ status: ["resolved"] }, finding)).toBe(false);
    expect(check({ category: ["vulnerability"] }, finding)).toBe(true);
    expect(check({ platform: ["prisma"] }, finding)).toBe(false);
    expect(check({ cloud: ["aws"] }, finding)).toBe(true);
    expect(check({ cloud: ["gcp"] }, finding)).toBe(false);
    expect(check({ accountId: ["111122223333"] }, finding)).toBe(true);
    expect(check({ region: ["US-EAST-1"] }, finding)).toBe(true);
    expect(check({ resourceType: ["aws.ec2"] }, finding)).toBe(true);
    expect(check({ resourceType: ["aws.ec"] }, finding)).toBe(false);
    expect(check({ resourceKind: ["instance"] }, finding)).toBe(true);
    expect(check({ ruleId: ["CVE-2021-44228"] }, finding)).toBe(true);
    expect(check({ exploitable: true }, finding)).toBe(true);
    expect(check({ exploitable: false }, finding)).toBe(false);
  });

  it("reads age and windows from asOf", () => {
    const finding = vulnerability();
    expect(check({ olderThanDays: 30 }, finding)).toBe(true);
    expect(check({ olderThanDays: 60 }, finding)).toBe(false);
    expect(check({ newerThanDays: 60 }, finding)).toBe(true);
    expect(check({ newerThanDays: 30 }, finding)).toBe(false);
    expect(check({ firstSeen: { after: daysAgo(50), before: daysAgo(40) } }, finding)).toBe(true);
    expect(check({ lastSeen: { after: daysAgo(0.5) } }, finding)).toBe(false);
    // A finding first seen after asOf does not exist yet at asOf.
    expect(check({}, vulnerability({ firstSeen: daysAgo(-1) }))).toBe(false);
  });

  it("reads the context from tags, or from the case's context when given", () => {
    const finding = vulnerability();
    expect(check({ environment: ["production"] }, finding)).toBe(true);
    expect(check({ owner: ["Payments"] }, finding)).toBe(true);
    expect(check({ owner: ["identity"] }, finding)).toBe(false);
    expect(check({ internetExposed: true }, finding)).toBe(false);
    expect(check({ dataClassification: ["restricted"] }, finding)).toBe(false);
    const matches = compileFilters({ environment: ["staging"], internetExposed: true }, { asOf });
    expect(matches(finding, { environment: "staging", internetExposed: true })).toBe(true);
  });

  it("with accountEnvironments, reads the environment from the account alone (unlisted: unknown)", () => {
    const accountEnvironments = { "111122223333": "staging", "444455556666": "production" } as const;
    const matches = (environment: "production" | "staging" | "unknown", accountId: string) =>
      compileFilters({ environment: [environment] }, { asOf, accountEnvironments })(
        vulnerability({ resource: { accountId } }),
        { environment: "production" },
      );
    // The tags and the case context say production; the account says staging, and wins.
    expect(matches("staging", "111122223333")).toBe(true);
    expect(matches("production", "111122223333")).toBe(false);
    expect(matches("production", "444455556666")).toBe(true);
    expect(matches("unknown", "999999999999")).toBe(true);
    expect(matches("production", "999999999999")).toBe(false);
  });

  it("maps frameworks and requirements through cloudsteward/compliance, sub-requirements included", () => {
    const bucket = makeFinding({ firstSeen: daysAgo(5) });
    expect(() => check({ framework: "CIS AWS" }, bucket)).toThrow(/cis-aws-7\.0/); // a CIS name needs its version
    expect(check({ framework: "PCI DSS v4.0", requirement: "1.2" }, bucket)).toBe(true); // 1.2.8
    expect(check({ framework: "pci-dss-4.0", requirement: "1.2.8" }, bucket)).toBe(true);
    expect(check({ framework: "pci-dss-4.0", requirement: "1.2.5" }, bucket)).toBe(false);
    expect(check({ framework: "soc2", requirement: "CC6.1" }, bucket)).toBe(true);
    expect(check({ archetype: ["aws-s3-public-read"] }, bucket)).toBe(true);
    expect(() => check({ requirement: "8.3" }, bucket)).toThrow(/needs `framework`/);
    expect(() => check({ framework: "SOX" }, bucket)).toThrow(/not a bundled framework/);
    expect(() => check({ exception: "excepted" }, bucket)).toThrow(/pass `store`/);
  });
});

describe("compilation per platform", () => {
  const query = parsePostureQuery({
    filters: {
      severity: ["critical"],
      category: ["vulnerability"],
      environment: ["production"],
      olderThanDays: 30,
      newerThanDays: 365,
      accountId: ["111122223333"],
    },
  });
  const created = daysAgo(365);
  const before = daysAgo(30);

  it("wiz: filterBy per family (issues and vulnerability findings; no configuration findings), as GraphQL variables", () => {
    const compiled = compilePlatform("wiz", query, asOf);
    expect(compiled.requests.map((request) => request.path)).toEqual(["/graphql", "/graphql"]);
    const [issues, vulnerabilities] = compiled.requests.map((request) => request.body.variables);
    expect(issues).toEqual({
      first: 500,
      filterBy: { severity: ["CRITICAL"], createdAt: { after: created, before } },
    });
    expect(vulnerabilities).toEqual({
      first: 500,
      filterBy: {
        vendorSeverity: ["CRITICAL"],
        firstSeenAt: { after: created, before },
        subscriptionExternalId: ["111122223333"],
      },
    });
    // Issues cannot filter by account: the account is checked client-side.
    expect(compiled.serverSide).toEqual(["severity", "category", "olderThanDays", "newerThanDays"]);
    expect(compiled.clientSide).toEqual(["accountId", "environment"]);
  });

  it("prisma: /v2/alert filters and an absolute time window", () => {
    const compiled = compilePlatform("prisma", query, asOf);
    expect(compiled.requests[0]!.path).toBe("/v2/alert");
    expect(compiled.requests[0]!.body.filters).toEqual([
      { name: "policy.severity", operator: "=", value: "critical" },
      { name: "cloud.accountId", operator: "=", value: "111122223333" },
      { name: "timeRange.type", operator: "=", value: "ALERT_OPENED" },
    ]);
    // Both creation bounds in the one absolute window.
    expect(compiled.requests[0]!.body.timeRange).toEqual({
      type: "absolute",
      value: { startTime: Date.parse(created), endTime: Date.parse(before) },
    });
    expect(compiled.serverSide).toEqual(expect.arrayContaining(["olderThanDays", "newerThanDays"]));
    expect(compiled.clientSide).toContain("category");
    expect(compiled.warnings.join(" ")).toMatch(/category/);
  });

  it("orca: a Sonar object-set filter", () => {
    const compiled = compilePlatform("orca", query, asOf);
    const sonar = JSON.stringify(compiled.requests[0]!.body.query);
    expect(sonar).toContain('"RiskLevel"');
    expect(sonar).toContain('"CloudVendorId"');
    expect(sonar).toContain(created.slice(0, 10));
    expect(sonar).toContain(
      `{"key":"CreatedAt","values":["${before}"],"type":"datetime","operator":"date_lte"`,
    );
    expect(compiled.serverSide).toContain("category");
  });

  it("lacework: Alerts/search with severity filters and a window from the creation bound", () => {
    const compiled = compilePlatform("lacework", query, asOf);
    expect(compiled.requests[0]!.path).toBe("/api/v2/Alerts/search");
    expect(compiled.requests[0]!.body.filters).toEqual([
      { field: "severity", expression: "in", values: ["Critical"] },
    ]);
    expect(compiled.clientSide).toEqual(expect.arrayContaining(["accountId", "category", "environment"]));
    // The windows run from 90 days back (the API's reach) up to the age bound, not to now.
    expect(compiled.serverSide).toContain("olderThanDays");
    expect(compiled.requests[0]!.note).toContain("9 window(s)");
  });

  describe("environment sent as the accounts mapped to it (accountEnvironments)", () => {
    const accountEnvironments = {
      "111122223333": "production",
      "444455556666": "staging",
      "prod-eks": "production",
    } as const;
    const production = parsePostureQuery({
      filters: { severity: ["critical"], category: ["vulnerability"], environment: ["production"] },
    });

    it("prisma and orca filter the environment server-side as accounts; wiz only for vulnerability findings", () => {
      const prismaPlan = compilePlatform("prisma", production, asOf, { accountEnvironments });
      expect(prismaPlan.requests[0]!.body.filters).toEqual([
        { name: "policy.severity", operator: "=", value: "critical" },
        { name: "cloud.accountId", operator: "=", value: "111122223333" },
        { name: "cloud.accountId", operator: "=", value: "prod-eks" },
      ]);
      expect(prismaPlan.serverSide).toContain("environment");
      const orcaPlan = compilePlatform("orca", production, asOf, { accountEnvironments });
      expect(JSON.stringify(orcaPlan.requests[0]!.body.query)).toContain(
        '{"key":"CloudVendorId","type":"str","operator":"in","values":["111122223333","prod-eks"]}',
      );
      expect(orcaPlan.serverSide).toContain("environment");
      const wizPlan = compilePlatform("wiz", production, asOf, { accountEnvironments });
      const [issues, vulnerabilities] = wizPlan.requests.map(
        (request) => (request.body.variables as { filterBy: Record<string, unknown> }).filterBy,
      );
      expect(issues).not.toHaveProperty("subscriptionExternalId");
      expect(vulnerabilities!.subscriptionExternalId).toEqual(["111122223333", "prod-eks"]);
      // Issues cannot filter by account, so for Wiz as a whole the environment stays client-side.
      expect(wizPlan.clientSide).toContain("environment");
      // Lacework's alert search has no account filter.
      const laceworkPlan = compilePlatform("lacework", production, asOf, { accountEnvironments });
      expect(laceworkPlan.clientSide).toContain("environment");
      expect(laceworkPlan.findingQuery.accountIds).toEqual(["111122223333", "prod-eks"]);
    });

    it("intersects with accountId; no account in the environment asks nothing; `unknown` is never pushed", () => {
      const both = parsePostureQuery({
        filters: { environment: ["production"], accountId: ["prod-eks", "444455556666"] },
      });
      expect(compilePlatform("prisma", both, asOf, { accountEnvironments }).findingQuery.accountIds).toEqual([
        "prod-eks",
      ]);
      const none = compilePlatform("orca", parsePostureQuery({ filters: { environment: ["test"] } }), asOf, {
        accountEnvironments,
      });
      expect(none).toMatchObject({ skipped: true, requests: [] });
      expect(none.warnings.join(" ")).toMatch(/no account is mapped to test/);
      const unknown = compilePlatform(
        "orca",
        parsePostureQuery({ filters: { environment: ["production", "unknown"] } }),
        asOf,
        { accountEnvironments },
      );
      expect(unknown.findingQuery.accountIds).toBeUndefined();
      expect(unknown.clientSide).toContain("environment");
    });
  });

  it("a platform left out by the platform filter receives no request", () => {
    const compiled = compilePlatform("orca", parsePostureQuery({ filters: { platform: ["wiz"] } }), asOf);
    expect(compiled).toMatchObject({ skipped: true, requests: [] });
  });

  it("user text reaches the native request only as a value, never inside a query string", () => {
    const hostile = '") { mutation { deleteAll } } #';
    const shown = plan(
      { filters: { accountId: [hostile], owner: [hostile], severity: ["high"] } },
      {
        sources: ["wiz", "prisma", "orca", "lacework"].map((platform) => fakeSource(platform, [])),
        now: () => asOf,
      },
    );
    const wizRequest = shown.platforms[0]!.requests[0]!.body as { query: string };
    expect(wizRequest.query).not.toContain("deleteAll");
    expect(wizRequest.query).toMatch(/^query Cloudsteward/);
    for (const platform of shown.platforms)
      expect(JSON.stringify(platform.requests)).not.toContain("payments-owner");
  });
});

describe("runQuery", () => {
  it("asks each platform with its pushed filters and checks the whole query client-side", async () => {
    const wanted = vulnerability();
    const young = vulnerability({ firstSeen: daysAgo(3) });
    const staging = vulnerability({
      resource: { id: "i-staging", name: "api-stag", tags: { env: "staging" } },
    });
    const wiz = fakeSource("wiz", [wanted, young, staging]);
    const prisma = fakeSource("prisma", [vulnerability({ source: { platform: "prisma", nativeId: "P-1" } })]);
    const result = await runQuery(
      {
        filters: { severity: ["critical"], environment: ["production"], olderThanDays: 30 },
        groupBy: ["platform"],
      },
      { sources: [wiz, prisma], now: () => asOf },
    );
    expect(wiz.queries).toEqual([{ severity: ["critical"], createdBefore: daysAgo(30) }]);
    expect(result.total).toBe(2);
    expect(result.findings.map((finding) => finding.id)).toEqual(["prisma:P-1", wanted.id]);
    expect(result.groups).toEqual([
      { key: { platform: "prisma" }, count: 1 },
      { key: { platform: "wiz" }, count: 1 },
    ]);
    expect(result.reads).toEqual([
      expect.objectContaining({ platform: "wiz", received: 3, matched: 1 }),
      expect.objectContaining({ platform: "prisma", received: 1, matched: 1 }),
    ]);
  });

  it("answers from the other platforms when one fails, and says so", async () => {
    const broken: FindingSource = {
      specificationVersion: "v1",
      platform: "orca",
      capabilities: {},
      // biome-ignore lint/correctness/useYield: a source that fails before its first page
      async *findings() {
        throw new Error("orca is down");
      },
    };
    const result = await runQuery(
      {},
      { sources: [fakeSource("wiz", [vulnerability()]), broken], now: () => asOf },
    );
    expect(result.total).toBe(1);
    expect(result.warnings.join(" ")).toMatch(/orca: the read failed \(orca is down\)/);
  });

  it("answers cases, findings and exceptions from the Store", async () => {
    const store = memoryStore();
    const prodCase: Case = {
      ...makeCase({ findings: [vulnerability({ resource: { tags: {} } })] }),
      context: { environment: { value: "production", source: "cmdb:servicenow" } },
    };
    const devCase = makeCase({
      findings: [makeFinding({ severity: "low", resource: { tags: { env: "dev" } } })],
    });
    await store.set(casesNamespace, prodCase.id, prodCase);
    await store.set(casesNamespace, devCase.id, devCase);
    const cases = await runQuery(
      { subject: "cases", filters: { environment: ["production"] } },
      { store, now: () => asOf },
    );
    expect(cases.cases.map((item) => item.id)).toEqual([prodCase.id]);
    expect(cases.plan.storeNamespace).toBe(casesNamespace);
    const findings = await runQuery({ filters: { severity: ["low"] } }, { store, now: () => asOf });
    expect(findings.findings.map((finding) => finding.id)).toEqual([devCase.findings[0]!.id]);

    const record = exceptionRecord({ state: "active", targets: [{ ruleId: prodCase.findings[0]!.rule.id }] });
    await store.set("exceptions", record.id, record);
    await store.set(
      "exceptions",
      "exc_2",
      exceptionRecord({ id: "exc_2", state: "expired", severity: "low" }),
    );
    const active = await runQuery(
      { subject: "exceptions", filters: { exceptionState: ["active"] } },
      { store, now: () => asOf },
    );
    expect(active.exceptions.map((item) => item.id)).toEqual([record.id]);
    await expect(
      runQuery({ subject: "exceptions", filters: { environment: ["production"] } }, { store }),
    ).rejects.toThrow(/not environment/);
  });

  it("filters findings by exception state through the Store's live exceptions", async () => {
    const store = memoryStore();
    const covered = vulnerability();
    const other = vulnerability({ rule: { id: "CVE-2023-1", name: "CVE-2023-1", controls: [] } });
    const record = exceptionRecord({
      state: "active",
      targets: [{ ruleId: covered.rule.id, resourceId: covered.resource.id }],
    });
    await store.set("exceptions", record.id, record);
    const source = fakeSource("wiz", [covered, other]);
    const excepted = await runQuery(
      { filters: { exception: "excepted" } },
      { sources: [source], store, now: () => asOf },
    );
    expect(excepted.findings.map((finding) => finding.id)).toEqual([covered.id]);
    const open = await runQuery(
      { filters: { exception: "not-excepted" } },
      { sources: [source], store, now: () => asOf },
    );
    expect(open.findings.map((finding) => finding.id)).toEqual([other.id]);
  });

  it("needs a Store for questions about stored state", async () => {
    await expect(runQuery({ subject: "cases" })).rejects.toThrow(/pass `store`/);
  });
});

describe("ask", () => {
  const sources = () => [
    fakeSource("wiz", [
      vulnerability({ source: { url: "https://app.wiz.io/issues#1" } }),
      makeFinding({ firstSeen: daysAgo(10), rule: { controls: [] } }),
    ]),
  ];

  it("answers with a summary, citations with console links, the query and the native calls", async () => {
    const answer = await ask("critical vulnerabilities in production older than 30 days", {
      sources: sources(),
      now: () => asOf,
    });
    expect(answer.kind).toBe("answer");
    expect(answer.summary).toBe("1 finding match.");
    expect(answer.citations).toEqual([
      expect.objectContaining({
        kind: "finding",
        severity: "critical",
        consoleUrl: "https://app.wiz.io/issues#1",
      }),
    ]);
    expect(answer.query?.filters).toEqual({
      severity: ["critical"],
      category: ["vulnerability"],
      environment: ["production"],
      olderThanDays: 30,
    });
    expect(answer.nativeCalls[0]).toMatchObject({
      platform: "wiz",
      clientSide: ["environment"],
    });
  });

  it("explains the gaps of a compliance question: requirement, failing resources, archetype", async () => {
    const answer = await ask("which resources fail PCI DSS 1.2, and why?", {
      sources: sources(),
      now: () => asOf,
    });
    expect(answer.gaps?.[0]).toMatchObject({
      framework: expect.stringContaining("PCI"),
      requirement: "1.2.8",
      resourceCount: 1,
      explanations: [expect.objectContaining({ archetype: "aws-s3-public-read", findings: 1 })],
    });
    expect(answer.summary).toBe("1 finding match. Failing requirements: 1.2.8 (1 resource).");
  });

  it("returns a clarifying question, or why it cannot answer, without running anything", async () => {
    const source = fakeSource("wiz", []);
    const vague = await ask("show me the serious problems", { sources: [source] });
    expect(vague).toMatchObject({ kind: "clarify", choices: ["critical", "critical and high"] });
    const write = await ask("close every alert in wiz", { sources: [source] });
    expect(write.kind).toBe("unanswerable");
    expect(write.summary).toMatch(/only read/);
    expect(source.queries).toEqual([]);
  });

  it("with a model: one cached structured call per question, validated as a query", async () => {
    const model = scriptedModel({
      responses: [
        {
          match: /prod criticals/,
          object: {
            outcome: "query",
            query: { filters: { severity: ["critical"], environment: ["production"] } },
          },
        },
        { match: /sloppy stuff/, object: { outcome: "clarify", clarifyingQuestion: "Which severities?" } },
      ],
    });
    const first = await ask("prod criticals please", { sources: sources(), model, now: () => asOf });
    await ask("prod criticals please", { sources: sources(), model, now: () => asOf });
    expect(model.calls).toBe(1);
    expect(first).toMatchObject({ kind: "answer", parsedBy: "model:scripted:scripted-model" });
    expect(first.result?.total).toBe(1);
    expect(JSON.stringify(model.requests[0]!.messages)).toContain("<untrusted-data");
    expect(await ask("sloppy stuff", { model })).toMatchObject({
      kind: "clarify",
      summary: "Which severities?",
    });
  });

  it("keeps a model-written summary only when every number in it is in the result", async () => {
    const honest = scriptedModel({
      responses: [
        {
          match: /posture_answer|Write a two/,
          object: { summary: "One critical finding (1) in production." },
        },
        { object: { outcome: "query", query: { filters: { severity: ["critical"] } } } },
      ],
    });
    const kept = await ask("criticals", {
      sources: sources(),
      model: honest,
      modelSummary: true,
      now: () => asOf,
    });
    expect(kept.summarySource).toBe("model:scripted:scripted-model");
    const inventing = scriptedModel({
      responses: [
        { match: /Write a two/, object: { summary: "There are 42 critical findings." } },
        { object: { outcome: "query", query: { filters: { severity: ["critical"] } } } },
      ],
    });
    const replaced = await ask("criticals", {
      sources: sources(),
      model: inventing,
      modelSummary: true,
      now: () => asOf,
    });
    expect(replaced).toMatchObject({ summarySource: "template", summary: "1 finding match." });
    expect(replaced.warnings.join(" ")).toMatch(/42/);
  });
});

function exceptionRecord(overrides: Partial<ExceptionRecord>): ExceptionRecord {
  return {
    id: "exc_1",
    kind: "exception",
    state: "active",
    scope: "rule",
    targets: [{ ruleId: "r" }],
    findingIds: ["wiz:1"],
    severity: "critical",
    requester: "alice",
    justification: "Vendor appliance",
    compensatingControls: [],
    requestedAt: daysAgo(10),
    startsAt: daysAgo(10),
    expiresAt: daysAgo(-30),
    requiredApprovals: 1,
    approvals: [{ principal: "bob", at: daysAgo(9) }],
    ...overrides,
  } as ExceptionRecord;
}
