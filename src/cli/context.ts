import { laceworkOrigin } from "../adapters/lacework/client.js";
import { lacework } from "../adapters/lacework/lacework.js";
import { ocsf } from "../adapters/ocsf/ocsf.js";
import { defaultOrcaApiUrl } from "../adapters/orca/client.js";
import { orca } from "../adapters/orca/orca.js";
import { prisma } from "../adapters/prisma/prisma.js";
import { wiz } from "../adapters/wiz/wiz.js";
import { type ApprovalQueue, approvalQueue } from "../agents/approvals/queue.js";
import { loadPolicyFile } from "../agents/policy/load.js";
import type { Policy } from "../agents/policy/schema.js";
import { type AuditLog, auditLog } from "../audit/audit-log.js";
import { ConfigurationError } from "../core/errors.js";
import type { Sink } from "../core/sink.js";
import type { FindingSource } from "../core/source.js";
import type { Store } from "../core/store.js";
import { createBudget } from "../llm/budget.js";
import { email } from "../sinks/email/email.js";
import { jira } from "../sinks/jira/jira.js";
import { servicenow } from "../sinks/servicenow/servicenow.js";
import { slack } from "../sinks/slack/slack.js";
import { teams } from "../sinks/teams/teams.js";
import { webhook } from "../sinks/webhook/webhook.js";
import {
  type CliConfig,
  configFileOf,
  type LoadedConfig,
  loadConfig,
  resolveSetting,
  type Setting,
  type SettingPlaces,
} from "./config.js";
import type { CliIo } from "./io.js";
import { type CliModel, cliModel } from "./model.js";
import { openConfiguredStore } from "./store.js";

/** Everything a configured command needs, built from `cloudsteward.yaml` and the environment. */
export interface CliContext {
  loaded: LoadedConfig;
  config: CliConfig;
  policy: Policy;
  store: Store;
  /** Where the store keeps its state, for messages: its SQLite file, or PostgreSQL and its schema. */
  storeLocation: string;
  audit: AuditLog;
  approvals: ApprovalQueue;
  /** Sources by name: `wiz`, `prisma`, `orca`, `lacework`, `ocsf`. */
  sources: Record<string, FindingSource>;
  sinks: Record<string, Sink>;
  model: CliModel;
  /** Every host the configured integrations send credentials (or finding data) to. */
  endpoints: Endpoint[];
  /** Closes the sinks and the store. */
  close(): Promise<void>;
}

/**
 * Loads the config file (`--config`, else `./cloudsteward.yaml`) and the policy it names, and opens
 * the store, sources, sinks and model; credentials come from `io.env`.
 * @throws ConfigurationError or PolicyError naming the file and field.
 */
export async function openContext(
  io: CliIo,
  configFile: string | undefined,
  options: {
    readOnly?: boolean;
    /** Print, first, every host the integrations will send credentials to (commands that call them). */
    showEndpoints?: boolean;
  } = {},
): Promise<CliContext> {
  const { resolve } = await import("node:path");
  const loaded = await loadConfig(resolve(io.cwd, configFileOf(configFile, io.env)));
  const { config } = loaded;
  const endpoints = resolveEndpoints(config, io.env);
  if (options.showEndpoints) printEndpoints(Object.values(endpoints), io);
  const policy = await loadPolicyFile(loaded.path(config.policy), {
    onWarning: (warning) =>
      io.stderr.write(`warning: ${warning.location ?? config.policy} ${warning.message}\n`),
  });
  const env = io.env;
  const hmacKey = auditKey(config, env);
  const { store, location } = await openConfiguredStore(
    config.store,
    { path: (file) => loaded.path(file), env: io.env, ...(options.readOnly ? { readOnly: true } : {}) },
    io.stderr,
  );
  const audit = auditLog(store, hmacKey === undefined ? {} : { hmacKey });
  const sources = buildSources(loaded, env);
  const sinks = buildSinks(config, env, store);
  const modelId = resolveSetting(
    { env: "CLOUDSTEWARD_MODEL", config: ["model.model", config.model.model] },
    env,
  );
  return {
    loaded,
    config,
    policy,
    store,
    storeLocation: location,
    audit,
    approvals: approvalQueue({ store, policy, audit }),
    sources,
    sinks,
    model: withBudget(cliModel(config.model.provider, env, modelId?.value), config.model.maxCost),
    endpoints: Object.values(endpoints),
    async close() {
      for (const sink of Object.values(sinks)) await sink.close?.();
      await store.close();
    },
  };
}

/** One host a configured integration sends credentials (or, for a model, finding data) to. */
export interface Endpoint {
  /** `source wiz`, `source wiz (token)`, `sink jira`, `model openai`. */
  integration: string;
  /** The effective URL and where it came from; undefined when nothing sets it. */
  url: Setting | undefined;
  /** Where it can be set, e.g. `WIZ_API_URL or sources.wiz.apiUrl`. */
  places: string;
}

