import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromTags } from "../../src/agents/enrich/index.js";
import { governance } from "../../src/agents/governance/index.js";
import { definePolicy } from "../../src/agents/policy/index.js";
import { auditLog } from "../../src/audit/index.js";
import type { Finding } from "../../src/core/finding.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Store } from "../../src/core/store.js";
import { type EmailMessage, email } from "../../src/sinks/email/index.js";
import { jira } from "../../src/sinks/jira/index.js";
import { servicenow } from "../../src/sinks/servicenow/index.js";
import { slack } from "../../src/sinks/slack/index.js";
import { teams } from "../../src/sinks/teams/index.js";
import { webhook } from "../../src/sinks/webhook/index.js";
import { makeAction, makeCase, makeFinding, resetFactories } from "../../src/testing/factories.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";
import { scriptedModel } from "../../src/testing/scripted-model.js";
import { positives } from "../core/__fixtures__/redaction-corpus.js";
import { fakeHttp, type SentRequest } from "./__fixtures__/fake-http.js";

/**
 * The secrets corpus (#14.4): every positive case of the redaction corpus, planted in a finding's
 * tags, description and resource name, run through the governed pipeline with a scripted model that
 * echoes resource names, to every sink: no secret may reach a model request, a sink payload, a Store
 * record or an audit record.
 */

const policy = definePolicy({
  mode: "automated",
  rules: [
    {
      id: "everything",
      when: { severity: ["critical"] },
      do: [
        { kind: "ticket", sink: "jira", automatic: true },
        { kind: "ticket", sink: "servicenow", automatic: true },
        { kind: "notify", sink: "slack", automatic: true, params: { channel: "C1" } },
        { kind: "notify", sink: "teams", automatic: true },
        { kind: "notify", sink: "email", automatic: true },
        { kind: "notify", sink: "webhook", automatic: true },
        { kind: "remediate", sink: "webhook" },
      ],
    },
  ],
  principals: [
    { id: "bot", scopes: ["execute:ticket", "execute:notify"] },
    { id: "alice", scopes: ["approve:*"] },
  ],
  allowedActions: ["ticket", "notify", "remediate"],
});

function plantedFindings(): Finding[] {
  resetFactories();
  return positives.map((entry, index) =>
    makeFinding({
      severity: "critical",
      description: `Found while scanning user data: ${entry.text}`,
      resource: {
        id: `arn:aws:s3:::planted-${index}`,
        name: `planted-${index} ${entry.text}`,
        tags: {
          note: entry.text,
          owner: index % 2 === 0 ? entry.text : "alice@example.com",
          env: "production",
        },
      },
    }),
  );
}

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

/** A Store that keeps a copy of every value written to it. */
function recordingStore(inner: Store): Store & { written: string[] } {
  const written: string[] = [];
  const keep = (value: unknown) => written.push(JSON.stringify(value));
  return {
    ...inner,
    written,
    specificationVersion: "v1",
    name: "recording",
    get: (namespace, key) => inner.get(namespace, key),
    set: (namespace, key, value, options) => {
      keep(value);
      return inner.set(namespace, key, value, options);
    },
    setIfAbsent: (namespace, key, value) => {
      keep(value);
      return inner.setIfAbsent(namespace, key, value);
    },
    compareAndSet: (namespace, key, expected, next) => {
      keep(next);
      return inner.compareAndSet(namespace, key, expected, next);
    },
    delete: (namespace, key) => inner.delete(namespace, key),
    list: (namespace, options) => inner.list(namespace, options),
    append: (log, build) =>
      inner.append(log, (previous) => {
        const value = build(previous);
        keep(value);
        return value;
      }),
    read: (log, options) => inner.read(log, options),
    close: () => inner.close(),
  };
}

/** A fetch to the sandbox that records what it sends. */
function recordingFetch(requests: SentRequest[]): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? await request.clone().text() : "";
    requests.push({ method: request.method, url: request.url, body });
    return globalThis.fetch(request);
  };
}

