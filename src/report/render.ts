import { briefingHtml } from "../agents/briefing/render.js";
import {
  type ReportAction,
  type ReportCount,
  type ReportData,
  type ReportFix,
  type ReportStage,
  unowned,
} from "./data.js";

/**
 * Renders the report as one self-contained HTML page: inline CSS, the charts as inline SVG (drawn
 * here, so they show and print without JavaScript), a print stylesheet for "Save as PDF", and a
 * small inline script that only adds filtering and search to the actions table (without it the
 * whole table shows). No CDN, no network, no external file; every value from a finding is escaped,
 * since finding content is untrusted.
 * @example
 * await writeFile("cloudsteward-report/index.html", renderReport(buildReportData(input)));
 */
export function renderReport(data: ReportData): string {
  const audit = data.audit;
  const auditLine = audit.ok
    ? `Verified: ${audit.count} record(s), hash chain intact${audit.lastHash ? ` (last hash <code>${escapeHtml(audit.lastHash.slice(0, 16))}…</code>)` : ""}.`
    : `FAILED at record ${audit.firstBadSeq} (${escapeHtml(audit.reason)}): ${escapeHtml(audit.message)}`;
  const local = data.actions.some((action) => action.local);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">Generated ${escapeHtml(data.generatedAt)} · mode <strong>${escapeHtml(data.mode)}</strong> · explanations by ${escapeHtml(data.explainer)}</p>
${local ? `<p class="meta">Links marked <span class="local">sandbox</span> point at the emulated tracker on this machine (127.0.0.1), not at a real one; they stop working when the sandbox stops.</p>` : ""}
</header>
<main>
<section class="tiles" aria-label="Totals">
${tile("Findings", data.totals.findings)}${tile("Cases", data.totals.cases)}${tile("Actions taken", data.totals.delivered)}${tile("Awaiting approval", data.totals.pending)}${data.totals.drafts > 0 ? tile("Drafts", data.totals.drafts) : ""}${data.totals.casesAcrossPlatforms > 0 ? tile("Cases across platforms", data.totals.casesAcrossPlatforms) : ""}${tile("Dead letters", data.totals.deadLetters)}
</section>
${brief(data)}
${data.briefing ? briefingHtml(data.briefing) : ""}
${
  data.warnings.length > 0
    ? `<section id="warnings" class="warnings"><h2>Warnings (${data.warnings.length})</h2><ul>${data.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join("")}</ul></section>`
    : ""
}
<section>
<h2>Posture</h2>
<div class="charts">
${chart("severity", "Findings by severity", barChart("severity", data.severity), data.severity)}
${chart("category", "Findings by category", barChart("category", data.category), data.category)}
${data.platform.length > 1 ? chart("platform", "Findings by platform", barChart("platform", data.platform), data.platform) : ""}
${chart("owner", "Findings by owner (top 12)", barChart("owner", data.owner), data.owner)}
${chart("trend", "Findings by first-seen week", columnChart("trend", data.trend), data.trend)}
</div>
</section>
<section id="fixes">
<h2>Top fixes${data.fixCount > data.topFixes.length ? ` (${data.topFixes.length} of ${data.fixCount})` : ""}</h2>
<p class="meta">Cases that one fix closes are shown together, across owners and platforms; highest priority first.</p>
${data.topFixes.length > 0 ? data.topFixes.map(fixArticle).join("\n") : "<p>No cases.</p>"}
</section>
<section id="actions">
<h2>Actions (${data.actions.length})</h2>
${actionTable(data.actions)}
</section>
<section class="two">
<div>
<h2>Model calls and cost</h2>
<table><tbody>
<tr><th>Calls</th><td>${data.usage.calls}</td></tr>
<tr><th>Input tokens</th><td>${data.usage.inputTokens}</td></tr>
<tr><th>Output tokens</th><td>${data.usage.outputTokens}</td></tr>
<tr><th>Cost (USD)</th><td>${data.usage.cost.toFixed(4)}</td></tr>
</tbody></table>
<h2>Audit log</h2>
<p id="audit" class="${audit.ok ? "ok" : "bad"}">${auditLine}</p>
</div>
<div>
${timing(data)}
</div>
</section>
${
  data.notes.length > 0
    ? `<section id="notes" class="notes"><h2>Run notes</h2><ul>${data.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul></section>`
    : ""
}
</main>
<script>${filterScript}</script>
</body>
</html>
`;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEntities[char] ?? char);
}

// Internal helpers.

const htmlEntities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const severityColours: Record<string, string> = {
  critical: "#b3261e",
  high: "#e8710a",
  medium: "#b38700",
  low: "#2e7d32",
  info: "#607d8b",
};

/** "1 case", "3 cases". */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Three lines a reader can forward: the severity mix, what was done, and the fixes that matter most. */
function brief(data: ReportData): string {
  const count = (label: string) => data.severity.find((item) => item.label === label)?.count ?? 0;
  const top = data.topFixes.slice(0, 3).map((fix) => {
    const owners = fix.owners.filter((owner) => owner !== unowned).length;
    return `${escapeHtml(fix.title)} (${plural(fix.resources, "resource")}, ${plural(owners, "owner")})`;
  });
  return `<section id="brief" class="brief"><h2>In brief</h2><ul>
<li>${data.totals.findings} findings in ${data.totals.cases} cases: ${count("critical")} critical, ${count("high")} high.</li>
<li>${plural(data.totals.delivered, "action")} taken, ${data.totals.pending} waiting for approval${data.totals.drafts > 0 ? `, ${plural(data.totals.drafts, "draft")} kept (mode ${escapeHtml(data.mode)})` : ""}${data.totals.deadLetters > 0 ? `, ${plural(data.totals.deadLetters, "dead letter")}` : ""}.</li>
${top.length > 0 ? `<li>Fix first: ${top.join("; ")}.</li>` : ""}
</ul></section>`;
}

function tile(label: string, value: number): string {
  return `<div class="tile"><span class="value">${value}</span><span class="label">${escapeHtml(label)}</span></div>`;
}

/** A chart figure: the SVG, and its numbers in a table for screen readers and copying. */
function chart(name: string, title: string, svg: string, counts: readonly ReportCount[]): string {
  const rows = counts
    .map((count) => `<tr><td>${escapeHtml(count.label)}</td><td>${count.count}</td></tr>`)
    .join("");
  return `<figure class="chart" data-chart="${name}"><figcaption>${escapeHtml(title)}</figcaption>${svg}<details><summary>Data</summary><table><tbody>${rows}</tbody></table></details></figure>`;
}

/** Splits a label into lines of at most `width` characters, at spaces where it can; nothing is cut. */
function wrap(label: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of label.split(/\s+/)) {
    for (let start = 0; start < word.length; start += width) {
      const piece = word.slice(start, start + width);
      if (line && line.length + 1 + piece.length > width) {
        lines.push(line);
        line = piece;
      } else line = line ? `${line} ${piece}` : piece;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Horizontal bars, each with its whole label above it (wrapped, never cut). */
function barChart(name: string, counts: readonly ReportCount[]): string {
  const width = 400;
  const lineHeight = 15;
  const barHeight = 14;
  const max = Math.max(1, ...counts.map((count) => count.count));
  let y = 4;
  const parts: string[] = [];
  for (const count of counts) {
    const lines = wrap(count.label, 56);
    const text = lines
      .map((line, index) => `<tspan x="0" dy="${index === 0 ? 0 : lineHeight}">${escapeHtml(line)}</tspan>`)
      .join("");
    parts.push(`<text class="label" x="0" y="${y + 12}">${text}</text>`);
    y += lines.length * lineHeight + 2;
    const barWidth = count.count > 0 ? Math.max(2, ((width - 50) * count.count) / max) : 0;
    parts.push(
      `<rect x="0" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" rx="3" fill="${severityColours[count.label] ?? "#2f6fde"}" data-label="${escapeHtml(count.label)}" data-count="${count.count}"><title>${escapeHtml(count.label)}: ${count.count}</title></rect>`,
      `<text class="value" x="${(barWidth + 6).toFixed(1)}" y="${y + 11}">${count.count}</text>`,
    );
    y += barHeight + 10;
  }
  return svg(name, width, Math.max(y, 24), parts);
}