/** The defaults of the endpoints that have one (each integration's public API). */
export const defaultEndpoints = {
  wizAuth: "https://auth.app.wiz.io/oauth/token",
  orca: defaultOrcaApiUrl,
  slack: "https://slack.com/api",
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  ollama: "http://localhost:11434",
} as const;

/**
 * Every endpoint of the configured sources, sinks and model, each resolved once by the one
 * precedence (flags > environment > config file > defaults), keyed `wiz`, `wizAuth`, `prisma`,
 * `orca`, `lacework`, `jira`, `servicenow`, `slack`, `teams`, `email`, `webhook`, `pipeline`, `model`. The CLI
 * builds every integration from these values, so the hosts it prints are the only ones it contacts.
 */
export function resolveEndpoints(
  config: CliConfig,
  env: Record<string, string | undefined>,
): Record<string, Endpoint> {
  const at = (integration: string, places: SettingPlaces): Endpoint => ({
    integration,
    url: resolveSetting(places, env),
    places: [places.env, places.config?.[0]].filter(Boolean).join(" or "),
  });
  const { sources, sinks } = config;
  const found: Record<string, Endpoint> = {};
  if (sources.wiz) {
    found.wiz = at("source wiz", { env: "WIZ_API_URL", config: ["sources.wiz.apiUrl", sources.wiz.apiUrl] });
    found.wizAuth = at("source wiz (token)", {
      env: "WIZ_AUTH_URL",
      config: ["sources.wiz.authUrl", sources.wiz.authUrl],
      default: defaultEndpoints.wizAuth,
    });
  }
  if (sources.prisma) {
    found.prisma = at("source prisma", {
      env: "PRISMA_API_URL",
      config: ["sources.prisma.apiUrl", sources.prisma.apiUrl],
    });
  }
  if (sources.orca) {
    found.orca = at("source orca", {
      env: "ORCA_API_URL",
      config: ["sources.orca.apiUrl", sources.orca.apiUrl],
      default: defaultEndpoints.orca,
    });
  }
  if (sources.lacework) {
    // The tenant is one setting with two spellings: a URL, or an account its URL is built from.
    const url = at("source lacework", {
      env: "LACEWORK_API_URL",
      config: ["sources.lacework.apiUrl", sources.lacework.apiUrl],
    });
    const account = resolveSetting(
      { env: "LW_ACCOUNT", config: ["sources.lacework.account", sources.lacework.account] },
      env,
    );
    const accountFirst =
      account && (!url.url || (account.from === "environment" && url.url.from === "config"));
    found.lacework = {
      ...url,
      url: accountFirst ? { ...account, value: laceworkOrigin(account.value) } : url.url,
      places: "LACEWORK_API_URL, LW_ACCOUNT, sources.lacework.apiUrl or sources.lacework.account",
    };
  }
  if (sinks.jira) {
    found.jira = at("sink jira", {
      env: "JIRA_BASE_URL",
      config: ["sinks.jira.baseUrl", sinks.jira.baseUrl],
    });
  }
  if (sinks.servicenow) {
    found.servicenow = at("sink servicenow", {
      env: "SERVICENOW_INSTANCE_URL",
      config: ["sinks.servicenow.instanceUrl", sinks.servicenow.instanceUrl],
    });
  }
  if (sinks.slack) {
    // Without a bot token the sink posts to the incoming webhook (SLACK_WEBHOOK_URL) instead.
    found.slack =
      !env.SLACK_BOT_TOKEN && env.SLACK_WEBHOOK_URL
        ? at("sink slack (incoming webhook)", { env: "SLACK_WEBHOOK_URL" })
        : at("sink slack", {
            env: "SLACK_API_URL",
            config: ["sinks.slack.apiUrl", sinks.slack.apiUrl],
            default: defaultEndpoints.slack,
          });
  }
  if (sinks.teams) found.teams = at("sink teams", { env: "TEAMS_WEBHOOK_URL" });
  if (sinks.email) {
    found.email = at("sink email (SMTP)", {
      env: "SMTP_HOST",
      config: ["sinks.email.smtp.host", sinks.email.smtp.host],
    });
  }
  if (config.remediation?.pipeline) {
    found.pipeline = at("remediation pipeline", {
      config: ["remediation.pipeline.url", config.remediation.pipeline.url],
    });
  }
  if (sinks.webhook) {
    found.webhook = at("sink webhook", {
      env: "CLOUDSTEWARD_WEBHOOK_URL",
      config: ["sinks.webhook.url", sinks.webhook.url],
    });
  }
  const provider = config.model.provider;
  if (provider === "openai" || provider === "anthropic") {
    const name = provider === "openai" ? "OPENAI_BASE_URL" : "ANTHROPIC_BASE_URL";
    found.model = at(`model ${provider}`, { env: name, default: defaultEndpoints[provider] });
  }
  if (provider === "ollama")
    found.model = at("model ollama", { env: "OLLAMA_HOST", default: defaultEndpoints.ollama });
  return found;
}

