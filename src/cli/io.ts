/** Where the CLI writes, and what it knows about its environment; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Environment variables (credentials, `NO_COLOR`, `FORCE_COLOR`, `CI`). */
  env: Record<string, string | undefined>;
  /** Relative paths resolve against it. */
  cwd: string;
  /** Aborting it stops long-running commands (`sandbox`, `serve`, `run`). */
  signal?: AbortSignal;
  /** Where answers are read from: `init` asks its questions only when it and stdout are terminals. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Exit codes of the `cloudsteward` command. */
export const exitCodes = {
  /** Done. */
  ok: 0,
  /** The command failed (an integration, a delivery, a run). */
  failure: 1,
  /** Bad arguments or an invalid config or policy file. */
  usage: 2,
  /** `audit verify` (or the demo's verification) found a tampered log. */
  auditFailed: 3,
} as const;

/** The CLI's output: lines on stdout, progress and notes on stderr, colour per {@link colourOn}. */
export interface CliOutput {
  /** True with `--json` or when stdout is not a TTY: no progress, no colour. */
  readonly quiet: boolean;
  readonly json: boolean;
  /** True when {@link CliOutput.progress} draws (stderr is a TTY, no `--json`); else progress goes as plain notes. */
  readonly interactive: boolean;
  line(text?: string): void;
  /** Writes one JSON document on stdout. */
  data(value: unknown): void;
  /** A note on stderr (hidden in `--json` mode). */
  note(text: string): void;
  /**
   * Replaces the single progress line on stderr (TTY only), at most ten times a second; pass a
   * function to build the line only when it is drawn.
   */
  progress(text: string | (() => string)): void;
  /** Clears the progress line. */
  endProgress(): void;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: process.stdin is opened only by a command that reads it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Whether to colour a stream, as Node and most CLIs decide: `FORCE_COLOR` set wins (`0` or `false`
 * turn colour off, any other value on, even when piped); else `NO_COLOR` (any non-empty value, as
 * no-color.org says) or `TERM=dumb` turn it off; else colour only on a TTY.
 * @example
 * colourOn(process.stdout, process.env);
 */
export function colourOn(stream: { isTTY?: boolean }, env: CliIo["env"]): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR || env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/** Builds the output helpers for one command invocation. */
export function createOutput(io: CliIo, options: { json?: boolean } = {}): CliOutput {
  const json = options.json === true;
  const colour = !json && colourOn(io.stdout, io.env);
  const progressOn = io.stderr.isTTY === true && !json;
  let progressShown = false;
  let lastProgressAt = 0;
  const paint = (code: number) => (text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const clear = () => {
    if (progressShown) io.stderr.write("\r\u001b[2K");
    progressShown = false;
  };
  return {
    quiet: json || io.stdout.isTTY !== true,
    json,
    interactive: progressOn,
    line(text = "") {
      clear();
      io.stdout.write(`${text}\n`);
    },
    data(value) {
      clear();
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note(text) {
      if (json) return;
      clear();
      io.stderr.write(`${text}\n`);
    },
    progress(text) {
      // At most ten redraws a second: a terminal does not need one per finding.
      const now = Date.now();
      if (!progressOn || now - lastProgressAt < 100) return;
      lastProgressAt = now;
      io.stderr.write(`\r\u001b[2K${(typeof text === "string" ? text : text()).slice(0, 118)}`);
      progressShown = true;
    },
    endProgress: clear,
    bold: paint(1),
    dim: paint(2),
    green: paint(32),
    red: paint(31),
    yellow: paint(33),
  };
}