/** Columns over time; every column carries its label as a tooltip, and the axis names as many as fit. */
function columnChart(name: string, counts: readonly ReportCount[]): string {
  const width = 400;
  const height = 200;
  const bottom = 40;
  const top = 16;
  const slot = (width - 20) / Math.max(1, counts.length);
  const max = Math.max(1, ...counts.map((count) => count.count));
  const every = Math.ceil(counts.length / 10);
  const parts = counts.map((count, index) => {
    const columnHeight = ((height - bottom - top) * count.count) / max;
    const x = 10 + index * slot;
    const label =
      index % every === 0 || (index === counts.length - 1 && index % every >= every / 2)
        ? `<text class="axis" x="${(x + slot / 2).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle">${escapeHtml(count.label.replace(/^\d{4}-/, ""))}</text>`
        : "";
    return `<rect x="${(x + slot * 0.15).toFixed(1)}" y="${(height - bottom - columnHeight).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${columnHeight.toFixed(1)}" rx="2" fill="#2f6fde" data-label="${escapeHtml(count.label)}" data-count="${count.count}"><title>${escapeHtml(count.label)}: ${count.count}</title></rect>${label}`;
  });
  const first = counts[0]?.label.slice(0, 4);
  const last = counts.at(-1)?.label.slice(0, 4);
  parts.push(
    `<line x1="10" x2="${width - 10}" y1="${height - bottom}" y2="${height - bottom}" stroke="#dde1e6"/>`,
    first
      ? `<text class="axis" x="10" y="${height - 8}">${escapeHtml(first === last ? first : `${first}–${last}`)}</text>`
      : "",
  );
  return svg(name, width, height, parts);
}