/**
 * The first lines of a command that calls the integrations: a heading, then one line per endpoint
 * with the host only (a Teams or Slack webhook URL is a secret) and where its value came from.
 * @example
 * endpointsBanner(context.endpoints); // ["Credentials go only to (…):", "  source wiz  127.0.0.1:53121 (from WIZ_API_URL)", …]
 */
export function endpointsBanner(endpoints: readonly Endpoint[]): string[] {
  if (endpoints.length === 0) return ["No credentials are sent anywhere (no remote source, sink or model)."];
  const width = Math.max(...endpoints.map((endpoint) => endpoint.integration.length));
  return [
    "Credentials go only to (flags > environment > config file > defaults, docs/cli.md#settings):",
    ...endpoints.map(({ integration, url, places }) => {
      const where = url
        ? `${hostOf(url.value)} (${url.from === "default" ? "default" : `from ${url.name}`})`
        : `not set: set ${places}`;
      return `  ${integration.padEnd(width)}  ${where}`;
    }),
  ];
}

/**
 * Writes {@link endpointsBanner} on stderr, even with `--json`: a command calls this before it
 * contacts any integration.
 */
export function printEndpoints(endpoints: readonly Endpoint[], io: Pick<CliIo, "stderr">): void {
  io.stderr.write(`${endpointsBanner(endpoints).join("\n")}\n`);
}

/**
 * The configured sources, credentials from `env`, each pointed at its resolved endpoint
 * ({@link resolveEndpoints}). `pageSize` overrides the page size of the sources that take one
 * (preflight fetches one page of one finding).
 */
export function buildSources(
  loaded: LoadedConfig,
  env: Record<string, string | undefined>,
  overrides: { pageSize?: number } = {},
): Record<string, FindingSource> {
  const { config } = loaded;
  const endpoints = resolveEndpoints(config, env);
  const url = (name: string) => endpoints[name]?.url?.value;
  const page = overrides.pageSize === undefined ? {} : { pageSize: overrides.pageSize };
  const sources: Record<string, FindingSource> = {};
  if (config.sources.wiz) {
    sources.wiz = wiz({
      ...definedOnly({ ...config.sources.wiz, apiUrl: url("wiz"), authUrl: url("wizAuth") }),
      ...page,
      ...definedOnly({ clientId: env.WIZ_CLIENT_ID, clientSecret: env.WIZ_CLIENT_SECRET }),
    });
  }
  if (config.sources.prisma) {
    sources.prisma = prisma({
      ...definedOnly({ ...config.sources.prisma, apiUrl: url("prisma") }),
      ...page,
      ...definedOnly({ accessKeyId: env.PRISMA_ACCESS_KEY_ID, secretKey: env.PRISMA_SECRET_KEY }),
    });
  }
  if (config.sources.orca) {
    sources.orca = orca({
      ...definedOnly({ ...config.sources.orca, apiUrl: url("orca") }),
      ...page,
      ...definedOnly({ apiToken: env.ORCA_API_TOKEN }),
    });
  }
  if (config.sources.lacework) {
    // The resolved tenant URL replaces `account`: the adapter gets exactly the host the CLI printed.
    const { account: _account, ...laceworkSettings } = config.sources.lacework;
    sources.lacework = lacework({
      ...definedOnly({ ...laceworkSettings, apiUrl: url("lacework") }),
      ...definedOnly({ apiKey: env.LW_API_KEY, apiSecret: env.LW_API_SECRET }),
    });
  }
  if (config.sources.ocsf) {
    const { files, platform } = config.sources.ocsf;
    sources.ocsf = ocsf({
      files: (typeof files === "string" ? [files] : files).map((file) => loaded.path(file)),
      ...definedOnly({ platform }),
    });
  }
  return sources;
}

/**
 * The configured sinks, named as in the config (`jira`, `servicenow`, `slack`, `teams`, `email`,
 * `webhook`), each pointed at its resolved endpoint, with credentials from `env` and their ledgers in
 * `store`.
 * @throws ConfigurationError when the webhook or e-mail sink has no URL or SMTP host anywhere.
 */
