/**
 * The shared helper of every example: it hands the example the options of each integration — the
 * real ones when credentials are in the environment, the sandbox's otherwise (so every example runs
 * on a fresh clone, and in CI, without any account) — and prints the details of an `ApiError`.
 *
 * In your own code, import from the package (`cloudsteward`, `cloudsteward/adapters/wiz`, …); the
 * examples import from `src/` so they run from a clone without a build.
 */

import type { LaceworkOptions } from "../src/adapters/lacework/lacework.js";
import type { OrcaOptions } from "../src/adapters/orca/orca.js";
import type { PrismaOptions } from "../src/adapters/prisma/prisma.js";
import type { WizOptions } from "../src/adapters/wiz/wiz.js";
import { ApiError, isCloudstewardError } from "../src/core/errors.js";
import type { BuiltInPlatform } from "../src/core/finding.js";
import type { JiraOptions } from "../src/sinks/jira/jira.js";
import type { ServiceNowOptions } from "../src/sinks/servicenow/servicenow.js";
import type { SlackOptions } from "../src/sinks/slack/slack.js";
import type { TeamsOptions } from "../src/sinks/teams/teams.js";
import { type Sandbox, startSandbox } from "../src/testing/sandbox/server.js";

/** What an example receives. */
export interface ExampleContext {
  /** True when the integrations are the local sandbox rather than real accounts. */
  sandbox: Sandbox | undefined;
  wiz: WizOptions;
  prisma: PrismaOptions;
  orca: OrcaOptions;
  lacework: LaceworkOptions;
  jira: Omit<JiraOptions, "projectKey">;
  servicenow: ServiceNowOptions;
  slack: SlackOptions;
  teams: TeamsOptions;
  /** Environment variables (API keys of the model examples). */
  env: NodeJS.ProcessEnv;
}

/**
 * The variable whose presence means "use the real account" for each integration an example is
 * about; without it the example runs on the sandbox.
 */
const realCredentials = {
  wiz: "WIZ_CLIENT_ID",
  prisma: "PRISMA_ACCESS_KEY_ID",
  orca: "ORCA_API_TOKEN",
  lacework: "LW_API_KEY",
  servicenow: "SERVICENOW_INSTANCE_URL",
  teams: "TEAMS_WEBHOOK_URL",
} as const;

/**
 * Runs an example: starts the sandbox unless the credential of the integration it is about is set
 * (`WIZ_CLIENT_ID` by default; `PRISMA_ACCESS_KEY_ID`, `ORCA_API_TOKEN`, `LW_API_KEY`,
 * `SERVICENOW_INSTANCE_URL`, `TEAMS_WEBHOOK_URL`) or `sandbox: false`, calls `main`, closes the sandbox,
 * and on failure prints the error (with an `ApiError`'s integration, status, method and URL) and
 * exits with code 1.
 * @example
 * await run(async ({ wiz: options }) => { for await (const finding of wiz(options).findings()) console.log(finding.title); });
 */
export async function run(
  main: (context: ExampleContext) => Promise<void>,
  options: { size?: number; sandbox?: boolean; integration?: keyof typeof realCredentials } = {},
): Promise<void> {
  const wanted = options.sandbox ?? true;
  const integration = options.integration ?? "wiz";
  const variable = realCredentials[integration];
  const real = Boolean(process.env[variable]);
  // The sandbox estate holds the platform the example reads (Wiz's for the sink examples).
  const platform: BuiltInPlatform =
    integration === "servicenow" || integration === "teams" ? "wiz" : integration;
  const sandbox =
    real || !wanted ? undefined : await startSandbox({ size: options.size ?? 50, platforms: [platform] });
  if (sandbox) console.log(`(no ${variable} set: using the local sandbox at ${sandbox.url})`);
  try {
    await main({
      sandbox,
      wiz: sandbox ? sandbox.wiz : {},
      prisma: sandbox ? sandbox.prisma : {},
      orca: sandbox ? sandbox.orca : {},
      lacework: sandbox ? sandbox.lacework : {},
      jira: sandbox ? sandbox.jira : {},
      servicenow: sandbox ? sandbox.servicenow : {},
      slack: sandbox ? sandbox.slack : {},
      teams: sandbox ? sandbox.teams : {},
      env: process.env,
    });
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof ApiError) {
      console.error(`${error.name} from ${error.integration}: ${error.message}`);
      console.error(
        `  ${error.method ?? ""} ${error.url ?? ""} → HTTP ${error.status ?? "?"}${error.requestId ? ` (request id ${error.requestId})` : ""}`,
      );
      if (error.body) console.error(`  body: ${error.body}`);
    } else if (isCloudstewardError(error)) {
      console.error(`${error.name} (${error.code}): ${error.message}`);
    } else {
      console.error(error);
    }
  } finally {
    await sandbox?.close();
  }
}
