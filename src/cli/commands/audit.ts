import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type AuditAnchor,
  type AuditVerification,
  auditLog,
  parseAuditAnchors,
} from "../../audit/audit-log.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, subcommandOf, usageError } from "../usage.js";

/** Help text of `cloudsteward audit`. */
export const auditHelp = `cloudsteward audit <verify|export> [options]

  verify           re-computes every hash and link of the audit log and names the first bad record;
                   exit code 3 when it was tampered with or a record cannot be read
  export <dir>     writes audit.jsonl (every readable record), index.md, one timeline per case, and
                   unreadable.md when some records cannot be read

Options:
  --anchor <hash|file>  a hash kept outside the store: seq:hash, a bare hash, a file holding one,
                   the JSON \`audit verify --json\` printed, or an earlier export's audit.jsonl
                   (every record anchored). Detects a log cut short, wiped or recomputed. Repeatable.
  --config <file>  the config file (default ./cloudsteward.yaml)
  --json           JSON output

The HMAC key comes from CLOUDSTEWARD_AUDIT_KEY (or the variable audit.hmacKeyEnv names).
The store is opened read-only: verify works on a read-only copy.

Examples:
  cloudsteward audit verify
  cloudsteward audit verify --json > /secure/anchor.json   # keep it outside the store
  cloudsteward audit verify --anchor /secure/anchor.json
  cloudsteward audit export ./evidence --anchor ./evidence-2026-03/audit.jsonl`;

/** The flags and subcommands of `cloudsteward audit`. */
export const auditArgs = {
  flags: {
    config: { type: "string", path: "file" },
    json: { type: "boolean", default: false },
    anchor: { type: "string", multiple: true, path: "file" },
  },
  subcommands: ["verify", "export"],
  positionals: true,
} as const satisfies CommandArgs;

/** `cloudsteward audit verify|export`. */
export async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, auditArgs);
  const verb = subcommandOf(positionals[0], auditArgs.subcommands);
  const directory = positionals[1];
  if (verb === "export" && !directory)
    throw usageError("audit export needs a directory, e.g. `cloudsteward audit export ./evidence`.");
  const out = createOutput(io, { json: values.json });
  const anchors = await readAnchors(values.anchor ?? [], io.cwd);
  const anchorOption = anchors.length > 0 ? { anchor: anchors } : {};
  const context = await openContext(io, values.config, { readOnly: true });
  try {
    const exported =
      verb === "export"
        ? await context.audit.export(resolve(io.cwd, directory as string), anchorOption)
        : undefined;
    const verification = exported?.verification ?? (await context.audit.verify(anchorOption));
    const hint = verification.ok ? undefined : await keyHint(verification, context.store, io);
    if (out.json) {
      out.data({
        ...verification,
        ...(verification.ok && verification.lastHash
          ? { anchor: `${verification.count}:${verification.lastHash}` }
          : {}),
        ...(exported ? { unreadable: exported.unreadable, files: exported.files } : {}),
      });
    } else if (verification.ok) {
      out.line(
        out.green(
          `Audit log verified: ${verification.count} record(s), hash chain intact${anchors.length > 0 ? ", anchors match" : ""}.`,
        ),
      );
      if (verification.lastHash) {
        out.line(
          `Anchor (keep it outside the store, pass it back with --anchor): ${verification.count}:${verification.lastHash}`,
        );
      }
    } else {
      const range =
        verification.suspectFrom === undefined
          ? ""
          : ` (the change is somewhere in records ${verification.suspectFrom}–${verification.firstBadSeq})`;
      out.line(
        out.red(
          `Audit log verification FAILED at record ${verification.firstBadSeq}${range} (${verification.reason}): ${verification.message}`,
        ),
      );
      if (hint) out.line(hint);
    }
    if (exported && !out.json) {
      out.line(`Evidence written to ${resolve(io.cwd, directory as string)}`);
      if (exported.unreadable.length > 0) {
        out.line(
          out.yellow(
            `${exported.unreadable.length} record(s) could not be read (${exported.unreadable.map((item) => item.seq).join(", ")}); see unreadable.md. Every other record was written.`,
          ),
        );
      }
    }
    return verification.ok ? exitCodes.ok : exitCodes.auditFailed;
  } finally {
    await context.close();
  }
}

/** Anchors from `--anchor` values: a hash or `seq:hash` as is, anything else a file to read. */
async function readAnchors(values: string[], cwd: string): Promise<AuditAnchor[]> {
  const anchors: AuditAnchor[] = [];
  for (const value of values) {
    if (/^(?:\d+\s*[:@]\s*)?[0-9a-fA-F]{64}$/.test(value.trim())) {
      anchors.push(...parseAuditAnchors(value));
      continue;
    }
    let text: string;
    try {
      text = await readFile(resolve(cwd, value), "utf8");
    } catch {
      throw usageError(
        `--anchor ${value}: not a hash (64 hex digits, optionally seq:hash) and not a readable file.`,
      );
    }
    try {
      anchors.push(...parseAuditAnchors(text));
    } catch (error) {
      throw usageError(`--anchor ${value}: ${(error as Error).message}`);
    }
  }
  return anchors;
}

/**
 * With an HMAC key, a log written without one (or with another key) fails at record 1: say so
 * when the plain SHA-256 chain holds, so nobody mistakes a key mix-up for tampering (or the reverse).
 */
async function keyHint(
  verification: AuditVerification,
  store: Parameters<typeof auditLog>[0],
  io: CliIo,
): Promise<string | undefined> {
  if (verification.ok || verification.firstBadSeq !== 1 || verification.reason !== "edited") return undefined;
  const plain = await auditLog(store).verify();
  if (!plain.ok || plain.count === 0) return undefined;
  return `Note: this log's records are plain SHA-256 hashes that link correctly: it was written without the HMAC key${io.env.CLOUDSTEWARD_AUDIT_KEY ? " now set" : ""}. Anyone who can write the store could have recomputed them; verify with an anchor.`;
}
