import { createHash, timingSafeEqual } from "node:crypto";
import { InvalidResponseError } from "../../core/errors.js";

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
