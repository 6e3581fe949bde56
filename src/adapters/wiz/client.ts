import {
  type CloudstewardError,
  ConfigurationError,
  InvalidResponseError,
  RateLimitError,
  toErrorIssues,
  UpstreamError,
} from "../../core/errors.js";
import { createHttpClient, type FailedRequest, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { redactUrl } from "../../core/redact.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { FindingQuery } from "../../core/source.js";
import type { HttpClientOptions } from "../shared/options.js";
import { cachedToken, type IssuedToken } from "../shared/token.js";
import type { WizKind } from "./map-severity.js";
import { listQueries, toFilterBy } from "./queries.js";
import { wizConnectionSchema, wizEnvelopeSchema, wizTokenSchema } from "./schemas.js";

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
    const parsed = wizTokenSchema.safeParse(response.data);
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
      const envelope = wizEnvelopeSchema.safeParse(response.data);
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

/** One page of a finding family: its records and the cursor of the page after it. */
export interface WizPage {
  nodes: unknown[];
  /** `<kind>:<Wiz endCursor>`, `<next kind>:` after a family's last page, `undefined` after the last family's. */
  next: string | undefined;
}

/**
 * Reads the page of the families `kinds` that `cursor` points at (the first family's first page without
 * one), `first` records long, filtered server-side by `query`. Cursors are `<kind>:<Wiz endCursor>`, so a run can resume in the
 * middle of any family; `undefined` when `kinds` is empty.
 * @throws ConfigurationError for a cursor this source did not make.
 */
export async function listPage(
  client: WizClient,
  page: {
    kinds: readonly WizKind[];
    query: FindingQuery;
    cursor: string | undefined;
    first: number;
    signal: AbortSignal | undefined;
  },
): Promise<WizPage | undefined> {
  const { kinds, query, first, signal } = page;
  const position = decodeCursor(page.cursor, kinds);
  if (!position) return undefined;
  const { kind, after } = position;
  const list = listQueries[kind];
  const data = await client.graphql<Record<string, unknown>>(
    list.document,
    { first, after: after || undefined, filterBy: toFilterBy(kind, query) },
    { signal, idempotent: true },
  );
  const { nodes, pageInfo } = readConnection(data, list.key);
  const nextKind = kinds[kinds.indexOf(kind) + 1];
  const next =
    pageInfo.hasNextPage && pageInfo.endCursor
      ? `${kind}:${pageInfo.endCursor}`
      : nextKind
        ? `${nextKind}:`
        : undefined;
  return { nodes, next };
}

/** The native record with this Wiz id and its family, looking through `kinds` in order; `undefined` when none has it. */
export async function findRecord(
  client: WizClient,
  kinds: readonly WizKind[],
  nativeId: string,
  signal: AbortSignal | undefined,
): Promise<{ kind: WizKind; record: unknown } | undefined> {
  for (const kind of kinds) {
    const list = listQueries[kind];
    const data = await client.graphql<Record<string, unknown>>(
      list.document,
      { first: 1, filterBy: kind === "issue" ? { id: nativeId } : { id: [nativeId] } },
      { signal, idempotent: true },
    );
    const record = readConnection(data, list.key).nodes[0];
    if (record !== undefined) return { kind, record };
  }
  return undefined;
}

// Internal helpers.

/** The family and Wiz cursor a cursor of ours names; the first family's start without one. */
function decodeCursor(
  cursor: string | undefined,
  kinds: readonly WizKind[],
): { kind: WizKind; after: string } | undefined {
  if (cursor === undefined || cursor === "") {
    const first = kinds[0];
    return first ? { kind: first, after: "" } : undefined;
  }
  const separator = cursor.indexOf(":");
  const kind = cursor.slice(0, separator) as WizKind;
  if (separator < 0 || !kinds.includes(kind)) {
    throw new ConfigurationError(
      `wiz: cursor "${cursor.slice(0, 40)}" was not made by this source for this query (expected "<kind>:<cursor>" with kind one of ${kinds.join(", ")}).`,
      { option: "cursor" },
    );
  }
  return { kind, after: cursor.slice(separator + 1) };
}

function readConnection(data: Record<string, unknown>, key: string) {
  const parsed = wizConnectionSchema.safeParse(data[key]);
  if (parsed.success) return parsed.data;
  throw new InvalidResponseError(`wiz: the ${key} page had no nodes/pageInfo; the API shape changed.`, {
    integration: "wiz",
    issues: toErrorIssues(parsed.error.issues).map((issue) => ({ ...issue, path: [key, ...issue.path] })),
  });
}
/**
 * The failure behind GraphQL `errors` in a 200 (docs/wiz.md, Sources: limits and errors; Wiz reports bad fields, permissions
 * and quotas this way, and its `extensions.code` values are not reliable, so the text is classified):
 * a rate or quota limit is a `RateLimitError` (retried like a 429), a transient server failure a
 * retryable `UpstreamError`, anything else a final `UpstreamError` carrying `errors`.
 */
function graphqlFailure(
  response: HttpResponse<unknown>,
  request: FailedRequest,
): CloudstewardError | undefined {
  const errors = (response.data as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  // The error constructors redact the message and mask the request's secrets.
  const text = graphqlMessages(response.data) ?? "unknown error";
  const codes = errors.map((error) =>
    String((error as { extensions?: { code?: unknown } })?.extensions?.code ?? ""),
  );
  const classified = `${text} ${codes.join(" ")}`;
  // No status: the response was a 200; the failure is in its body.
  const details = { integration: "wiz", ...request, requestId: response.requestId };
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
