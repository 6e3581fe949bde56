import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  type CliPlatform,
  type CliSinkName,
  cliPlatforms,
  cliSinks,
  configTemplate,
  defaultConfigFile,
} from "../config.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { policyTemplate } from "../policy-template.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward init`. */
export const initHelp = `cloudsteward init [options]

Writes a commented cloudsteward.yaml and a starter policy.yaml (read-only mode) to start from. On a
terminal it asks for the platforms and sinks not given as flags.

Options:
  --platform <list> comma-separated CNAPPs to read from: wiz,prisma,orca,lacework (default wiz)
  --model <p>      none | openai | anthropic | ollama (default none: the knowledge base explains)
  --sinks <list>   comma-separated: jira,servicenow,slack,teams,email,webhook (default jira,slack)
  --mode <mode>    read-only | assisted | automated (default read-only)
  --dir <dir>      where to write (default .)
  --force          overwrite existing files

Examples:
  cloudsteward init
  cloudsteward init --model openai --sinks jira --mode assisted
  cloudsteward init --platform prisma,orca,lacework --sinks servicenow,teams
  cloudsteward init --dir ./prod --force && cloudsteward validate --config ./prod/cloudsteward.yaml`;

/** The flags of `cloudsteward init`. */
export const initArgs = {
  flags: {
    platform: { type: "string", default: "wiz" },
    model: { type: "string", default: "none", choices: ["none", "openai", "anthropic", "ollama"] },
    sinks: { type: "string", default: "jira,slack" },
    mode: { type: "string", default: "read-only", choices: ["read-only", "assisted", "automated"] },
    dir: { type: "string", default: ".", path: "directory" },
    force: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward init`: a config and a policy to start from. */
export async function initCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, initArgs);
  const answers = await askMissing(io, args);
  const platforms = listOf<CliPlatform>(answers.platform ?? values.platform, cliPlatforms, "--platform");
  if (platforms.length === 0)
    throw usageError("--platform: name at least one of wiz, prisma, orca, lacework.");
  const sinks = listOf<CliSinkName>(answers.sinks ?? values.sinks, cliSinks, "--sinks");
  const out = createOutput(io);
  const files = {
    [resolve(io.cwd, values.dir, defaultConfigFile)]: configTemplate({
      platforms,
      model: values.model,
      sinks,
      mode: values.mode,
    }),
    [resolve(io.cwd, values.dir, "policy.yaml")]: policyTemplate(sinks),
  };
  if (!values.force) {
    for (const file of Object.keys(files)) {
      if (await exists(file)) {
        io.stderr.write(`cloudsteward init: ${file} exists. Pass --force to overwrite it.\n`);
        return exitCodes.usage;
      }
    }
  }
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    out.line(`wrote ${file}`);
  }
  out.line(
    "Next: set the credentials named in the comments (or try it on `cloudsteward sandbox`), then `cloudsteward run --dry-run`.",
  );
  return exitCodes.ok;
}

// Internal helpers.

/**
 * On a terminal, asks for the platforms and sinks not given as flags; an empty answer keeps the
 * default. Piped or in scripts nothing is asked and the flags' defaults apply.
 */
async function askMissing(
  io: CliIo,
  args: readonly string[],
): Promise<{ platform?: string; sinks?: string }> {
  if (!io.stdin?.isTTY || !io.stdout.isTTY) return {};
  const given = (flag: string) => args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  const questions = [
    ["platform", `Platforms to read from (${cliPlatforms.join(", ")}) [wiz]: `],
    ["sinks", `Where actions go (${cliSinks.join(", ")}) [jira,slack]: `],
  ] as const;
  const wanted = questions.filter(([name]) => !given(`--${name}`));
  if (wanted.length === 0) return {};
  const lines = createInterface({ input: io.stdin, terminal: false })[Symbol.asyncIterator]();
  const answers: { platform?: string; sinks?: string } = {};
  try {
    for (const [name, question] of wanted) {
      io.stdout.write(question);
      const { value, done } = await lines.next();
      const answer = done ? "" : String(value).trim();
      if (answer) answers[name] = answer;
    }
  } finally {
    await lines.return?.();
  }
  return answers;
}

/** A comma-separated flag value, each item checked against the allowed names. */
function listOf<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length > 0)
    throw usageError(`${flag}: unknown name(s) ${unknown.join(", ")}; use any of ${allowed.join(", ")}.`);
  return [...new Set(items)] as T[];
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
