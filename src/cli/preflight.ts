import {
  AuthenticationError,
  ConfigurationError,
  isAbortError,
  isCloudstewardError,
} from "../core/errors.js";
import { createHttpClient } from "../core/http.js";
import {
  buildSources,
  type CliContext,
  defaultEndpoints,
  type Endpoint,
  resolveEndpoints,
} from "./context.js";
import { type CliIo, exitCodes } from "./io.js";

/** The outcome of one preflight check. */
export interface PreflightResult {
  /** What was checked, e.g. `source wiz`, `sink jira`. */
  name: string;
  ok: boolean;
  /** Why it failed: a typed error naming the option, the variable or the refused request. */
  error?: unknown;
  /** What was not checked, and why. */
  note?: string;
}

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /** Credentials and hosts. */
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Custom fetch, for tests. */
  fetch?: typeof globalThis.fetch;
  /** How long one check may take. @default 30_000 */
  timeoutMs?: number;
}

/**
 * Checks every configured source's and sink's credentials with one cheap authenticated call each,
 * all at once, before a run ingests anything: a source fetches one page of one finding (the token
 * exchange included), Jira answers `GET /rest/api/3/myself`, Slack `auth.test`, ServiceNow one row
 * of the sink's table. OCSF files are opened and their first finding read. A Slack incoming webhook,
 * Teams, e-mail and the webhook sink are not called (posting is their only call): their endpoint and
 * secret must be set.
 * @example
 * const results = await preflight(context, { env: process.env });
 * for (const result of results) if (!result.ok) console.error(result.name, result.error);
 */
export async function preflight(
  context: Pick<CliContext, "loaded" | "config">,
  options: PreflightOptions,
): Promise<PreflightResult[]> {
  const { env } = options;
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutMs ?? 30_000),
    ...(options.signal ? [options.signal] : []),
  ]);
  const checks: [string, () => Promise<string | undefined>][] = [];
  for (const [name, source] of Object.entries(buildSources(context.loaded, env, { pageSize: 1 }))) {
    checks.push([
      `source ${name}`,
      async () => {
        const iterator = source.findings({}, { signal })[Symbol.asyncIterator]();
        try {
          await iterator.next();
        } finally {
          await iterator.return?.();
        }
        return undefined;
      },
    ]);
  }
  const endpoints = resolveEndpoints(context.config, env);
  const { jira, slack } = context.config.sinks;
  if (jira)
    checks.push(["sink jira", () => checkJira(endpoints.jira?.url?.value, env, signal, options.fetch)]);
  if (slack)
    checks.push(["sink slack", () => checkSlack(endpoints.slack?.url?.value, env, signal, options.fetch)]);
  const { servicenow } = context.config.sinks;
  if (servicenow && endpoints.servicenow) {
    const endpoint = endpoints.servicenow;
    const table = servicenow.table ?? "incident";
    checks.push([
      "sink servicenow",
      () => checkServiceNow(requireEndpoint(endpoint), table, env, signal, options.fetch),
    ]);
  }
  // Teams, e-mail and the webhook sink have no call but delivering: their endpoint and secret must be set.
  const secrets = { teams: [], email: [], webhook: ["CLOUDSTEWARD_WEBHOOK_SECRET"] } as const;
  for (const name of ["teams", "email", "webhook"] as const) {
    const endpoint = endpoints[name];
    if (!endpoint) continue;
    checks.push([
      `sink ${name}`,
      async () => {
        requireEndpoint(endpoint);
        const missing: string[] = secrets[name].filter((variable) => !env[variable]?.trim());
        if (name === "email" && env.SMTP_USER && !env.SMTP_PASSWORD) missing.push("SMTP_PASSWORD");
        if (name === "email") await requireNodemailer();
        if (missing.length > 0) {
          throw new ConfigurationError(`${name}: ${missing.join(" and ")} is not set.`, { env: missing[0] });
        }
        return "not called (its only call delivers)";
      },
    ]);
  }
  return Promise.all(
    checks.map(async ([name, check]): Promise<PreflightResult> => {
      try {
        const note = await check();
        return { name, ok: true, ...(note ? { note } : {}) };
      } catch (error) {
        if (options.signal?.aborted && isAbortError(error)) throw error;
        // One bad record is a dead letter of the run, not a credential problem.
        if (isCloudstewardError(error, "NORMALIZATION")) return { name, ok: true };
        return { name, ok: false, error };
      }
    }),
  );
}

/**
 * Runs {@link preflight} for `cloudsteward run` and prints what is wrong on stderr.
 * @returns undefined when every check passed; else the exit code: 2 when every failure is a
 * missing or invalid setting, 1 when a platform refused the credentials or could not be reached.
 */
export async function preflightForRun(context: CliContext, io: CliIo): Promise<number | undefined> {
  const results = await preflight(context, { env: io.env, ...(io.signal ? { signal: io.signal } : {}) });
  const failed = results.filter((result) => !result.ok);
  if (failed.length === 0) return undefined;
  const lines = failed.map((result) => `  ${result.name}: ${describePreflightError(result.error)}`);
  io.stderr.write(
    `cloudsteward run: preflight failed, nothing was ingested. Fix these and run again:\n${lines.join("\n")}\n`,
  );
  return failed.every((result) => isCloudstewardError(result.error, "CONFIGURATION"))
    ? exitCodes.usage
    : exitCodes.failure;
}

