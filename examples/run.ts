/**
 * The shared helper of every example: it hands the example the options of each integration — the
 * real ones when credentials are in the environment, the sandbox's otherwise (so every example runs
 * on a fresh clone, and in CI, without any account) — and prints the details of an `ApiError`.
 *
 * In your own code, import from the package (`cloudsteward`, `cloudsteward/adapters/wiz`, …); the
 * examples import from `src/` so they run from a clone without a build.
 */

import type { WizOptions } from "../src/adapters/wiz/wiz.js";
import { ApiError, isCloudstewardError } from "../src/core/errors.js";
import type { JiraOptions } from "../src/sinks/jira/jira.js";
import type { SlackOptions } from "../src/sinks/slack/slack.js";
import { type Sandbox, startSandbox } from "../src/testing/sandbox/server.js";

/** What an example receives. */
export interface ExampleContext {
  /** True when the integrations are the local sandbox rather than real accounts. */
  sandbox: Sandbox | undefined;
  wiz: WizOptions;
  jira: Omit<JiraOptions, "projectKey">;
  slack: SlackOptions;
  /** Environment variables (API keys of the model examples). */
  env: NodeJS.ProcessEnv;
}

/**
 * Runs an example: starts the sandbox unless `WIZ_CLIENT_ID` is set (or `sandbox: false`), calls `main`, closes the sandbox,
 * and on failure prints the error (with an `ApiError`'s integration, status, method and URL) and
 * exits with code 1.
 * @example
 * await run(async ({ wiz: options }) => { for await (const finding of wiz(options).findings()) console.log(finding.title); });
 */
export async function run(
  main: (context: ExampleContext) => Promise<void>,
  options: { size?: number; sandbox?: boolean } = {},
): Promise<void> {
  const wanted = options.sandbox ?? true;
  const real = Boolean(process.env.WIZ_CLIENT_ID);
  const sandbox =
    real || !wanted ? undefined : await startSandbox({ size: options.size ?? 50, platforms: ["wiz"] });
  if (sandbox) console.log(`(no WIZ_CLIENT_ID set: using the local sandbox at ${sandbox.url})`);
  try {
    await main({
      sandbox,
      wiz: sandbox ? sandbox.wiz : {},
      jira: sandbox ? sandbox.jira : {},
      slack: sandbox ? sandbox.slack : {},
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
