import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { usageError } from "../usage.js";

/** Help text of `cloudsteward audit`. */
export const auditHelp = `cloudsteward audit <verify|export> [options]

  verify           re-computes every hash of the audit log; exit code 3 when it was tampered with
  export <dir>     writes audit.jsonl, index.md and one timeline per case to <dir>

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --json           JSON output`;

/** `cloudsteward audit verify|export`. */
export async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [verb, directory] = positionals;
  if (verb !== "verify" && verb !== "export")
    throw usageError("audit needs a subcommand: verify or export <dir>.");
  if (verb === "export" && !directory)
    throw usageError("audit export needs a directory, e.g. `cloudsteward audit export ./evidence`.");
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config);
  try {
    const verification =
      verb === "verify"
        ? await context.audit.verify()
        : (await context.audit.export(resolve(io.cwd, directory as string))).verification;
    if (out.json) out.data(verification);
    else if (verification.ok) {
      out.line(out.green(`Audit log verified: ${verification.count} record(s), hash chain intact.`));
      if (verification.lastHash)
        out.line(`Last hash (keep it elsewhere as an anchor): ${verification.lastHash}`);
    } else {
      out.line(
        out.red(
          `Audit log verification FAILED at record ${verification.firstBadSeq} (${verification.reason}): ${verification.message}`,
        ),
      );
    }
    if (verb === "export" && !out.json)
      out.line(`Evidence written to ${resolve(io.cwd, directory as string)}`);
    return verification.ok ? exitCodes.ok : exitCodes.auditFailed;
  } finally {
    await context.close();
  }
}
