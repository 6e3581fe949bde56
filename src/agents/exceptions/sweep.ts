import type { Store } from "../../core/store.js";
import { definePolicy } from "../policy/define.js";
import {
  auditOf,
  type ExceptionOptions,
  type ExceptionRecord,
  exceptionNamespace,
  exceptionPolicyOf,
  listExceptions,
} from "./exceptions.js";

/** What the sweep tells owners and approvers: a reminder before the expiry, or the expiry itself. */
export interface ExceptionNotice {
  type: "reminder" | "expired";
  exception: ExceptionRecord;
  /** For a reminder: the `reminderDays` threshold it is for. */
  daysLeft?: number;
  /** The sweep's time (ISO-8601). */
  at: string;
}

/** Options of {@link sweepExceptions}. */
export interface SweepExceptionsOptions extends ExceptionOptions {
  /**
   * Delivers a notice (a chat message, a comment that reopens the ticket). Called once per notice;
   * when it throws, the notice is retried by the next sweep.
   */
  onNotice?: (notice: ExceptionNotice) => Promise<void>;
  /** How long a worker's claim on a notice holds before another worker may take it over. @default 900_000 (15 min) */
  claimTtlMs?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Exceptions whose start came: `approved` → `active`. */
  activated: string[];
  /** Reminders delivered: exception id and threshold. */
  reminded: { id: string; daysLeft: number }[];
  /** Exceptions that reached their expiry: notice delivered, then `active` → `expired`. */
  expired: string[];
  /** Requests never decided before their requested end: `requested` → `expired`, with an audit record. */
  lapsed: string[];
  /** Notices whose delivery failed; the next sweep tries them again. */
  failed: { id: string; type: ExceptionNotice["type"]; error: unknown }[];
}

/** The Store namespace of the notice ledger: `<id>:reminder:<days>` and `<id>:expired`. */
export const exceptionNoticeNamespace = "exception-notices";

const dayMs = 86_400_000;

/**
 * Run it on a schedule (daily or more often), from one worker or several. For each exception that is
 * `approved` or `active`, against the clock you pass: activates it at its start; reminds once per
 * `reminderDays` threshold (only the nearest one due, so a late sweep sends one reminder, not a
 * burst); and at its expiry delivers an `expired` notice (the findings resurface: `applyExceptions`
 * stops matching at `expiresAt` on its own) and an audit record, then marks it `expired`. Each notice
 * is claimed in the Store (`setIfAbsent`) before it is delivered and marked done after, so two workers
 * never both send it and a failed delivery is retried; a worker that dies mid-delivery leaves a claim
 * another takes over after `claimTtlMs`, which may repeat that one notice (at least once on a crash,
 * exactly once otherwise). An exception is marked `expired` only after its notice is done. A request
 * still undecided at its requested end is marked `expired` too (audit step `lapsed-undecided`, no notice).
 * @example
 * const result = await sweepExceptions({ store, policy, audit, onNotice: async (notice) => slack.post(…) });
 */
export async function sweepExceptions(options: SweepExceptionsOptions): Promise<SweepResult> {
  const policy = definePolicy(options.policy);
  const reminderDays = [...exceptionPolicyOf(policy).reminderDays].sort((a, b) => a - b);
  const now = (options.now ?? (() => new Date()))();
  const time = now.getTime();
  const result: SweepResult = { activated: [], reminded: [], expired: [], lapsed: [], failed: [] };
  for await (const record of listExceptions(options, ["requested", "approved", "active"])) {
    const expiresAt = Date.parse(record.expiresAt);
    if (record.state === "requested") {
      if (time < expiresAt) continue;
      const next: ExceptionRecord = { ...record, state: "expired" };
      if (await move(options.store, record, next)) {
        await options.audit?.append(auditOf(next, "cloudsteward/exceptions", now, "lapsed-undecided"));
        result.lapsed.push(record.id);
      }
      continue;
    }
    if (time >= expiresAt) {
      const delivered = await notify(
        options,
        record,
        { type: "expired", exception: record, at: now.toISOString() },
        result,
      );
      if (delivered && (await move(options.store, record, { state: "expired" }))) {
        result.expired.push(record.id);
      }
      continue;
    }
    let current = record;
    if (record.state === "approved" && Date.parse(record.startsAt) <= time) {
      const next: ExceptionRecord = { ...record, state: "active" };
      if (!(await move(options.store, record, next))) continue;
      await options.audit?.append(auditOf(next, "cloudsteward/exceptions", now, "activated"));
      result.activated.push(record.id);
      current = next;
    }
    const daysLeft = reminderDays.find((days) => time >= expiresAt - days * dayMs);
    if (daysLeft === undefined || (current.remindedDays !== undefined && current.remindedDays <= daysLeft))
      continue;
    const notice: ExceptionNotice = { type: "reminder", exception: current, daysLeft, at: now.toISOString() };
    if (await notify(options, current, notice, result)) {
      result.reminded.push({ id: current.id, daysLeft });
      await move(options.store, current, { remindedDays: daysLeft });
    }
  }
  return result;
}

// Internal helpers.

interface NoticeClaim {
  state: "claimed" | "done";
  claimId: string;
  leaseUntil: string;
}

/**
 * Claims, delivers and completes one notice. True when the notice is done (now or by an earlier
 * sweep), false when another worker holds it or the delivery failed.
 */
async function notify(
  options: SweepExceptionsOptions,
  record: ExceptionRecord,
  notice: ExceptionNotice,
  result: SweepResult,
): Promise<boolean> {
  const { store } = options;
  const key =
    notice.type === "reminder" ? `${record.id}:reminder:${notice.daysLeft}` : `${record.id}:expired`;
  const now = Date.parse(notice.at);
  const claim: NoticeClaim = {
    state: "claimed",
    claimId: crypto.randomUUID(),
    leaseUntil: new Date(now + (options.claimTtlMs ?? 900_000)).toISOString(),
  };
  if (!(await store.setIfAbsent(exceptionNoticeNamespace, key, claim))) {
    const held = await store.get<NoticeClaim>(exceptionNoticeNamespace, key);
    if (held?.state === "done") return true;
    if (held && Date.parse(held.leaseUntil) > now) return false;
    if (!(await store.compareAndSet(exceptionNoticeNamespace, key, held, claim))) return false;
  }
  try {
    await options.onNotice?.(notice);
    const step = notice.type === "reminder" ? `reminder-${notice.daysLeft}` : "expired";
    await options.audit?.append(
      auditOf(
        { ...record, state: notice.type === "expired" ? "expired" : record.state },
        "cloudsteward/exceptions",
        new Date(now),
        step,
      ),
    );
  } catch (error) {
    await store.compareAndSet(exceptionNoticeNamespace, key, claim, { ...claim, leaseUntil: notice.at });
    result.failed.push({ id: record.id, type: notice.type, error });
    return false;
  }
  return store.compareAndSet(exceptionNoticeNamespace, key, claim, { ...claim, state: "done" });
}

/** Applies `change` to the record if nobody changed it since it was read. */
function move(store: Store, record: ExceptionRecord, change: Partial<ExceptionRecord>): Promise<boolean> {
  return store.compareAndSet(exceptionNamespace, record.id, record, { ...record, ...change });
}
