import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "../../core/fingerprint.js";
import { escapeHtml } from "../../sinks/render/html.js";
import { escapeMarkdown } from "../../sinks/render/markdown.js";
import type { EvidencePack, EvidenceRequirement } from "./evidence.js";

/** The OSCAL version {@link evidencePackOscal} writes, the newest whose JSON schema is in usnistgov/OSCAL's repository. */
export const OSCAL_VERSION = "1.0.6";

/**
 * The pack as Markdown: summary, narrative, the anchor, then one section per requirement.
 * @example
 * await writeFile("soc2.md", evidencePackMarkdown(pack));
 */
export function evidencePackMarkdown(pack: EvidencePack): string {
  const lines = [
    `# ${escapeMarkdown(pack.framework.name)} evidence pack`,
    "",
    `Scope: ${escapeMarkdown(pack.scope)} · Period: ${pack.period.from} to ${pack.period.to} · Generated: ${pack.generatedAt}`,
    "",
    `| Pass | Fail | Not assessed | Findings in scope | Score |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    `| ${pack.summary.pass} | ${pack.summary.fail} | ${pack.summary.notAssessed} | ${pack.summary.findings} | ${score(pack)} |`,
    "",
    escapeMarkdown(pack.narrative),
    "",
    anchorText(pack),
    "",
  ];
  for (const requirement of pack.requirements) {
    lines.push(`## ${escapeMarkdown(requirement.id)} — ${escapeMarkdown(requirement.title)}`, "");
    lines.push(`**Status: ${requirement.status}** · Section: ${escapeMarkdown(requirement.section)}`, "");
    lines.push(escapeMarkdown(requirement.narrative), "");
    if (requirement.history.length > 0)
      lines.push(
        `History: ${requirement.history.map((point) => `${point.at.slice(0, 10)} ${point.status}`).join(" → ")}`,
        "",
      );
    if (requirement.failingResources.length > 0) {
      lines.push(
        `Failing resources: ${listed(requirement.failingResources.length, requirement.totals.failingResources)}`,
        "",
        "| Resource | Failing findings |",
        "| --- | ---: |",
      );
      for (const resource of requirement.failingResources)
        lines.push(`| ${cell(resource.id)} | ${resource.findings} |`);
      lines.push("");
    }
    if (requirement.failing.length > 0) {
      lines.push(
        `Failing findings: ${listed(requirement.failing.length, requirement.totals.failingFindings)}, most severe first`,
        "",
        "| Finding | Severity | Resource | First seen |",
        "| --- | --- | --- | --- |",
      );
      for (const finding of requirement.failing)
        lines.push(
          `| ${cell(finding.title)} | ${finding.severity} | ${cell(finding.resourceId)} | ${finding.firstSeen.slice(0, 10)} |`,
        );
      lines.push("");
    }
    for (const exception of requirement.exceptions)
      lines.push(`- Exception ${escapeMarkdown(exception.id)}: ${escapeMarkdown(exceptionText(exception))}`);
    for (const route of requirement.routes)
      lines.push(`- Mapped by ${route.route}: ${escapeMarkdown(route.via)}`);
    for (const item of requirement.evidence)
      lines.push(
        `- Audit record #${item.seq} ${item.type} by ${escapeMarkdown(item.actor)} at ${item.at}, hash \`${item.hash}\``,
      );
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/**
 * The pack as CSV, one row per requirement (RFC 4180; cells starting with `=`, `+`, `-` or `@` are
 * prefixed with `'` so spreadsheets do not run them).
 */
export function evidencePackCsv(pack: EvidencePack): string {
  const header = [
    "framework",
    "requirement",
    "title",
    "section",
    "status",
    "failing_findings",
    "failing_resource_count",
    "failing_resources",
    "audit_record_count",
    "exceptions",
    "routes",
    "audit_records",
    "narrative",
  ];
  const rows = pack.requirements.map((requirement) => [
    pack.framework.key,
    requirement.id,
    requirement.title,
    requirement.section,
    requirement.status,
    String(requirement.totals.failingFindings),
    String(requirement.totals.failingResources),
    requirement.failingResources.map((resource) => `${resource.id}(${resource.findings})`).join(" "),
    String(requirement.totals.auditRecords),
    requirement.exceptions.map((exception) => exception.id).join(" "),
    requirement.routes
      .map((route) => route.route)
      .filter((route, index, all) => all.indexOf(route) === index)
      .join(" "),
    requirement.evidence.map((item) => `${item.seq}:${item.hash}`).join(" "),
    requirement.narrative,
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/**
 * The pack as one self-contained HTML page laid out for printing ("Save as PDF"): no scripts, no
 * external resources, a page break before each section, table headers repeated on each page.
 */
export function evidencePackHtml(pack: EvidencePack): string {
  const requirement = (item: EvidenceRequirement) => `
<section class="requirement ${item.status}">
  <h3>${escapeHtml(item.id)} — ${escapeHtml(item.title)} <span class="status">${item.status}</span></h3>
  <p class="section">${escapeHtml(item.section)}</p>
  <p>${escapeHtml(item.narrative)}</p>
  ${item.history.length > 0 ? `<p class="history">History: ${item.history.map((point) => `${point.at.slice(0, 10)} <b>${point.status}</b>`).join(" → ")}</p>` : ""}
  ${
    item.failingResources.length > 0
      ? `<p class="meta">Failing resources: ${listed(item.failingResources.length, item.totals.failingResources)}</p><table><thead><tr><th>Resource</th><th>Failing findings</th></tr></thead><tbody>${item.failingResources
          .map(
            (resource) =>
              `<tr><td class="id">${escapeHtml(resource.id)}</td><td>${resource.findings}</td></tr>`,
          )
          .join("")}</tbody></table>`
      : ""
  }
  ${
    item.failing.length > 0
      ? `<p class="meta">Failing findings: ${listed(item.failing.length, item.totals.failingFindings)}, most severe first</p><table><thead><tr><th>Finding</th><th>Severity</th><th>Resource</th><th>First seen</th></tr></thead><tbody>${item.failing
          .map(
            (finding) =>
              `<tr><td>${escapeHtml(finding.title)}</td><td>${finding.severity}</td><td class="id">${escapeHtml(finding.resourceId)}</td><td>${finding.firstSeen.slice(0, 10)}</td></tr>`,
          )
          .join("")}</tbody></table>`
      : ""
  }
  ${list([
    ...item.exceptions.map(
      (exception) => `Exception ${escapeHtml(exception.id)}: ${escapeHtml(exceptionText(exception))}`,
    ),
    ...item.routes.map((route) => `Mapped by ${route.route}: ${escapeHtml(route.via)}`),
    ...item.evidence.map(
      (evidence) =>
        `Audit record #${evidence.seq} ${escapeHtml(evidence.type)} by ${escapeHtml(evidence.actor)} at ${evidence.at} <code>${evidence.hash}</code>`,
    ),
  ])}
</section>`;
  const sections = [...new Set(pack.requirements.map((item) => item.section))];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(pack.framework.name)} evidence pack — ${escapeHtml(pack.scope)}</title>
<style>
  body { font: 11pt/1.45 system-ui, sans-serif; color: #111; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 18pt; margin-bottom: 0.2rem; } h2 { font-size: 14pt; border-bottom: 1px solid #999; } h3 { font-size: 11.5pt; margin: 0.8rem 0 0.2rem; }
  table { border-collapse: collapse; width: 100%; margin: 0.4rem 0; font-size: 9.5pt; } th, td { border: 1px solid #bbb; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; }
  thead { display: table-header-group; } tr, .requirement { break-inside: avoid; page-break-inside: avoid; }
  .status { font-size: 9pt; padding: 0 0.3rem; border: 1px solid currentColor; border-radius: 3px; }
  .fail .status { color: #a00; } .pass .status { color: #060; } .not-assessed .status { color: #666; }
  .section, .meta { color: #555; font-size: 9.5pt; } .id, code { font: 8.5pt ui-monospace, monospace; word-break: break-all; }
  @media print { body { margin: 0; max-width: none; } h2 { break-before: page; page-break-before: always; } h2:first-of-type { break-before: auto; page-break-before: auto; } a { color: inherit; text-decoration: none; } }
  @page { margin: 16mm; }
</style>
</head>
<body>
<h1>${escapeHtml(pack.framework.name)} evidence pack</h1>
<p class="meta">Scope: ${escapeHtml(pack.scope)} · Period: ${pack.period.from} to ${pack.period.to} · Generated: ${pack.generatedAt}</p>
<table><thead><tr><th>Pass</th><th>Fail</th><th>Not assessed</th><th>Findings in scope</th><th>Score</th></tr></thead>
<tbody><tr><td>${pack.summary.pass}</td><td>${pack.summary.fail}</td><td>${pack.summary.notAssessed}</td><td>${pack.summary.findings}</td><td>${score(pack)}</td></tr></tbody></table>
<p>${escapeHtml(pack.narrative)}</p>
<p class="meta">${escapeHtml(anchorText(pack))}</p>
${sections
  .map(
    (section) =>
      `<h2>${escapeHtml(section || "Requirements")}</h2>${pack.requirements
        .filter((item) => item.section === section)
        .map(requirement)
        .join("")}`,
  )
  .join("\n")}
</body>
</html>
`;
}

/**
 * The pack as an OSCAL assessment-results document (JSON, OSCAL {@link OSCAL_VERSION}): one result for
 * the period with the framework's requirements as reviewed controls, one finding per assessed
 * requirement (`satisfied` / `not-satisfied`, with its totals as properties) and one observation per
 * sampled failing finding and per cited audit record. Requirements not assessed are listed as reviewed but get no finding. UUIDs are derived from
 * the content, so the same pack gives the same document.
 */
export function evidencePackOscal(pack: EvidencePack): Record<string, unknown> {
  const uuid = (...parts: string[]) =>
    uuidFrom(`${pack.framework.key}|${pack.scope}|${pack.period.to}|${parts.join("|")}`);
  const ns = "https://github.com/cloudsteward/ns/oscal";
  // One observation per failing finding or audit record, however many requirements it backs.
  const observations = new Map<string, Record<string, unknown>>();
  const findings: Record<string, unknown>[] = [];
  for (const requirement of pack.requirements) {
    if (requirement.status === "not-assessed") continue;
    const related: string[] = [];
    for (const finding of requirement.failing) {
      const id = uuid("finding", finding.id);
      related.push(id);
      if (!observations.has(id))
        observations.set(id, {
          uuid: id,
          title: finding.title,
          description: `${finding.severity} finding ${finding.id} on ${finding.resourceId}, first seen ${finding.firstSeen}.`,
          props: [{ name: "resource-id", ns, value: finding.resourceId }],
          methods: ["TEST"],
          types: ["finding"],
          ...(finding.url
            ? {
                "relevant-evidence": [
                  { href: finding.url, description: "The finding in its platform's console." },
                ],
              }
            : {}),
          collected: pack.period.to,
        });
    }
    for (const item of requirement.evidence) {
      const id = uuid("audit", String(item.seq));
      related.push(id);
      if (!observations.has(id))
        observations.set(id, {
          uuid: id,
          title: `Audit record #${item.seq}: ${item.type}`,
          description: `${item.type} by ${item.actor} at ${item.at}.`,
          props: [
            { name: "audit-seq", ns, value: String(item.seq) },
            { name: "audit-hash", ns, value: item.hash },
          ],
          methods: ["EXAMINE"],
          collected: item.at,
        });
    }
    findings.push({
      uuid: uuid("requirement", requirement.id),
      title: `${requirement.id} ${requirement.title}`.slice(0, 250),
      description: requirement.narrative,
      props: [
        { name: "requirement-id", ns, value: requirement.id },
        { name: "failing-findings", ns, value: String(requirement.totals.failingFindings) },
        { name: "failing-resources", ns, value: String(requirement.totals.failingResources) },
        { name: "audit-records", ns, value: String(requirement.totals.auditRecords) },
      ],
      target: {
        type: "objective-id",
        "target-id": controlId(requirement.id),
        status: { state: requirement.status === "pass" ? "satisfied" : "not-satisfied" },
      },
      ...(related.length > 0
        ? { "related-observations": related.map((id) => ({ "observation-uuid": id })) }
        : {}),
    });
  }
  const result: Record<string, unknown> = {
    uuid: uuid("result"),
    title: `${pack.framework.name} — ${pack.scope}`,
    description: pack.narrative,
    start: pack.period.from,
    end: pack.period.to,
    props: [
      ...(pack.anchor
        ? [
            { name: "audit-anchor-seq", ns, value: String(pack.anchor.seq) },
            { name: "audit-anchor-hash", ns, value: pack.anchor.hash },
          ]
        : []),
    ],
    "reviewed-controls": {
      "control-selections": [
        {
          "include-controls": pack.requirements.map((requirement) => ({
            "control-id": controlId(requirement.id),
          })),
        },
      ],
    },
    ...(observations.size > 0 ? { observations: [...observations.values()] } : {}),
    ...(findings.length > 0 ? { findings } : {}),
  };
  if ((result.props as unknown[]).length === 0) delete result.props;
  return {
    "assessment-results": {
      uuid: uuid("document", pack.generatedAt),
      metadata: {
        title: `${pack.framework.name} assessment results — ${pack.scope}`,
        "last-modified": pack.generatedAt,
        version: pack.generatedAt,
        "oscal-version": OSCAL_VERSION,
      },
      "import-ap": {
        href: "#",
        remarks: "Continuous assessment by cloudsteward from CNAPP findings; no separate assessment plan.",
      },
      results: [result],
    },
  };
}

/** What {@link writeEvidencePack} wrote. */
export interface WrittenEvidencePack {
  /** Paths: pack.json, pack.md, pack.csv, pack.html, oscal-assessment-results.json. */
  files: string[];
}

/**
 * Writes the pack in every format to `directory`: `pack.json`, `pack.md`, `pack.csv`, `pack.html` and
 * `oscal-assessment-results.json`.
 * @example
 * await writeEvidencePack(pack, "evidence/soc2-2026-q3");
 */
export async function writeEvidencePack(pack: EvidencePack, directory: string): Promise<WrittenEvidencePack> {
  await mkdir(directory, { recursive: true });
  const outputs: [string, string][] = [
    ["pack.json", `${JSON.stringify(pack, null, 2)}\n`],
    ["pack.md", evidencePackMarkdown(pack)],
    ["pack.csv", evidencePackCsv(pack)],
    ["pack.html", evidencePackHtml(pack)],
    ["oscal-assessment-results.json", `${JSON.stringify(evidencePackOscal(pack), null, 2)}\n`],
  ];
  const files: string[] = [];
  for (const [name, text] of outputs) {
    const path = join(directory, name);
    await writeFile(path, text);
    files.push(path);
  }
  return { files };
}

// --- Internal helpers ---------------------------------------------------------------------------------

function score(pack: EvidencePack): string {
  return pack.summary.score === undefined ? "—" : `${Math.round(pack.summary.score * 100)}%`;
}

function anchorText(pack: EvidencePack): string {
  return pack.anchor
    ? `Audit chain anchor: record #${pack.anchor.seq}, hash ${pack.anchor.hash}. Verify with \`cloudsteward audit verify --anchor ${pack.anchor.seq}:${pack.anchor.hash}\`.`
    : pack.verification && !pack.verification.ok
      ? `The audit log did NOT verify when the pack was built: ${pack.verification.message}`
      : "No audit log was given: evidence items are not linked.";
}

function exceptionText(exception: EvidenceRequirement["exceptions"][number]): string {
  const details =
    "approvedBy" in exception
      ? [
          exception.approvedBy &&
            `approved by ${exception.approvedBy}${exception.approvedAt ? ` on ${exception.approvedAt.slice(0, 10)}` : ""}`,
          exception.expiresAt && `expires ${exception.expiresAt.slice(0, 10)}`,
          exception.ticket && `ticket ${exception.ticket}`,
        ].filter(Boolean)
      : [];
  return [exception.reason, ...details].join("; ");
}

/** "all 3" or "the first 20 of 1,000". */
function listed(shown: number, total: number): string {
  return shown === total ? `all ${total}` : `${shown} of ${total.toLocaleString("en-US")}`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "" : `<ul>${items.map((item) => `<li>${item}</li>`).join("")}</ul>`;
}

function cell(value: string): string {
  return escapeMarkdown(value).replace(/\n/g, " ");
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** An OSCAL token for a requirement id: ids such as `1.2.5` must not start with a digit. */
function controlId(id: string): string {
  const token = id.replace(/[^\p{L}\p{N}._-]/gu, "_");
  return /^[\p{L}_]/u.test(token) ? token : `_${token}`;
}

/** A name-based UUID (version 5 layout over SHA-256 of the name), so documents are reproducible. */
function uuidFrom(name: string): string {
  const hex = sha256Hex(name);
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
