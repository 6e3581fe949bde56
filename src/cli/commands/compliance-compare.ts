import { complianceMapper } from "../../agents/compliance/mapping.js";
import { comparePosture } from "../../agents/compliance/platform-posture.js";
import { assessCompliance } from "../../agents/compliance/posture.js";
import type { Finding } from "../../core/finding.js";
import type { PlatformRequirementPosture } from "../../core/source.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward compliance compare`. */
export const complianceCompareHelp = `cloudsteward compliance compare --platform-framework <name> [options]

Reads the compliance posture the configured CNAPPs compute themselves (Prisma Cloud today), assesses
the same sources' findings against our framework catalogs, and prints per requirement where the two
agree, disagree, or only one side assesses it, with the reason. Read-only.

Options:
  --config <file>                the config file (default ./cloudsteward.yaml)
  --platform-framework <name>    a framework as the platform names it, e.g. "SOC 2" (repeatable, required)
  --framework <key>              our bundled framework to compare (repeatable; default every bundled one)
  --all                          print agreements too (default: only the rows that differ)
  --json                         print the comparisons as JSON

Examples:
  cloudsteward compliance compare --platform-framework "SOC 2" --framework soc2
  cloudsteward compliance compare --platform-framework "SOC 2" --platform-framework "PCI DSS v4.0" --json`;

/** The flags of `cloudsteward compliance compare`. */
export const complianceCompareArgs = {
  flags: {
    config: { type: "string", path: "file" },
    "platform-framework": { type: "string", multiple: true },
    framework: { type: "string", multiple: true },
    all: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward compliance compare`: our posture next to each CNAPP's own. */
export async function complianceCompareCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, complianceCompareArgs);
  const platformFrameworks = values["platform-framework"] ?? [];
  if (platformFrameworks.length === 0)
    throw usageError('compliance compare needs --platform-framework, e.g. --platform-framework "SOC 2".');
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config, { showEndpoints: true });
  try {
    const call = io.signal ? { signal: io.signal } : {};
    const readers = Object.values(context.sources).filter(
      (source) => source.capabilities.compliancePosture && source.compliancePosture,
    );
    if (readers.length === 0) {
      io.stderr.write(
        `cloudsteward compliance compare: none of the configured sources (${Object.keys(context.sources).join(", ")}) reads its own compliance posture; Prisma Cloud does.\n`,
      );
      return exitCodes.failure;
    }
    const theirs: PlatformRequirementPosture[] = [];
    const findings: Finding[] = [];
    for (const source of readers) {
      theirs.push(...(await source.compliancePosture!({ frameworks: platformFrameworks }, call)));
      for await (const finding of source.findings({}, call)) findings.push(finding);
    }
    const mapper = complianceMapper(values.framework ? { frameworks: values.framework } : {});
    const result = comparePosture(assessCompliance(findings, { mapper }), theirs);
    if (out.json) {
      out.data(result);
      return exitCodes.ok;
    }
    for (const comparison of result.comparisons) {
      const { counts } = comparison;
      out.line(
        out.bold(
          `${comparison.framework} vs ${comparison.platform} "${comparison.platformFramework}": ${counts.agree} agree, ${counts.disagree} disagree, ${counts["only-ours"]} only ours, ${counts["only-theirs"]} only theirs`,
        ),
      );
      for (const row of comparison.requirements)
        if (values.all || row.outcome !== "agree")
          out.line(`  ${row.requirement}  ${row.outcome}${row.reason ? `: ${row.reason}` : ""}`);
    }
    if (result.unmatched.length > 0)
      out.line(`Not compared (no framework of ours is the same): ${result.unmatched.join("; ")}`);
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}
