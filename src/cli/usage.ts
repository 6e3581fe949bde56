/** A wrong command line: an unknown command or flag, a missing argument, a bad value. Exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

/** A {@link CliUsageError} whose message says what was wrong and how to get help. */
export function usageError(message: string): CliUsageError {
  return new CliUsageError(`${message} Run \`cloudsteward help\` for usage.`);
}
