import type { ApprovalRequest, ApprovalState } from "../../agents/approvals/queue.js";
import { isCloudstewardError } from "../../core/errors.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";

/** Help text of `cloudsteward approvals`. */
export const approvalsHelp = `cloudsteward approvals <list|approve|reject|execute> [options]

  list [--state requested|approved|rejected|expired]   the approval queue (default: requested)
  approve <id> --as <principal> [--comment <text>]      approve a held action (scopes from the policy)
  reject <id> --as <principal> [--comment <text>]       reject it
  execute                                               deliver every approved action, exactly once

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --json           JSON output

Examples:
  cloudsteward approvals list
  cloudsteward approvals approve apr_01HZX3 --as security-lead --comment "fix window agreed"
  cloudsteward approvals execute
  cloudsteward approvals list --state approved --json`;

/** The flags and subcommands of `cloudsteward approvals`. */
export const approvalsArgs = {
  flags: {
    config: { type: "string", path: "file" },
    state: {
      type: "string",
      default: "requested",
      choices: ["requested", "approved", "rejected", "expired"],
    },
    as: { type: "string" },
    comment: { type: "string" },
    json: { type: "boolean", default: false },
  },
  subcommands: ["list", "approve", "reject", "execute"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward approvals`: list, decide and execute held actions. */
export async function approvalsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, approvalsArgs);
  const verb = subcommandOf(positionals[0], approvalsArgs.subcommands);
  const id = positionals[1];
  if ((verb === "approve" || verb === "reject") && (!id || !values.as)) {
    throw usageError(`approvals ${verb} needs an approval id and --as <principal>.`);
  }
  const out = createOutput(io, { json: values.json });
  // Only `execute` calls the sinks.
  const context = await openContext(io, values.config, { showEndpoints: verb === "execute" });
  try {
    const queue = context.approvals;
    if (verb === "list") {
      const requests: ApprovalRequest[] = [];
      for await (const request of queue.list({ state: values.state as ApprovalState }))
        requests.push(request);
      if (out.json)
        out.data(
          requests.map(({ action, ...request }) => ({
            ...request,
            kind: action.kind,
            sink: action.sink,
            risk: action.risk,
            caseId: action.case.id,
          })),
        );
      else {
        if (requests.length === 0) out.line(`No ${values.state} approvals.`);
        for (const request of requests) {
          const headline =
            request.action.case.explanation?.headline ?? request.action.case.findings[0]?.title ?? "";
          out.line(
            `${request.id}  ${request.action.kind} → ${request.action.sink}  risk ${request.action.risk}  ${headline}`,
          );
          out.line(out.dim(`    ${request.reason}; expires ${request.expiresAt}`));
        }
      }
      return exitCodes.ok;
    }
    if (verb === "execute") {
      const result = await queue.executeApproved({
        sinks: context.sinks,
        ...(io.signal ? { signal: io.signal } : {}),
      });
      if (out.json)
        out.data({
          executed: result.executed,
          failed: result.failed.map(({ id: failedId, error }) => ({ id: failedId, error: error.message })),
          skipped: result.skipped,
        });
      else {
        out.line(
          `${result.executed.length} delivered, ${result.failed.length} failed, ${result.skipped} already executed.`,
        );
        for (const failure of result.failed) out.line(out.red(`${failure.id}: ${failure.error.message}`));
      }
      return result.failed.length > 0 ? exitCodes.failure : exitCodes.ok;
    }
    const decision = {
      principal: values.as as string,
      ...(values.comment ? { comment: values.comment } : {}),
    };
    let request: ApprovalRequest;
    try {
      request =
        verb === "approve"
          ? await queue.approve(id as string, decision)
          : await queue.reject(id as string, decision);
    } catch (error) {
      // A refused decision (unknown principal, missing scope, own request, already decided) is a failure, not a usage error.
      if (!isCloudstewardError(error, "POLICY")) throw error;
      io.stderr.write(`cloudsteward approvals ${verb}: ${error.message}\n`);
      return exitCodes.failure;
    }
    if (out.json) out.data({ id: request.id, state: request.state, decidedBy: request.decidedBy });
    else
      out.line(
        `${request.id}: ${request.state} by ${request.decidedBy}.${verb === "approve" ? " Run `cloudsteward approvals execute` to deliver it." : ""}`,
      );
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}
