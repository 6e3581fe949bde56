import { describe, expect, it } from "vitest";
import type { Case } from "../../src/core/case.js";
import { type EmailMessage, email } from "../../src/sinks/email/index.js";
import { jira } from "../../src/sinks/jira/index.js";
import {
  type AdfNode,
  emailAddress,
  type renderAdaptiveCard,
  renderHtml,
  renderMarkdown,
  renderSlack,
  renderText,
  singleLine,
} from "../../src/sinks/render/index.js";
import { servicenow } from "../../src/sinks/servicenow/index.js";
import { slack } from "../../src/sinks/slack/index.js";
import { teams } from "../../src/sinks/teams/index.js";
import { makeAction, makeCase, makeFinding } from "../../src/testing/factories.js";
import { attacks, spoofedOwners, validOwners } from "./__fixtures__/escaping-corpus.js";
import { fakeHttp } from "./__fixtures__/fake-http.js";

/** The attack in every untrusted field: title, description, resource name, tags, owner, and (model-written) explanation. */
function attacked(value: string, explained: boolean): Case {
  return makeCase({
    findings: [
      makeFinding({
        title: value,
        description: value,
        rule: { name: value, remediation: value },
        resource: { name: value, region: value, accountName: value, tags: { note: value } },
      }),
    ],
    context: { owner: { value, source: "tag:owner" } },
    ...(explained
      ? {
          explanation: {
            source: "model",
            headline: value,
            risk: value,
            whyItMatters: value,
            likelyIntent: value,
            remediationSteps: [value],
            snippets: [{ language: "bash", label: value, code: value }],
            controls: [{ framework: value, control: value }],
          },
        }
      : {}),
  });
}

const cases = attacks.flatMap((attack) => [
  { name: `${attack.name} (platform text)`, value: attack.value, item: attacked(attack.value, false) },
  { name: `${attack.name} (model text)`, value: attack.value, item: attacked(attack.value, true) },
]);

const controlCharacters = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u200B-\u200F\u202A-\u202E]/;

describe("escaping corpus", () => {
  it("has at least 30 attacks and 15 spoofed owners", () => {
    expect(attacks.length).toBeGreaterThanOrEqual(30);
    expect(spoofedOwners.length).toBeGreaterThanOrEqual(15);
  });
});

describe("Slack: no mention, link or control sequence from finding text, in `text` or blocks", () => {
  it.each(cases)("$name", async ({ item }) => {
    const http = fakeHttp();
    const sink = slack({ token: "xoxb-test", channel: "C1", messagesPerSecond: 1000, fetch: http.fetch });
    await sink.deliver(makeAction({ case: item }));
    const posts = http.requests.filter((request) => request.url.endsWith("/chat.postMessage"));
    expect(posts).toHaveLength(1);
    const message = JSON.parse(posts[0]!.body) as { text: string; blocks: Record<string, unknown>[] };
    for (const text of [message.text, ...mrkdwnTexts(message.blocks)]) {
      // Our own messages carry no link here (the finding has no console URL): any `<` is injected.
      expect(text).not.toMatch(/</);
    }
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text).not.toMatch(controlCharacters);
    // The owner is not an address: no user is looked up, the message goes to the channel.
    expect(http.requests.some((request) => request.url.includes("lookupByEmail"))).toBe(false);
  });
});

