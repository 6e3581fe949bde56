import type { Case } from "../../core/case.js";
import { caseView, type RenderOptions } from "./view.js";

/**
 * Renders a case as GitHub-flavoured Markdown (pull requests, wikis, the CLI).
 * @example
 * console.log(renderMarkdown(action.case));
 */
export function renderMarkdown(item: Case, options: RenderOptions = {}): string {
  const view = caseView(item, options);
  const lines = [`## ${escapeMarkdown(view.headline)}`, ""];
  lines.push(
    `**Severity:** ${view.severity.toUpperCase()}${view.dueDate ? ` · **Due:** ${escapeMarkdown(view.dueDate)}` : ""}`,
    "",
  );
  lines.push("### What is the risk", "", escapeMarkdown(view.risk), "");
  if (view.whyItMatters) lines.push("### Why it matters", "", escapeMarkdown(view.whyItMatters), "");
  if (view.likelyIntent) lines.push("### Likely intent", "", escapeMarkdown(view.likelyIntent), "");
  lines.push(
    "### Affected resources",
    "",
    "| Resource | Type | Account | Region | Status |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const row of view.resources) {
    const cells = [row.name, row.type, row.account, row.region, row.status].map(escapeCell);
    lines.push(`| ${cells.join(" | ")} |`);
  }
  if (view.moreResources > 0) lines.push("", `…and ${view.moreResources} more.`);
  lines.push("");
  if (view.remediationSteps.length > 0) {
    lines.push(
      "### How to fix it",
      "",
      ...view.remediationSteps.map((step, i) => `${i + 1}. ${escapeMarkdown(step)}`),
      "",
    );
  }
  for (const snippet of view.snippets) {
    const fence = snippet.code.includes("```") ? "~~~~" : "```";
    lines.push(
      `**${escapeMarkdown(snippet.label)}**`,
      "",
      `${fence}${snippet.language}`,
      snippet.code,
      fence,
      "",
    );
  }
  if (view.controls.length > 0) lines.push(`Controls: ${escapeMarkdown(view.controls.join(", "))}`, "");
  if (view.references.length > 0) lines.push(`Runbooks: ${escapeMarkdown(view.references.join("; "))}`, "");
  if (view.consoleUrl) lines.push(`[Open in console](<${view.consoleUrl}>)`, "");
  return lines.join("\n").trimEnd() + "\n";
}

/** Escapes Markdown control characters in untrusted text (finding titles and tags). */
export function escapeMarkdown(value: string): string {
  return value.replace(/([\\`*_{}[\]<>#|!])/g, "\\$1");
}

function escapeCell(value: string): string {
  return escapeMarkdown(value).replace(/\n/g, " ");
}
