import { HttpResponse, http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { wiz } from "../../../src/adapters/wiz/index.js";
import { isCloudstewardError, type UpstreamError } from "../../../src/core/errors.js";
import { type Finding, findingId } from "../../../src/core/finding.js";
import { createRecorder } from "../../../src/core/recorder.js";
import { createRunReport } from "../../../src/core/report.js";
import { collect, recorder, rejection, serveSandbox, withEnv } from "../helpers.js";

const { sandbox, server } = serveSandbox({ seed: 11, size: 80, platforms: ["wiz"] });

const wizFindings = sandbox.estate.findings.filter((finding) => finding.reportedBy.wiz);

/** The GraphQL bodies a {@link recorder} saw. */
const graphql = (probe: ReturnType<typeof recorder>) =>
  probe.requests
    .filter((request) => request.path.endsWith("/graphql"))
    .map((request) => JSON.parse(request.body) as { query: string; variables: Record<string, unknown> });

describe("wiz source", () => {
  it("sends server-side filters in each family's own vocabulary", async () => {
    const probe = recorder();
    const source = wiz({ ...sandbox.wiz, fetch: probe.fetch, rateLimit: false });
    await collect(
      source.findings({
        severity: ["critical", "info"],
        status: ["open", "risk_accepted"],
        createdAfter: "2026-01-01T00:00:00Z",
        updatedAfter: "2026-06-01T00:00:00Z",
        projectIds: ["proj-payments"],
      }),
    );
    const variables = graphql(probe).map((body) => body.variables);
    expect(variables).toMatchInlineSnapshot(`
      [
        {
          "filterBy": {
            "createdAt": {
              "after": "2026-01-01T00:00:00Z",
            },
            "project": [
              "proj-payments",
            ],
            "severity": [
              "CRITICAL",
              "INFORMATIONAL",
            ],
            "status": [
              "OPEN",
              "REJECTED",
            ],
            "statusChangedAt": {
              "after": "2026-06-01T00:00:00Z",
            },
          },
          "first": 500,
        },
        {
          "filterBy": {
            "analyzedAt": {
              "after": "2026-06-01T00:00:00Z",
            },
            "resource": {
              "projectId": [
                "proj-payments",
              ],
            },
            "result": [
              "FAIL",
            ],
            "severity": [
              "CRITICAL",
              "NONE",
            ],
            "status": [
              "OPEN",
              "REJECTED",
            ],
          },
          "first": 500,
        },
        {
          "filterBy": {
            "firstSeenAt": {
              "after": "2026-01-01T00:00:00Z",
            },
            "projectId": [
              "proj-payments",
            ],
            "status": [
              "OPEN",
              "IGNORED",
            ],
            "vendorSeverity": [
              "CRITICAL",
              "NONE",
            ],
          },
          "first": 500,
        },
      ]
    `);
    expect(probe.requests.filter((request) => request.path.endsWith("/oauth/token"))).toHaveLength(1);
  });

  it("filters severity server-side and returns exactly the matching findings", async () => {
    const findings = await collect(
      wiz({ ...sandbox.wiz, rateLimit: false }).findings({ severity: ["critical"] }),
    );
    const expected = wizFindings.filter((finding) => finding.severity === "critical");
    expect(findings.map((finding) => finding.id).sort()).toEqual(
      expected.map((finding) => findingId("wiz", finding.reportedBy.wiz!)).sort(),
    );
  });

  it("applies filters Wiz lacks client-side and says so in the report", async () => {
    const report = createRunReport("run");
    const account = sandbox.estate.accounts.find((candidate) => candidate.cloud === "aws")!.id;
    const findings = await collect(
      wiz({ ...sandbox.wiz, rateLimit: false }).findings(
        { accountIds: [account], category: ["misconfiguration", "identity"], frameworks: ["cis"] },
        { record: createRecorder(report) },
      ),
    );
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.resource.accountId).toBe(account);
      expect(["misconfiguration", "identity"]).toContain(finding.category);
      expect(finding.rule.controls.some((control) => /cis/i.test(control.framework))).toBe(true);
    }
    expect(report.warnings.map((warning) => [warning.type, warning.feature])).toEqual([
      ["unsupported", "filter.category"],
      ["unsupported", "filter.accountIds"],
      ["unsupported", "filter.frameworks"],
    ]);
  });

  it("filters vulnerability findings by account server-side (subscriptionExternalId)", async () => {
    const probe = recorder();
    const resourceOf = (finding: (typeof wizFindings)[number]) =>
      sandbox.estate.resources.find((resource) => resource.id === finding.resourceId)!;
    const account = resourceOf(wizFindings.find((finding) => finding.wizKind === "vulnerability")!).accountId;
    const findings = await collect(
      wiz({ ...sandbox.wiz, fetch: probe.fetch, rateLimit: false, kinds: ["vulnerability"] }).findings({
        accountIds: [account],
      }),
    );
    expect(graphql(probe).map((body) => body.variables.filterBy)).toEqual([
      { subscriptionExternalId: [account] },
    ]);
    const expected = wizFindings.filter(
      (finding) => finding.wizKind === "vulnerability" && resourceOf(finding).accountId === account,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(findings.map((finding) => finding.id).sort()).toEqual(
      expected.map((finding) => findingId("wiz", finding.reportedBy.wiz!)).sort(),
    );
  });

  it("links findings to the portal of the tenant's API host, or to portalUrl", async () => {
    // Serve the sandbox under a gov-style API host name.
    const govApiUrl = "https://api.us1.app.wiz.us/graphql";
    const fetch: typeof globalThis.fetch = (input, init) =>
      globalThis.fetch(
        input instanceof Request && input.url === govApiUrl ? new Request(sandbox.wiz.apiUrl!, input) : input,
        init,
      );
    const options = {
      ...sandbox.wiz,
      apiUrl: govApiUrl,
      fetch,
      rateLimit: false as const,
      kinds: ["issue" as const],
    };
    const [gov] = await collect(wiz(options).findings());
    expect(gov?.source.url).toMatch(/^https:\/\/app\.wiz\.us\/issues#/);
    const [custom] = await collect(wiz({ ...options, portalUrl: "https://wiz.example.com" }).findings());
    expect(custom?.source.url).toMatch(/^https:\/\/wiz\.example\.com\/issues#/);
    const [sandboxed] = await collect(wiz({ ...sandbox.wiz, rateLimit: false, kinds: ["issue"] }).findings());
    expect(sandboxed?.source.url).toMatch(/^https:\/\/app\.wiz\.io\/issues#/);
  });

  it("skips the vulnerability family when the category filter excludes it", async () => {
    const probe = recorder();
    await collect(
      wiz({ ...sandbox.wiz, fetch: probe.fetch, rateLimit: false }).findings({ category: ["threat"] }),
    );
    expect(
      graphql(probe).map(
        (body) => /issuesV2|configurationFindings|vulnerabilityFindings/.exec(body.query)?.[0],
      ),
    ).toEqual(["issuesV2"]);
  });

  it("resumes from a cursor and rejects a cursor it did not make", async () => {
    const source = wiz({ ...sandbox.wiz, rateLimit: false, pageSize: 7 });
    const resumed = await collect(source.findings({ cursor: "vulnerability:" }));
    expect(resumed.length).toBe(wizFindings.filter((finding) => finding.wizKind === "vulnerability").length);
    expect(resumed.every((finding) => finding.category === "vulnerability")).toBe(true);
    const error = await rejection(collect(source.findings({ cursor: "nonsense" })));
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
  });

  it("reports a resume cursor after each page, and resuming from it yields exactly the rest", async () => {
    const source = wiz({ ...sandbox.wiz, rateLimit: false, pageSize: 9 });
    const pages: { next: string | undefined; count: number }[] = [];
    const all = await collect(source.findings({}, { onPage: (page) => void pages.push(page) }));
    expect(pages.at(-1)?.next).toBeUndefined();
    expect(pages.reduce((sum, page) => sum + page.count, 0)).toBe(all.length);
    const index = Math.floor(pages.length / 2);
    const consumed = pages.slice(0, index + 1).reduce((sum, page) => sum + page.count, 0);
    const rest = await collect(source.findings({ cursor: pages[index]!.next }));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.map((finding) => finding.id)).toEqual(all.slice(consumed).map((finding) => finding.id));
  });

  it("requests the next page while a page is read (readAhead), or one page at a time", async () => {
    for (const [readAhead, expected] of [
      [undefined, 2],
      [false, 1],
    ] as const) {
      const probe = recorder();
      const source = wiz({ ...sandbox.wiz, fetch: probe.fetch, rateLimit: false, pageSize: 9, readAhead });
      for await (const _ of source.findings()) {
        // The first finding is in hand: the first page has arrived, and, reading ahead, the second was asked for.
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(graphql(probe)).toHaveLength(expected);
        break;
      }
    }
  });

  it("ends the iteration with the error of a page that fails, after yielding the pages before it", async () => {
    let pages = 0;
    server.use(
      http.post(`${sandbox.baseUrl}/wiz/graphql`, () => {
        pages++;
        if (pages === 2)
          return HttpResponse.json({ data: null, errors: [{ message: "query cost exceeded" }] });
        return undefined;
      }),
    );
    const seen: Finding[] = [];
    const error = await rejection(
      (async () => {
        for await (const finding of wiz({ ...sandbox.wiz, rateLimit: false, pageSize: 5 }).findings())
          seen.push(finding);
      })(),
    );
    expect(seen).toHaveLength(5);
    expect(isCloudstewardError(error, "UPSTREAM")).toBe(true);
    expect(error.message).toContain("query cost exceeded");
    expect((error as UpstreamError).errors).toEqual([{ message: "query cost exceeded" }]);
    // The response was a 200: the error reports no status rather than a 200.
    expect((error as UpstreamError).status).toBeUndefined();
  });

  it("retries a rate limit that Wiz reports as GraphQL errors in a 200, losing and repeating nothing", async () => {
    let pages = 0;
    server.use(
      http.post(`${sandbox.baseUrl}/wiz/graphql`, () => {
        pages++;
        if (pages === 2) {
          return HttpResponse.json({
            data: null,
            errors: [
              { message: "Rate limit exceeded, retry later", extensions: { code: "RATE_LIMIT_EXCEEDED" } },
            ],
          });
        }
        return undefined;
      }),
    );
    const findings = await collect(wiz({ ...sandbox.wiz, rateLimit: false, pageSize: 7 }).findings());
    const ids = findings.map((finding) => finding.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      wizFindings.map((finding) => findingId("wiz", finding.reportedBy.wiz!)).sort(),
    );
  });

  it("accepts a token whose expires_in is a numeric string", async () => {
    // Some identity providers quote the lifetime; rewrite the sandbox's token answer that way.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const response = await globalThis.fetch(input, init);
      if (!url.endsWith("/oauth/token")) return response;
      const token = (await response.json()) as { expires_in: number };
      return Response.json({ ...token, expires_in: String(token.expires_in) });
    };
    const findings = await collect(
      wiz({ ...sandbox.wiz, fetch, rateLimit: false, kinds: ["issue"] }).findings(),
    );
    expect(findings.length).toBeGreaterThan(0);
  });

  it("caches the access token and refreshes it five minutes before it expires", async () => {
    let issued = 0;
    server.use(
      http.post(`${sandbox.baseUrl}/wiz/oauth/token`, () => {
        issued++;
        return undefined;
      }),
    );
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-01-01T00:00:00Z") });
    try {
      const source = wiz({ ...sandbox.wiz, rateLimit: false, kinds: ["vulnerability"] });
      await collect(source.findings({ severity: ["critical"] }));
      await collect(source.findings({ severity: ["high"] }));
      expect(issued).toBe(1);
      vi.setSystemTime(Date.parse("2026-01-01T23:54:00Z"));
      await collect(source.findings({ severity: ["critical"] }));
      expect(issued).toBe(1);
      vi.setSystemTime(Date.parse("2026-01-01T23:56:00Z"));
      await collect(source.findings({ severity: ["critical"] }));
      expect(issued).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("names the missing option and its environment variable on the first request", async () => {
    await withEnv({ WIZ_API_URL: undefined, WIZ_CLIENT_SECRET: undefined }, async () => {
      const noUrl = await rejection(collect(wiz({ ...sandbox.wiz, apiUrl: undefined }).findings()));
      expect(isCloudstewardError(noUrl, "CONFIGURATION")).toBe(true);
      expect(noUrl.message).toContain("WIZ_API_URL");
      const noSecret = await rejection(collect(wiz({ ...sandbox.wiz, clientSecret: undefined }).findings()));
      expect(noSecret.message).toContain("WIZ_CLIENT_SECRET");
    });
    await withEnv(
      { WIZ_API_URL: undefined, WIZ_CLIENT_SECRET: sandbox.wiz.clientSecret as string },
      async () => {
        const fromEnv = await collect(
          wiz({ ...sandbox.wiz, clientSecret: undefined, rateLimit: false }).findings(),
        );
        expect(fromEnv).toHaveLength(wizFindings.length);
      },
    );
  });

  it("gets one finding of any family by cloudsteward id or native id", async () => {
    const source = wiz({ ...sandbox.wiz, rateLimit: false });
    const vulnerability = wizFindings.find((finding) => finding.wizKind === "vulnerability")!;
    const byNative = await source.getFinding(vulnerability.reportedBy.wiz!);
    expect(byNative?.vulnerability?.cve).toMatch(/^CVE-/);
    expect((await source.getFinding(findingId("wiz", vulnerability.reportedBy.wiz!)))?.id).toBe(byNative?.id);
    expect(await source.getFinding("wiz:missing")).toBeUndefined();
  });

  it("passes reads through query() and refuses mutations unless allowWrite, even behind comments and fragments", async () => {
    const source = wiz({ ...sandbox.wiz, rateLimit: false });
    const data = (await source.query({
      query: "query { issuesV2(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }",
    })) as { issuesV2: { nodes: unknown[] } };
    expect(data.issuesV2.nodes).toHaveLength(2);
    const sneaky = [
      '# query\nmutation { updateIssue(input: { id: "x" }) { issue { id } } }',
      'fragment F on Issue { id }\n  mutation M { updateIssue(input: { id: "x" }) { issue { ...F } } }',
      "query A { issuesV2 { nodes { id } } } mutation B { createIgnoreRule(input: {}) { rule { id } } }",
      "subscription { issueCreated { id } }",
    ];
    for (const query of sneaky) {
      expect(isCloudstewardError(await rejection(source.query({ query })), "WRITE_DISABLED")).toBe(true);
    }
    expect(isCloudstewardError(await rejection(source.query({ query: "mutation {" })), "CONFIGURATION")).toBe(
      true,
    );
    const badField = await rejection(source.query({ query: "{ nope { id } }" }));
    expect(isCloudstewardError(badField, "UPSTREAM")).toBe(true);
    expect(badField.message).toContain('Cannot query field "nope"');
  });

  it("writes status changes with updateIssue and exceptions with an expiring ignore rule", async () => {
    const writable = wiz({ ...sandbox.wiz, rateLimit: false, allowWrite: true });
    const issue = wizFindings.find(
      (finding) => finding.wizKind === "issue" && finding.category !== "threat",
    )!;
    const configuration = wizFindings.find((finding) => finding.wizKind === "configuration")!;
    const before = sandbox.emulations.wiz.writes.length;
    await writable.setStatus(findingId("wiz", issue.reportedBy.wiz!), {
      status: "risk_accepted",
      note: "Accepted by CAB-123 until 2026-12-31",
    });
    expect((await writable.getFinding(issue.reportedBy.wiz!))?.status).toBe("risk_accepted");
    const resolve = await rejection(writable.setStatus(issue.reportedBy.wiz!, { status: "resolved" }));
    expect(isCloudstewardError(resolve, "UPSTREAM")).toBe(true);
    const ref = await writable.createException({
      findingId: findingId("wiz", configuration.reportedBy.wiz!),
      reason: "Risk accepted for the marketing launch",
      expiresAt: "2026-12-31T00:00:00Z",
      requestedBy: "ada.lovelace@example.com",
      approvedBy: "grace.hopper@example.com",
    });
    expect(ref.id).toMatch(/^ir-/);
    expect((await writable.getFinding(configuration.reportedBy.wiz!))?.status).toBe("risk_accepted");
    const writes = sandbox.emulations.wiz.writes.slice(before);
    expect(writes.map((write) => write.operation)).toEqual(["updateIssue", "createIgnoreRule"]);
    expect(writes[0]!.input.patch).toEqual({
      status: "REJECTED",
      resolutionReason: "EXCEPTION",
      note: "Accepted by CAB-123 until 2026-12-31",
    });
    expect(Object.keys(writes[1]!.input).sort()).toEqual([
      "actions",
      "cloudConfigurationRuleIds",
      "description",
      "expiredAt",
      "findingIgnoreReason",
      "findingTypes",
      "name",
      "resourceConditions",
    ]);
    expect(writes[1]!.input).toMatchObject({
      findingTypes: ["CONFIGURATION_FINDING"],
      findingIgnoreReason: "EXCEPTION",
      expiredAt: "2026-12-31T00:00:00.000Z",
      resourceConditions: { providerUniqueId: { equals: [configuration.resourceId] } },
    });
  });
});
