import { ask } from "../../agents/query/answer.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { openPostureTarget, postureOptions, postureTargetFlags, printAnswer } from "../posture.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward ask`. */
export const askHelp = `cloudsteward ask "<question>" [options]

Answers a posture question across every configured platform, read-only: the question becomes a typed
query (the configured model reads it; without one, or with --offline, a deterministic parser), each
platform filters what it can server-side and cloudsteward checks the rest. Prints a short summary, the
matching findings as citations with console links, the query, and per platform the native request it
sent. A vague question gets a clarifying question back; a request to change something is refused.

Options:
  --sandbox            answer against the emulated Wiz, Prisma Cloud, Orca and Lacework (no config)
  --seed <n>           sandbox estate seed (default 1)
  --size <n>           sandbox findings per platform (default 200)
  --config <file>      the config file (default ./cloudsteward.yaml)
  --offline            read the question with the deterministic parser, even when a model is configured
  --citations <n>      how many findings to cite (default 10)
  --json               the whole answer as JSON

Examples:
  cloudsteward ask --sandbox "show me all resources in production with critical vulnerabilities older than 30 days"
  cloudsteward ask --sandbox "which resources are out of compliance with PCI DSS 8.3, and why?"
  cloudsteward ask "critical findings by platform" --json | jq .result.groups`;

/** The flags of `cloudsteward ask`. */
export const askArgs = {
  positionals: true,
  flags: {
    ...postureTargetFlags,
    offline: { type: "boolean", default: false },
    citations: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward ask`: a cited answer to a posture question. */
export async function askCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, askArgs);
  if (positionals.length !== 1)
    throw usageError(
      positionals.length === 0
        ? 'ask needs a question, e.g. cloudsteward ask --sandbox "critical findings in production".'
        : `ask takes one question in quotes; got ${positionals.length} words.`,
    );
  const citations = Number(values.citations);
  if (!Number.isInteger(citations) || citations < 0) throw usageError("--citations must be a whole number");
  const out = createOutput(io, { json: values.json });
  const target = await openPostureTarget(io, values);
  try {
    const answer = await ask(positionals[0]!, {
      ...postureOptions(target),
      ...(values.offline || !target.model ? {} : { model: target.model }),
      citations,
      signal: io.signal,
    });
    if (out.json) out.data(answer);
    else printAnswer(out, answer);
    return answer.kind === "answer" ? exitCodes.ok : exitCodes.usage;
  } finally {
    await target.close();
  }
}
