import { describe, expect, it } from "vitest";
import type { Case } from "../../../src/core/case.js";
import {
  type AdfNode,
  adfParagraphs,
  caseView,
  describeChange,
  diffCase,
  renderAdaptiveCard,
  renderAdf,
  renderHtml,
  renderMarkdown,
  renderSlack,
  renderText,
  serviceNowHtml,
  snapshotCase,
} from "../../../src/sinks/render/index.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

const explained = (overrides: Partial<Case> = {}): Case =>
  makeCase({
    findings: [
      makeFinding({
        id: "f1",
        resource: { id: "arn:aws:s3:::acme-logs", name: "acme-logs | <@U123> *bold*" },
      }),
      makeFinding({
        id: "f2",
        status: "resolved",
        resource: { id: "arn:aws:s3:::acme-data", name: "acme-data" },
      }),
    ],
    explanation: {
      source: "knowledge",
      headline: "Public S3 buckets <b>acme</b>",
      risk: "Anyone can read them & list them.",
      whyItMatters: "PII in production.",
      likelyIntent: "Debugging.",
      remediationSteps: ["Enable Block Public Access.", "Remove the public ACL."],
      snippets: [
        { language: "bash", label: "CLI", code: "aws s3api put-public-access-block --bucket acme-logs" },
        { language: "hcl", label: "Terraform", code: "" },
      ],
      controls: [{ framework: "CIS AWS", control: "2.1.5" }],
      consoleUrl: "https://console.aws.amazon.com/s3/buckets/acme-logs",
    },
    ...overrides,
  });

/** The ADF schema rules a Jira v3 create enforces. */
function adfProblems(node: AdfNode, parent = "doc", path = "doc"): string[] {
  const problems: string[] = [];
  if (node.type === "text") {
    if (!node.text) problems.push(`${path}: empty text`);
    if (parent === "codeBlock" && node.marks) problems.push(`${path}: marks in codeBlock`);
    if (parent === "listItem" || parent === "doc") problems.push(`${path}: bare text in ${parent}`);
  }
  if (node.type === "heading" && typeof node.attrs?.level !== "number")
    problems.push(`${path}: heading level`);
  if ((parent === "bulletList" || parent === "orderedList") && node.type !== "listItem")
    problems.push(`${path}: list child`);
  if (parent === "tableRow" && !["tableHeader", "tableCell"].includes(node.type))
    problems.push(`${path}: row child`);
  if ((node.type === "tableCell" || node.type === "tableHeader") && !node.content?.length)
    problems.push(`${path}: empty cell`);
  for (const [index, child] of (node.content ?? []).entries()) {
    problems.push(...adfProblems(child, node.type, `${path}/${index}`));
  }
  return problems;
}

