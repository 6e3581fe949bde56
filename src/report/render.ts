import type { ReportAction, ReportCase, ReportCount, ReportData } from "./data.js";

/**
 * Renders the report as one self-contained HTML page: inline CSS, the data as inline JSON and a small
 * inline script that draws the SVG charts (severity, category, owner, first-seen trend). No CDN, no
 * network, no external file; every value from a finding is escaped, since finding content is
 * untrusted.
 * @example
 * await writeFile("cloudsteward-report/index.html", renderReport(buildReportData(input)));
 */
export function renderReport(data: ReportData): string {
  const audit = data.audit;
  const auditLine = audit.ok
    ? `Verified: ${audit.count} record(s), hash chain intact${audit.lastHash ? ` (last hash <code>${escapeHtml(audit.lastHash.slice(0, 16))}…</code>)` : ""}.`
    : `FAILED at record ${audit.firstBadSeq} (${escapeHtml(audit.reason)}): ${escapeHtml(audit.message)}`;
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
</header>
<main>
<section class="tiles" aria-label="Totals">
${tile("Findings", data.totals.findings)}${tile("Cases", data.totals.cases)}${tile("Actions taken", data.totals.delivered)}${tile("Awaiting approval", data.totals.pending)}${tile("Dead letters", data.totals.deadLetters)}
</section>
<section>
<h2>Posture</h2>
<div class="charts">
${chart("severity", "Findings by severity", data.severity)}
${chart("category", "Findings by category", data.category)}
${chart("owner", "Findings by owner (top 12)", data.owner)}
${chart("trend", "Findings by first-seen week", data.trend)}
</div>
</section>
<section>
<h2>Top cases</h2>
${data.topCases.map(caseArticle).join("\n")}
</section>
<section>
<h2>Actions taken (${data.delivered.length})</h2>
${actionTable(data.delivered, "Reference")}
<h2>Waiting for approval (${data.pending.length})</h2>
${actionTable(data.pending, "Approval id")}
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
</div>
<div>
<h2>Audit log</h2>
<p id="audit" class="${audit.ok ? "ok" : "bad"}">${auditLine}</p>
<h2>Timing</h2>
<table><tbody>
${data.phases.map((phase) => `<tr><th>${escapeHtml(phase.name)}</th><td>${(phase.durationMs / 1000).toFixed(2)} s</td></tr>`).join("\n")}
</tbody></table>
</div>
</section>
${data.warnings.length > 0 ? `<section><h2>Warnings</h2><ul>${data.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join("")}</ul></section>` : ""}
</main>
<script type="application/json" id="cs-data">${jsonForScript({ severity: data.severity, category: data.category, owner: data.owner, trend: data.trend })}</script>
<script>${chartScript}</script>
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

function tile(label: string, value: number): string {
  return `<div class="tile"><span class="value">${value}</span><span class="label">${escapeHtml(label)}</span></div>`;
}

/** A figure the inline script fills with an SVG chart; the table underneath keeps the numbers readable without scripts. */
function chart(name: string, title: string, counts: readonly ReportCount[]): string {
  const rows = counts
    .map((count) => `<tr><td>${escapeHtml(count.label)}</td><td>${count.count}</td></tr>`)
    .join("");
  return `<figure class="chart" data-chart="${name}"><figcaption>${escapeHtml(title)}</figcaption><details><summary>Data</summary><table><tbody>${rows}</tbody></table></details></figure>`;
}

function caseArticle(item: ReportCase): string {
  const snippets = item.snippets
    .map(
      (snippet) =>
        `<figure class="snippet"><figcaption>${escapeHtml(snippet.label)} <span class="lang">${escapeHtml(snippet.language)}</span></figcaption><pre><code>${escapeHtml(snippet.code)}</code></pre></figure>`,
    )
    .join("");
  return `<article class="case sev-${item.severity}">
<h3><span class="badge">${escapeHtml(item.severity)}</span> ${escapeHtml(item.headline)}</h3>
<p class="meta">Priority ${item.priority} · ${item.findings} finding(s) · owner ${escapeHtml(item.owner)} · ${escapeHtml(item.environment)} · case <code>${escapeHtml(item.id)}</code> · explained by ${escapeHtml(item.explainedBy)}</p>
<p><strong>Risk.</strong> ${escapeHtml(item.risk)}</p>
${item.whyItMatters ? `<p><strong>Why it matters.</strong> ${escapeHtml(item.whyItMatters)}</p>` : ""}
${item.likelyIntent ? `<p><strong>Likely intent.</strong> ${escapeHtml(item.likelyIntent)}</p>` : ""}
${item.remediationSteps.length > 0 ? `<ol>${item.remediationSteps.map((step) => `<li>${escapeHtml(step)}</li>`).join("")}</ol>` : ""}
${snippets}
${item.controls.length > 0 ? `<p class="controls">${item.controls.map((control) => `<span>${escapeHtml(control)}</span>`).join(" ")}</p>` : ""}
</article>`;
}

function actionTable(actions: readonly ReportAction[], refLabel: string): string {
  if (actions.length === 0) return "<p>None.</p>";
  const shown = actions.slice(0, 200);
  const rows = shown
    .map((action) => {
      const ref = action.ref
        ? action.url && /^https?:\/\//.test(action.url)
          ? `<a href="${escapeHtml(action.url)}">${escapeHtml(action.ref)}</a>`
          : `<code>${escapeHtml(action.ref)}</code>`
        : "";
      return `<tr><td>${escapeHtml(action.kind)}</td><td>${escapeHtml(action.sink)}</td><td>${escapeHtml(action.risk)}</td><td>${escapeHtml(action.headline)}</td><td>${ref}</td><td>${escapeHtml(action.note ?? "")}</td></tr>`;
    })
    .join("\n");
  const more = actions.length > shown.length ? `<p>…and ${actions.length - shown.length} more.</p>` : "";
  return `<table class="actions"><thead><tr><th>Kind</th><th>Sink</th><th>Risk</th><th>Case</th><th>${escapeHtml(refLabel)}</th><th>Note</th></tr></thead><tbody>
${rows}
</tbody></table>${more}`;
}

/** JSON that cannot close the script element it sits in. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const css = `
:root{--fg:#1b1f24;--muted:#5b6470;--bg:#f6f7f9;--card:#fff;--line:#dde1e6;--accent:#2f6fde;
--critical:#b3261e;--high:#e8710a;--medium:#d4a100;--low:#2e7d32;--info:#607d8b}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#101828;color:#fff;padding:24px 32px}header h1{margin:0 0 4px;font-size:24px}header .meta{color:#c7cdd6;margin:0}
main{max-width:1200px;margin:0 auto;padding:24px 32px}h2{font-size:19px;margin:28px 0 12px}h3{font-size:16px;margin:0 0 6px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;display:flex;flex-direction:column}
.tile .value{font-size:28px;font-weight:600}.tile .label{color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0;padding:14px 16px}
.chart figcaption{font-weight:600;margin-bottom:8px}.chart svg{width:100%;height:auto;display:block}
.chart details{margin-top:6px;color:var(--muted);font-size:13px}
.case{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--info);border-radius:8px;padding:14px 18px;margin:0 0 12px}
.sev-critical{border-left-color:var(--critical)}.sev-high{border-left-color:var(--high)}.sev-medium{border-left-color:var(--medium)}.sev-low{border-left-color:var(--low)}
.badge{display:inline-block;font-size:12px;text-transform:uppercase;letter-spacing:.04em;background:#eef1f5;border-radius:4px;padding:1px 6px;vertical-align:middle}
.meta{color:var(--muted);font-size:13px}pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;border-radius:6px;overflow:auto;font-size:13px}
.snippet{margin:8px 0}.snippet figcaption{font-size:13px;color:var(--muted)}.lang{font-family:monospace}
.controls span{display:inline-block;background:#eef4ff;color:#1d4ed8;border-radius:4px;padding:1px 6px;margin:2px 2px 0 0;font-size:12px}
table{border-collapse:collapse;width:100%;background:var(--card)}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;font-size:14px}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:24px}
.ok{color:var(--low);font-weight:600}.bad{color:var(--critical);font-weight:600}code{font-size:13px}
`;

/**
 * Draws one SVG bar chart per `figure[data-chart]` from the inline JSON, with DOM calls only (no
 * innerHTML), so a label from a finding can never become markup.
 */
const chartScript = `(function(){
var data=JSON.parse(document.getElementById("cs-data").textContent);
var colours={critical:"#b3261e",high:"#e8710a",medium:"#d4a100",low:"#2e7d32",info:"#607d8b"};
var NS="http://www.w3.org/2000/svg";
function el(name,attrs,text){var node=document.createElementNS(NS,name);for(var key in attrs)node.setAttribute(key,String(attrs[key]));if(text!==undefined)node.textContent=text;return node;}
function bars(name,counts){
  var width=520,row=24,left=190,height=Math.max(row,counts.length*row)+8;
  var max=Math.max.apply(null,counts.map(function(c){return c.count;}).concat([1]));
  var svg=el("svg",{viewBox:"0 0 "+width+" "+height,role:"img","class":"chart-svg","data-chart":name});
  svg.appendChild(el("title",{},name));
  counts.forEach(function(c,i){
    var y=i*row+4,w=Math.max(c.count>0?2:0,(width-left-60)*c.count/max);
    svg.appendChild(el("text",{x:left-8,y:y+15,"text-anchor":"end","font-size":12,fill:"#1b1f24"},c.label.length>28?c.label.slice(0,27)+"…":c.label));
    svg.appendChild(el("rect",{x:left,y:y+3,width:w,height:row-8,rx:3,fill:colours[c.label]||"#2f6fde","data-label":c.label,"data-count":c.count}));
    svg.appendChild(el("text",{x:left+w+6,y:y+15,"font-size":12,fill:"#5b6470"},String(c.count)));
  });
  return svg;
}
function columns(name,counts){
  var width=520,height=220,bottom=40,top=10,n=Math.max(1,counts.length),slot=(width-20)/n;
  var max=Math.max.apply(null,counts.map(function(c){return c.count;}).concat([1]));
  var svg=el("svg",{viewBox:"0 0 "+width+" "+height,role:"img","class":"chart-svg","data-chart":name});
  svg.appendChild(el("title",{},name));
  counts.forEach(function(c,i){
    var h=(height-bottom-top)*c.count/max,x=10+i*slot;
    svg.appendChild(el("rect",{x:x+slot*0.15,y:height-bottom-h,width:slot*0.7,height:h,rx:2,fill:"#2f6fde","data-label":c.label,"data-count":c.count}));
    if(n<=16||i%Math.ceil(n/16)===0)svg.appendChild(el("text",{x:x+slot/2,y:height-bottom+14,"text-anchor":"middle","font-size":10,fill:"#5b6470"},c.label.replace(/^\\d{4}-/,"")));
  });
  svg.appendChild(el("line",{x1:10,x2:width-10,y1:height-bottom,y2:height-bottom,stroke:"#dde1e6"}));
  return svg;
}
var figures=document.querySelectorAll("figure[data-chart]");
for(var i=0;i<figures.length;i++){
  var figure=figures[i],name=figure.getAttribute("data-chart"),counts=data[name]||[];
  var svg=name==="trend"?columns(name,counts):bars(name,counts);
  figure.insertBefore(svg,figure.querySelector("details"));
}
document.documentElement.setAttribute("data-charts-rendered",String(figures.length));
})();`;