/** A failed check's error in one line: the class and code, and the message (secrets already redacted). */
export function describePreflightError(error: unknown): string {
  if (isCloudstewardError(error)) return `${error.name} (${error.code}): ${error.message}`;
  if (isAbortError(error)) return "no answer in time (check the URL and the network).";
  return error instanceof Error ? error.message : String(error);
}

// Internal helpers.

function requireEndpoint(endpoint: Endpoint): string {
  if (endpoint.url) return endpoint.url.value;
  throw new ConfigurationError(`${endpoint.integration}: no endpoint is set. Set ${endpoint.places}.`, {
    option: endpoint.integration,
  });
}

/** The e-mail sink sends through nodemailer, an optional dependency: without it every delivery would fail. */
async function requireNodemailer(): Promise<void> {
  try {
    await import("nodemailer");
  } catch (error) {
    throw new ConfigurationError(
      "email: the nodemailer package is not installed: `npm install nodemailer`.",
      {
        option: "sinks.email",
        cause: error,
      },
    );
  }
}

async function checkServiceNow(
  instanceUrl: string,
  table: string,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  fetch: typeof globalThis.fetch | undefined,
): Promise<undefined> {
  const { SERVICENOW_USERNAME: user, SERVICENOW_PASSWORD: password, SERVICENOW_TOKEN: token } = env;
  if (!token && (!user || !password)) {
    throw new ConfigurationError(
      "servicenow: set SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN.",
      { env: user ? "SERVICENOW_PASSWORD" : "SERVICENOW_USERNAME" },
    );
  }
  const http = createHttpClient({
    integration: "servicenow",
    baseUrl: instanceUrl,
    headers: {
      authorization: token
        ? `Bearer ${token}`
        : `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    },
    authHint:
      "check SERVICENOW_USERNAME/SERVICENOW_PASSWORD (or SERVICENOW_TOKEN) and the user's table roles",
    retry: { limit: 1 },
    secrets: () => [password, token],
    ...(fetch ? { fetch } : {}),
  });
  // One row of the table the sink writes: the credentials and the table's read access at once.
  await http.get(`/api/now/table/${encodeURIComponent(table)}`, {
    searchParams: { sysparm_limit: "1", sysparm_fields: "sys_id" },
    signal,
  });
  return undefined;
}

async function checkJira(
  baseUrl: string | undefined,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  fetch: typeof globalThis.fetch | undefined,
): Promise<undefined> {
  const email = env.JIRA_EMAIL;
  const token = env.JIRA_API_TOKEN;
  if (!email || !token) {
    const missing = [!email && "JIRA_EMAIL", !token && "JIRA_API_TOKEN"].filter(Boolean).join(" and ");
    throw new ConfigurationError(`jira: ${missing} ${missing.includes(" and ") ? "are" : "is"} not set.`, {
      env: !email ? "JIRA_EMAIL" : "JIRA_API_TOKEN",
    });
  }
  if (!baseUrl) {
    throw new ConfigurationError("jira: no site is set. Set JIRA_BASE_URL or sinks.jira.baseUrl.", {
      option: "sinks.jira.baseUrl",
      env: "JIRA_BASE_URL",
    });
  }
  const http = createHttpClient({
    integration: "jira",
    baseUrl,
    headers: { authorization: `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}` },
    authHint: "check JIRA_EMAIL/JIRA_API_TOKEN and sinks.jira.baseUrl",
    retry: { limit: 1 },
    secrets: () => [token],
    ...(fetch ? { fetch } : {}),
  });
  await http.get("/rest/api/3/myself", { signal });
  return undefined;
}

async function checkSlack(
  apiUrl: string | undefined,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  fetch: typeof globalThis.fetch | undefined,
): Promise<string | undefined> {
  const token = env.SLACK_BOT_TOKEN;
  if (!token) {
    if (env.SLACK_WEBHOOK_URL) return "incoming webhook: not checked (posting is its only call)";
    throw new ConfigurationError("slack: SLACK_BOT_TOKEN is not set (nor SLACK_WEBHOOK_URL).", {
      env: "SLACK_BOT_TOKEN",
    });
  }
  const base = (apiUrl ?? defaultEndpoints.slack).replace(/\/+$/, "");
  const http = createHttpClient({
    integration: "slack",
    baseUrl: base,
    headers: { authorization: `Bearer ${token}` },
    authHint: "check SLACK_BOT_TOKEN",
    retry: { limit: 1 },
    secrets: () => [token],
    ...(fetch ? { fetch } : {}),
  });
  const answer = await http.post<{ ok?: boolean; error?: string }>("/auth.test", { signal });
  if (answer?.ok !== true) {
    throw new AuthenticationError(
      `slack: auth.test refused SLACK_BOT_TOKEN (${answer?.error ?? "no reason given"}). Check the bot token and its app's installation.`,
      { integration: "slack", method: "POST", url: `${base}/auth.test`, secrets: [token] },
    );
  }
  return undefined;
}
