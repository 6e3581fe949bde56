import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { environmentSchema, modeSchema } from "../core/case.js";
import { ConfigurationError } from "../core/errors.js";
import { platformSchema } from "../core/finding.js";

/** The config file the CLI looks for when `--config` is not given. */
export const defaultConfigFile = "cloudsteward.yaml";

/** The `cloudsteward.yaml` schema; credentials never live here, they come from environment variables. */
export const cliConfigSchema = z.strictObject({
  /** The rollout phase of `run` (the policy's mode may be stricter). */
  mode: modeSchema.default("read-only"),
  /** The principal runs act as; declared in the policy. */
  principal: z.string().min(1).default("cloudsteward-bot"),
  /** The governance policy file (YAML or JSON), relative to this file. */
  policy: z.string().min(1),
  /**
   * Where cursors, ledgers, approvals and the audit log live: a SQLite file (relative to this file), or
   * PostgreSQL, whose URL (with its password) comes from CLOUDSTEWARD_DATABASE_URL — the store every
   * `worker` process of a deployment shares.
   */
  store: z
    .union([
      z.strictObject({ sqlite: z.string().min(1) }),
      z.strictObject({ postgres: z.strictObject({ schema: z.string().min(1).optional() }) }),
    ])
    .default({ sqlite: ".cloudsteward/state.db" }),
  sources: z
    .strictObject({
      wiz: z
        .strictObject({
          /** Credentials: WIZ_CLIENT_ID and WIZ_CLIENT_SECRET. */
          apiUrl: z.url().optional(),
          authUrl: z.url().optional(),
          pageSize: z.number().int().min(1).max(500).optional(),
          /** Lets `exceptions approve|revoke --write-back` write exceptions to the platform. Off by default. */
          allowWrite: z.boolean().optional(),
        })
        .optional(),
      prisma: z
        .strictObject({
          /** Credentials: PRISMA_ACCESS_KEY_ID and PRISMA_SECRET_KEY. */
          apiUrl: z.url().optional(),
          pageSize: z.number().int().min(1).max(10_000).optional(),
          /** Lets `exceptions approve|revoke --write-back` write exceptions to the platform. Off by default. */
          allowWrite: z.boolean().optional(),
        })
        .optional(),
      orca: z
        .strictObject({
          /** Credentials: ORCA_API_TOKEN. */
          apiUrl: z.url().optional(),
          pageSize: z.number().int().min(1).max(1000).optional(),
          /** Lets `exceptions approve|revoke --write-back` write exceptions to the platform. Off by default. */
          allowWrite: z.boolean().optional(),
        })
        .optional(),
      lacework: z
        .strictObject({
          /** Credentials: LW_API_KEY and LW_API_SECRET. */
          account: z.string().min(1).optional(),
          apiUrl: z.url().optional(),
          subAccount: z.string().min(1).optional(),
          /** Lets `exceptions approve|revoke --write-back` write exceptions to the platform. Off by default. */
          allowWrite: z.boolean().optional(),
        })
        .optional(),
      ocsf: z
        .strictObject({
          /** OCSF finding files (Prowler `-M json-ocsf`, Security Hub v2 JSON Lines), relative to this file. */
          files: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
          /** The prefix of the findings' ids, e.g. `prowler`. Default `ocsf`. */
          platform: platformSchema.optional(),
        })
        .optional(),
    })
    .refine((sources) => Object.values(sources).some(Boolean), {
      message:
        "configure at least one source (wiz, prisma, orca, lacework or ocsf), e.g. `wiz: { apiUrl: https://api.us20.app.wiz.io/graphql }`",
    }),
  /**
   * The environment of each cloud account (AWS account id, Azure subscription id, GCP project id →
   * production, staging, development or test), for `ask`, `query` and `mcp`: a finding's environment is
   * then its account's (an unlisted account's is unknown), and `environment` goes to the platforms as
   * the accounts mapped to it. Ids are read as written (`012345678901` keeps its zero).
   * @default none: the environment is read from tags or the case's context, client-side
   */
  accountEnvironments: z.record(z.string().min(1), environmentSchema.exclude(["unknown"])).optional(),
  model: z
    .strictObject({
      provider: z.enum(["none", "openai", "anthropic", "ollama"]).default("none"),
      model: z.string().min(1).optional(),
      /** The most a run may spend on model calls (USD); past it, the knowledge base explains. */
      maxCost: z.number().min(0).optional(),
    })
    .default({ provider: "none" }),
  sinks: z
    .strictObject({
      jira: z
        .strictObject({
          /** Credentials: JIRA_EMAIL and JIRA_API_TOKEN. JIRA_BASE_URL overrides it. */
          baseUrl: z.url().optional(),
          projectKey: z.string().min(1),
          issueType: z.string().min(1).optional(),
        })
        .optional(),
      servicenow: z
        .strictObject({
          /** Credentials: SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN. SERVICENOW_INSTANCE_URL overrides it. */
          instanceUrl: z.url().optional(),
          /** The table records go to, e.g. `sn_si_incident`. Default `incident`. */
          table: z.string().min(1).optional(),
          /** Extra fields on every create, e.g. `assignment_group`. */
          fields: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
      slack: z
        .strictObject({
          /** Credentials: SLACK_BOT_TOKEN (or an incoming webhook, SLACK_WEBHOOK_URL). SLACK_API_URL overrides apiUrl. */
          channel: z.string().min(1).optional(),
          apiUrl: z.url().optional(),
        })
        .optional(),
      /** Microsoft Teams through a Workflows webhook; its URL is a secret: TEAMS_WEBHOOK_URL. */
      teams: z.strictObject({ messagesPerSecond: z.number().positive().optional() }).optional(),
      email: z
        .strictObject({
          /** The sender, e.g. `"Cloud Security" <cloudsec@example.com>`. */
          from: z.string().min(1),
          /** Recipients when the owner is not an e-mail address. */
          to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
          /** Credentials: SMTP_USER and SMTP_PASSWORD. SMTP_HOST overrides host. */
          smtp: z
            .strictObject({
              host: z.string().min(1).optional(),
              port: z.number().int().min(1).max(65_535).optional(),
              secure: z.boolean().optional(),
            })
            .default({}),
        })
        .optional(),
      webhook: z
        .strictObject({
          /** Where actions are POSTed; CLOUDSTEWARD_WEBHOOK_URL overrides it. Signing secret: CLOUDSTEWARD_WEBHOOK_SECRET. */
          url: z.url().optional(),
          headers: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
    })
    .default({}),
  /** What `remediate execute --execute` may do; nothing is written without it. */
  remediation: z
    .strictObject({
      /** Lets `remediate execute --execute` trigger fixes. Off by default. */
      allowWrite: z.boolean().default(false),
      /**
       * The policy principal that approves fixes the policy marks automatic (low-risk drift outside
       * production, IAM and network); without it every fix waits for a named human.
       */
      automationPrincipal: z.string().min(1).optional(),
      /** The CI/CD route: a GitHub Actions `workflow_dispatch` URL. Token: GITHUB_TOKEN. */
      pipeline: z.strictObject({ url: z.url(), ref: z.string().min(1).default("main") }).optional(),
    })
    .optional(),
  audit: z
    .strictObject({
      /**
       * The environment variable holding the audit log's HMAC key (never the key itself). Set, it must
       * be present: every record is then an HMAC-SHA-256 that only the key's holders can compute.
       * @default "CLOUDSTEWARD_AUDIT_KEY" (optional: without it, hashes are plain SHA-256)
       */
      hmacKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .optional(),
    })
    .default({}),
  webhooks: z
    .strictObject({
      /** The token of the Wiz Automation Action: WIZ_WEBHOOK_SECRET. */
      wiz: z
        .strictObject({
          auth: z.enum(["bearer", "basic", "none"]).optional(),
          username: z.string().optional(),
        })
        .optional(),
      /** The secret of the Prisma Cloud webhook integration: PRISMA_WEBHOOK_SECRET. */
      prisma: z.strictObject({ header: z.string().min(1).optional() }).optional(),
      /** The custom-header secret of the Orca webhook integration: ORCA_WEBHOOK_SECRET. */
      orca: z.strictObject({ header: z.string().min(1).optional() }).optional(),
      /** The secret in the Lacework alert channel's URL: LW_WEBHOOK_SECRET. */
      lacework: z.strictObject({ parameter: z.string().min(1).optional() }).optional(),
    })
    .default({}),
});

/** A validated `cloudsteward.yaml`. */
export type CliConfig = z.infer<typeof cliConfigSchema>;

/** A config and where it was read from. */
export interface LoadedConfig {
  config: CliConfig;
  /** Absolute path of the file. */
  file: string;
  /** Resolves a path written in the file against the file's directory. */
  path(relative: string): string;
}

/** Where a setting's effective value came from; earlier wins: flags > environment > config file > defaults. */
export type SettingOrigin = "flag" | "environment" | "config" | "default";

/** One setting's effective value, where it came from and by which name. */
export interface Setting {
  value: string;
  from: SettingOrigin;
  /** The flag, environment variable or config key it came from (`--mode`, `WIZ_API_URL`, `sources.wiz.apiUrl`); `default` for a default. */
  name: string;
}

/** Where one setting can be given: each place is `[name, value]`, and an unset or blank value does not count. */
export interface SettingPlaces {
  flag?: readonly [name: string, value: string | undefined];
  /** The environment variable's name; its value is read from `env`. */
  env?: string;
  config?: readonly [key: string, value: string | undefined];
  default?: string;
}

/**
 * The one precedence of every CLI setting: the flag, else the environment variable, else the config
 * file, else the default. A blank value counts as unset.
 * @returns the effective setting, or undefined when no place gives it.
 * @example
 * resolveSetting({ env: "WIZ_API_URL", config: ["sources.wiz.apiUrl", config.sources.wiz?.apiUrl] }, process.env);
 */
export function resolveSetting(
  places: SettingPlaces,
  env: Record<string, string | undefined>,
): Setting | undefined {
  const given = (value: string | undefined) => value !== undefined && value.trim() !== "";
  if (places.flag && given(places.flag[1]))
    return { value: places.flag[1] as string, from: "flag", name: places.flag[0] };
  if (places.env && given(env[places.env]))
    return { value: env[places.env] as string, from: "environment", name: places.env };
  if (places.config && given(places.config[1]))
    return { value: places.config[1] as string, from: "config", name: places.config[0] };
  if (places.default !== undefined) return { value: places.default, from: "default", name: "default" };
  return undefined;
}

/**
 * The config file a command reads: `--config`, else `CLOUDSTEWARD_CONFIG`, else `./cloudsteward.yaml`
 * (the one precedence, {@link resolveSetting}).
 */
export function configFileOf(flag: string | undefined, env: Record<string, string | undefined>): string {
  return (
    resolveSetting({ flag: ["--config", flag], env: "CLOUDSTEWARD_CONFIG" }, env)?.value ?? defaultConfigFile
  );
}

/** How to fix the common mistakes, by field. */
const fixes: Record<string, string> = {
  policy: "point it at a policy file, e.g. `policy: ./policy.yaml` (`cloudsteward init` writes one)",
  mode: "use read-only, assisted or automated",
  "sources.wiz.apiUrl": "use your tenant's GraphQL endpoint, e.g. https://api.us20.app.wiz.io/graphql",
  "sources.prisma.apiUrl": "use your stack's API host, e.g. https://api2.eu.prismacloud.io",
  "sources.orca.apiUrl": "use your region's API, e.g. https://api.orcasecurity.io/api",
  "sources.lacework.apiUrl": "use your tenant URL, e.g. https://acme.lacework.net (or set `account: acme`)",
  "sources.ocsf.files":
    "list OCSF files, e.g. `files: [prowler-output.ocsf.json]` (paths relative to this file)",
  "sources.ocsf.platform": "use a lower-case name, e.g. prowler",
  "sinks.jira.baseUrl": "use your site, e.g. https://acme.atlassian.net",
  "sinks.jira.projectKey": "name the project tickets go to, e.g. SEC",
  "sinks.servicenow.instanceUrl": "use your instance, e.g. https://acme.service-now.com",
  "sinks.email.from": 'name the sender, e.g. "Cloud Security <cloudsec@example.com>"',
  "sinks.webhook.url": "use your receiver's URL, e.g. https://hooks.example.com/cloudsteward",
  "model.provider": "use none, openai, anthropic or ollama",
  accountEnvironments:
    'map each account id to production, staging, development or test, e.g. `accountEnvironments: { "111122223333": production }`',
  "audit.hmacKeyEnv":
    "name an environment variable, e.g. CLOUDSTEWARD_AUDIT_KEY (the key never goes in this file)",
};

/**
 * Reads and validates the config file.
 * @throws ConfigurationError naming the file, each invalid field (with its line) and how to fix it.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ConfigurationError(
      `${file}: cannot read the config file. Create one with \`cloudsteward init\`, or pass --config <file>.`,
      { option: "config" },
    );
  }
  return { config: parseConfig(text, file), file, path: (relative) => resolve(dirname(file), relative) };
}

/**
 * Parses and validates config text.
 * @throws ConfigurationError naming the file, each invalid field (with its line) and how to fix it.
 */
export function parseConfig(text: string, file: string): CliConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    // Like policy errors: file:line:column, then what the parser said.
    const lines = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return `  ${file}:${line}:${col}: YAML syntax: ${error.message.split("\n")[0]}`;
    });
    throw new ConfigurationError(
      `${file}: the config is not valid YAML:\n${lines.join("\n")}\n  — fix: check the indentation and quoting at that line (a value holding ": " or "#" needs quotes).`,
      { option: "config" },
    );
  }
  accountIdsAsWritten(document);
  const parsed = cliConfigSchema.safeParse(document.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const path = issue.path.join(".") || "(root)";
    const node = document.getIn(issue.path, true) as { range?: [number, number] } | undefined;
    const line = node?.range ? ` (line ${lineOf(text, node.range[0])})` : "";
    const fix =
      fixes[path] ??
      (issue.path[0] === "accountEnvironments" ? fixes.accountEnvironments : undefined) ??
      (issue.code === "unrecognized_keys" ? "remove it or check its spelling (see docs/cli.md)" : undefined);
    return `  ${path}${line}: ${issue.message}${fix ? ` — fix: ${fix}` : ""}`;
  });
  throw new ConfigurationError(`${file}: the config is invalid:\n${lines.join("\n")}`, { option: "config" });
}

