import { z } from "zod";
import {
  type CloudstewardError,
  ConfigurationError,
  InvalidResponseError,
  RateLimitError,
  toErrorIssues,
  UpstreamError,
} from "../../core/errors.js";
import { createHttpClient, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { redact, redactUrl } from "../../core/redact.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { HttpClientOptions } from "../shared/options.js";
import { cachedToken, type IssuedToken } from "../shared/token.js";

/** What the Wiz client needs; a subset of `WizOptions`. */
export interface WizClientOptions extends HttpClientOptions {
  clientId?: string;
  clientSecret?: Secret;
  apiUrl?: string;
  authUrl?: string;
}

/** Per-request options of the Wiz client. */
export interface WizRequestOptions {
  signal?: AbortSignal;
  /** Reads are retried on 5xx; mutations are not. */
  idempotent: boolean;
}

/** The GraphQL transport with OAuth client-credentials tokens, cached and refreshed before expiry. */
export interface WizClient {
  /**
   * Sends one GraphQL document. `errors` in a 200 throw: a rate limit is retried like a 429 first, a
   * transient server error like a 5xx (reads only); anything else is an `UpstreamError` with `errors`.
   */
  graphql<T>(query: string, variables: Record<string, unknown>, options: WizRequestOptions): Promise<T>;
}

/** The Cognito token endpoint of commercial tenants (docs/wiz.md, Sources: authentication). */
const defaultWizAuthUrl = "https://auth.app.wiz.io/oauth/token";

/** Wiz publishes no limit; integrations pace themselves to a few requests per second (docs/wiz.md, Sources: limits and errors). */
const defaultWizRateLimit: RateLimit = { requestsPerSecond: 3, burst: 3 };

/**
 * Creates the Wiz GraphQL client. Nothing is read or requested until the first call: a missing option
 * fails that call with a `ConfigurationError` naming the option and its environment variable.
 */
export function createWizClient(options: WizClientOptions): WizClient {
  let clientSecret: string | undefined;
  const token = cachedToken(fetchToken);
  const secrets = () => [clientSecret, token.peek()];
  const common = {
    integration: "wiz",
    fetch: options.fetch,
    events: options.events,
    secrets,
    timeoutMs: options.timeoutMs,
    authHint: "check WIZ_CLIENT_ID/WIZ_CLIENT_SECRET and the service account's scopes",
  };
  const auth = createHttpClient({
    ...common,
    errorDetail: (body) => {
      const error = body as { error?: unknown; error_description?: unknown } | undefined;
      return typeof error?.error === "string"
        ? `${error.error}: ${String(error.error_description ?? "")}`
        : undefined;
    },
  });
  const api = createHttpClient({
    ...common,
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? defaultWizRateLimit),
    headers: async () => ({ authorization: `Bearer ${await token.get()}` }),
    onUnauthorized: () => token.clear(),
    errorDetail: (body) => graphqlMessages(body),
    failureInBody: graphqlFailure,
  });

  async function fetchToken(): Promise<IssuedToken> {
    const clientId = optionOrEnv(options.clientId, "WIZ_CLIENT_ID");
    if (!clientId) {
      throw new ConfigurationError(
        "wiz: clientId is missing. Pass `clientId` to wiz() or set WIZ_CLIENT_ID.",
        { option: "clientId", env: "WIZ_CLIENT_ID" },
      );
    }
    clientSecret = await resolveSecret(options.clientSecret, {
      env: "WIZ_CLIENT_SECRET",
      option: "clientSecret",
      integration: "wiz",
    });
    const authUrl = optionOrEnv(options.authUrl, "WIZ_AUTH_URL") ?? defaultWizAuthUrl;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      audience: "wiz-api",
    });
    // Asking for a token twice is harmless, so the token request is retried like a read.
    const response = await auth.request<unknown>("POST", authUrl, { body, idempotent: true });
    const parsed = tokenSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new InvalidResponseError(
        `wiz: the token endpoint ${redactUrl(authUrl)} answered without an access_token; check WIZ_AUTH_URL.`,
        { integration: "wiz", issues: toErrorIssues(parsed.error.issues) },
      );
    }
    return { token: parsed.data.access_token, lifetimeMs: (parsed.data.expires_in ?? 3600) * 1000 };
  }

  return {
    async graphql<T>(query: string, variables: Record<string, unknown>, call: WizRequestOptions): Promise<T> {
      const apiUrl = optionOrEnv(options.apiUrl, "WIZ_API_URL");
      if (!apiUrl) {
        throw new ConfigurationError(
          "wiz: apiUrl is missing. Pass `apiUrl` (your tenant's GraphQL endpoint, e.g. https://api.us20.app.wiz.io/graphql) to wiz() or set WIZ_API_URL.",
          { option: "apiUrl", env: "WIZ_API_URL" },
        );
      }
      const response = await api.request<unknown>("POST", apiUrl, {
        json: { query, variables },
        signal: call.signal,
        idempotent: call.idempotent,
      });
      const envelope = envelopeSchema.safeParse(response.data);
      if (!envelope.success) {
        throw new InvalidResponseError(
          "wiz: the GraphQL endpoint answered with something that is not a GraphQL response; check WIZ_API_URL.",
          { integration: "wiz", issues: toErrorIssues(envelope.error.issues) },
        );
      }
      const { data } = envelope.data;
      if (data === null || data === undefined) {
        throw new InvalidResponseError("wiz: the GraphQL response had neither data nor errors.", {
          integration: "wiz",
          issues: [{ path: ["data"], message: "missing" }],
        });
      }
      return data as T;
    },
  };
}

// Internal helpers.

const tokenSchema = z.object({
  access_token: z.string().min(1),
  // Seconds; some identity providers send it as a numeric string, or null.
  expires_in: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().positive())
    .nullish(),
});

const envelopeSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z
    .array(z.looseObject({ message: z.string().optional() }))
    .nullable()
    .optional(),
});

/**
 * The failure behind GraphQL `errors` in a 200 (docs/wiz.md, Sources: limits and errors; Wiz reports bad fields, permissions
 * and quotas this way, and its `extensions.code` values are not reliable, so the text is classified):
 * a rate or quota limit is a `RateLimitError` (retried like a 429), a transient server failure a
 * retryable `UpstreamError`, anything else a final `UpstreamError` carrying `errors`.
 */
function graphqlFailure(
  response: HttpResponse<unknown>,
  request: { method: string; url: string },
): CloudstewardError | undefined {
  const errors = (response.data as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const text = redact(graphqlMessages(response.data) ?? "unknown error");
  const codes = errors.map((error) =>
    String((error as { extensions?: { code?: unknown } })?.extensions?.code ?? ""),
  );
  const classified = `${text} ${codes.join(" ")}`;
  const details = { integration: "wiz", status: response.status, ...request, requestId: response.requestId };
  if (/rate.?limit|too.?many.?requests|throttl|quota exceeded/i.test(classified)) {
    return new RateLimitError(`wiz: GraphQL rate limit: ${text}`, details);
  }
  const transient =
    /internal server error|service unavailable|temporarily unavailable|timed? ?out|INTERNAL_SERVER_ERROR/i.test(
      classified,
    );
  return new UpstreamError(`wiz: GraphQL error: ${text}`, { ...details, errors, isRetryable: transient });
}

function graphqlMessages(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const messages = errors
    .map((error) => (error as { message?: unknown })?.message)
    .filter((message): message is string => typeof message === "string");
  return messages.length > 0 ? messages.slice(0, 3).join("; ") : undefined;
}
