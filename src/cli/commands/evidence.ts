import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { buildEvidencePack, verifyEvidencePack } from "../../agents/compliance/evidence.js";
import { bundledFrameworkKeys } from "../../agents/compliance/framework.js";
import {
  evidencePackCsv,
  evidencePackHtml,
  evidencePackMarkdown,
  evidencePackOscal,
} from "../../agents/compliance/render.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";
import { briefOf, periodDays, writeBrief } from "./brief.js";
import { openComplianceData } from "./compliance.js";

/** Help text of `cloudsteward evidence`. */
export const evidenceHelp = `cloudsteward evidence --framework <key> --out <dir> [options]

Writes an audit-ready evidence pack for one framework: per requirement its status and history over
the period, the failing findings and resources (a sample, with totals), the exceptions in force with
their approvals, the routes that mapped them and the audit-log records that back them, each with its
hash; the pack carries the audit chain's anchor and is checked against the log before it is written.
Requirements nothing maps to are "not assessed", never "pass".

Options:
  --framework <key>   a bundled framework (default soc2): ${bundledFrameworkKeys.join(", ")}
  --format <format>   html | md | json | csv | oscal (repeatable; default all five)
  --out <dir>         where the files go (required)
  --period <period>   week | month | quarter, ending now (default quarter)
  --brief             also write the weekly brief (brief.html, brief.md, brief.json) in the same directory
  --sandbox           the sandbox estate with eight weeks of history (no credentials; the audit log is
                      kept in <dir>/sandbox-state.db so the pack can be verified again later)
  --config <file>     the config file (default ./cloudsteward.yaml)
  --json              print what was written, and the verification, as JSON

Files: pack.html (print-ready: "Save as PDF"), pack.md, pack.json, pack.csv and
oscal-assessment-results.json (OSCAL 1.0.6 assessment results, for GRC tools).

Examples:
  cloudsteward evidence --sandbox --framework soc2 --brief --out report/
  cloudsteward evidence --framework pci-dss-4.0 --format html --format oscal --out evidence/q3
  cloudsteward audit verify && cloudsteward evidence --framework iso27001-2022 --out evidence/`;

/** The flags of `cloudsteward evidence`. */
export const evidenceArgs = {
  flags: {
    framework: { type: "string", default: "soc2", choices: bundledFrameworkKeys },
    format: { type: "string", multiple: true, choices: ["html", "md", "json", "csv", "oscal"] },
    out: { type: "string", path: "directory" },
    period: { type: "string", default: "quarter", choices: ["week", "month", "quarter"] },
    brief: { type: "boolean", default: false },
    sandbox: { type: "boolean", default: false },
    config: { type: "string", path: "file" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward evidence`: an evidence pack in every format asked, verified against the audit log. */
export async function evidenceCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, evidenceArgs);
  const out = createOutput(io, { json: values.json });
  if (!values.out) throw usageError("evidence needs --out <dir>: the directory the pack is written to");
  const directory = resolve(io.cwd, values.out);
  const formats = values.format?.length ? values.format : ["html", "md", "json", "csv", "oscal"];
  const framework = values.framework;
  await mkdir(directory, { recursive: true });
  // The sandbox's history is built afresh: an earlier run's log would be appended to, not replaced.
  if (values.sandbox)
    for (const suffix of ["", "-wal", "-shm"])
      await rm(join(directory, `sandbox-state.db${suffix}`), { force: true });
  const data = await openComplianceData(io, {
    config: values.config,
    sandbox: values.sandbox,
    sandboxStore: values.sandbox ? join(directory, "sandbox-state.db") : undefined,
    frameworks: [framework],
  });
  try {
    const days = periodDays[values.period as keyof typeof periodDays];
    const pack = await buildEvidencePack({
      framework,
      findings: data.findings,
      exceptions: data.exceptions,
      audit: data.audit,
      history: data.history,
      period: { from: new Date(data.now.getTime() - days * 86_400_000), to: data.now },
      now: data.now,
    });
    const verification = await verifyEvidencePack(pack, data.audit, { hmacKeyed: data.hmacKeyed });
    const renderers: Record<string, [string, () => string]> = {
      html: ["pack.html", () => evidencePackHtml(pack)],
      md: ["pack.md", () => evidencePackMarkdown(pack)],
      json: ["pack.json", () => `${JSON.stringify(pack, null, 2)}\n`],
      csv: ["pack.csv", () => evidencePackCsv(pack)],
      oscal: ["oscal-assessment-results.json", () => `${JSON.stringify(evidencePackOscal(pack), null, 2)}\n`],
    };
    const files: string[] = [];
    for (const format of formats) {
      const [name, render] = renderers[format]!;
      await writeFile(join(directory, name), render());
      files.push(join(directory, name));
    }
    if (values.brief) files.push(...(await writeBrief(await briefOf(data, 7, [framework]), directory)));
    if (out.json) out.data({ files, summary: pack.summary, anchor: pack.anchor, verification });
    else {
      const { summary } = pack;
      out.line(
        `${pack.framework.name}: ${summary.pass} pass, ${summary.fail} fail, ${summary.notAssessed} not assessed, from ${summary.findings} findings (${data.source})`,
      );
      out.line(
        verification.ok
          ? `Verified: ${verification.items} evidence items against the audit chain${pack.anchor ? ` (anchor seq ${pack.anchor.seq}, ${pack.anchor.hash})` : ""}`
          : `NOT verified: ${verification.failures.length} evidence items fail against the audit log`,
      );
      for (const file of files) out.line(file);
    }
    return verification.ok ? exitCodes.ok : exitCodes.auditFailed;
  } finally {
    await data.close();
  }
}
