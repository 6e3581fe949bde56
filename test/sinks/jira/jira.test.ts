import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { reconcile, trackingId } from "../../../src/core/ledger.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { jira } from "../../../src/sinks/jira/index.js";
import { makeAction, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import { jiraEmulation } from "../../../src/testing/sandbox/jira.js";
import { testSink } from "../../../src/testing/vitest/sink-suite.js";

const token = "sandbox-jira-token";

testSink({
  name: "jira",
  create: ({ options, fetch, store }) => jira({ ...options, projectKey: "SEC", fetch, store }),
  secrets: [token, Buffer.from(`bot@example.com:${token}`).toString("base64")],
});

function setup() {
  const emulation = jiraEmulation();
  const baseUrl = "http://sandbox.test/jira";
  const store = memoryStore();
  const fetch = emulationFetch(emulation, baseUrl);
  const sink = jira({
    ...emulation.options(baseUrl),
    projectKey: "SEC",
    fetch,
    store,
    assignByEmail: true,
    rateLimit: { requestsPerSecond: 10_000 },
  });
  return { emulation, store, sink, baseUrl, fetch };
}

const open = (id: string, status: "open" | "resolved" = "open", severity: "high" | "critical" = "high") =>
  makeFinding({
    id,
    source: { nativeId: id },
    status,
    severity,
    resource: { id: `arn:aws:s3:::${id}`, name: id },
  });

describe("jira", () => {
  it("creates an issue with an ADF description, labels, priority, due date, components and assignee", async () => {
    const { emulation, sink } = setup();
    const item = makeCase({
      findings: [open("f1")],
      context: { owner: { value: "alice@example.com", source: "tag:owner" } },
      explanation: {
        source: "knowledge",
        headline: "Public S3 bucket acme-logs",
        risk: "Anyone on the internet can read it.",
        whyItMatters: "It holds PII.",
        likelyIntent: "Opened for debugging.",
        remediationSteps: ["Enable Block Public Access."],
        snippets: [
          { language: "bash", label: "CLI", code: "aws s3api put-public-access-block --bucket acme-logs" },
        ],
        controls: [{ framework: "PCI DSS 4.0", control: "1.4.1" }],
        consoleUrl: "https://console.aws.amazon.com/s3/buckets/acme-logs",
      },
    });
    const action = makeAction({
      case: item,
      dueDate: "2026-02-14",
      params: { components: ["cloud"], labels: ["team a"] },
    });
    const delivery = await sink.deliver(action);
    expect(delivery).toEqual({
      key: action.idempotencyKey,
      status: "created",
      ref: { id: "SEC-1", url: "http://sandbox.test/jira/browse/SEC-1" },
      safeToRetry: true,
    });
    const [issue] = emulation.issues();
    expect(issue?.fields.labels).toEqual([
      "cloudsteward",
      `cs-${trackingId(action.idempotencyKey)}`,
      "team-a",
    ]);
    expect(issue?.fields.priority).toEqual({ name: "High" });
    expect(issue?.fields.duedate).toBe("2026-02-14");
    expect(issue?.fields.components).toEqual([{ name: "cloud" }]);
    expect(issue?.fields.assignee).toMatchObject({ accountId: expect.stringMatching(/^5b10/) });
    expect(issue?.fields.summary).toBe("[HIGH] Public S3 bucket acme-logs");
    const types = JSON.stringify(issue?.fields.description);
    expect(types).toContain('"type":"table"');
    expect(types).toContain('"type":"codeBlock"');
    expect(types).toContain("https://console.aws.amazon.com/s3/buckets/acme-logs");
  });

  it("comments when findings join and the severity rises, transitions to done when all are resolved, and reopens on regression", async () => {
    const { emulation, sink } = setup();
    const key = "case-sync:ticket";
    const deliver = (findings: ReturnType<typeof open>[]) =>
      sink.deliver(makeAction({ case: makeCase({ findings }), idempotencyKey: key }));

    expect((await deliver([open("a")])).status).toBe("created");
    expect((await deliver([open("a")])).status).toBe("unchanged");
    expect((await deliver([open("a"), open("b", "open", "critical")])).status).toBe("updated");
    let [issue] = emulation.issues();
    expect(issue?.comments).toHaveLength(1);
    expect(JSON.stringify(issue?.comments[0]?.body)).toContain("Severity changed from HIGH to CRITICAL");
    expect(issue?.fields.priority).toEqual({ name: "Highest" });

    expect((await deliver([open("a", "resolved"), open("b", "resolved", "critical")])).status).toBe(
      "updated",
    );
    [issue] = emulation.issues();
    expect(issue?.fields.status.statusCategory.key).toBe("done");
    expect(await sink.readStatus(key)).toMatchObject({
      state: "done",
      nativeStatus: "Done",
      resolution: "Done",
    });

    expect((await deliver([open("a", "resolved"), open("b", "open", "critical")])).status).toBe("updated");
    [issue] = emulation.issues();
    expect(issue?.fields.status.statusCategory.key).toBe("new");
    expect(await sink.readStatus(key)).toMatchObject({ state: "open", ref: { id: "SEC-1" } });
    expect(emulation.issues()).toHaveLength(1);
  });

  it("reports a workflow without a done transition as a configuration error, not an HTTP status", async () => {
    const emulation = jiraEmulation();
    const baseUrl = "http://sandbox.test/jira";
    const emulated = emulationFetch(emulation, baseUrl);
    // The project's workflow offers no transition at all: Jira answers the GET with a 200 and an empty list.
    const fetch: typeof globalThis.fetch = (input, init) =>
      (input instanceof Request ? input.url : String(input)).endsWith("/transitions")
        ? Promise.resolve(Response.json({ transitions: [] }))
        : emulated(input, init);
    const sink = jira({ ...emulation.options(baseUrl), projectKey: "SEC", fetch, store: memoryStore() });
    const deliver = (status: "open" | "resolved") =>
      sink.deliver(makeAction({ case: makeCase({ findings: [open("a", status)] }), idempotencyKey: "k" }));
    await deliver("open");
    const error = await deliver("resolved").catch((caught: unknown) => caught);
    const cause = (error as Error).cause as Error & { status?: unknown };
    expect(isCloudstewardError(cause, "CONFIGURATION")).toBe(true);
    expect(cause.message).toContain('SEC-1 has no transition to a "done" status');
    expect(cause.status).toBeUndefined();
  });

  it("assigns only a user whose address matches the owner's", async () => {
    const emulation = jiraEmulation({
      users: [
        { accountId: "acc-lookalike", emailAddress: "carol@corp.example.org.evil", displayName: "Lookalike" },
      ],
    });
    const baseUrl = "http://sandbox.test/jira";
    const sink = jira({
      ...emulation.options(baseUrl),
      projectKey: "SEC",
      fetch: emulationFetch(emulation, baseUrl),
      assignByEmail: true,
    });
    const owned = (email: string) => makeCase({ context: { owner: { value: email, source: "tag:owner" } } });
    await sink.deliver(makeAction({ case: owned("carol@corp.example.org"), idempotencyKey: "no-match" }));
    await sink.deliver(makeAction({ case: owned("dave@example.com"), idempotencyKey: "match" }));
    const [unassigned, assigned] = emulation.issues();
    expect(unassigned?.fields.assignee).toBeUndefined();
    expect(assigned?.fields.assignee).toMatchObject({ accountId: expect.any(String) });
  });

  it("reads a status a person changed, judged by statusCategory", async () => {
    const { emulation, sink } = setup();
    const action = makeAction();
    await sink.deliver(action);
    emulation.setStatus("SEC-1", "indeterminate");
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({
      state: "in_progress",
      nativeStatus: "In Progress",
    });
    emulation.setStatus("SEC-1", "done");
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({ state: "done" });
    expect(await sink.readStatus("no-such-key")).toBeUndefined();
  });

  it("searches through /rest/api/3/search/jql with nextPageToken across pages", async () => {
    const { sink } = setup();
    for (let index = 0; index < 120; index++)
      await sink.deliver(makeAction({ idempotencyKey: `page-${index}` }));
    const keys: string[] = [];
    for await (const issue of sink.search('project = "SEC" AND labels = "cloudsteward"'))
      keys.push(issue.key);
    expect(keys).toHaveLength(120);
    expect(new Set(keys).size).toBe(120);
  });

  it("repairs a lost ledger with reconcile()", async () => {
    const { emulation, fetch, baseUrl } = setup();
    const first = jira({ ...emulation.options(baseUrl), projectKey: "SEC", fetch });
    for (const key of ["r1", "r2", "r3"]) await first.deliver(makeAction({ idempotencyKey: key }));
    const store = memoryStore();
    const second = jira({ ...emulation.options(baseUrl), projectKey: "SEC", fetch, store });
    const report = await reconcile(second);
    expect(report).toMatchObject({ scanned: 3, repaired: 3, duplicates: [], missing: [] });
    expect(await second.ledger.get("r2")).toMatchObject({ state: "done", ref: { id: "SEC-2" } });
  });

  it("maps a 401 to an AuthenticationError cause without the token", async () => {
    const { emulation, baseUrl, fetch } = setup();
    const sink = jira({
      baseUrl,
      email: "bot@example.com",
      apiToken: "wrong-token-123",
      projectKey: "SEC",
      fetch,
    });
    const error = await sink.deliver(makeAction()).catch((failure: unknown) => failure);
    expect(isCloudstewardError(error, "DELIVERY")).toBe(true);
    const cause = (error as Error).cause;
    expect(isCloudstewardError(cause, "AUTHENTICATION")).toBe(true);
    expect((cause as Error).message).toContain("JIRA_EMAIL/JIRA_API_TOKEN");
    expect(JSON.stringify(cause) + (cause as Error).message).not.toContain("wrong-token-123");
    expect(emulation.issues()).toHaveLength(0);
  });

  it("names the missing option when no base URL is configured", async () => {
    const sink = jira({
      email: "bot@example.com",
      apiToken: token,
      projectKey: "SEC",
      fetch: async () => new Response(),
    });
    const previous = process.env.JIRA_BASE_URL;
    delete process.env.JIRA_BASE_URL;
    try {
      const error = await sink.deliver(makeAction()).catch((failure: unknown) => failure);
      expect(String((error as Error).message)).toContain("JIRA_BASE_URL");
    } finally {
      if (previous !== undefined) process.env.JIRA_BASE_URL = previous;
    }
  });

  it("surfaces Jira's field errors from a 400 in the DeliveryError's cause", async () => {
    const { emulation, baseUrl, fetch } = setup();
    const sink = jira({ ...emulation.options(baseUrl), projectKey: "SEC", issueType: "Nope", fetch });
    const failure = await sink.deliver(makeAction()).catch((error: unknown) => error);
    expect(isCloudstewardError((failure as Error).cause, "BAD_REQUEST")).toBe(true);
    expect(((failure as Error).cause as Error).message).toContain("issuetype: Specify a valid issue type");
    expect(emulation.issues()).toHaveLength(0);
  });

  it.each([["5xx bursts", { serverErrors: { every: 4 } }, "serverErrors"]] as const)(
    "survives %s without duplicates (searches after an ambiguous create)",
    async (_name, faults, stat) => {
      const emulation = jiraEmulation({ faults });
      const baseUrl = "http://sandbox.test/jira";
      const sink = jira({
        ...emulation.options(baseUrl),
        projectKey: "SEC",
        fetch: emulationFetch(emulation, baseUrl),
        rateLimit: { requestsPerSecond: 10_000 },
      });
      for (let index = 0; index < 12; index++) {
        const action = makeAction({ idempotencyKey: `storm-${index}` });
        // A 503 on the create and on the search after it leaves the claim interrupted: the next delivery settles it.
        const delivery = (await sink.deliver(action).catch(() => undefined)) ?? (await sink.deliver(action));
        expect(["created", "unchanged"]).toContain(delivery.status);
      }
      expect(emulation.faults.stats[stat]).toBeGreaterThan(0);
      const labels = emulation.issues().map((issue) => issue.fields.labels[1]);
      expect(labels).toHaveLength(12);
      expect(new Set(labels).size).toBe(12);
    },
  );

  it("answers 410 on the removed search endpoint (the sink never calls it)", async () => {
    const { fetch } = setup();
    const response = await fetch("http://sandbox.test/jira/rest/api/3/search?jql=project%3DSEC", {
      headers: { authorization: `Basic ${Buffer.from(`bot@example.com:${token}`).toString("base64")}` },
    });
    expect(response.status).toBe(410);
    expect(JSON.stringify(await response.json())).toContain("CHANGE-2046");
  });
});
