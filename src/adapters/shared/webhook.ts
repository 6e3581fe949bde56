import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigurationError, InvalidResponseError } from "../../core/errors.js";
import { resolveSecret, type Secret, type SecretSource } from "../../core/secret.js";

/** Compares two strings by their SHA-256 digests, so neither the length nor the content of the secret leaks through timing. */
export function constantTimeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(
    createHash("sha256").update(given).digest(),
    createHash("sha256").update(expected).digest(),
  );
}

/**
 * Reads a webhook body as JSON and returns its payloads: the array's items, or the one value.
 * @throws InvalidResponseError with `message` (which names the integration and what to check) when the body is not JSON.
 * @example
 * const payloads = await webhookPayloads(request, "wiz", "wiz: the webhook body is not JSON; check the body template.");
 */
export async function webhookPayloads(
  request: Request,
  integration: string,
  message: string,
): Promise<unknown[]> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch (error) {
    throw new InvalidResponseError(message, {
      integration,
      issues: [{ path: [], message: "invalid JSON" }],
      cause: error,
    });
  }
  return Array.isArray(body) ? body : [body];
}

/**
 * Resolves a webhook's shared secret at request time, like `resolveSecret`, and refuses a blank
 * one: an empty or whitespace secret must never be something a request can match.
 * @throws ConfigurationError naming the option and the variable when the secret is missing or blank.
 */
export async function resolveWebhookSecret(value: Secret | undefined, source: SecretSource): Promise<string> {
  const secret = await resolveSecret(value, source);
  if (secret.trim().length === 0) throw blankSecret(source);
  return secret;
}

/**
 * Checks at start-up (handler creation) that a webhook secret is configured: a non-blank string, a
 * function (checked when called), or a non-blank environment variable.
 * @throws ConfigurationError naming the option and the variable when it is missing or blank.
 */
export function assertWebhookSecret(
  value: Secret | undefined,
  source: SecretSource,
  env: Record<string, string | undefined> = process.env,
): void {
  if (typeof value === "function") return;
  const secret = value ?? (source.env ? env[source.env] : undefined);
  if (secret === undefined || secret.trim().length === 0) throw blankSecret(source);
}

function blankSecret(source: SecretSource): ConfigurationError {
  const hint = source.env ? ` or set ${source.env}` : "";
  return new ConfigurationError(
    `${source.integration}: the webhook ${source.option} is missing or empty. Pass a non-empty \`${source.option}\`${hint}; an empty secret would let anyone post findings.`,
    { option: source.option, ...(source.env ? { env: source.env } : {}) },
  );
}
