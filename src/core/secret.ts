import { ConfigurationError } from "./errors.js";

/** A secret value, or a function returning one (called on each use, so rotation works). */
export type Secret = string | (() => string | Promise<string>);

/** Where a secret may come from, for the error message when it is missing. */
export interface SecretSource {
  /** The environment variable that supplies it. */
  env?: string;
  /** The option name, e.g. `apiToken`. */
  option: string;
  /** The integration, e.g. `jira`. */
  integration: string;
}

/**
 * Resolves a secret at request time: the option, else the environment variable.
 * @throws ConfigurationError naming the option and the variable when neither is set.
 */
export async function resolveSecret(value: Secret | undefined, source: SecretSource): Promise<string> {
  const resolved =
    typeof value === "function"
      ? await value()
      : (value ?? (source.env ? process.env[source.env] : undefined));
  if (typeof resolved === "string" && resolved.length > 0) return resolved;
  const hint = source.env ? ` or set ${source.env}` : "";
  throw new ConfigurationError(
    `${source.integration}: ${source.option} is missing. Pass \`${source.option}\` to ${source.integration}()${hint}.`,
    { option: source.option, env: source.env },
  );
}

/** Reads a plain (non-secret) option with an environment fallback. */
export function optionOrEnv(value: string | undefined, env: string): string | undefined {
  return value ?? (process.env[env] || undefined);
}