describe("Teams: Adaptive Card text cannot form links, mentions, emphasis or list items", () => {
  it.each(cases)("$name", async ({ item }) => {
    const http = fakeHttp();
    const sink = teams({
      webhookUrl: "https://teams.test/teams/flow",
      messagesPerSecond: 1000,
      fetch: http.fetch,
    });
    await sink.deliver(makeAction({ case: item }));
    const body = JSON.parse(http.requests[0]!.body) as {
      attachments: { content: ReturnType<typeof renderAdaptiveCard> }[];
    };
    const card = body.attachments[0]!.content;
    expect(card.actions).toEqual([]);
    for (const text of cardTexts(card)) {
      expect(text).not.toMatch(/(?<!\\)[[\]<>*_`~]/);
      // One resource and one step: our own list markers start one line each, and no other line is a list item or heading.
      const lines = text.split("\n");
      expect(lines.filter((line) => /^\s*(?:[-+*]|\d+\.)\s/.test(line)).length).toBeLessThanOrEqual(1);
      expect(lines.filter((line) => /^\s*#/.test(line))).toEqual([]);
      expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u2028\u2029\u202A-\u202E]/);
    }
  });
});

describe("Jira: ADF text is literal and one line; the summary has no control characters", () => {
  it.each(cases)("$name", async ({ item }) => {
    const http = fakeHttp();
    const sink = jira({
      baseUrl: "https://jira.test",
      email: "bot@example.com",
      apiToken: "test",
      projectKey: "SEC",
      assignByEmail: true,
      rateLimit: false,
      fetch: http.fetch,
    });
    await sink.deliver(makeAction({ case: item }));
    const create = http.requests.find((request) => request.url.endsWith("/rest/api/3/issue"));
    const { fields } = JSON.parse(create!.body) as {
      fields: { summary: string; description: { content: AdfNode[] } };
    };
    expect(fields.summary).not.toMatch(controlCharacters);
    for (const node of adfNodes(fields.description.content)) {
      for (const mark of node.marks ?? []) expect(mark.type).not.toBe("link");
      if (node.type === "text" && !node.inCode) expect(node.text).not.toMatch(controlCharacters);
    }
    // The owner is not an address: no user search by it.
    expect(http.requests.some((request) => request.url.includes("/user/search"))).toBe(false);
  });
});

describe("ServiceNow: no [code] marker, no forged field, one-line short description", () => {
  it.each(cases)("$name", async ({ item }) => {
    const http = fakeHttp();
    const sink = servicenow({
      instanceUrl: "https://sn.test",
      username: "svc",
      password: "pw",
      rateLimit: false,
      fetch: http.fetch,
    } as Parameters<typeof servicenow>[0]);
    await sink.deliver(makeAction({ case: item }));
    const create = http.requests.find((request) => request.method === "POST");
    const record = JSON.parse(create!.body) as Record<string, string>;
    for (const value of Object.values(record)) expect(value).not.toMatch(/\[\s*\/?\s*code\s*\]/i);
    expect(record.short_description).not.toMatch(controlCharacters);
    expect(fieldLines(record.description!)).toEqual(["Severity"]);
  });
});

describe("e-mail: escaped HTML, one Severity line, a clean subject, never a spoofed recipient", () => {
  it.each(cases)("$name", async ({ item }) => {
    const sent: EmailMessage[] = [];
    const sink = email({
      transport: { sendMail: async (message) => void sent.push(message) },
      from: "cloudsec@example.com",
      to: "security@example.com",
    });
    await sink.deliver(makeAction({ case: item }));
    const [message] = sent;
    expect(message!.to).toEqual(["security@example.com"]);
    expect(message!.subject).not.toMatch(controlCharacters);
    expect(htmlProblems(message!.html)).toEqual([]);
    expect(fieldLines(message!.text)).toEqual(["Severity"]);
  });
});

describe("renderers on their own", () => {
  it.each(cases)("$name", ({ item }) => {
    const message = renderSlack(item, { approvalId: "apr_1" });
    for (const text of [message.text, ...mrkdwnTexts(message.blocks)]) expect(text).not.toMatch(/</);
    expect(htmlProblems(renderHtml(item))).toEqual([]);
    expect(fieldLines(renderText(item))).toEqual(["Severity"]);
    // Code fences show their content literally; everything outside them must be escaped.
    const markdown = renderMarkdown(item).replace(/^(```|~~~~)[^\n]*\n[\s\S]*?^\1$/gm, "");
    expect(markdown).not.toMatch(/(?<!\\)\]\(/);
    expect(markdown).not.toMatch(/(?<!\\)<(?!\/?(?:br)\b)/);
  });
});

describe("owner addresses", () => {
  it.each(spoofedOwners)("never uses %j as an address", async (owner) => {
    expect(emailAddress(owner)).toBeUndefined();
    const item = makeCase({ context: { owner: { value: owner, source: "tag:owner" } } });
    const sent: EmailMessage[] = [];
    const mail = email({
      transport: { sendMail: async (message) => void sent.push(message) },
      from: "cloudsec@example.com",
      to: "security@example.com",
    });
    await mail.deliver(makeAction({ case: item }));
    expect(sent[0]!.to).toEqual(["security@example.com"]);
    const http = fakeHttp();
    await slack({ token: "xoxb-test", channel: "C1", fetch: http.fetch }).deliver(makeAction({ case: item }));
    expect(http.requests.some((request) => request.url.includes("lookupByEmail"))).toBe(false);
    // Nor through `params.email`.
    const viaParams = makeAction({ case: makeCase(), params: { email: owner } });
    await mail.deliver(viaParams);
    expect(sent[1]!.to).toEqual(["security@example.com"]);
  });

  it.each(validOwners)("uses %j, exactly one well-formed address", async (owner) => {
    expect(emailAddress(owner)).toBe(owner);
    const sent: EmailMessage[] = [];
    await email({
      transport: { sendMail: async (message) => void sent.push(message) },
      from: "a@example.com",
    }).deliver(makeAction({ case: makeCase({ context: { owner: { value: owner, source: "tag:owner" } } }) }));
    expect(sent[0]!.to).toEqual([owner]);
  });

  it("makes one-line values of single-line fields", () => {
    expect(singleLine("nobody\nSeverity: LOW")).toBe("nobody Severity: LOW");
    expect(singleLine(" a\u0000b\u202E\r\n\tc ")).toBe("ab c");
  });
});

// Helpers.

function mrkdwnTexts(blocks: readonly Record<string, unknown>[]): string[] {
  const texts: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      const node = value as Record<string, unknown>;
      if (node.type === "mrkdwn" && typeof node.text === "string") texts.push(node.text);
      Object.values(node).forEach(visit);
    }
  };
  visit(blocks);
  return texts;
}