/** What a person would read: Slack/HTML entities decoded and Markdown backslash escapes removed. */
function readable(text: string): string {
  return text
    .replace(/\\\\/g, "\\")
    .replace(/\\([\\`*_[\]()~<>#+\-.!|{}])/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function leaks(outputs: Record<string, string[]>): string[] {
  const found: string[] = [];
  for (const [where, texts] of Object.entries(outputs)) {
    const all = texts.join("\n");
    const views = [all, readable(all), readable(JSON.parse(JSON.stringify(all)) as string)];
    for (const entry of positives) {
      for (const secret of entry.secrets) {
        if (views.some((view) => view.includes(secret))) found.push(`${entry.name} in ${where}`);
      }
    }
  }
  return [...new Set(found)];
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 14, size: 5, platforms: ["wiz"] });
}, 60_000);
afterAll(() => sandbox?.close());

describe("secrets corpus through the governed pipeline and every sink", () => {
  it("has at least 40 formats, planted in tags, descriptions and resource names", () => {
    expect(positives.length).toBeGreaterThanOrEqual(40);
  });

  it("leaks 0 secrets into model requests, sink payloads, Store records and audit records", async () => {
    const sandboxRequests: SentRequest[] = [];
    const chat = fakeHttp();
    const hooks = fakeHttp();
    const mails: EmailMessage[] = [];
    const store = recordingStore(memoryStore());
    const audit = auditLog(store);
    const model = scriptedModel({
      defaultObject: {
        headline: "{{resource.name}} is readable by anyone",
        risk: "Anyone on the internet can read {{resource.name}}.",
        whyItMatters: "Data in {{resource.name}} can leak.",
        likelyIntent: "Probably a test left public.",
        remediationSteps: ["Turn on the public access block for {{resource.name}}."],
      },
    });
    const slackSink = slack({
      token: "xoxb-test",
      channel: "C1",
      messagesPerSecond: 10_000,
      fetch: chat.fetch,
    });
    const webhookSink = webhook({
      url: "https://hooks.test/cloudsteward",
      secret: "hook-secret",
      fetch: hooks.fetch,
    });
    const result = await governance({
      sources: [iterate(plantedFindings())],
      policy,
      principal: "bot",
      sinks: {
        jira: jira({ ...sandbox.jira, projectKey: "SEC", fetch: recordingFetch(sandboxRequests) }),
        servicenow: servicenow({ ...sandbox.servicenow, fetch: recordingFetch(sandboxRequests) }),
        slack: slackSink,
        teams: teams({
          webhookUrl: "https://teams.test/teams/flow",
          messagesPerSecond: 10_000,
          fetch: chat.fetch,
        }),
        email: email({
          transport: { sendMail: async (message) => void mails.push(message) },
          from: "cloudsec@example.com",
          to: "security@example.com",
        }),
        webhook: webhookSink,
      },
      requestSink: slackSink,
      store,
      audit,
      model,
      enrich: { providers: [fromTags()] },
    }).start();
    expect(result.report.deadLetters).toEqual([]);
    expect(result.delivered.length).toBeGreaterThanOrEqual(6);
    expect(model.requests.length).toBeGreaterThan(0);

    // Approve the held remediation and execute it: the approved action goes out as the Store kept it.
    const { approvalQueue } = await import("../../src/agents/approvals/index.js");
    const approvals = approvalQueue({ store, policy, audit });
    let approved = 0;
    for await (const request of approvals.list({ state: "requested" })) {
      await approvals.approve(request.id, { principal: "alice" });
      approved++;
    }
    expect(approved).toBeGreaterThan(0);
    const executed = await approvals.executeApproved({ sinks: { webhook: webhookSink } });
    expect(executed.failed).toEqual([]);

    // A read-only run keeps drafts in the Store.
    const draftStore = recordingStore(memoryStore());
    await governance({
      sources: [iterate(plantedFindings())],
      policy,
      principal: "bot",
      mode: "read-only",
      sinks: {},
      store: draftStore,
      audit: auditLog(draftStore),
      enrich: { providers: [fromTags()] },
    }).start();

    const auditRecords: string[] = [];
    for await (const record of audit.query()) auditRecords.push(JSON.stringify(record));
    const outputs = {
      "model requests": model.requests.map((request) => JSON.stringify(request)),
      "jira and servicenow requests": sandboxRequests.map((request) => `${request.url}\n${request.body}`),
      "slack and teams requests": chat.requests.map((request) => `${request.url}\n${request.body}`),
      "webhook requests": hooks.requests.map((request) => `${request.url}\n${request.body}`),
      "e-mails": mails.map((message) => JSON.stringify(message)),
      "store records": [...store.written, ...draftStore.written],
      "audit records": auditRecords,
    };
    for (const [where, texts] of Object.entries(outputs)) expect(texts.length, where).toBeGreaterThan(0);
    expect(sandboxRequests.some((request) => request.url.includes("/servicenow/"))).toBe(true);
    expect(hooks.requests.length).toBeGreaterThanOrEqual(2);
    expect(leaks(outputs)).toEqual([]);
  }, 120_000);

  it("lets a sink opt in to raw data: webhook({ raw: true }) posts the case as it is", async () => {
    const secret = positives.find((entry) => entry.kind === "github_token")!;
    const item = makeCase({ findings: [makeFinding({ resource: { name: secret.text } })] });
    const redacted = fakeHttp();
    await webhook({ url: "https://hooks.test/a", secret: "s3cret-value", fetch: redacted.fetch }).deliver(
      makeAction({ case: item }),
    );
    const raw = fakeHttp();
    await webhook({
      url: "https://hooks.test/b",
      secret: "s3cret-value",
      fetch: raw.fetch,
      raw: true,
    }).deliver(makeAction({ case: item }));
    for (const value of secret.secrets) {
      expect(redacted.requests[0]!.body).not.toContain(value);
      expect(raw.requests[0]!.body).toContain(value);
    }
    const body = JSON.parse(redacted.requests[0]!.body) as { idempotencyKey: string; case: { id: string } };
    expect(body.idempotencyKey).toBe(makeAction({ case: item }).idempotencyKey);
    expect(body.case.id).toBe(item.id);
  });

  it.each(["jira", "servicenow", "slack", "teams", "email"] as const)(
    "%s masks secrets by default and shows them only with raw: true, still escaped",
    async (name) => {
      const secret = positives.find((entry) => entry.kind === "stripe_key")!;
      const item = makeCase({
        findings: [makeFinding({ resource: { name: `<!channel> ${secret.text}` } })],
      });
      const send = async (raw: boolean) => {
        const http = fakeHttp();
        const mails: EmailMessage[] = [];
        const common = { fetch: http.fetch, raw };
        const sink =
          name === "jira"
            ? jira({
                baseUrl: "https://jira.test",
                email: "bot@example.com",
                apiToken: "t",
                projectKey: "SEC",
                rateLimit: false,
                ...common,
              })
            : name === "servicenow"
              ? servicenow({ instanceUrl: "https://sn.test", username: "svc", password: "pw", ...common })
              : name === "slack"
                ? slack({ token: "xoxb-test", channel: "C1", ...common })
                : name === "teams"
                  ? teams({ webhookUrl: "https://teams.test/teams/flow", ...common })
                  : email({
                      transport: { sendMail: async (message) => void mails.push(message) },
                      from: "cloudsec@example.com",
                      to: "security@example.com",
                      raw,
                    });
        await sink.deliver(makeAction({ case: item }));
        return [
          ...http.requests.map((request) => request.body),
          ...mails.map((mail) => JSON.stringify(mail)),
        ].join("\n");
      };
      const masked = await send(false);
      const raw = await send(true);
      for (const value of secret.secrets) {
        expect(readable(masked)).not.toContain(value);
        expect(readable(raw)).toContain(value);
      }
      if (name === "slack") expect(raw).not.toContain("<!channel>");
    },
  );
});
