import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { QueryError } from "../../agents/query/errors.js";
import { parsePostureQuery, plan, runQuery } from "../../agents/query/run.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openPostureTarget, postureOptions, postureTargetFlags, printPlan } from "../posture.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward query`. */
export const queryHelp = `cloudsteward query --json '<query>' [options]

Runs a typed, read-only posture query (docs/query.md) across every configured platform, or the Store
for cases and exceptions. Each platform filters what it can server-side; the rest is checked
client-side. Prints the counts, the matching findings, and per platform the native request sent.

Options:
  --json <query>       the query as JSON, e.g. '{"filters":{"severity":["critical"]}}'
  --file <file>        the query from a JSON file, instead of --json
  --plan               only show what each platform would be sent (nothing is called)
  --sandbox            run against the emulated Wiz, Prisma Cloud, Orca and Lacework (no config)
  --seed <n>           sandbox estate seed (default 1)
  --size <n>           sandbox findings per platform (default 200)
  --config <file>      the config file (default ./cloudsteward.yaml)
  --output <format>    text | json (default text)

Examples:
  cloudsteward query --sandbox --json '{"filters":{"severity":["critical"],"environment":["production"],"olderThanDays":30}}'
  cloudsteward query --plan --json '{"filters":{"framework":"pci-dss-4.0","requirement":"8.3"}}'
  cloudsteward query --json '{"subject":"cases","groupBy":["owner"]}' --output json`;

/** The flags of `cloudsteward query`. */
export const queryArgs = {
  flags: {
    ...postureTargetFlags,
    json: { type: "string" },
    file: { type: "string", path: "file" },
    plan: { type: "boolean", default: false },
    output: { type: "string", default: "text", choices: ["text", "json"] },
  },
} as const satisfies CommandArgs;

/** `cloudsteward query`: a typed posture query, with its native requests. */
export async function queryCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, queryArgs);
  if ((values.json === undefined) === (values.file === undefined))
    throw usageError("query needs the query in exactly one of --json '<query>' or --file <file>.");
  const text = values.json ?? (await readFile(resolve(io.cwd, values.file!), "utf8"));
  let query: ReturnType<typeof parsePostureQuery>;
  try {
    query = parsePostureQuery(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError) throw usageError(`the query is not JSON: ${error.message}`);
    if (error instanceof QueryError) throw usageError(error.message);
    throw error;
  }
  const out = createOutput(io, { json: values.output === "json" });
  const target = await openPostureTarget(io, values);
  try {
    if (values.plan) {
      const shown = plan(query, postureOptions(target));
      if (out.json) out.data(shown);
      else printPlan(out, shown);
      return exitCodes.ok;
    }
    const result = await runQuery(query, { ...postureOptions(target), signal: io.signal });
    if (out.json) {
      out.data(result);
      return exitCodes.ok;
    }
    out.line(`${result.total} match (${result.scanned} examined, ${Math.round(result.elapsedMs)} ms).`);
    for (const group of result.groups ?? [])
      out.line(`  ${Object.values(group.key).join(" / ")}: ${group.count}`);
    for (const finding of result.findings)
      out.line(
        `  [${finding.severity}] ${finding.id}  ${finding.title} — ${finding.resource.name || finding.resource.id}${finding.source.url ? `\n      ${finding.source.url}` : ""}`,
      );
    for (const item of result.cases)
      out.line(`  [${item.severity}] ${item.id}  ${item.explanation?.headline ?? item.findings[0]!.title}`);
    for (const record of result.exceptions)
      out.line(`  [${record.severity}] ${record.id}  ${record.state} until ${record.expiresAt}`);
    out.line();
    printPlan(out, result.plan, result);
    return exitCodes.ok;
  } finally {
    await target.close();
  }
}
