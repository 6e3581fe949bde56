import {
  activateException,
  exceptionWriteBacks,
  type WriteBackResult,
  withdrawException,
} from "../../agents/exceptions/activate.js";
import {
  decideException,
  type ExceptionRecord,
  listExceptions,
  requestException,
} from "../../agents/exceptions/exceptions.js";
import { lintExceptionsFile, loadExceptionsFile, syncExceptionsFile } from "../../agents/exceptions/file.js";
import { exceptionRoutes } from "../../agents/exceptions/routing.js";
import { loadPolicyFile } from "../../agents/policy/load.js";
import type { Policy } from "../../agents/policy/schema.js";
import { isCloudstewardError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { configFileOf, loadConfig } from "../config.js";
import { type CliContext, openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";

/** Help text of `cloudsteward exceptions`. */
export const exceptionsHelp = `cloudsteward exceptions <request|list|expiring|approve|reject|revoke|lint|sync> [options]

  request --finding <id>…|--case <id> --as <principal> --until <date> --justification <text>
          [--scope resource|rule-on-account] [--tag key=value] [--kind exception|risk-acceptance]
          [--residual-risk low|medium|high|critical] [--renews <id>]
                                   request an exception for findings read from the configured sources,
                                   or for the findings of a case kept by cloudsteward run
  list [--state <state>|all]       the exceptions in the store (default: active), with where each
                                   was routed and what was written back to the platforms
  expiring [--days <n>]            approved and active exceptions ending within n days (default 30)
  approve <id> --as <principal> [--comment <text>] [--write-back]
                                   approve (scopes and quorum from the policy); with --write-back, once
                                   active, write it to the CNAPP with the same expiry (a Wiz ignore rule,
                                   a Prisma snooze…) where the source has \`allowWrite: true\`
  reject <id> --as <principal> [--comment <text>]    reject a request
  revoke <id> --as <principal> [--comment <text>] [--write-back]
                                   end an exception at once; with --write-back, withdraw it from the CNAPP
  lint [file] [--policy <file>]    check exceptions.yaml (default ./exceptions.yaml): file:line:column errors
  sync [file] [--commit <sha>]     load exceptions.yaml into the store (after its pull request merges)

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --json           JSON output

Examples:
  cloudsteward exceptions request --finding wiz:abc123 --as alice --until 2026-09-30 \\
    --justification "The vendor appliance needs TLS 1.0 until its Q3 upgrade"
  cloudsteward exceptions approve exc_1f0c… --as security-lead --comment "WAF verified" --write-back
  cloudsteward exceptions expiring --days 14
  cloudsteward exceptions lint exceptions.yaml --policy policy.yaml
  cloudsteward exceptions sync --commit "$GITHUB_SHA"`;

const states = ["requested", "approved", "active", "expired", "revoked", "rejected", "all"] as const;

/** The flags and subcommands of `cloudsteward exceptions`. */
export const exceptionsArgs = {
  flags: {
    config: { type: "string", path: "file" },
    policy: { type: "string", path: "file" },
    finding: { type: "string", multiple: true },
    case: { type: "string" },
    as: { type: "string" },
    until: { type: "string" },
    justification: { type: "string" },
    scope: { type: "string", default: "resource", choices: ["resource", "rule-on-account"] },
    tag: { type: "string" },
    kind: { type: "string", default: "exception", choices: ["exception", "risk-acceptance"] },
    "residual-risk": { type: "string", choices: ["low", "medium", "high", "critical"] },
    renews: { type: "string" },
    comment: { type: "string" },
    state: { type: "string", default: "active", choices: states },
    days: { type: "string", default: "30" },
    commit: { type: "string" },
    "write-back": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
  subcommands: ["request", "list", "expiring", "approve", "reject", "revoke", "lint", "sync"],
  positionals: true,
} as const satisfies CommandArgs;

type Values = ReturnType<typeof parseCommandArgs<typeof exceptionsArgs.flags>>["values"];

/** `cloudsteward exceptions`: request, list, decide, lint and sync exceptions and risk acceptances. */
export async function exceptionsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, exceptionsArgs);
  const verb = subcommandOf(positionals[0], exceptionsArgs.subcommands);
  const out = createOutput(io, { json: values.json });
  if (verb === "lint") return lint(positionals[1] ?? "exceptions.yaml", values, io);
  const id = positionals[1];
  if ((verb === "approve" || verb === "reject" || verb === "revoke") && (!id || !values.as)) {
    throw usageError(`exceptions ${verb} needs an exception id and --as <principal>.`);
  }
  if (
    verb === "request" &&
    ((!values.finding?.length && !values.case) || !values.as || !values.until || !values.justification)
  ) {
    throw usageError(
      "exceptions request needs --finding <id> or --case <id>, --as <principal>, --until <date> and --justification <text>.",
    );
  }
  const days = Number(values.days);
  if (verb === "expiring" && !(Number.isInteger(days) && days > 0)) {
    throw usageError(`--days must be a positive whole number; got "${values.days}".`);
  }
  const context = await openContext(io, values.config, { showEndpoints: verb === "request" });
  const options = { store: context.store, policy: context.policy, audit: context.audit };
  try {
    if (verb === "list" || verb === "expiring") {
      const horizon = Date.now() + days * 86_400_000;
      const wanted =
        verb === "expiring"
          ? (["approved", "active"] as const)
          : values.state === "all"
            ? undefined
            : [values.state as ExceptionRecord["state"]];
      const records: ExceptionRecord[] = [];
      for await (const record of listExceptions(options, wanted)) {
        if (verb === "list" || Date.parse(record.expiresAt) <= horizon) records.push(record);
      }
      if (verb === "expiring") records.sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
      const shown = [];
      for (const record of records) {
        shown.push({
          ...record,
          routes: await exceptionRoutes(record.id, context.store),
          writeBacks: await exceptionWriteBacks(record, context.store),
        });
      }
      if (out.json) out.data(shown);
      else {
        if (records.length === 0)
          out.line(
            verb === "list" ? `No ${values.state} exceptions.` : `Nothing expires within ${days} days.`,
          );
        for (const record of shown) {
          out.line(
            `${record.id}  ${record.state}  ${record.kind}  until ${record.expiresAt}  ${record.targets.map(targetText).join(", ")}`,
          );
          out.line(
            out.dim(
              `    requested by ${record.requester}${record.origin ? ` in ${record.origin.file}` : ""}; ${record.justification}`,
            ),
          );
          for (const route of record.routes) {
            out.line(
              out.dim(
                `    routed to ${route.sink}${route.ref ? ` ${route.ref.id}` : ""}${route.seen ? `, last seen ${route.seen.split("|")[0]}` : ""}`,
              ),
            );
          }
          for (const entry of record.writeBacks) {
            out.line(
              out.dim(
                `    ${entry.findingId}: ${entry.state} on ${entry.platform}${entry.ref ? ` (${entry.ref.id}${entry.ref.until ? `, until ${entry.ref.until}` : ""})` : ""}`,
              ),
            );
          }
        }
      }
      return exitCodes.ok;
    }
    if (verb === "sync") {
      const file = positionals[1] ?? "exceptions.yaml";
      const { resolve } = await import("node:path");
      const records = await loadExceptionsFile(resolve(io.cwd, file), {
        policy: context.policy,
        ...(values.commit ? { commit: values.commit } : {}),
      });
      const result = await syncExceptionsFile(records, options);
      if (out.json) out.data(result);
      else
        out.line(
          `${file}: ${result.added.length} added, ${result.revoked.length} revoked, ${result.unchanged.length} unchanged.`,
        );
      return exitCodes.ok;
    }
    try {
      const record =
        verb === "request"
          ? await request(values, context, io)
          : await decideException(
              id as string,
              {
                decision: verb,
                principal: values.as as string,
                ...(values.comment ? { comment: values.comment } : {}),
              },
              options,
            );
      if (!record) return exitCodes.failure;
      const writeBack = values["write-back"] ? await writeBackOf(record, verb, context, io) : undefined;
      if (out.json) out.data(writeBack ? { exception: record, writeBack } : record);
      else {
        out.line(
          `${record.id}: ${record.state}${verb === "approve" ? ` (${record.approvals.length} of ${record.requiredApprovals} approvals)` : ""}, until ${record.expiresAt}.`,
        );
        for (const result of writeBack ?? []) out.line(`  ${writeBackText(result)}`);
      }
      // Asked to write back and a platform did not take it (not allowed, failed, unsure): a failure.
      return writeBack?.some((result) => ["refused", "failed", "pending"].includes(result.outcome))
        ? exitCodes.failure
        : exitCodes.ok;
    } catch (error) {
      // A refused request or decision (the policy, an unknown id, the wrong state) is a failure, not a usage error.
      if (!isCloudstewardError(error, "POLICY")) throw error;
      io.stderr.write(`cloudsteward exceptions ${verb}: ${error.message}\n`);
      return exitCodes.failure;
    }
  } finally {
    await context.close();
  }
}

// Internal helpers.

/**
 * `--write-back`: an active exception is written to the CNAPP of its findings (approve), a revoked one
 * withdrawn (revoke). Nothing for a request still short of its quorum, or one whose start is ahead.
 */
async function writeBackOf(
  record: ExceptionRecord,
  verb: string,
  context: CliContext,
  io: CliIo,
): Promise<WriteBackResult[]> {
  const options = {
    sources: Object.values(context.sources),
    store: context.store,
    audit: context.audit,
    ...(io.signal ? { signal: io.signal } : {}),
  };
  if (verb === "revoke") return withdrawException(record, options);
  if (verb === "approve" && record.state === "active") return activateException(record, options);
  if (verb === "approve") {
    io.stderr.write(
      `cloudsteward exceptions approve: ${record.id} is ${record.state}, so nothing was written to the platform${record.state === "requested" ? "; the approval that completes the quorum, with --write-back, writes it" : ` (it starts ${record.startsAt})`}.\n`,
    );
  }
  return [];
}

function writeBackText(result: WriteBackResult): string {
  const ref = result.ref ? ` ${result.ref.id}${result.ref.until ? ` until ${result.ref.until}` : ""}` : "";
  return `${result.findingId} on ${result.platform}: ${result.outcome}${ref}${result.message ? ` (${result.message})` : ""}`;
}

/**
 * Reads the findings from the sources and requests the exception; undefined (after saying why) when one
 * is missing. With `--case` alone, the case's findings come from the store.
 */
async function request(values: Values, context: CliContext, io: CliIo): Promise<ExceptionRecord | undefined> {
  const findings: Finding[] = [];
  for (const id of values.finding ?? []) {
    let finding: Finding | undefined;
    for (const source of Object.values(context.sources)) {
      if (!source.capabilities.getFinding || !source.getFinding) continue;
      finding = await source.getFinding(id, io.signal ? { signal: io.signal } : {});
      if (finding) break;
    }
    if (!finding) {
      io.stderr.write(
        `cloudsteward exceptions request: no finding "${id}" in ${Object.keys(context.sources).join(", ")}.\n`,
      );
      return undefined;
    }
    findings.push(finding);
  }
  const [key, value] = values.tag?.split("=") ?? [];
  if (values.tag !== undefined && (!key || !value))
    throw usageError(`--tag must be key=value; got "${values.tag}".`);
  const until = values.until as string;
  const subject =
    findings.length > 0
      ? { findings, ...(values.case ? { caseId: values.case } : {}) }
      : { caseId: values.case as string };
  return requestException(
    {
      kind: values.kind as "exception" | "risk-acceptance",
      ...subject,
      scope: key && value ? { tag: { key, value } } : (values.scope as "resource" | "rule-on-account"),
      requester: values.as as string,
      justification: values.justification as string,
      // A date alone is midnight UTC.
      requestedUntil: /^\d{4}-\d{2}-\d{2}$/.test(until) ? `${until}T00:00:00Z` : until,
      ...(values["residual-risk"] ? { residualRisk: values["residual-risk"] as "low" } : {}),
      ...(values.renews ? { renews: values.renews } : {}),
    },
    { store: context.store, policy: context.policy, audit: context.audit },
  );
}

/** `exceptions lint`: every issue as `file:line:column field: message`; exit 1 on an error. */
async function lint(file: string, values: Values, io: CliIo): Promise<number> {
  const { resolve } = await import("node:path");
  const { readFile } = await import("node:fs/promises");
  const out = createOutput(io, { json: values.json });
  const policy = await policyOf(values, io);
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    io.stderr.write(
      `cloudsteward exceptions lint: cannot read ${file} (${(error as NodeJS.ErrnoException).code}).\n`,
    );
    return exitCodes.failure;
  }
  const { records, issues } = lintExceptionsFile(text, { policy, filename: file });
  const errors = issues.filter((issue) => issue.level !== "warning").length;
  if (out.json) out.data({ valid: errors === 0, exceptions: records.length, issues });
  else {
    for (const issue of issues) {
      const text = `${issue.location ?? file} ${issue.path.join(".") || "(root)"}: ${issue.message}`;
      out.line(issue.level === "warning" ? `warning: ${text}` : out.red(text));
    }
    out.line(
      errors === 0
        ? `${file}: ${records.length} exception${records.length === 1 ? "" : "s"}, valid.`
        : `${file}: ${errors} error${errors === 1 ? "" : "s"}.`,
    );
  }
  return errors === 0 ? exitCodes.ok : exitCodes.failure;
}

/** The policy `--policy` names, else the config's: lint needs neither the store nor credentials. */
async function policyOf(values: Values, io: CliIo): Promise<Policy> {
  const { resolve } = await import("node:path");
  if (values.policy) return loadPolicyFile(resolve(io.cwd, values.policy));
  const loaded = await loadConfig(resolve(io.cwd, configFileOf(values.config, io.env)));
  return loadPolicyFile(loaded.path(loaded.config.policy));
}

function targetText(target: ExceptionRecord["targets"][number]): string {
  const on =
    target.resourceId ??
    (target.accountId ? `account ${target.accountId}` : `${target.tag?.key}=${target.tag?.value}`);
  return `${target.ruleId} on ${on}`;
}