function svg(name: string, width: number, height: number, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(name)}" class="chart-svg" data-chart="${escapeHtml(name)}">${parts.join("")}</svg>`;
}

/** "Log4Shell: 14 resources, 6 owners" and what fixes it. */
function fixArticle(fix: ReportFix): string {
  const named = fix.owners.filter((owner) => owner !== unowned);
  const owners =
    fix.owners.length > 8
      ? `${fix.owners.slice(0, 8).join(", ")} and ${fix.owners.length - 8} more`
      : fix.owners.join(", ");
  const snippets = fix.snippets
    .map(
      (snippet) =>
        `<figure class="snippet"><figcaption>${escapeHtml(snippet.label)} <span class="lang">${escapeHtml(snippet.language)}</span></figcaption><pre><code>${escapeHtml(snippet.code)}</code></pre></figure>`,
    )
    .join("");
  const caseIds =
    fix.caseIds.length > 12
      ? [...fix.caseIds.slice(0, 12), `… ${fix.caseIds.length - 12} more`]
      : fix.caseIds;
  return `<article class="fix sev-${fix.severity}" data-fix="${escapeHtml(fix.key)}">
<h3><span class="badge">${escapeHtml(fix.severity)}</span> ${escapeHtml(fix.title)}: ${plural(fix.resources, "resource")}, ${plural(named.length, "owner")}${named.length < fix.owners.length ? " and unowned ones" : ""}</h3>
<p class="meta">Priority ${fix.priority} · ${plural(fix.cases, "case")} · ${plural(fix.findings, "finding")} · owners: ${escapeHtml(owners)} · ${escapeHtml(fix.environments.join(", "))} · explained by ${escapeHtml(fix.explainedBy)}</p>
${fix.cases > 1 ? `<p class="meta">Explained for its highest-priority case, <code>${escapeHtml(fix.caseIds[0] ?? "")}</code>; the same fix applies to the other ${plural(fix.cases - 1, "case")}.</p>` : ""}
${fix.risk ? `<p><strong>Risk.</strong> ${escapeHtml(fix.risk)}</p>` : ""}
${fix.whyItMatters ? `<p><strong>Why it matters.</strong> ${escapeHtml(fix.whyItMatters)}</p>` : ""}
${fix.remediationSteps.length > 0 ? `<ol>${fix.remediationSteps.map((step) => `<li>${escapeHtml(step)}</li>`).join("")}</ol>` : ""}
${snippets}
${fix.controls.length > 0 ? `<p class="controls">${fix.controls.map((control) => `<span>${escapeHtml(control)}</span>`).join(" ")}</p>` : ""}
<p class="meta cases">Cases: ${caseIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(" ")}</p>
</article>`;
}

