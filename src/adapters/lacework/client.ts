import { ConfigurationError, InvalidResponseError } from "../../core/errors.js";
import { createHttpClient, type HttpResponse } from "../../core/http.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { HttpClientOptions } from "../shared/options.js";
import { cachedToken, type IssuedToken } from "../shared/token.js";

/** What the Lacework client needs; `LaceworkOptions` extends it. */
export interface LaceworkClientOptions extends HttpClientOptions {
  /** The account (`acme`) or its full host (`acme.fra.lacework.net`). @default process.env.LW_ACCOUNT */
  account?: string;
  /** The tenant URL, instead of `account` (e.g. `https://acme.lacework.net`). @default process.env.LACEWORK_API_URL */
  apiUrl?: string;
  /** The API key id (`keyId`). @default process.env.LW_API_KEY */
  apiKey?: string;
  /** The API key's secret, or a function returning one (called on each token renewal). @default process.env.LW_API_SECRET */
  apiSecret?: Secret;
  /** Act in this sub-account of an organization (`Account-Name` header). */
  subAccount?: string;
  /** Lifetime requested for each access token, in seconds. @default 3600 */
  tokenTtlSeconds?: number;
}

/** Per-request options of the Lacework client. */
export interface LaceworkRequestOptions {
  json?: unknown;
  searchParams?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** Reads sent as POST (the `search` endpoints, LQL) are retried on 5xx; writes are not. */
  idempotent?: boolean;
}

/** The REST v2 transport with access tokens minted from the API key, cached and renewed before expiry. */
export interface LaceworkClient {
  /** The tenant URL, e.g. `https://acme.lacework.net`. */
  origin(): string;
  /**
   * Sends one request to a path below the tenant URL (`/api/v2/Alerts/search`) or to an absolute
   * `paging.urls.nextPage` URL, which must be below the tenant URL (the token is never sent elsewhere).
   */
  request<T>(method: string, path: string, options?: LaceworkRequestOptions): Promise<HttpResponse<T>>;
}

/** Lacework publishes no limit; pace conservatively (docs/lacework.md, Inferred or unverified). */
const defaultLaceworkRateLimit: RateLimit = { requestsPerSecond: 4, burst: 2 };

/**
 * Creates the Lacework FortiCNAPP client. Nothing is read or requested until the first call: a missing
 * option fails that call with a `ConfigurationError` naming the option and its environment variable.
 */
export function createLaceworkClient(options: LaceworkClientOptions): LaceworkClient {
  let apiSecret: string | undefined;
  const token = cachedToken(fetchToken);
  const common = {
    integration: "lacework",
    fetch: options.fetch,
    events: options.events,
    // X-LW-UAKS is not a header name the shared scrubber knows, so the secret is listed explicitly.
    secrets: () => [apiSecret, token.peek()],
    timeoutMs: options.timeoutMs,
    authHint: "check LW_API_KEY/LW_API_SECRET, the key's state and the sub-account",
    errorDetail: laceworkMessage,
  };
  const auth = createHttpClient(common);
  const api = createHttpClient({
    ...common,
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? defaultLaceworkRateLimit),
    headers: async () => {
      const headers: Record<string, string> = { authorization: `Bearer ${await token.get()}` };
      if (options.subAccount) headers["account-name"] = options.subAccount;
      return headers;
    },
    onUnauthorized: () => token.clear(),
  });

  const origin = (): string => {
    const explicit = optionOrEnv(options.apiUrl, "LACEWORK_API_URL");
    // Kept with its path, so a tenant behind a proxy prefix (or the sandbox's `/lacework`) works.
    if (explicit) return explicit.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
    const account = optionOrEnv(options.account, "LW_ACCOUNT");
    if (!account) {
      throw new ConfigurationError(
        "lacework: account is missing. Pass `account` (e.g. `acme` or `acme.fra.lacework.net`) or `apiUrl` to lacework(), or set LW_ACCOUNT or LACEWORK_API_URL.",
        { option: "account", env: "LW_ACCOUNT" },
      );
    }
    const host = account.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    return `https://${host.includes(".") ? host : `${host}.lacework.net`}`;
  };

  async function fetchToken(): Promise<IssuedToken> {
    const keyId = optionOrEnv(options.apiKey, "LW_API_KEY");
    if (!keyId) {
      throw new ConfigurationError(
        "lacework: apiKey is missing. Pass `apiKey` (the key id) to lacework() or set LW_API_KEY.",
        {
          option: "apiKey",
          env: "LW_API_KEY",
        },
      );
    }
    apiSecret = await resolveSecret(options.apiSecret, {
      env: "LW_API_SECRET",
      option: "apiSecret",
      integration: "lacework",
    });
    const lifetime = Math.max(60, Math.floor(options.tokenTtlSeconds ?? 3600));
    // Minting a token twice is harmless, so the token request is retried like a read.
    const response = await auth.request<unknown>("POST", `${origin()}/api/v2/access/tokens`, {
      json: { keyId, expiryTime: lifetime },
      headers: { "x-lw-uaks": apiSecret },
      idempotent: true,
    });
    const body = response.data as { token?: unknown; expiresAt?: unknown } | undefined;
    if (typeof body?.token !== "string" || body.token === "") {
      throw new InvalidResponseError(
        "lacework: the access token endpoint answered without a token; check the account URL.",
        {
          integration: "lacework",
          issues: [{ path: ["token"], message: "missing" }],
        },
      );
    }
    const expiresAt = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : Number.NaN;
    // Renewed before expiry by `cachedToken`: no refresh endpoint exists.
    return {
      token: body.token,
      lifetimeMs: Number.isNaN(expiresAt) ? lifetime * 1000 : expiresAt - Date.now(),
    };
  }

  return {
    origin,
    async request<T>(method: string, path: string, call: LaceworkRequestOptions = {}) {
      const base = origin();
      const absolute = /^https?:\/\//i.test(path);
      if (absolute && !path.startsWith(`${base}/`)) {
        throw new InvalidResponseError(
          `lacework: a paging URL pointed at ${new URL(path).origin}, outside the tenant ${base}; it was not followed (the token is only sent to the tenant).`,
          {
            integration: "lacework",
            issues: [{ path: ["paging", "urls", "nextPage"], message: "foreign origin" }],
          },
        );
      }
      return api.request<T>(method, absolute ? path : `${base}${path}`, {
        json: call.json,
        searchParams: call.searchParams,
        signal: call.signal,
        idempotent: call.idempotent,
      });
    },
  };
}

// Internal helpers.

/** Lacework's error text: `{ message }`, `{ data: { message } }`, or the older `ErrorMsg`/`statusMessage`. */
function laceworkMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const data = record.data as Record<string, unknown> | undefined;
  for (const value of [record.message, data?.message, record.ErrorMsg, record.statusMessage]) {
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
