import { type ParseArgsConfig, parseArgs } from "node:util";

/** A wrong command line: an unknown command or flag, a missing argument, a bad value. Exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

/** A {@link CliUsageError}; the CLI adds how to get the command's help when it prints it. */
export function usageError(message: string): CliUsageError {
  return new CliUsageError(message);
}

/** One flag of a command: a `node:util` `parseArgs` option, plus what shell completion offers. */
export type CliFlag = NonNullable<ParseArgsConfig["options"]>[string] & {
  /** The only values the flag takes: anything else is a usage error naming the closest one. */
  choices?: readonly string[];
  /** The value is a path: completion offers files or directories. */
  path?: "file" | "directory";
};

/**
 * What a command accepts, in one table: its parser, "did you mean", the choices it checks and the
 * shell completion scripts all read it.
 */
export interface CommandArgs {
  /** The flags, by long name without the dashes. */
  flags: Record<string, CliFlag>;
  /** Words the first positional takes (e.g. `approvals list|approve|…`); completion offers them. */
  subcommands?: readonly string[];
  /** Whether the command takes positional arguments. @default false */
  positionals?: boolean;
}

/** What {@link parseCommandArgs} returns: `parseArgs`'s typed values and the positionals. */
export type ParsedCommandArgs<F extends Record<string, CliFlag>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: F; strict: true; allowPositionals: true }>
>;

/**
 * Parses a command's arguments with `node:util` `parseArgs` (strict) and checks every flag that has
 * `choices`. An unknown flag, a missing value or a value outside the choices is a
 * {@link CliUsageError} that names the closest flag or value ("did you mean --mode?").
 * @example
 * const runArgs = { flags: { mode: { type: "string", choices: ["read-only", "assisted"] } } } as const;
 * const { values } = parseCommandArgs(args, runArgs);
 */
export function parseCommandArgs<const F extends Record<string, CliFlag>>(
  args: string[],
  spec: { flags: F; positionals?: boolean; subcommands?: readonly string[] },
): ParsedCommandArgs<F> {
  let parsed: ParsedCommandArgs<F>;
  try {
    parsed = parseArgs({ args, options: spec.flags, strict: true, allowPositionals: true });
  } catch (error) {
    throw argumentError(error, spec.flags);
  }
  const extra = spec.positionals ? [] : parsed.positionals;
  if (extra.length > 0) {
    const hint = suggestion(extra[0] as string, spec.subcommands ?? []);
    throw usageError(`unexpected argument "${extra[0]}"${hint ? ` (did you mean "${hint}"?)` : ""}.`);
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = (parsed.values as Record<string, unknown>)[name];
    if (!flag.choices || value === undefined) continue;
    for (const item of [value].flat() as string[]) {
      if (flag.choices.includes(item)) continue;
      const hint = suggestion(item, flag.choices);
      throw usageError(
        `--${name} must be ${listOf(flag.choices)}; got "${item}"${hint ? ` (did you mean "${hint}"?)` : ""}.`,
      );
    }
  }
  return parsed;
}

/**
 * The command's subcommand: `word` when it is one of `subcommands`, else a usage error listing them
 * and naming the closest.
 * @example
 * const verb = subcommandOf(positionals[0], ["verify", "export"]);
 */
export function subcommandOf<const S extends readonly string[]>(
  word: string | undefined,
  subcommands: S,
): S[number] {
  if (word !== undefined && subcommands.includes(word)) return word;
  const hint = word === undefined ? undefined : suggestion(word, subcommands);
  throw usageError(
    `expected a subcommand: ${listOf(subcommands)}${word === undefined ? "" : `; got "${word}"`}${hint ? ` (did you mean "${hint}"?)` : ""}.`,
  );
}

/**
 * The candidate closest to a mistyped word: the one it starts, else the one within a small edit
 * distance (a third of its length, at least 2). Undefined when none is close.
 * @example
 * suggestion("--dry", ["--dry-run", "--json"]); // "--dry-run"
 * suggestion("rnu", ["run", "init"]);           // "run"
 */
export function suggestion(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(typed) && typed.length >= 2 ? 0 : editDistance(typed, candidate);
    if (distance <= Math.max(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}

/** "a, b or c". */
export function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

// Internal helpers.

/** A `parseArgs` error (`ERR_PARSE_ARGS_*`) as a usage error, with the closest flag when one was mistyped. */
function argumentError(error: unknown, flags: Record<string, CliFlag>): unknown {
  const code = String((error as { code?: unknown })?.code ?? "");
  if (!code.startsWith("ERR_PARSE_ARGS")) return error;
  const message = (error as Error).message;
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (unknown) {
    const names = Object.keys(flags).map((name) => `--${name}`);
    const hint = suggestion(unknown.split("=")[0] as string, names);
    return usageError(`unknown flag ${unknown}${hint ? ` (did you mean ${hint}?)` : ""}.`);
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message)?.[1];
  if (missing) return usageError(`${missing} needs a value.`);
  return usageError(message);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
