import type { CliIo } from "./io.js";
import { exitCodes } from "./io.js";
import { type CliFlag, type CommandArgs, parseCommandArgs, subcommandOf } from "./usage.js";

/** The shells `cloudsteward completion` writes a script for. */
export const completionShells = ["bash", "zsh", "fish"] as const;

/** A shell {@link completionScript} supports. */
export type CompletionShell = (typeof completionShells)[number];

/** What completion needs of each command: its one-line summary and its flags and subcommands. */
export type CompletionTable = Record<string, { summary: string; args: CommandArgs }>;

/** Help text of `cloudsteward completion`. */
export const completionHelp = `cloudsteward completion <bash|zsh|fish>

Prints a shell completion script for every command, flag, subcommand and flag value (e.g. --mode),
generated from the same tables the commands parse with.

Examples:
  source <(cloudsteward completion bash)                               # this bash session
  cloudsteward completion bash > ~/.local/share/bash-completion/completions/cloudsteward
  cloudsteward completion zsh > "\${fpath[1]}/_cloudsteward"            # then restart zsh
  cloudsteward completion fish > ~/.config/fish/completions/cloudsteward.fish`;

/** The arguments of `cloudsteward completion`. */
export const completionArgs = {
  flags: {},
  subcommands: completionShells,
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward completion <shell>`: the script on stdout. */
export async function completionCommand(args: string[], io: CliIo, table: CompletionTable): Promise<number> {
  const { positionals } = parseCommandArgs(args, completionArgs);
  const shell = subcommandOf(positionals[0], completionShells);
  io.stdout.write(completionScript(shell, table));
  return exitCodes.ok;
}

/**
 * The completion script for `shell`: commands (with their summaries), each command's flags,
 * subcommands, flag choices, and files or directories for path flags.
 * @example
 * completionScript("bash", { run: { summary: "run once", args: { flags: { "dry-run": { type: "boolean" } } } } });
 */
export function completionScript(shell: CompletionShell, table: CompletionTable): string {
  const commands = Object.entries(table);
  if (shell === "bash") return bashScript(commands);
  if (shell === "zsh") return zshScript(commands);
  return fishScript(commands);
}

// Internal helpers.

type Commands = [string, { summary: string; args: CommandArgs }][];

const flagsOf = (args: CommandArgs): [string, CliFlag][] => Object.entries(args.flags);

/** `'it'\''s'`: a single-quoted shell word. */
const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function bashScript(commands: Commands): string {
  const cases = commands.map(([name, { args }]) => {
    const flags = [...flagsOf(args).map(([flag]) => `--${flag}`), "--help"].join(" ");
    return `    ${name}) flags=${quoted(flags)}; words=${quoted((args.subcommands ?? []).join(" "))} ;;`;
  });
  const values = commands.flatMap(([name, { args }]) =>
    flagsOf(args)
      .filter(([, flag]) => flag.type === "string")
      .map(([flag, spec]) => {
        const reply = spec.choices
          ? `COMPREPLY=($(compgen -W ${quoted(spec.choices.join(" "))} -- "$cur"))`
          : spec.path === "directory"
            ? `COMPREPLY=($(compgen -d -- "$cur"))`
            : spec.path === "file"
              ? `COMPREPLY=($(compgen -f -- "$cur"))`
              : "COMPREPLY=()";
        return `    ${name}:--${flag}) ${reply}; return ;;`;
      }),
  );
  return `# cloudsteward completion for bash: source <(cloudsteward completion bash)
_cloudsteward() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quoted(`${commands.map(([name]) => name).join(" ")} help --help --version`)} -- "$cur"))
    return
  fi
  local command="\${COMP_WORDS[1]}" flags="" words=""
  case "$command" in
${cases.join("\n")}
    help) words=${quoted(commands.map(([name]) => name).join(" "))} ;;
  esac
  case "$command:$prev" in
${values.join("\n")}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [ -n "$words" ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _cloudsteward cloudsteward
`;
}

function zshScript(commands: Commands): string {
  const described = commands.map(([name, { summary }]) => `    ${quoted(`${name}:${summary}`)}`);
  const cases = commands.map(([name, { args }]) => {
    const specs = flagsOf(args).map(([flag, spec]) => {
      const repeat = spec.multiple ? "*" : "";
      if (spec.type === "boolean") return quoted(`${repeat}--${flag}`);
      const action = spec.choices
        ? `(${spec.choices.join(" ")})`
        : spec.path === "directory"
          ? "_directories"
          : spec.path === "file"
            ? "_files"
            : " ";
      return quoted(`${repeat}--${flag}:${flag}:${action}`);
    });
    specs.push(quoted("--help"));
    if (args.subcommands) specs.push(quoted(`1:subcommand:(${args.subcommands.join(" ")})`));
    if (args.positionals) specs.push(quoted("*:argument:_files"));
    return `    ${name}) _arguments ${specs.join(" ")} ;;`;
  });
  return `#compdef cloudsteward
# cloudsteward completion for zsh: cloudsteward completion zsh > "\${fpath[1]}/_cloudsteward"
_cloudsteward() {
  local -a commands
  commands=(
${described.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command="$words[2]"
  shift words
  (( CURRENT-- ))
  case "$command" in
${cases.join("\n")}
    help) _describe 'command' commands ;;
  esac
}
if [ "$funcstack[1]" = "_cloudsteward" ]; then
  _cloudsteward "$@"
else
  compdef _cloudsteward cloudsteward
fi
`;
}

function fishScript(commands: Commands): string {
  const lines = [
    "# cloudsteward completion for fish: cloudsteward completion fish > ~/.config/fish/completions/cloudsteward.fish",
    "complete -c cloudsteward -f",
    `complete -c cloudsteward -n __fish_use_subcommand -l help -d 'show help'`,
    `complete -c cloudsteward -n __fish_use_subcommand -l version -d 'print the version'`,
    `complete -c cloudsteward -n __fish_use_subcommand -a help -d 'help on a command'`,
  ];
  for (const [name, { summary, args }] of commands) {
    const when = `-n ${quoted(`__fish_seen_subcommand_from ${name}`)}`;
    lines.push(`complete -c cloudsteward -n __fish_use_subcommand -a ${name} -d ${quoted(summary)}`);
    for (const [flag, spec] of flagsOf(args)) {
      const value =
        spec.type === "boolean"
          ? ""
          : spec.choices
            ? ` -x -a ${quoted(spec.choices.join(" "))}`
            : spec.path
              ? " -r -F"
              : " -x";
      lines.push(`complete -c cloudsteward ${when} -l ${flag}${value}`);
    }
    if (args.subcommands)
      lines.push(`complete -c cloudsteward ${when} -a ${quoted(args.subcommands.join(" "))}`);
    else if (args.positionals) lines.push(`complete -c cloudsteward ${when} -F`);
  }
  lines.push(
    `complete -c cloudsteward -n ${quoted("__fish_seen_subcommand_from help")} -a ${quoted(commands.map(([name]) => name).join(" "))}`,
  );
  return `${lines.join("\n")}\n`;
}