export function buildSinks(
  config: CliConfig,
  env: Record<string, string | undefined>,
  store: Store,
): Record<string, Sink> {
  const endpoints = resolveEndpoints(config, env);
  const url = (name: string) => endpoints[name]?.url?.value;
  const required = (name: string) => {
    const endpoint = endpoints[name];
    if (endpoint?.url) return endpoint.url.value;
    throw new ConfigurationError(
      `sinks.${name}: no ${name === "email" ? "SMTP host" : "URL"} is set. Set ${endpoint?.places}.`,
      {
        option: `sinks.${name}`,
      },
    );
  };
  const { sinks: wanted } = config;
  const sinks: Record<string, Sink> = {};
  if (wanted.jira) {
    sinks.jira = jira({
      ...definedOnly({ ...wanted.jira, baseUrl: url("jira") }),
      ...definedOnly({ email: env.JIRA_EMAIL, apiToken: env.JIRA_API_TOKEN }),
      store,
    });
  }
  if (wanted.servicenow) {
    sinks.servicenow = servicenow({
      ...definedOnly({ ...wanted.servicenow, instanceUrl: url("servicenow") }),
      ...definedOnly({
        username: env.SERVICENOW_USERNAME,
        password: env.SERVICENOW_PASSWORD,
        token: env.SERVICENOW_TOKEN,
      }),
      store,
    });
  }
  if (wanted.slack) {
    sinks.slack = slack({
      ...definedOnly({ ...wanted.slack, apiUrl: url("slack") }),
      ...definedOnly({ token: env.SLACK_BOT_TOKEN, webhookUrl: env.SLACK_WEBHOOK_URL }),
      store,
    });
  }
  if (wanted.teams) {
    sinks.teams = teams({ ...definedOnly({ ...wanted.teams, webhookUrl: url("teams") }), store });
  }
  if (wanted.email) {
    const { smtp, ...rest } = wanted.email;
    const user = env.SMTP_USER;
    sinks.email = email({
      ...rest,
      smtp: {
        ...definedOnly({ ...smtp, port: smtpPort(smtp.port, env) }),
        host: required("email"),
        ...(user ? { auth: { user, pass: () => requiredEnv(env, "SMTP_PASSWORD", "sinks.email") } } : {}),
      },
      store,
    });
  }
  if (wanted.webhook) {
    sinks.webhook = webhook({
      ...definedOnly({ headers: wanted.webhook.headers }),
      url: required("webhook"),
      secret: () => requiredEnv(env, "CLOUDSTEWARD_WEBHOOK_SECRET", "sinks.webhook"),
      store,
    });
  }
  return sinks;
}

/** The default environment variable of the audit log's HMAC key. */
export const defaultAuditKeyEnv = "CLOUDSTEWARD_AUDIT_KEY";

/**
 * The audit log's HMAC key from the environment variable `audit.hmacKeyEnv` names (default
 * `CLOUDSTEWARD_AUDIT_KEY`, optional). A variable named in the config must be set.
 * @throws ConfigurationError when `audit.hmacKeyEnv` names a variable that is unset or empty.
 */
export function auditKey(config: CliConfig, env: Record<string, string | undefined>): string | undefined {
  const name = config.audit.hmacKeyEnv ?? defaultAuditKeyEnv;
  const key = env[name];
  if (key !== undefined && key.length > 0) return key;
  if (config.audit.hmacKeyEnv !== undefined) {
    throw new ConfigurationError(
      `audit.hmacKeyEnv names ${name}, but it is not set. Export the audit log's HMAC key as ${name}, or remove audit.hmacKeyEnv to use plain SHA-256 hashes.`,
      { option: "audit.hmacKeyEnv", env: name },
    );
  }
  return undefined;
}

// Internal helpers.

function requiredEnv(env: Record<string, string | undefined>, name: string, option: string): string {
  const value = env[name];
  if (value?.trim()) return value;
  throw new ConfigurationError(`${option}: ${name} is not set.`, { option, env: name });
}

/** The SMTP port: SMTP_PORT, else `sinks.email.smtp.port`, else the sink's default (587). */
function smtpPort(
  configured: number | undefined,
  env: Record<string, string | undefined>,
): number | undefined {
  const port = resolveSetting(
    { env: "SMTP_PORT", config: ["sinks.email.smtp.port", configured?.toString()] },
    env,
  );
  if (port === undefined) return undefined;
  const value = Number(port.value);
  if (Number.isInteger(value) && value > 0 && value < 65_536) return value;
  throw new ConfigurationError(`${port.name} must be a port number; got "${port.value}".`, {
    option: "sinks.email.smtp.port",
    env: "SMTP_PORT",
  });
}

/** The host (and port) of a URL, or of a bare `host:port` such as OLLAMA_HOST's. */
function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url.replace(/\/.*$/, "");
}

function withBudget(chosen: CliModel, maxCost: number | undefined): CliModel {
  if (!chosen.model || maxCost === undefined) return chosen;
  return { ...chosen, model: createBudget({ maxCost }).wrap(chosen.model) };
}

/** Drops undefined values, so an unset option keeps the factory's default (strict optional types). */
function definedOnly<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