function cardTexts(card: ReturnType<typeof renderAdaptiveCard>): string[] {
  const texts: string[] = [];
  for (const block of card.body) {
    if (typeof block.text === "string" && block.fontType !== "Monospace") texts.push(block.text);
    for (const fact of (block.facts as { value: string }[] | undefined) ?? []) texts.push(fact.value);
  }
  return texts;
}

function adfNodes(content: readonly AdfNode[], inCode = false): (AdfNode & { inCode: boolean })[] {
  return content.flatMap((node) => [
    { ...node, inCode },
    ...adfNodes(node.content ?? [], inCode || node.type === "codeBlock"),
  ]);
}

/** The labels of lines that look like a field (`Severity: …`, `Owner: …`, `Bcc: …`). */
function fieldLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => /^(Severity|Owner|Due|Bcc)\s*:/i.exec(line)?.[1])
    .filter((label): label is string => label !== undefined);
}

const allowedTags = new Set([
  "h2",
  "h3",
  "p",
  "strong",
  "table",
  "tr",
  "th",
  "td",
  "ol",
  "li",
  "pre",
  "code",
  "a",
]);

/** Tags we never write, and event-handler attributes inside the tags we do. */
function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  for (const match of html.matchAll(/<(\/?)([^\s>/]*)([^>]*)>?/g)) {
    const name = match[2]!.toLowerCase();
    if (!allowedTags.has(name)) problems.push(`tag ${match[0]}`);
    if (/\son\w+\s*=/i.test(match[3] ?? "")) problems.push(`handler ${match[0]}`);
  }
  return problems;
}
