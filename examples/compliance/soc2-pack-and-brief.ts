/**
 * Audit evidence without screenshots: build a SOC 2 evidence pack (print-ready HTML, Markdown, JSON,
 * CSV, OSCAL assessment results) and the weekly security brief from the sandbox's Wiz estate with
 * eight weeks of history (weekly runs, findings opened and resolved, exceptions granted and
 * expiring), then check every evidence item against the audit chain, as an auditor would.
 * With your own data, pass your findings, exceptions, audit log and posture history instead.
 * Run: npx tsx examples/compliance/soc2-pack-and-brief.ts [out-dir]
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  briefingPage,
  briefingSummary,
  buildBriefing,
  buildEvidencePack,
  verifyEvidencePack,
  writeEvidencePack,
} from "../../src/agents/compliance/index.js";
import { sandboxComplianceHistory } from "../../src/testing/index.js";

console.log("Using the sandbox's Wiz estate with eight weeks of history (no account needed).");
const out = process.argv[2] ?? (await mkdtemp(join(tmpdir(), "cloudsteward-compliance-")));
const { findings, exceptions, audit, history, runs } = await sandboxComplianceHistory({ weeks: 8 });
const now = new Date(runs.at(-1)!);

const pack = await buildEvidencePack({
  framework: "soc2",
  findings,
  exceptions,
  audit,
  history,
  period: { from: runs[0]!, to: now },
  now,
});
const { files } = await writeEvidencePack(pack, out);
const verification = await verifyEvidencePack(pack, audit);
console.log(
  `SOC 2: ${pack.summary.pass} pass, ${pack.summary.fail} fail, ${pack.summary.notAssessed} not assessed, from ${pack.summary.findings} findings`,
);
console.log(
  `${verification.ok ? "Verified" : "NOT verified"}: ${verification.items} evidence items against the audit chain (anchor seq ${pack.anchor?.seq})`,
);

const brief = await buildBriefing({
  findings,
  history,
  frameworks: ["soc2"],
  exceptions,
  slaDays: { critical: 7, high: 30, medium: 90 },
  period: { from: new Date(now.getTime() - 7 * 86_400_000), to: now },
  now,
});
const briefFile = join(out, "brief.html");
await writeFile(briefFile, briefingPage(brief));
console.log(`\n${briefingSummary(brief, `file://${briefFile}`)}\n`);
for (const file of [...files, briefFile]) console.log(`  ${file}`);
