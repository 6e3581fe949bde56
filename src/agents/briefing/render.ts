import { type Severity, severities } from "../../core/finding.js";
import { escapeHtml } from "../../sinks/render/html.js";
import { escapeMarkdown } from "../../sinks/render/markdown.js";
import type { Briefing } from "./briefing.js";

/**
 * The brief as Markdown: narrative, posture trend by severity, top risks, exceptions expiring and
 * compliance scores over time.
 */
export function briefingMarkdown(brief: Briefing): string {
  const lines = [
    `# Security brief, ${brief.period.from.slice(0, 10)} to ${brief.period.to.slice(0, 10)}`,
    "",
    escapeMarkdown(brief.narrative),
    "",
    "| | Critical | High | Medium | Low | Info |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...(["new", "resolved", "open"] as const).map((row) => `| ${row} | ${cells(brief.trend[row])} |`),
    `| past SLA | ${cells(brief.slaBreaches)} |`,
    "",
  ];
  if (brief.meanDaysToRemediate !== undefined)
    lines.push(`Mean time to remediate: ${brief.meanDaysToRemediate} days.`, "");
  if (brief.topRisks.length > 0) {
    lines.push(
      "## Top risks by fix",
      "",
      "| Fix | Severity | Findings | Resources |",
      "| --- | --- | ---: | ---: |",
    );
    for (const risk of brief.topRisks)
      lines.push(
        `| ${escapeMarkdown(risk.title)} | ${risk.severity} | ${risk.findings} | ${risk.resources} |`,
      );
    lines.push("");
  }
  if (brief.exceptionsExpiring.length > 0) {
    lines.push("## Exceptions expiring", "");
    for (const exception of brief.exceptionsExpiring)
      lines.push(
        `- ${escapeMarkdown(exception.id)}: ${exception.expiresAt.slice(0, 10)}${exception.approvedBy ? ` (approved by ${escapeMarkdown(exception.approvedBy)})` : ""}`,
      );
    lines.push("");
  }
  for (const framework of brief.compliance) {
    lines.push(`## ${escapeMarkdown(framework.framework)}`, "");
    lines.push(
      `Score: ${framework.scores.map((point) => `${point.at.slice(0, 10)} ${point.score ?? "—"}%`).join(" → ") || "no snapshot in the period"}`,
    );
    if (framework.newlyFailing.length > 0)
      lines.push(`Newly failing: ${framework.newlyFailing.map(escapeMarkdown).join(", ")}`);
    if (framework.newlyPassing.length > 0)
      lines.push(`Newly passing: ${framework.newlyPassing.map(escapeMarkdown).join(", ")}`);
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The brief as an HTML section (no scripts, no external resources) for a report page. */
export function briefingHtml(brief: Briefing): string {
  const row = (label: string, record: Record<Severity, number>) =>
    `<tr><th>${label}</th>${severities.map((severity) => `<td>${record[severity]}</td>`).join("")}</tr>`;
  return `<section class="briefing">
<h2>Security brief, ${brief.period.from.slice(0, 10)} to ${brief.period.to.slice(0, 10)}</h2>
<p>${escapeHtml(brief.narrative)}</p>
<table><thead><tr><th></th>${severities.map((severity) => `<th>${severity}</th>`).join("")}</tr></thead><tbody>
${row("new", brief.trend.new)}${row("resolved", brief.trend.resolved)}${row("open", brief.trend.open)}${row("past SLA", brief.slaBreaches)}
</tbody></table>
${brief.topRisks.length > 0 ? `<h3>Top risks by fix</h3><ol>${brief.topRisks.map((risk) => `<li>${escapeHtml(risk.title)} (${risk.severity}): ${risk.findings} findings on ${risk.resources} resources</li>`).join("")}</ol>` : ""}
${brief.exceptionsExpiring.length > 0 ? `<h3>Exceptions expiring</h3><ul>${brief.exceptionsExpiring.map((exception) => `<li>${escapeHtml(exception.id)}: ${exception.expiresAt.slice(0, 10)}</li>`).join("")}</ul>` : ""}
${brief.compliance.map((framework) => `<h3>${escapeHtml(framework.framework)}</h3><p>${framework.scores.map((point) => `${point.at.slice(0, 10)} ${point.score ?? "—"}%`).join(" → ")}</p>`).join("")}
</section>
`;
}

/**
 * The brief as a whole HTML page that prints cleanly ("Save as PDF"): {@link briefingHtml} with its
 * own styles, no scripts and no external resources.
 * @example
 * await writeFile("brief.html", briefingPage(brief));
 */
export function briefingPage(brief: Briefing): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Security brief, ${brief.period.from.slice(0, 10)} to ${brief.period.to.slice(0, 10)}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #111; }
  table { border-collapse: collapse; margin: 1rem 0; }
  th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
  th:first-child { text-align: left; }
  footer { color: #555; font-size: 12px; margin-top: 2rem; }
  @media print { body { margin: 0; max-width: none; } }
</style>
</head>
<body>
${briefingHtml(brief)}<footer>Generated ${escapeHtml(brief.generatedAt)} by cloudsteward from findings, posture snapshots and exceptions; every number in the narrative is one of the figures above.</footer>
</body>
</html>
`;
}

/**
 * A few lines for Slack, Teams or e-mail: the narrative and a link to drill down.
 * @example
 * await slackSink.deliver(…{ text: briefingSummary(brief, "https://reports.example.com/brief/2026-w10") });
 */
export function briefingSummary(brief: Briefing, link?: string): string {
  return `Security brief ${brief.period.from.slice(0, 10)} to ${brief.period.to.slice(0, 10)}\n${brief.narrative}${link ? `\nDetails: ${link}` : ""}`;
}

function cells(record: Record<Severity, number>): string {
  return severities.map((severity) => record[severity]).join(" | ");
}
