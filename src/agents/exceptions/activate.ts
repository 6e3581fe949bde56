import type { AuditAppender } from "../../core/audit.js";
import { isCloudstewardError } from "../../core/errors.js";
import { stableHash } from "../../core/fingerprint.js";
import { isAmbiguous } from "../../core/ledger.js";
import type { ExceptionRef, FindingSource } from "../../core/source.js";
import type { Store } from "../../core/store.js";
import { ExceptionError } from "./errors.js";
import type { ExceptionRecord } from "./exceptions.js";

/** Options of {@link activateException}, {@link withdrawException} and {@link commentException}. */
export interface WriteBackOptions {
  /**
   * The sources the exception's findings came from, matched by platform (the prefix of a finding id:
   * `wiz:…` → the `wiz` source). A source writes only when it was created with `allowWrite: true`.
   */
  sources: readonly FindingSource[];
  /** Holds the write-back ledger (namespace `exception-write-backs`); use the exceptions' store. */
  store: Store;
  /** Records every write-back and comment with its outcome (type `exception-write-back`). */
  audit?: AuditAppender;
  /** Who writes, for the audit log. @default "cloudsteward/exceptions" */
  actor?: string;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
  signal?: AbortSignal;
}

/**
 * What happened on the platform for one finding:
 * - `written`: created now (`ref` is the platform's reference);
 * - `existing`: the ledger already holds it, nothing was sent (a re-activation);
 * - `removed`: withdrawn from the platform (revocation, or an expiry the platform does not keep);
 * - `lapsed`: the platform ends it itself at `ref.until`, nothing to send;
 * - `refused`: the source was not created with `allowWrite`, nothing was sent;
 * - `unsupported`: no source for the platform, or the platform has no such API (`comment` on Prisma);
 * - `pending`: another worker is writing it, or an earlier write may have gone through without an
 *   answer (a timeout, a 5xx): nothing is sent again; check the platform, then delete the ledger entry
 *   (`message` names it) to let the next call write;
 * - `failed`: the platform refused the write (`message` says why); the next call tries again.
 */
export interface WriteBackResult {
  findingId: string;
  platform: string;
  outcome: "written" | "existing" | "removed" | "lapsed" | "refused" | "unsupported" | "pending" | "failed";
  ref?: ExceptionRef;
  message?: string;
}

/** One ledger entry: what cloudsteward wrote for one finding of one exception. */
export interface WriteBackEntry {
  state: "pending" | "written" | "removed" | "lapsed";
  exceptionId: string;
  findingId: string;
  platform: string;
  ref?: ExceptionRef;
  updatedAt: string;
}

/** The Store namespace of the write-back ledger (key: `<exception id>/<finding id>[/<comment digest>]`). */
export const exceptionWriteBackNamespace = "exception-write-backs";

/**
 * Writes an approved exception to the CNAPP of each of its findings, with the same expiry: a Wiz ignore
 * rule, a Prisma Cloud snooze, an Orca snooze, a Lacework policy or vulnerability exception
 * (`FindingSource.createException`), then comments the approval on the finding's record where the
 * platform has a comment API. Idempotent per exception and finding (the ledger's key is the exception
 * id): activating again sends nothing and reports `existing`. A source created without `allowWrite`
 * refuses before anything is sent (`refused`). Every outcome is audited.
 *
 * The platform write covers the findings the request named; a wider scope (`rule-on-account`, `tag`)
 * is enforced in cloudsteward's own triage by `applyExceptions`.
 * @throws ExceptionError naming `state` for an exception that is neither `approved` nor `active`, or
 * `startsAt` for one whose start is still ahead (a platform would suppress at once).
 * @example
 * const results = await activateException(record, { sources: [wiz({ allowWrite: true })], store, audit });
 * results.filter((result) => result.outcome === "failed"); // what to look at
 */
export async function activateException(
  record: ExceptionRecord,
  options: WriteBackOptions,
): Promise<WriteBackResult[]> {
  if (record.state !== "approved" && record.state !== "active") {
    throw new ExceptionError(
      `cannot write exception "${record.id}" to the platform: it is ${record.state}, not approved`,
      { field: "state" },
    );
  }
  if (Date.parse(record.startsAt) > now(options).getTime()) {
    throw new ExceptionError(
      `exception "${record.id}" starts at ${record.startsAt}; write it to the platform from then on`,
      { field: "startsAt" },
    );
  }
  const approvedBy = record.approvals.map((approval) => approval.principal).join(", ");
  const results: WriteBackResult[] = [];
  for (const findingId of record.findingIds) {
    const result = await writeOnce(record, findingId, `${record.id}/${findingId}`, options, async (source) =>
      source.createException?.(
        {
          findingId,
          reason: record.justification,
          expiresAt: record.expiresAt,
          requestedBy: record.requester,
          approvedBy,
          note: noteOf(record),
        },
        { signal: options.signal },
      ),
    );
    results.push(result);
    await audit(options, record, "create", result);
  }
  results.push(
    ...(await commentException(
      record,
      `cloudsteward: ${record.kind} ${record.id} approved by ${approvedBy} until ${record.expiresAt}. ${record.justification}`,
      options,
    )),
  );
  return results;
}