const actionColumns = [
  "Status",
  "Severity",
  "Owner",
  "Due",
  "Kind",
  "Sink",
  "Risk",
  "Case",
  "Reference",
  "Why",
] as const;

/** Every action; the filter form stays hidden until the script shows it, so without JS the whole table reads. */
function actionTable(actions: readonly ReportAction[]): string {
  if (actions.length === 0) return "<p>None.</p>";
  const rows = actions
    .map((action) => {
      const link =
        action.url && /^https?:\/\//.test(action.url)
          ? `<a href="${escapeHtml(action.url)}">${escapeHtml(action.ref ?? action.url)}</a>${action.local ? ` <span class="local" title="the emulated tracker on this machine">sandbox</span>` : ""}`
          : action.ref
            ? `<code>${escapeHtml(action.ref)}</code>`
            : "";
      const why = [action.rule ? `rule ${action.rule}` : "", action.note ?? ""].filter(Boolean).join(": ");
      return `<tr data-status="${action.status}" data-severity="${action.severity}" data-owner="${escapeHtml(action.owner)}"><td>${action.status}</td><td><span class="sev sev-${action.severity}">${action.severity}</span></td><td>${escapeHtml(action.owner)}</td><td>${escapeHtml(action.dueDate ?? "")}</td><td>${escapeHtml(action.kind)}</td><td>${escapeHtml(action.sink)}</td><td>${escapeHtml(action.risk)}</td><td>${escapeHtml(action.headline)} <code>${escapeHtml(action.caseId)}</code></td><td>${link}</td><td>${escapeHtml(why)}</td></tr>`;
    })
    .join("\n");
  const options = (values: readonly string[]) =>
    ["", ...values]
      .map((value) => `<option value="${escapeHtml(value)}">${value ? escapeHtml(value) : "all"}</option>`)
      .join("");
  const distinct = (pick: (action: ReportAction) => string) => [...new Set(actions.map(pick))].sort();
  return `<form class="filters" hidden>
<label>Status <select name="status">${options(distinct((action) => action.status))}</select></label>
<label>Severity <select name="severity">${options(["critical", "high", "medium", "low", "info"].filter((severity) => actions.some((action) => action.severity === severity)))}</select></label>
<label>Owner <select name="owner">${options(distinct((action) => action.owner))}</select></label>
<label>Search <input type="search" name="q" placeholder="text in any column"></label>
<output name="shown">${actions.length} of ${actions.length}</output>
</form>
<table class="actions"><thead><tr>${actionColumns.map((column) => `<th scope="col">${column}</th>`).join("")}</tr></thead><tbody>
${rows}
</tbody></table>`;
}

/** The command's steps (sequential) and the pipeline's stages on one timeline (they overlap). */
function timing(data: ReportData): string {
  const steps =
    data.phases.length > 0
      ? `<h2>Steps</h2><p class="meta">One after another.</p><table><tbody>${data.phases.map((phase) => `<tr><th>${escapeHtml(phase.name)}</th><td>${seconds(phase.durationMs)}</td></tr>`).join("")}</tbody></table>`
      : "";
  if (data.stages.length === 0) return steps;
  const busy = data.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  return `${steps}<h2>Pipeline timeline</h2>
<p class="meta">Wall clock ${seconds(data.pipelineMs)}. Stages stream: each starts when its first input arrives, so the bars overlap and their lengths (${seconds(busy)} together) do not add up to the wall clock.</p>
<figure class="chart" data-chart="timeline">${timelineChart(data.stages, data.pipelineMs)}<details><summary>Data</summary><table><thead><tr><th>Stage</th><th>Starts</th><th>Ends</th><th>In</th><th>Out</th></tr></thead><tbody>${data.stages
    .map(
      (stage) =>
        `<tr><td>${escapeHtml(stage.name)}</td><td>${seconds(stage.startMs)}</td><td>${seconds(stage.startMs + stage.durationMs)}</td><td>${stage.in}</td><td>${stage.out}</td></tr>`,
    )
    .join("")}</tbody></table></details></figure>`;
}

