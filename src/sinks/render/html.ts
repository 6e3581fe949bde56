import type { Case } from "../../core/case.js";
import { caseView, type RenderOptions } from "./view.js";

/**
 * Renders a case as a self-contained HTML fragment (email bodies, ServiceNow HTML work notes).
 * Every value from a finding is escaped; there are no external images.
 * @example
 * const html = renderHtml(action.case, { dueDate: action.dueDate });
 */
export function renderHtml(item: Case, options: RenderOptions = {}): string {
  const view = caseView(item, options);
  const parts = [
    `<h2>${escapeHtml(view.headline)}</h2>`,
    `<p><strong>Severity:</strong> ${view.severity.toUpperCase()}${view.dueDate ? ` &middot; <strong>Due:</strong> ${escapeHtml(view.dueDate)}` : ""}</p>`,
    `<h3>What is the risk</h3><p>${escapeHtml(view.risk)}</p>`,
  ];
  if (view.whyItMatters) parts.push(`<h3>Why it matters</h3><p>${escapeHtml(view.whyItMatters)}</p>`);
  if (view.likelyIntent) parts.push(`<h3>Likely intent</h3><p>${escapeHtml(view.likelyIntent)}</p>`);
  const rows = view.resources
    .map(
      (row) =>
        `<tr>${[row.name, row.type, row.account, row.region, row.status].map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`,
    )
    .join("");
  parts.push(
    `<h3>Affected resources</h3><table border="1" cellpadding="4" cellspacing="0"><tr><th>Resource</th><th>Type</th><th>Account</th><th>Region</th><th>Status</th></tr>${rows}</table>`,
  );
  if (view.moreResources > 0) parts.push(`<p>&hellip;and ${view.moreResources} more.</p>`);
  if (view.remediationSteps.length > 0) {
    parts.push(
      `<h3>How to fix it</h3><ol>${view.remediationSteps.map((step) => `<li>${escapeHtml(step)}</li>`).join("")}</ol>`,
    );
  }
  for (const snippet of view.snippets) {
    parts.push(
      `<p><strong>${escapeHtml(snippet.label)}</strong></p><pre><code>${escapeHtml(snippet.code)}</code></pre>`,
    );
  }
  if (view.controls.length > 0) parts.push(`<p>Controls: ${escapeHtml(view.controls.join(", "))}</p>`);
  if (view.references.length > 0) parts.push(`<p>Runbooks: ${escapeHtml(view.references.join("; "))}</p>`);
  if (view.consoleUrl && /^https?:\/\//i.test(view.consoleUrl)) {
    parts.push(`<p><a href="${escapeHtml(view.consoleUrl)}">Open in console</a></p>`);
  }
  return parts.join("\n");
}

/**
 * Renders a case as plain text (email text parts, ServiceNow descriptions and work notes).
 * @example
 * const description = renderText(action.case);
 */
export function renderText(item: Case, options: RenderOptions = {}): string {
  const view = caseView(item, options);
  const lines = [
    view.headline,
    "",
    `Severity: ${view.severity.toUpperCase()}${view.dueDate ? ` · Due: ${view.dueDate}` : ""}`,
    "",
  ];
  lines.push("What is the risk:", view.risk, "");
  if (view.whyItMatters) lines.push("Why it matters:", view.whyItMatters, "");
  if (view.likelyIntent) lines.push("Likely intent:", view.likelyIntent, "");
  lines.push("Affected resources:");
  for (const row of view.resources)
    lines.push(`- ${row.name} (${row.type}) — ${row.account}, ${row.region}: ${row.status}`);
  if (view.moreResources > 0) lines.push(`…and ${view.moreResources} more.`);
  lines.push("");
  if (view.remediationSteps.length > 0) {
    lines.push("How to fix it:", ...view.remediationSteps.map((step, i) => `${i + 1}. ${step}`), "");
  }
  // Code is indented, so no line of it can pass for a field of the message (`Severity: LOW`).
  for (const snippet of view.snippets)
    lines.push(`${snippet.label}:`, ...snippet.code.split("\n").map((line) => `    ${line}`), "");
  if (view.controls.length > 0) lines.push(`Controls: ${view.controls.join(", ")}`);
  if (view.references.length > 0) lines.push(`Runbooks: ${view.references.join("; ")}`);
  if (view.consoleUrl) lines.push(`Console: ${view.consoleUrl}`);
  lines.push(`cloudsteward case ${view.caseId}`);
  return lines.join("\n");
}

/**
 * Wraps HTML for a ServiceNow journal field (work notes, comments), which renders HTML only
 * between `[code]` markers.
 */
export function serviceNowHtml(html: string): string {
  return `[code]${serviceNowText(html)}[/code]`;
}

/**
 * Makes text safe for a ServiceNow field: removes `[code]` and `[/code]` markers, between which a
 * journal field (work notes, comments) renders HTML, so finding text cannot inject markup.
 * @example
 * serviceNowText("x [code]<img src=x onerror=alert(1)>[/code]"); // "x <img src=x onerror=alert(1)>" shown as text
 */
export function serviceNowText(text: string): string {
  return text.replace(/\[\s*\/?\s*code\s*\]/gi, "");
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
