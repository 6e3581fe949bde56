import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Briefing, buildBriefing } from "../../agents/briefing/briefing.js";
import { deliverBriefing } from "../../agents/briefing/deliver.js";
import { briefingMarkdown, briefingPage } from "../../agents/briefing/render.js";
import { bundledFrameworkKeys } from "../../agents/compliance/framework.js";
import { ConfigurationError } from "../../core/errors.js";
import type { AnnouncingSink } from "../../core/sink.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";
import { type ComplianceData, openComplianceData } from "./compliance.js";

/** Help text of `cloudsteward brief`. */
export const briefHelp = `cloudsteward brief [options]

Writes the security brief of the last week (or month, or quarter): new, resolved and open findings by
severity, mean time to remediate, SLA breaches (the policy's sla), top risks grouped by fix,
exceptions expiring, and the compliance score of each framework over the period from the posture
snapshots (\`cloudsteward compliance --record\`). The narrative is written from these figures only.

Options:
  --period <period>   week | month | quarter, ending now (default week)
  --framework <key>   a bundled framework to show the score of (repeatable; default those with snapshots)
  --out <dir>         write brief.html (print-ready), brief.md and brief.json there
  --deliver <sink>    also post the summary to slack | teams | email, as configured under sinks
                      (repeatable; a write, so only when given)
  --link <url>        the http(s) URL of the full brief, linked from the delivered summary
  --sandbox           the sandbox estate with eight weeks of history instead of the config's store
  --config <file>     the config file (default ./cloudsteward.yaml)
  --json              the brief as JSON

Examples:
  cloudsteward brief
  cloudsteward brief --period month --out report/
  cloudsteward brief --sandbox --framework soc2 --out report/
  cloudsteward brief --out report/ --deliver slack --deliver email --link https://reports.example.com/brief/`;

/** The flags of `cloudsteward brief`. */
export const briefArgs = {
  flags: {
    period: { type: "string", default: "week", choices: ["week", "month", "quarter"] },
    framework: { type: "string", multiple: true, choices: bundledFrameworkKeys },
    out: { type: "string", path: "directory" },
    deliver: { type: "string", multiple: true, choices: ["slack", "teams", "email"] },
    link: { type: "string" },
    sandbox: { type: "boolean", default: false },
    config: { type: "string", path: "file" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward brief`: the brief of the last period, printed or written as HTML, Markdown and JSON. */
export async function briefCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, briefArgs);
  const out = createOutput(io, { json: values.json });
  const frameworks = values.framework?.length ? values.framework : undefined;
  const data = await openComplianceData(io, {
    config: values.config,
    sandbox: values.sandbox,
    ...(frameworks ? { frameworks } : {}),
  });
  try {
    const brief = await briefOf(data, periodDays[values.period as keyof typeof periodDays], frameworks);
    const files = values.out ? await writeBrief(brief, resolve(io.cwd, values.out)) : undefined;
    const delivered = values.deliver?.length
      ? await deliverBrief(io, brief, { config: values.config, sinks: values.deliver, link: values.link })
      : undefined;
    if (out.json)
      out.data(
        files || delivered
          ? { brief, ...(files ? { files } : {}), ...(delivered ? { delivered } : {}) }
          : brief,
      );
    else {
      if (files) for (const file of files) out.line(file);
      else out.line(briefingMarkdown(brief).trimEnd());
      for (const name of delivered ?? []) io.stderr.write(`delivered the brief's summary to ${name}\n`);
    }
    return exitCodes.ok;
  } finally {
    await data.close();
  }
}

/**
 * Posts the brief's summary to the config's `sinks` named (slack, teams, email), printing first the
 * hosts credentials go to; returns the names posted to.
 * @throws ConfigurationError when a named sink is not configured.
 */
async function deliverBrief(
  io: CliIo,
  brief: Briefing,
  options: { config: string | undefined; sinks: readonly string[]; link: string | undefined },
): Promise<string[]> {
  const context = await openContext(io, options.config, { readOnly: true, showEndpoints: true });
  try {
    const sinks = options.sinks.map((name) => {
      const sink = context.sinks[name];
      if (!sink || !("announce" in sink))
        throw new ConfigurationError(
          `brief --deliver ${name}: sinks.${name} is not configured in ${context.loaded.file}.`,
          {
            option: `sinks.${name}`,
          },
        );
      return sink as AnnouncingSink;
    });
    return await deliverBriefing(brief, sinks, { ...(options.link ? { link: options.link } : {}) });
  } finally {
    await context.close();
  }
}

/** Days in each `--period`. */
export const periodDays = { week: 7, month: 30, quarter: 91 } as const;

/**
 * The brief of the `days` up to the data's instant, with the compliance scores of `frameworks`
 * (default: every bundled framework with a snapshot in the period).
 */
export async function briefOf(
  data: ComplianceData,
  days: number,
  frameworks?: readonly string[],
): Promise<Briefing> {
  const from = new Date(data.now.getTime() - days * 86_400_000);
  const period = { from, to: data.now };
  const keys = [];
  for (const key of frameworks ?? bundledFrameworkKeys)
    if (frameworks || (await data.history.summaries(key, "all", { since: from, until: data.now })).length > 0)
      keys.push(key);
  return buildBriefing({
    findings: data.findings,
    history: data.history,
    frameworks: keys,
    exceptions: data.exceptions,
    slaDays: data.slaDays,
    period,
    now: data.now,
  });
}

/** Writes brief.html (a print-ready page), brief.md and brief.json in `directory`; returns their paths. */
export async function writeBrief(brief: Briefing, directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: [string, string][] = [
    ["brief.html", briefingPage(brief)],
    ["brief.md", briefingMarkdown(brief)],
    ["brief.json", `${JSON.stringify(brief, null, 2)}\n`],
  ];
  for (const [name, text] of files) await writeFile(join(directory, name), text);
  return files.map(([name]) => join(directory, name));
}