function timelineChart(stages: readonly ReportStage[], totalMs: number): string {
  const width = 560;
  const row = 22;
  const left = Math.min(200, 12 + 7 * Math.max(...stages.map((stage) => stage.name.length)));
  const span = Math.max(1, totalMs, ...stages.map((stage) => stage.startMs + stage.durationMs));
  const scale = (ms: number) => left + ((width - left - 10) * ms) / span;
  const parts = stages.map((stage, index) => {
    const y = index * row + 4;
    const x = scale(stage.startMs);
    const barWidth = Math.max(2, scale(stage.startMs + stage.durationMs) - x);
    return `<text class="label" x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(stage.name)}</text><rect x="${x.toFixed(1)}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="${row - 8}" rx="3" fill="#2f6fde" data-label="${escapeHtml(stage.name)}"><title>${escapeHtml(stage.name)}: ${seconds(stage.startMs)} → ${seconds(stage.startMs + stage.durationMs)}</title></rect>`;
  });
  const axisY = stages.length * row + 12;
  parts.push(
    `<line x1="${left}" x2="${width - 10}" y1="${axisY - 4}" y2="${axisY - 4}" stroke="#dde1e6"/>`,
    `<text class="axis" x="${left}" y="${axisY + 10}">0 s</text>`,
    `<text class="axis" x="${width - 10}" y="${axisY + 10}" text-anchor="end">${seconds(span)}</text>`,
  );
  return svg("timeline", width, axisY + 16, parts);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

const css = `
:root{--fg:#1b1f24;--muted:#5b6470;--bg:#f6f7f9;--card:#fff;--line:#dde1e6;--accent:#2f6fde;
--critical:#b3261e;--high:#e8710a;--medium:#b38700;--low:#2e7d32;--info:#607d8b}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#101828;color:#fff;padding:24px 32px}header h1{margin:0 0 4px;font-size:24px}header .meta{color:#c7cdd6;margin:0}
main{max-width:1200px;margin:0 auto;padding:24px 32px}h2{font-size:19px;margin:28px 0 12px}h3{font-size:16px;margin:0 0 6px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;display:flex;flex-direction:column}
.tile .value{font-size:28px;font-weight:600}.tile .label{color:var(--muted)}
.warnings{background:#fff7e6;border:1px solid #f0c36d;border-radius:8px;padding:4px 18px;margin-top:20px}
.notes{color:var(--muted)}.brief ul{margin:0;padding-left:20px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0;padding:14px 16px;break-inside:avoid}
.chart figcaption{font-weight:600;margin-bottom:8px}.chart svg{width:100%;height:auto;display:block}
.chart-svg text{font:12px system-ui,-apple-system,"Segoe UI",sans-serif;fill:#1b1f24}.chart-svg .value,.chart-svg .axis{fill:#5b6470}.chart-svg .axis{font-size:10px}
.chart details{margin-top:6px;color:var(--muted);font-size:13px}
.fix{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--info);border-radius:8px;padding:14px 18px;margin:0 0 12px;break-inside:avoid}
.fix.sev-critical{border-left-color:var(--critical)}.fix.sev-high{border-left-color:var(--high)}.fix.sev-medium{border-left-color:var(--medium)}.fix.sev-low{border-left-color:var(--low)}
.badge{display:inline-block;font-size:12px;text-transform:uppercase;letter-spacing:.04em;background:#eef1f5;border-radius:4px;padding:1px 6px;vertical-align:middle}
.sev{font-weight:600}.sev.sev-critical{color:var(--critical)}.sev.sev-high{color:var(--high)}.sev.sev-medium{color:var(--medium)}.sev.sev-low{color:var(--low)}.sev.sev-info{color:var(--info)}
.local{display:inline-block;font-size:11px;background:#fff1d6;color:#8a5a00;border-radius:4px;padding:0 5px}
.meta{color:var(--muted);font-size:13px}pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;border-radius:6px;overflow:auto;font-size:13px;white-space:pre-wrap}
.snippet{margin:8px 0}.snippet figcaption{font-size:13px;color:var(--muted)}.lang{font-family:monospace}
.controls span{display:inline-block;background:#eef4ff;color:#1d4ed8;border-radius:4px;padding:1px 6px;margin:2px 2px 0 0;font-size:12px}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:0 0 10px}.filters[hidden]{display:none}
.filters label{font-size:13px;color:var(--muted)}.filters select,.filters input{font:inherit;padding:2px 6px}
table{border-collapse:collapse;width:100%;background:var(--card)}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;font-size:14px}
.actions td{font-size:13px}.actions tr[hidden]{display:none}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:24px}
.ok{color:var(--low);font-weight:600}.bad{color:var(--critical);font-weight:600}code{font-size:12px;word-break:break-all}
@media print{
@page{margin:14mm}
body{background:#fff;font-size:11pt}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
header{background:#fff;color:#000;padding:0 0 8px;border-bottom:2px solid #000}header .meta{color:#333}
main{max-width:none;padding:0}.filters,.chart details{display:none!important}
.charts{grid-template-columns:1fr 1fr}.chart,.tile,.fix{border-color:#999}
.tiles{grid-template-columns:repeat(auto-fit,minmax(90px,1fr));gap:6px}.tile{padding:6px 8px}.tile .value{font-size:18pt}
.two{grid-template-columns:1fr}h2{break-after:avoid}tr{break-inside:avoid}
a{color:inherit;text-decoration:none}a[href]::after{content:" (" attr(href) ")";font-size:9pt;color:#555}
}
`;

/**
 * Filtering and search for the actions table: shows the (hidden) filter form, hides the rows that do
 * not match, and keeps the filter in the URL's hash so a filtered view can be linked. Reads text with
 * textContent only, never writes markup.
 */
const filterScript = `(function(){
var form=document.querySelector("form.filters"),table=document.querySelector("table.actions");
if(!form||!table)return;
var rows=table.tBodies[0].rows,shown=form.elements.namedItem("shown");
function apply(){
  var status=form.elements.namedItem("status").value,severity=form.elements.namedItem("severity").value,
      owner=form.elements.namedItem("owner").value,q=form.elements.namedItem("q").value.trim().toLowerCase(),count=0;
  for(var i=0;i<rows.length;i++){
    var row=rows[i],match=(!status||row.getAttribute("data-status")===status)&&(!severity||row.getAttribute("data-severity")===severity)&&
      (!owner||row.getAttribute("data-owner")===owner)&&(!q||row.textContent.toLowerCase().indexOf(q)>=0);
    row.hidden=!match;if(match)count++;
  }
  shown.value=count+" of "+rows.length;
  var hash=new URLSearchParams();
  ["status","severity","owner","q"].forEach(function(name){var value=form.elements.namedItem(name).value;if(value)hash.set(name,value);});
  var text=hash.toString();
  if(text!==location.hash.slice(1))history.replaceState(null,"",text?"#"+text:location.pathname+location.search);
}
var initial=new URLSearchParams(location.hash.slice(1));
["status","severity","owner","q"].forEach(function(name){if(initial.has(name))form.elements.namedItem(name).value=initial.get(name);});
form.addEventListener("input",apply);form.addEventListener("submit",function(event){event.preventDefault();});
form.hidden=false;apply();
document.documentElement.setAttribute("data-filters","on");
})();`;
