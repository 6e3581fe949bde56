import type { Case } from "../../core/case.js";
import { type CaseView, caseView, type RenderOptions, singleLine } from "./view.js";

/** An Atlassian Document Format node (the subset cloudsteward writes). */
export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

/** An ADF document: the body of a Jira v3 description or comment. */
export interface AdfDocument {
  version: 1;
  type: "doc";
  content: AdfNode[];
}

/**
 * Renders a case as a Jira description: the explanation, a resources table, the remediation
 * steps, each snippet as a code block, and a console link.
 * @example
 * const description = renderAdf(action.case, { dueDate: action.dueDate });
 */
export function renderAdf(item: Case, options: RenderOptions = {}): AdfDocument {
  const view = caseView(item, options);
  const content: AdfNode[] = [
    heading(2, view.headline),
    paragraph([
      text("Severity: "),
      text(view.severity.toUpperCase(), [{ type: "strong" }]),
      ...dueText(view),
    ]),
    heading(3, "What is the risk"),
    paragraph([text(view.risk)]),
  ];
  if (view.whyItMatters) content.push(heading(3, "Why it matters"), paragraph([text(view.whyItMatters)]));
  if (view.likelyIntent) content.push(heading(3, "Likely intent"), paragraph([text(view.likelyIntent)]));
  content.push(heading(3, "Affected resources"), resourcesTable(view));
  if (view.moreResources > 0) content.push(paragraph([text(`…and ${view.moreResources} more.`)]));
  if (view.remediationSteps.length > 0) {
    content.push(heading(3, "How to fix it"), {
      type: "orderedList",
      content: view.remediationSteps.map((step) => ({
        type: "listItem",
        content: [paragraph([text(step)])],
      })),
    });
  }
  for (const snippet of view.snippets) {
    content.push(paragraph([text(snippet.label, [{ type: "strong" }])]));
    content.push(codeBlock(snippet.code, snippet.language));
  }
  if (view.controls.length > 0) content.push(paragraph([text(`Controls: ${view.controls.join(", ")}`)]));
  if (view.references.length > 0) content.push(paragraph([text(`Runbooks: ${view.references.join("; ")}`)]));
  // caseView keeps only an http(s) URL; text nodes are literal in ADF, so only marks can link.
  if (view.consoleUrl) {
    content.push(paragraph([text("Open in console", [{ type: "link", attrs: { href: view.consoleUrl } }])]));
  }
  content.push(paragraph([text(`cloudsteward case ${view.caseId}`, [{ type: "em" }])]));
  return { version: 1, type: "doc", content: content.filter(nonEmpty) };
}

/** Renders plain lines as an ADF document of paragraphs (ticket comments); each line stays one paragraph. */
export function adfParagraphs(lines: readonly string[]): AdfDocument {
  return {
    version: 1,
    type: "doc",
    content: lines.map((line) => paragraph([text(singleLine(line))])).filter(nonEmpty),
  };
}

function dueText(view: CaseView): AdfNode[] {
  return view.dueDate ? [text(". Due: "), text(view.dueDate)] : [];
}

function resourcesTable(view: CaseView): AdfNode {
  const header = ["Resource", "Type", "Account", "Region", "Status"];
  const rows = view.resources.map((row) => [row.name, row.type, row.account, row.region, row.status]);
  return {
    type: "table",
    attrs: { isNumberColumnEnabled: false, layout: "default" },
    content: [
      { type: "tableRow", content: header.map((cell) => tableCell("tableHeader", cell)) },
      ...rows.map((cells) => ({
        type: "tableRow",
        content: cells.map((cell) => tableCell("tableCell", cell)),
      })),
    ],
  };
}

function tableCell(type: "tableHeader" | "tableCell", value: string): AdfNode {
  // A cell needs a block child; an empty paragraph is valid where an empty text node is not.
  return { type, attrs: {}, content: [paragraph([text(value)])] };
}

function heading(level: number, value: string): AdfNode {
  return { type: "heading", attrs: { level }, content: [text(value)].filter(nonEmpty) };
}

function paragraph(content: AdfNode[]): AdfNode {
  return { type: "paragraph", content: content.filter(nonEmpty) };
}

function codeBlock(code: string, language: string): AdfNode {
  // Code block text nodes take no marks; an empty one is invalid, so skip it.
  return { type: "codeBlock", attrs: { language }, content: code ? [{ type: "text", text: code }] : [] };
}

function text(value: string, marks?: AdfNode["marks"]): AdfNode {
  return marks ? { type: "text", text: value, marks } : { type: "text", text: value };
}

/** ADF rejects empty text nodes and headings without text. */
function nonEmpty(node: AdfNode): boolean {
  if (node.type === "text") return (node.text ?? "").length > 0;
  if (node.type === "heading" || node.type === "codeBlock") return (node.content ?? []).length > 0;
  return true;
}