/** The CNAPPs the CLI reads from (OCSF files are configured by hand: docs/ocsf.md). */
export const cliPlatforms = ["wiz", "prisma", "orca", "lacework"] as const;

/** The sinks the CLI delivers to. */
export const cliSinks = ["jira", "servicenow", "slack", "teams", "email", "webhook"] as const;

/** One of {@link cliPlatforms}. */
export type CliPlatform = (typeof cliPlatforms)[number];

/** One of {@link cliSinks}. */
export type CliSinkName = (typeof cliSinks)[number];

/** Options of {@link configTemplate}. */
export interface ConfigTemplateOptions {
  /** The sources written uncommented; the others are written as comments. */
  platforms: readonly CliPlatform[];
  /** The sinks written uncommented; the others are written as comments. */
  sinks: readonly string[];
  model: string;
  mode: string;
  /** The endpoints to write instead of the examples (`sandbox --write-config` writes the sandbox's). */
  urls?: Partial<Record<"wizAuth" | CliPlatform | CliSinkName, string>>;
  /** The SQLite file. @default "./.cloudsteward/state.db" */
  store?: string;
}

/** The commented `cloudsteward.yaml` that `init` and `sandbox --write-config` write. */
export function configTemplate(options: ConfigTemplateOptions): string {
  const url = (name: keyof NonNullable<ConfigTemplateOptions["urls"]>, example: string) =>
    options.urls?.[name] ?? example;
  const sources: Record<CliPlatform, string[]> = {
    wiz: [
      "# Env: WIZ_CLIENT_ID, WIZ_CLIENT_SECRET (a service account with read:issues, read:vulnerabilities).",
      "wiz:",
      `  apiUrl: ${url("wiz", "https://api.us20.app.wiz.io/graphql")}`,
      ...(options.urls?.wizAuth ? [`  authUrl: ${options.urls.wizAuth}`] : []),
    ],
    prisma: [
      "# Env: PRISMA_ACCESS_KEY_ID, PRISMA_SECRET_KEY (an access key of a role with alert read).",
      "prisma:",
      `  apiUrl: ${url("prisma", "https://api2.eu.prismacloud.io")}`,
    ],
    orca: ["# Env: ORCA_API_TOKEN.", "orca:", `  apiUrl: ${url("orca", "https://api.orcasecurity.io/api")}`],
    lacework: [
      "# Env: LW_API_KEY, LW_API_SECRET (an API key of the account; subAccount: for an organization).",
      "lacework:",
      options.urls?.lacework ? `  apiUrl: ${options.urls.lacework}` : "  account: acme",
    ],
  };
  const sinks: Record<CliSinkName, string[]> = {
    jira: [
      "# Env: JIRA_EMAIL, JIRA_API_TOKEN.",
      "jira:",
      `  baseUrl: ${url("jira", "https://acme.atlassian.net")}`,
      "  projectKey: SEC",
    ],
    servicenow: [
      "# Env: SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN (OAuth).",
      "servicenow:",
      `  instanceUrl: ${url("servicenow", "https://acme.service-now.com")}`,
      "  table: incident",
    ],
    slack: [
      "# Env: SLACK_BOT_TOKEN (scopes chat:write, users:read.email, im:write), or SLACK_WEBHOOK_URL.",
      "slack:",
      "  channel: C0123ABCD",
      ...(options.urls?.slack ? [`  apiUrl: ${options.urls.slack}`] : []),
    ],
    teams: ["# Env: TEAMS_WEBHOOK_URL (the URL of a Workflows flow; it is a secret).", "teams: {}"],
    email: [
      "# Env: SMTP_USER, SMTP_PASSWORD. Needs the nodemailer package (npm i nodemailer).",
      "email:",
      "  from: cloudsec@example.com",
      "  smtp:",
      "    host: smtp.example.com",
      "    port: 587",
    ],
    webhook: [
      "# Env: CLOUDSTEWARD_WEBHOOK_SECRET (the HMAC key the receiver checks).",
      "webhook:",
      "  url: https://hooks.example.com/cloudsteward",
    ],
  };
  const section = (enabled: boolean, lines: string[]) =>
    lines.map((line) => `  ${enabled || line.startsWith("#") ? "" : "# "}${line}`).join("\n");
  const webhookSecrets: Record<CliPlatform, string> = {
    wiz: "wiz: {}        # WIZ_WEBHOOK_SECRET: the Automation Action's bearer token",
    prisma: "prisma: {}     # PRISMA_WEBHOOK_SECRET",
    orca: "orca: {}       # ORCA_WEBHOOK_SECRET",
    lacework: "lacework: {}   # LW_WEBHOOK_SECRET, sent as ?token= in the alert channel's URL",
  };
  return `# cloudsteward configuration (docs/cli.md). Credentials never go in this file: they are read
# from environment variables, named next to each integration below.
#
# Every setting resolves the same way: a flag, else an environment variable, else this file, else
# the default. Each URL below has a variable that overrides it (WIZ_API_URL, WIZ_AUTH_URL,
# PRISMA_API_URL, ORCA_API_URL, LACEWORK_API_URL or LW_ACCOUNT, JIRA_BASE_URL, SERVICENOW_INSTANCE_URL,
# SLACK_API_URL, SMTP_HOST, CLOUDSTEWARD_WEBHOOK_URL), and \`run\` prints every host it will send
# credentials to, and where each came from, before it contacts any.

# The rollout phase: read-only (explanations and drafts only), assisted (a human approves each
# action), automated (low-risk actions the policy marks automatic run on their own).
mode: ${options.mode}

# The principal runs act as; it must be declared, with its scopes, in the policy.
principal: cloudsteward-bot

# The governance policy: routing rules, SLA, approvals and scopes (docs/governance.md).
policy: ./policy.yaml

# Cursors, ticket ledger, approvals and the tamper-evident audit log.
store:
  sqlite: ${options.store ?? "./.cloudsteward/state.db"}
  # or, for workers on several machines (docs/scale.md): postgres: { schema: cloudsteward }
  # with the URL in CLOUDSTEWARD_DATABASE_URL

sources:
${cliPlatforms.map((name) => section(options.platforms.includes(name), sources[name])).join("\n")}

# Who writes explanations: none (the knowledge base), openai (OPENAI_API_KEY),
# anthropic (ANTHROPIC_API_KEY) or ollama (OLLAMA_HOST).
model:
  provider: ${options.model}
  maxCost: 1.00    # USD per run; past it the knowledge base explains

# Where actions go; the policy's rules name these sinks.
sinks:${options.sinks.length > 0 ? "" : " {}"}
${cliSinks.map((name) => section(options.sinks.includes(name), sinks[name])).join("\n")}

# \`cloudsteward serve\` accepts each listed platform's webhooks at /webhooks/<platform>.
webhooks:
${cliPlatforms.map((name) => `  ${options.platforms.includes(name) ? "" : "# "}${webhookSecrets[name]}`).join("\n")}
`;
}

// Internal helpers.

/**
 * `accountEnvironments`' keys as written: YAML reads an unquoted `012345678901` as the number
 * 12345678901, which would drop an AWS account id's leading zero and never match it.
 */
function accountIdsAsWritten(document: Document): void {
  const map = document.get("accountEnvironments", true);
  if (!isMap(map)) return;
  for (const pair of map.items)
    if (isScalar(pair.key) && typeof pair.key.value !== "string" && pair.key.source !== undefined)
      pair.key.value = pair.key.source;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++)
    if (text.charCodeAt(index) === 10) line++;
  return line;
}