describe("renderers", () => {
  it("builds a valid ADF document with a table, an ordered list, code blocks and a link", () => {
    const doc = renderAdf(explained(), { dueDate: "2026-02-01" });
    expect(doc.version).toBe(1);
    expect(doc.type).toBe("doc");
    expect(doc.content.flatMap((node) => adfProblems(node))).toEqual([]);
    const types = doc.content.map((node) => node.type);
    expect(types).toContain("table");
    expect(types).toContain("orderedList");
    // The empty Terraform snippet is skipped rather than sent as an invalid empty code block.
    expect(doc.content.filter((node) => node.type === "codeBlock")).toHaveLength(1);
    expect(JSON.stringify(doc)).toContain('"href":"https://console.aws.amazon.com/s3/buckets/acme-logs"');
    expect(adfParagraphs(["one", "", "two"]).content).toHaveLength(3);
    expect(adfParagraphs(["one", "", "two"]).content.flatMap((node) => adfProblems(node))).toEqual([]);
  });

  it("falls back to the finding's own text without an explanation", () => {
    const item = makeCase({
      findings: [makeFinding({ title: "Open bucket", description: "", rule: { remediation: "Close it." } })],
    });
    const view = caseView(item);
    expect(view.headline).toBe("Open bucket");
    expect(view.risk).toBe("Open bucket");
    expect(view.remediationSteps).toEqual(["Close it."]);
    expect(renderAdf(item).content.flatMap((node) => adfProblems(node))).toEqual([]);
  });

  it("keeps Slack messages inside Block Kit limits and escapes untrusted text", () => {
    const long = "x".repeat(5000);
    const item = explained({
      explanation: { ...explained().explanation!, headline: long, risk: long, whyItMatters: long },
    });
    const { text, blocks } = renderSlack(item, { approvalId: "apr_1" });
    expect(blocks.length).toBeLessThanOrEqual(50);
    const header = blocks[0] as unknown as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const block of blocks) {
      const sectionText = (block as { text?: { text: string } }).text?.text;
      if (block.type === "section" && sectionText) expect(sectionText.length).toBeLessThanOrEqual(3000);
    }
    expect(text.length).toBeLessThanOrEqual(3000);
    const escaped = JSON.stringify(renderSlack(explained()).blocks);
    expect(escaped).toContain("&lt;@U123&gt;");
    expect(escaped).not.toContain("<@U123>");
  });

  it("escapes HTML and links only http(s) console URLs", () => {
    const html = renderHtml(explained());
    expect(html).toContain("Public S3 buckets &lt;b&gt;acme&lt;/b&gt;");
    expect(html).toContain("Anyone can read them &amp; list them.");
    expect(html).toContain('<a href="https://console.aws.amazon.com/s3/buckets/acme-logs">');
    const hostile = renderHtml(
      explained({ explanation: { ...explained().explanation!, consoleUrl: "javascript:alert(1)" } }),
    );
    expect(hostile).not.toContain("javascript:");
    expect(serviceNowHtml("<p>[code]x[/code]</p>")).toBe("[code]<p>x</p>[/code]");
  });

  it("renders text, Markdown and Adaptive Cards with the same facts", () => {
    const text = renderText(explained(), { dueDate: "2026-02-01" });
    expect(text).toContain("Due: 2026-02-01");
    expect(text).toContain("1. Enable Block Public Access.");
    const markdown = renderMarkdown(explained());
    expect(markdown).toContain("acme-logs \\| \\<@U123\\> \\*bold\\*");
    expect(markdown).toContain("```bash\naws s3api");
    const card = renderAdaptiveCard(explained());
    expect(card.version).toBe("1.4");
    expect(card.actions.every((action) => action.type === "Action.OpenUrl")).toBe(true);
    expect(JSON.stringify(card.body)).toContain("2. Remove the public ACL.");
  });

  it("cites the organization's runbooks by file and heading, escaped, and says nothing without them", () => {
    const cited = explained({
      explanation: {
        ...explained().explanation!,
        references: [
          { path: "network/ssh-access.md", heading: "SSH access standard › Bastion hosts" },
          { path: "data/<b>x</b>.md", heading: "Public *buckets*" },
        ],
      },
    });
    expect(renderText(cited)).toContain(
      "Runbooks: network/ssh-access.md § SSH access standard › Bastion hosts; data/<b>x</b>.md § Public *buckets*",
    );
    expect(renderMarkdown(cited)).toContain(
      "Runbooks: network/ssh-access.md § SSH access standard › Bastion hosts;",
    );
    expect(renderMarkdown(cited)).toContain("Public \\*buckets\\*");
    expect(renderHtml(cited)).toContain("data/&lt;b&gt;x&lt;/b&gt;.md § Public *buckets*</p>");
    expect(JSON.stringify(renderAdf(cited))).toContain(
      "Runbooks: network/ssh-access.md § SSH access standard",
    );
    expect(adfProblems(renderAdf(cited))).toEqual([]);
    expect(renderText(explained())).not.toContain("Runbooks:");
  });

  it("lists each resource once, open while any of its findings is open, with the overflow counted", () => {
    const findings = Array.from({ length: 60 }, (_, index) =>
      makeFinding({ id: `r${index}`, resource: { id: `res-${index}`, name: `bucket-${index}` } }),
    );
    const view = caseView(makeCase({ findings }), { maxResources: 50 });
    expect(view.resources).toHaveLength(50);
    expect(view.moreResources).toBe(10);
    expect(view.title).toContain("(60 resources)");
  });

  it("describes what changed between deliveries", () => {
    const before = makeCase({ findings: [makeFinding({ id: "a" })] });
    const snapshot = snapshotCase(before);
    expect(diffCase(snapshot, before)).toBeUndefined();
    const grown = makeCase({
      findings: [makeFinding({ id: "a" }), makeFinding({ id: "b", severity: "critical" })],
    });
    const change = diffCase(snapshot, grown)!;
    expect(change).toMatchObject({ added: ["b"], resolved: false, regressed: false });
    expect(change.severity?.to).toBe("critical");
    expect(describeChange(change, grown).join("\n")).toMatch(/New finding joined: .+\./);
    const resolved = makeCase({ findings: [makeFinding({ id: "a", status: "resolved" })] });
    expect(diffCase(snapshot, resolved)).toMatchObject({ resolved: true, regressed: false });
    expect(diffCase(snapshotCase(resolved), before)).toMatchObject({ resolved: false, regressed: true });
  });
});