/**
 * Ends an exception on the platforms it was written to, once it is `revoked` or `expired`: each
 * written entry is withdrawn with `removeException` unless the platform ends it itself by then
 * (`ref.until` at or before the expiry: `lapsed`, nothing sent). A revocation is always withdrawn; a
 * Lacework policy exception, which keeps no expiry, is deleted at expiry; an Orca snooze, which runs in
 * whole days, is ended at the exact expiry. Then the end is commented where the platform allows. Every
 * outcome is audited; a failed withdrawal stays in the ledger so the next call tries again.
 * @throws ExceptionError (`field: "state"`) for an exception that has not ended.
 * @example
 * const revoked = await decideException(id, { decision: "revoke", principal: "bob" }, { store, policy });
 * await withdrawException(revoked, { sources, store, audit });
 */
export async function withdrawException(
  record: ExceptionRecord,
  options: WriteBackOptions,
): Promise<WriteBackResult[]> {
  if (record.state !== "revoked" && record.state !== "expired") {
    throw new ExceptionError(
      `cannot withdraw exception "${record.id}" from the platform: it is ${record.state}, not revoked or expired`,
      { field: "state" },
    );
  }
  const results: WriteBackResult[] = [];
  for (const findingId of record.findingIds) {
    const key = `${record.id}/${findingId}`;
    const entry = await options.store.get<WriteBackEntry>(exceptionWriteBackNamespace, key);
    if (entry?.state !== "written" || !entry.ref) continue;
    const ref = entry.ref;
    const base = { findingId, platform: entry.platform, ref };
    const lapses =
      record.state === "expired" &&
      ref.until !== undefined &&
      Date.parse(ref.until) <= Date.parse(record.expiresAt);
    let result: WriteBackResult;
    const source = sourceOf(options.sources, entry.platform);
    if (lapses) result = { ...base, outcome: "lapsed" };
    else if (!source?.removeException) {
      result = {
        ...base,
        outcome: "unsupported",
        message: `no ${entry.platform} source with removeException`,
      };
    } else {
      try {
        await source.removeException(ref, { signal: options.signal });
        result = { ...base, outcome: "removed" };
      } catch (error) {
        result = failure(base, error);
      }
    }
    if (result.outcome === "removed" || result.outcome === "lapsed") {
      await options.store.set(exceptionWriteBackNamespace, key, {
        ...entry,
        state: result.outcome,
        updatedAt: now(options).toISOString(),
      });
    }
    results.push(result);
    await audit(options, record, record.state === "revoked" ? "revoke" : "expire", result);
  }
  const end =
    record.state === "revoked"
      ? `revoked by ${record.endedBy ?? "unknown"}${record.comment ? `: ${record.comment}` : ""}`
      : `expired at ${record.expiresAt}; the finding counts again`;
  results.push(
    ...(await commentException(record, `cloudsteward: ${record.kind} ${record.id} ${end}.`, options)),
  );
  return results;
}

/**
 * Writes `text` (an AI suggestion, a memo, a human decision) as a comment or note on the platform record
 * of each of the exception's findings, where the platform has a comment API (Wiz issues, Orca alerts,
 * Lacework alerts; not Prisma Cloud): the platform's own audit trail then shows it. Secrets are redacted
 * by the adapter. The same text is written once per finding (ledger key: exception, finding and a digest
 * of the text). Every outcome is audited.
 * @example
 * await commentException(record, `AI suggestion: approve with conditions — ${memo.summary}`, { sources, store, audit });
 */
export async function commentException(
  record: ExceptionRecord,
  text: string,
  options: WriteBackOptions,
): Promise<WriteBackResult[]> {
  const results: WriteBackResult[] = [];
  const digest = stableHash(text);
  for (const findingId of record.findingIds) {
    const key = `${record.id}/${findingId}/${digest}`;
    const result = await writeOnce(
      record,
      findingId,
      key,
      options,
      async (source) => {
        if (!source.comment || source.capabilities.comment !== true) return undefined;
        await source.comment(findingId, text, { signal: options.signal });
        return { id: key };
      },
      // A record that takes no comments (a Wiz configuration finding, a Lacework vulnerability).
      (error) => isCloudstewardError(error, "CONFIGURATION"),
    );
    results.push(result);
    await audit(options, record, "comment", result);
  }
  return results;
}

