import { ApiError } from "../core/errors.js";

/**
 * A fetch that turns a 429 meaning "out of money" (OpenAI `insufficient_quota`, Anthropic
 * spend-limit codes) into a non-retryable `RATE_LIMITED` error at once: waiting will not help,
 * so the HTTP client must not retry it. Other responses pass through untouched. Internal.
 */
export function quotaAwareFetch(
  integration: string,
  isQuotaExhausted: (body: unknown) => string | undefined,
  fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init),
): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status !== 429) return response;
    const text = await response.clone().text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return response;
    }
    const code = isQuotaExhausted(body);
    if (!code) return response;
    // The request's body is spent by now: read only its method and URL.
    const method = input instanceof Request ? input.method : (init?.method ?? "GET");
    const url = input instanceof Request ? input.url : String(input);
    throw new ApiError(
      `${integration}: ${method} ${new URL(url).pathname} returned 429 ${code} — the account's quota or spend limit is exhausted; add credits or raise the limit (not retried).`,
      {
        integration,
        status: 429,
        method,
        url,
        requestId: response.headers.get("x-request-id") ?? response.headers.get("request-id") ?? undefined,
        body: text,
        code: "RATE_LIMITED",
        isRetryable: false,
      },
    );
  };
}

/** OpenAI (and Azure OpenAI): `{ error: { code: "insufficient_quota" } }`. */
export function openaiQuotaCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return code === "insufficient_quota" ? code : undefined;
}

/** Anthropic: `{ error: { details: { error_code: "…spend_limit_reached" } } }`. */
export function anthropicQuotaCode(body: unknown): string | undefined {
  const code = (body as { error?: { details?: { error_code?: unknown } } } | undefined)?.error?.details
    ?.error_code;
  return typeof code === "string" && code.endsWith("spend_limit_reached") ? code : undefined;
}
