import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";

let sandbox: Sandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 8, size: 40, platforms: ["wiz"] });
  token = await getToken();
});
afterAll(() => sandbox.close());

async function getToken(overrides: Record<string, string> = {}): Promise<string> {
  const response = await fetch(sandbox.wiz.authUrl!, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: sandbox.wiz.clientId!,
      client_secret: sandbox.wiz.clientSecret as string,
      audience: "wiz-api",
      ...overrides,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

// biome-ignore lint/suspicious/noExplicitAny: GraphQL responses are read ad hoc in these tests.
type Json = any;

async function graphql(query: string, variables: Record<string, unknown> = {}, bearer = token) {
  const response = await fetch(sandbox.wiz.apiUrl!, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: Json; errors?: { message: string }[] },
  };
}

const issuesPage = `query Page($first: Int, $after: String, $filterBy: IssueFilters) {
  issues: issuesV2(first: $first, after: $after, filterBy: $filterBy) { nodes { id status severity } pageInfo { hasNextPage endCursor } }
}`;

describe("Wiz emulation", () => {
  it("issues tokens only for the right client credentials and audience", async () => {
    const wrong = await fetch(sandbox.wiz.authUrl!, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "x",
        client_secret: "y",
        audience: "wiz-api",
      }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "access_denied", error_description: "Unauthorized" });
    const legacy = await fetch(sandbox.wiz.authUrl!, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sandbox.wiz.clientId!,
        client_secret: sandbox.wiz.clientSecret as string,
        audience: "beyond-api",
      }),
    });
    expect(legacy.status).toBe(400);
  });

  it("answers 401 without a valid bearer token", async () => {
    expect((await graphql(issuesPage, {}, "not-a-token")).status).toBe(401);
  });

  it("pages with first/after/pageInfo and every issue appears once", async () => {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { body } = await graphql(issuesPage, { first: 4, after });
      ids.push(...body.data.issues.nodes.map((node: { id: string }) => node.id));
      if (!body.data.issues.pageInfo.hasNextPage) break;
      after = body.data.issues.pageInfo.endCursor;
    }
    const expected = sandbox.estate.findings
      .filter((finding) => finding.wizKind === "issue")
      .map((finding) => finding.reportedBy.wiz);
    expect(ids.sort()).toEqual(expected.sort());
  });

  it("applies filterBy and refuses a cursor from another filter", async () => {
    const { body } = await graphql(issuesPage, { first: 100, filterBy: { severity: ["HIGH"] } });
    expect(body.data.issues.nodes.length).toBeGreaterThan(0);
    expect(body.data.issues.nodes.every((node: { severity: string }) => node.severity === "HIGH")).toBe(true);
    const first = await graphql(issuesPage, { first: 1, filterBy: { severity: ["HIGH"] } });
    const moved = await graphql(issuesPage, {
      first: 1,
      after: first.body.data.issues.pageInfo.endCursor,
      filterBy: { severity: ["LOW"] },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.errors?.[0]?.message).toMatch(/Invalid cursor/);
  });

  it("reports GraphQL errors in a 200, like Wiz: unknown fields, unknown filter keys, oversized pages, syntax", async () => {
    const unknownField = await graphql("{ cloudThings { nodes { id } } }");
    expect(unknownField.status).toBe(200);
    expect(unknownField.body).toMatchObject({
      data: null,
      errors: [{ message: 'Cannot query field "cloudThings" on type "Query".' }],
    });
    const badFilter = await graphql(issuesPage, { filterBy: { cloudAccount: ["1"] } });
    expect(badFilter.body.errors?.[0]?.message).toContain(
      '"cloudAccount" is not defined by type "IssueFilters"',
    );
    expect((await graphql(issuesPage, { first: 501 })).body.errors?.[0]?.message).toContain(
      "between 0 and 500",
    );
    expect((await graphql("query {")).body.errors?.[0]?.message).toMatch(/^Syntax Error/);
  });

  it("only resolves threat detections manually and records accepted mutations", async () => {
    const mutation = `mutation U($issueId: ID!, $patch: UpdateIssuePatch) { updateIssue(input: { id: $issueId, patch: $patch }) { issue { id status resolutionReason } } }`;
    const issue = sandbox.estate.findings.find(
      (finding) => finding.wizKind === "issue" && finding.category !== "threat",
    )!;
    const resolved = await graphql(mutation, {
      issueId: issue.reportedBy.wiz,
      patch: { status: "RESOLVED", resolutionReason: "ISSUE_FIXED" },
    });
    expect(resolved.body.errors?.[0]?.message).toMatch(/Threat Detection/);
    const before = sandbox.emulations.wiz.writes.length;
    const rejected = await graphql(mutation, {
      issueId: issue.reportedBy.wiz,
      patch: { status: "REJECTED", resolutionReason: "WONT_FIX", note: "n" },
    });
    expect(rejected.body.data.updateIssue.issue).toMatchObject({
      status: "REJECTED",
      resolutionReason: "WONT_FIX",
    });
    expect(sandbox.emulations.wiz.writes.length).toBe(before + 1);
    const missing = await graphql(mutation, { issueId: "nope", patch: { status: "OPEN" } });
    expect(missing.body.errors?.[0]?.message).toContain("not found");
  });

  it("renders configuration findings with tag lists and vulnerability findings with CVE data", async () => {
    const configuration = await graphql(
      "{ configurationFindings(first: 3) { nodes { id } pageInfo { hasNextPage endCursor } } }",
    );
    const node = configuration.body.data.configurationFindings.nodes[0];
    expect(Array.isArray(node.resource.tags)).toBe(true);
    expect(node.result).toBe("FAIL");
    const issue = sandbox.estate.findings.find((finding) => finding.wizKind === "issue")!;
    const single = await graphql("query One($id: ID!) { issue(id: $id) { id } }", {
      id: issue.reportedBy.wiz,
    });
    expect(single.body.data.issue.id).toBe(issue.reportedBy.wiz);
    expect((await graphql('{ issue(id: "missing") { id } }')).body.data.issue).toBeNull();
    const vulnerabilities = await graphql("{ vulnerabilityFindings(first: 3) { nodes { id } } }");
    expect(vulnerabilities.body.data.vulnerabilityFindings.nodes[0].name).toMatch(/^CVE-\d{4}-\d+$/);
  });
});