/**
 * What was written to the platforms for an exception: the ledger entry of each of its findings that has
 * one (`pending`, `written`, `removed` or `lapsed`, with the platform's reference), comments left out.
 * @example
 * for (const entry of await exceptionWriteBacks(record, store)) console.log(entry.platform, entry.state, entry.ref?.until);
 */
export async function exceptionWriteBacks(record: ExceptionRecord, store: Store): Promise<WriteBackEntry[]> {
  const entries: WriteBackEntry[] = [];
  for (const findingId of record.findingIds) {
    const entry = await store.get<WriteBackEntry>(exceptionWriteBackNamespace, `${record.id}/${findingId}`);
    if (entry) entries.push(entry);
  }
  return entries;
}

// Internal helpers.

/**
 * Runs `write` for one finding at most once per ledger key: a fresh claim (`setIfAbsent`) writes; a
 * written entry reports `existing`; a pending one is left alone. A refusal or a definite failure
 * releases the claim, so a later call tries again; an ambiguous one keeps it `pending`.
 */
async function writeOnce(
  record: ExceptionRecord,
  findingId: string,
  key: string,
  options: WriteBackOptions,
  write: (source: FindingSource) => Promise<ExceptionRef | undefined>,
  unsupported?: (error: unknown) => boolean,
): Promise<WriteBackResult> {
  const platform = findingId.slice(0, Math.max(0, findingId.indexOf(":")));
  const base = { findingId, platform };
  const source = sourceOf(options.sources, platform);
  if (!source) return { ...base, outcome: "unsupported", message: `no source for platform "${platform}"` };
  const existing = await options.store.get<WriteBackEntry>(exceptionWriteBackNamespace, key);
  if (existing?.state === "pending") {
    return {
      ...base,
      outcome: "pending",
      message: `another write is in flight, or an earlier one may have gone through: check ${platform}, then delete the entry "${key}" of the Store namespace "${exceptionWriteBackNamespace}" to write again`,
    };
  }
  if (existing) return { ...base, outcome: "existing", ...(existing.ref && { ref: existing.ref }) };
  const claim: WriteBackEntry = {
    state: "pending",
    exceptionId: record.id,
    findingId,
    platform,
    updatedAt: now(options).toISOString(),
  };
  if (!(await options.store.setIfAbsent(exceptionWriteBackNamespace, key, claim))) {
    return writeOnce(record, findingId, key, options, write, unsupported);
  }
  let ref: ExceptionRef | undefined;
  try {
    ref = await write(source);
  } catch (error) {
    if (!isAmbiguous(error)) await options.store.delete(exceptionWriteBackNamespace, key);
    return failure(base, error, unsupported);
  }
  if (!ref) {
    await options.store.delete(exceptionWriteBackNamespace, key);
    return { ...base, outcome: "unsupported", message: `${platform} has no API for this write` };
  }
  await options.store.set(exceptionWriteBackNamespace, key, {
    ...claim,
    state: "written",
    ref,
    updatedAt: now(options).toISOString(),
  });
  return { ...base, outcome: "written", ref };
}

function failure(
  base: Omit<WriteBackResult, "outcome">,
  error: unknown,
  unsupported?: (error: unknown) => boolean,
): WriteBackResult {
  const message = error instanceof Error ? error.message : String(error);
  if (isCloudstewardError(error, "WRITE_DISABLED")) return { ...base, outcome: "refused", message };
  if (unsupported?.(error)) return { ...base, outcome: "unsupported", message };
  return { ...base, outcome: isAmbiguous(error) ? "pending" : "failed", message };
}

function sourceOf(sources: readonly FindingSource[], platform: string): FindingSource | undefined {
  return sources.find((source) => source.platform === platform);
}

function noteOf(record: ExceptionRecord): string {
  const controls = record.compensatingControls.map((control) => control.description).join("; ");
  return `cloudsteward ${record.kind} ${record.id}${controls ? `; compensating controls: ${controls}` : ""}`;
}

function now(options: WriteBackOptions): Date {
  return (options.now ?? (() => new Date()))();
}

async function audit(
  options: WriteBackOptions,
  record: ExceptionRecord,
  step: "create" | "revoke" | "expire" | "comment",
  result: WriteBackResult,
): Promise<void> {
  await options.audit?.append({
    type: "exception-write-back",
    at: now(options).toISOString(),
    actor: options.actor ?? "cloudsteward/exceptions",
    ...(record.caseId === undefined ? {} : { caseId: record.caseId }),
    findingIds: [result.findingId],
    data: {
      exceptionId: record.id,
      step,
      platform: result.platform,
      outcome: result.outcome,
      ...(result.ref && { ref: result.ref.id }),
      ...(result.message && { message: result.message }),
    },
  });
}
