import { lacework } from "../adapters/lacework/lacework.js";
import { ocsf } from "../adapters/ocsf/ocsf.js";
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
import { jira } from "../sinks/jira/jira.js";
import { slack } from "../sinks/slack/slack.js";
import { type CliConfig, defaultConfigFile, type LoadedConfig, loadConfig } from "./config.js";
import type { CliIo } from "./io.js";
import { type CliModel, cliModel } from "./model.js";
import { openCliStore } from "./store.js";

/** Everything a configured command needs, built from `cloudsteward.yaml` and the environment. */
export interface CliContext {
  loaded: LoadedConfig;
  config: CliConfig;
  policy: Policy;
  store: Store;
  audit: AuditLog;
  approvals: ApprovalQueue;
  /** Sources by name: `wiz`, `prisma`, `orca`, `lacework`, `ocsf`. */
  sources: Record<string, FindingSource>;
  sinks: Record<string, Sink>;
  model: CliModel;
  /** Closes the store. */
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
  options: { readOnly?: boolean } = {},
): Promise<CliContext> {
  const { resolve } = await import("node:path");
  const loaded = await loadConfig(resolve(io.cwd, configFile ?? defaultConfigFile));
  const { config } = loaded;
  const policy = await loadPolicyFile(loaded.path(config.policy), {
    onWarning: (warning) =>
      io.stderr.write(`warning: ${warning.location ?? config.policy} ${warning.message}\n`),
  });
  const env = io.env;
  const hmacKey = auditKey(config, env);
  const store = await openCliStore(
    { path: loaded.path(config.store.sqlite), ...(options.readOnly ? { readOnly: true } : {}) },
    io.stderr,
  );
  const audit = auditLog(store, hmacKey === undefined ? {} : { hmacKey });
  const sources = buildSources(loaded, env);
  const sinks: Record<string, Sink> = {};
  if (config.sinks.jira) {
    sinks.jira = jira({
      ...definedOnly(config.sinks.jira),
      ...definedOnly({ email: env.JIRA_EMAIL, apiToken: env.JIRA_API_TOKEN }),
      store,
    });
  }
  if (config.sinks.slack) {
    sinks.slack = slack({
      ...definedOnly(config.sinks.slack),
      ...definedOnly({ token: env.SLACK_BOT_TOKEN }),
      store,
    });
  }
  return {
    loaded,
    config,
    policy,
    store,
    audit,
    approvals: approvalQueue({ store, policy, audit }),
    sources,
    sinks,
    model: withBudget(cliModel(config.model.provider, env, config.model.model), config.model.maxCost),
    close: () => store.close(),
  };
}

/**
 * The configured sources, credentials from `env`. `pageSize` overrides the page size of the
 * sources that take one (preflight fetches one page of one finding).
 */
export function buildSources(
  loaded: LoadedConfig,
  env: Record<string, string | undefined>,
  overrides: { pageSize?: number } = {},
): Record<string, FindingSource> {
  const { config } = loaded;
  const page = overrides.pageSize === undefined ? {} : { pageSize: overrides.pageSize };
  const sources: Record<string, FindingSource> = {};
  if (config.sources.wiz) {
    sources.wiz = wiz({
      ...definedOnly({
        ...config.sources.wiz,
        apiUrl: config.sources.wiz.apiUrl ?? env.WIZ_API_URL,
        authUrl: config.sources.wiz.authUrl ?? env.WIZ_AUTH_URL,
      }),
      ...page,
      ...definedOnly({ clientId: env.WIZ_CLIENT_ID, clientSecret: env.WIZ_CLIENT_SECRET }),
    });
  }
  if (config.sources.prisma) {
    sources.prisma = prisma({
      ...definedOnly({
        ...config.sources.prisma,
        apiUrl: config.sources.prisma.apiUrl ?? env.PRISMA_API_URL,
      }),
      ...page,
      ...definedOnly({ accessKeyId: env.PRISMA_ACCESS_KEY_ID, secretKey: env.PRISMA_SECRET_KEY }),
    });
  }
  if (config.sources.orca) {
    sources.orca = orca({
      ...definedOnly({ ...config.sources.orca, apiUrl: config.sources.orca.apiUrl ?? env.ORCA_API_URL }),
      ...page,
      ...definedOnly({ apiToken: env.ORCA_API_TOKEN }),
    });
  }
  if (config.sources.lacework) {
    sources.lacework = lacework({
      ...definedOnly({
        ...config.sources.lacework,
        account: config.sources.lacework.account ?? env.LW_ACCOUNT,
        apiUrl: config.sources.lacework.apiUrl ?? env.LACEWORK_API_URL,
      }),
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
