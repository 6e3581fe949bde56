import { main } from "../../src/cli/main.js";

/** What one in-process CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cloudsteward <argv>` in-process with captured, non-TTY streams. */
export async function runCli(
  argv: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    signal?: AbortSignal;
    onStdout?: (text: string) => void;
  },
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        options.onStdout?.(stdout);
      },
      isTTY: false,
    },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout, stderr };
}

/**
 * Splits what a command that calls the integrations printed on stderr into its first lines (the
 * hosts it sends credentials to) and the rest.
 */
export function splitEndpoints(stderr: string): { endpoints: string[]; rest: string } {
  const lines = stderr.split("\n");
  const end = lines.findIndex((line, index) => index > 0 && !line.startsWith("  "));
  return { endpoints: lines.slice(0, end), rest: lines.slice(end).join("\n") };
}
