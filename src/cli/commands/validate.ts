import { resolve } from "node:path";
import { loadPolicyFile } from "../../agents/policy/load.js";
import { ConfigurationError, isCloudstewardError } from "../../core/errors.js";
import { configFileOf, type LoadedConfig, loadConfig } from "../config.js";
import { printEndpoints, resolveEndpoints } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { describePreflightError, type PreflightResult, preflight } from "../preflight.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";

/** Help text of `cloudsteward validate`. */
export const validateHelp = `cloudsteward validate [options]

Checks the set-up without running anything: the config file, the policy it names, the model's key,
and every configured source's and sink's credentials with one cheap call each (the preflight \`run\`
does first). Nothing is ingested, delivered or written, and the store is not opened.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --offline        check the files and the model's key only: no network call, no credential
  --json           the checks as JSON

Exit codes:
  0  every check passed
  1  a platform refused the credentials or could not be reached
  2  the config or the policy is invalid, or a setting or credential is missing

Examples:
  cloudsteward validate
  cloudsteward validate --config prod/cloudsteward.yaml
  cloudsteward validate --offline --json     # in CI, before merging a config or policy change`;

/** The flags of `cloudsteward validate`. */
export const validateArgs = {
  flags: {
    config: { type: "string", path: "file" },
    offline: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** One line of `cloudsteward validate`: what was checked, and what is wrong or was not checked. */
export interface ValidationCheck {
  /** `config`, `policy`, `model`, `source wiz`, `sink jira`… */
  name: string;
  ok: boolean;
  /** What passed, e.g. the file and its mode. */
  detail?: string;
  /** Why it failed (class, code and message; no secret). */
  error?: string;
  /** What was not checked, and why. */
  note?: string;
}

/** `cloudsteward validate`: the config, the policy, the model's key and every credential, checked. */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, validateArgs);
  const out = createOutput(io, { json: values.json });
  const checks: ValidationCheck[] = [];
  const failures: unknown[] = [];
  const record = (name: string, outcome: { detail?: string; note?: string } | { failure: unknown }) => {
    if ("failure" in outcome) {
      failures.push(outcome.failure);
      checks.push({ name, ok: false, error: describePreflightError(outcome.failure) });
    } else checks.push({ name, ok: true, ...outcome });
  };
  const file = resolve(io.cwd, configFileOf(values.config, io.env));
  let loaded: LoadedConfig | undefined;
  try {
    loaded = await loadConfig(file);
    record("config", { detail: `${file} (${describeConfig(loaded)})` });
  } catch (error) {
    if (!isCloudstewardError(error)) throw error;
    record("config", { failure: error });
  }
  if (loaded) {
    const policyFile = loaded.path(loaded.config.policy);
    const warnings: string[] = [];
    try {
      const policy = await loadPolicyFile(policyFile, {
        onWarning: (warning) => warnings.push(`${warning.location ?? policyFile} ${warning.message}`),
      });
      record("policy", {
        detail: `${policyFile} (${policy.rules.length} rule(s), mode ${policy.mode})`,
        ...(warnings.length > 0 ? { note: warnings.join("; ") } : {}),
      });
    } catch (error) {
      if (!isCloudstewardError(error)) throw error;
      record("policy", { failure: error });
    }
    record("model", checkModel(loaded, io.env));
    if (values.offline) {
      checks.push({ name: "credentials", ok: true, note: "not checked (--offline)" });
    } else {
      printEndpoints(Object.values(resolveEndpoints(loaded.config, io.env)), io);
      const results = await preflight(
        { loaded, config: loaded.config },
        { env: io.env, ...(io.signal ? { signal: io.signal } : {}) },
      );
      for (const result of results) record(result.name, fromPreflight(result));
    }
  }
  const failed = checks.filter((check) => !check.ok);
  // A missing or invalid setting, config or policy is the user's to fix (2); a refusal or no answer, 1.
  const code =
    failures.length === 0
      ? exitCodes.ok
      : failures.every(
            (error) => isCloudstewardError(error, "CONFIGURATION") || isCloudstewardError(error, "POLICY"),
          )
        ? exitCodes.usage
        : exitCodes.failure;
  if (out.json) {
    out.data({ ok: failed.length === 0, exitCode: code, checks });
    return code;
  }
  const width = Math.max(...checks.map((check) => check.name.length));
  for (const check of checks) {
    const mark = check.ok ? out.green("ok  ") : out.red("FAIL");
    const text = check.ok
      ? [check.detail, check.note && out.dim(check.note)].filter(Boolean).join(" · ")
      : check.error;
    out.line(`${mark} ${check.name.padEnd(width)}  ${text ?? ""}`);
  }
  out.line(
    failed.length === 0
      ? out.green(
          values.offline
            ? "Valid (credentials not checked)."
            : "Valid: ready to `cloudsteward run --dry-run`.",
        )
      : out.red(
          `${failed.length} problem(s): fix ${failed.length === 1 ? "it" : "them"} and run \`cloudsteward validate\` again.`,
        ),
  );
  return code;
}

// Internal helpers.

function describeConfig({ config }: LoadedConfig): string {
  const named = (group: Record<string, unknown>) =>
    Object.entries(group)
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name);
  const sources = named(config.sources);
  const sinks = named(config.sinks);
  return `mode ${config.mode}; sources ${sources.join(", ") || "none"}; sinks ${sinks.join(", ") || "none"}`;
}

/** The model's key is in the environment (the model is not called: a call may cost money). */
function checkModel(
  { config }: LoadedConfig,
  env: CliIo["env"],
): { detail: string; note?: string } | { failure: unknown } {
  const provider = config.model.provider;
  const variable = { openai: "OPENAI_API_KEY", anthropic: "ANTHROPIC_API_KEY" }[provider as string];
  if (variable && !env[variable]?.trim()) {
    return {
      failure: new ConfigurationError(`model: provider ${provider} needs ${variable}, which is not set.`, {
        env: variable,
      }),
    };
  }
  if (provider === "none") return { detail: "none: the knowledge base explains" };
  return { detail: provider, note: "not called (a call may cost money)" };
}

function fromPreflight(result: PreflightResult): { note?: string } | { failure: unknown } {
  if (!result.ok) return { failure: result.error };
  return result.note ? { note: result.note } : {};
}
