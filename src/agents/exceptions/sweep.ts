import type { Store } from "../../core/store.js";
import { definePolicy } from "../policy/define.js";
import type { ExceptionPolicy } from "../policy/schema.js";
import { type WriteBackOptions, withdrawException } from "./activate.js";
import { dueBucket, dueKey, exceptionDueDaysNamespace, reviewDueAt, scheduleException } from "./due.js";
import {
  auditOf,
  type ExceptionOptions,
  type ExceptionRecord,
  exceptionNamespace,
  exceptionPolicyOf,
} from "./exceptions.js";
import { exceptionRoutes } from "./routing.js";

/**
 * What the sweep tells owners and approvers (the event of each step): a reminder before the expiry,
 * the expiry itself, or that a risk acceptance is due for its periodic re-review.
 */
export interface ExceptionNotice {
  type: "reminder" | "expired" | "re-review";
  exception: ExceptionRecord;
  /** Who to tell: the requester and every approver, without repeats. */
  recipients: string[];
  /** For a reminder: the `reminderDays` threshold it is for. */
  daysLeft?: number;
  /** For a re-review: the period (1 for the first `reReviewDays` after the start, then 2, …). */
  period?: number;
  /** The sweep's time (ISO-8601). */
  at: string;
}

/**
 * Reopens the ticket an exception's request went to (its ITSM record) with a comment: at the expiry, and
 * when a risk acceptance is due for re-review. ITSM routing supplies one for the sink that holds the
 * ticket; the sweep calls it once per step (claimed like a notice, retried by the next sweep when it throws).
 */
export type ReopenExceptionTicket = (exception: ExceptionRecord, comment: string) => Promise<void>;

/** A sink that can reopen a ticket with a comment: the `jira()` and `servicenow()` sinks. */
export interface ReopenableSink {
  /** The sink's name, as in {@link ExceptionRoute}`.sink`. */
  readonly name: string;
  /** Comments on the ticket (Jira issue key, ServiceNow sys_id) and moves it back to an open state. */
  reopen(id: string, comment: string[], options?: { signal?: AbortSignal }): Promise<void>;
}

/** Options of {@link reopenRoutedTicket}. */
export interface ReopenRoutedTicketOptions {
  /** The sinks the exceptions were routed to (`jira()`, `servicenow()`), matched to routes by name. */
  sinks: readonly ReopenableSink[];
  /** The exceptions' store, which holds their routes. */
  store: Store;
  signal?: AbortSignal;
}

/**
 * The sweep's `reopenTicket` for exceptions routed with {@link routeException}: every ticket the
 * exception's request became in one of `sinks` (its {@link exceptionRoutes}) gets the sweep's comment,
 * naming the exception, why (expired, or due for re-review) and its justification, and is moved back to
 * an open status (Jira: the workflow's transition to a to-do or in-progress status; ServiceNow: the
 * table's reopened state) when it was closed. Routes to other sinks (a Slack message) are left alone.
 * @example
 * const sinks = [jira({ projectKey: "SEC", issueType: "Exception", store })];
 * await sweepExceptions({ store, policy, reopenTicket: reopenRoutedTicket({ sinks, store }), withdraw: { sources } });
 */
export function reopenRoutedTicket(options: ReopenRoutedTicketOptions): ReopenExceptionTicket {
  return async (exception, comment) => {
    for (const route of await exceptionRoutes(exception.id, options.store)) {
      const sink = options.sinks.find((candidate) => candidate.name === route.sink);
      if (!sink || !route.ref) continue;
      await sink.reopen(route.ref.id, [comment, `Justification: ${exception.justification}`], {
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
  };
}

/** Options of {@link sweepExceptions}. */
export interface SweepExceptionsOptions extends ExceptionOptions {
  /**
   * Delivers a notice (a chat message, an email). Called once per notice; when it throws, the notice
   * is retried by the next sweep.
   */
  onNotice?: (notice: ExceptionNotice) => Promise<void>;
  /**
   * Reopens the exception's ticket at its expiry and at each re-review: {@link reopenRoutedTicket} for
   * the Jira and ServiceNow sinks it was routed to, or your own. @default no ticket
   */
  reopenTicket?: ReopenExceptionTicket;
  /**
   * At the expiry, withdraws what was written to the CNAPP ({@link withdrawException} with these
   * sources; a platform that ends it itself at the expiry is left alone, and the end is commented where
   * the platform allows). Claimed like a notice; a withdrawal that failed is retried by the next sweep,
   * and the exception stays `active` until it is done. @default nothing is withdrawn
   */
  withdraw?: Pick<WriteBackOptions, "sources" | "actor" | "signal">;
  /** How long a worker's claim on a notice holds before another worker may take it over. @default 900_000 (15 min) */
  claimTtlMs?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Exceptions whose start came: `approved` → `active`. */
  activated: string[];
  /** Reminders delivered: exception id and threshold. */
  reminded: { id: string; daysLeft: number }[];
  /** Re-review notices delivered: exception id and period. */
  reviewed: { id: string; period: number }[];
  /** Exceptions that reached their expiry: notice delivered, ticket reopened, then `active` → `expired`. */
  expired: string[];
  /** Requests never decided before their requested end: `requested` → `expired`, with an audit record. */
  lapsed: string[];
  /** Notices (and ticket reopenings) whose delivery failed; the next sweep tries them again. */
  failed: { id: string; type: ExceptionNotice["type"] | "reopen" | "withdraw"; error: unknown }[];
}

/** The Store namespace of the notice ledger: `<id>:reminder:<days>`, `<id>:re-review:<period>`, `<id>:expired`, `<id>:reopen:<step>`, `<id>:withdraw`. */
export const exceptionNoticeNamespace = "exception-notices";

const dayMs = 86_400_000;

/**
 * Run it on a schedule (daily or more often), from one worker or several. It reads only the
 * exceptions that are due (the due index, `exception-due:<day>`, which every request, decision and
 * sweep keeps), and for each, against the clock you pass: activates it at its start; reminds once per
 * `reminderDays` threshold (only the nearest one due, so a late sweep sends one reminder, not a
 * burst); sends a risk acceptance a `re-review` notice once per `reReviewDays` period and reopens its
 * ticket; and at its expiry delivers an `expired` notice (the findings resurface: `applyExceptions`
 * stops matching at `expiresAt` on its own), reopens the ticket with a comment, writes an audit record,
 * then marks it `expired`. Each notice and reopening is claimed in the Store (`setIfAbsent`) before it
 * is delivered and marked done after, so two workers never both send it and a failed delivery is
 * retried; a worker that dies mid-delivery leaves a claim another takes over after `claimTtlMs`, which
 * may repeat that one delivery (at least once on a crash, exactly once otherwise). An exception is
 * marked `expired` only after its notice and reopening are done. A request still undecided at its
 * requested end is marked `expired` too (audit step `lapsed-undecided`, no notice).
 * @example
 * const result = await sweepExceptions({ store, policy, audit, onNotice: async (notice) => slack.post(…) });
 */
export async function sweepExceptions(options: SweepExceptionsOptions): Promise<SweepResult> {
  const rules = exceptionPolicyOf(definePolicy(options.policy));
  const reminderDays = [...rules.reminderDays].sort((a, b) => a - b);
  const now = (options.now ?? (() => new Date()))();
  const at = now.toISOString();
  const today = at.slice(0, 10);
  const { store } = options;
  const result: SweepResult = {
    activated: [],
    reminded: [],
    reviewed: [],
    expired: [],
    lapsed: [],
    failed: [],
  };
  const days: string[] = [];
  const swept = new Set<string>();
  for await (const { key } of store.list(exceptionDueDaysNamespace)) {
    if (key > today) break;
    days.push(key);
  }
  for (const day of days) {
    const bucket = dueBucket(day);
    const due: { key: string; id: string }[] = [];
    for await (const { key, value } of store.list<string>(bucket)) {
      // Keys are `<due time ISO>|<id>` and sort by time: the first one past the clock ends the day.
      if (key.slice(0, key.indexOf("|")) > at) break;
      due.push({ key, id: value });
    }
    for (const entry of due) {
      // An exception filed under two keys (a stale entry) is swept once per sweep.
      const record = swept.has(entry.id)
        ? undefined
        : await store.get<ExceptionRecord>(exceptionNamespace, entry.id);
      swept.add(entry.id);
      const known = record && (await sweepOne(record, { options, rules, reminderDays, now, result }));
      await reschedule(store, rules, bucket, entry, known);
    }
    if (day < today) await forgetDayIfEmpty(store, day);
  }
  return result;
}

// Internal helpers.

interface SweepContext {
  options: SweepExceptionsOptions;
  rules: ExceptionPolicy;
  reminderDays: number[];
  now: Date;
  result: SweepResult;
}

/**
 * Does whatever is due for one exception. Returns the record as this sweep last read or wrote it, or
 * `undefined` when another worker changed it first (a write lost its compare-and-set).
 */
async function sweepOne(
  record: ExceptionRecord,
  context: SweepContext,
): Promise<ExceptionRecord | undefined> {
  const { options, rules, reminderDays, now, result } = context;
  const { store } = options;
  const time = now.getTime();
  const at = now.toISOString();
  const expiresAt = Date.parse(record.expiresAt);
  if (record.state === "requested") {
    if (time < expiresAt) return record;
    const next = await move(store, record, { state: "expired" });
    if (next) {
      await options.audit?.append(auditOf(next, "cloudsteward/exceptions", now, "lapsed-undecided"));
      result.lapsed.push(record.id);
    }
    return next;
  }
  if (record.state !== "approved" && record.state !== "active") return record;
  if (time >= expiresAt) {
    const notice = noticeOf(record, "expired", at);
    const comment = `Exception ${record.id} expired at ${record.expiresAt}: its findings count again. Renew it with a new request if the need remains.`;
    if (
      !(await notify(context, record, `${record.id}:expired`, notice)) ||
      !(await reopen(context, record, "expired", comment)) ||
      !(await withdraw(context, record))
    ) {
      return record;
    }
    const next = await move(store, record, { state: "expired" });
    if (next) result.expired.push(record.id);
    return next;
  }
  let current = record;
  if (record.state === "approved" && Date.parse(record.startsAt) <= time) {
    const next = await move(store, record, { state: "active" });
    if (!next) return undefined;
    await options.audit?.append(auditOf(next, "cloudsteward/exceptions", now, "activated"));
    result.activated.push(record.id);
    current = next;
  }
  const daysLeft = reminderDays.find((days) => time >= expiresAt - days * dayMs);
  if (daysLeft !== undefined && (current.remindedDays === undefined || current.remindedDays > daysLeft)) {
    const notice = { ...noticeOf(current, "reminder", at), daysLeft };
    if (!(await notify(context, current, `${current.id}:reminder:${daysLeft}`, notice))) return current;
    result.reminded.push({ id: current.id, daysLeft });
    const next = await move(store, current, { remindedDays: daysLeft });
    if (!next) return undefined;
    current = next;
  }
  const period = (current.reviewedPeriods ?? 0) + 1;
  const review = reviewDueAt(current, rules, period);
  if (current.state === "active" && review !== undefined && review <= time) {
    const notice = { ...noticeOf(current, "re-review", at), period };
    const comment = `Risk acceptance ${current.id} is due for its periodic re-review (period ${period}, every ${rules.reReviewDays} days); it expires ${current.expiresAt}.`;
    if (
      (await notify(context, current, `${current.id}:re-review:${period}`, notice)) &&
      (await reopen(context, current, `re-review:${period}`, comment))
    ) {
      result.reviewed.push({ id: current.id, period });
      return move(store, current, { reviewedPeriods: period });
    }
  }
  return current;
}

function noticeOf(record: ExceptionRecord, type: ExceptionNotice["type"], at: string): ExceptionNotice {
  const recipients = [...new Set([record.requester, ...record.approvals.map(({ principal }) => principal)])];
  return { type, exception: record, recipients, at };
}

interface NoticeClaim {
  state: "claimed" | "done";
  claimId: string;
  leaseUntil: string;
}

/** Delivers a notice and its audit record under a claim. */
function notify(
  context: SweepContext,
  record: ExceptionRecord,
  key: string,
  notice: ExceptionNotice,
): Promise<boolean> {
  const { options, now } = context;
  const step =
    notice.type === "reminder"
      ? `reminder-${notice.daysLeft}`
      : notice.type === "re-review"
        ? `re-review-${notice.period}`
        : "expired";
  return claimed(context, key, notice.type, record.id, async () => {
    await options.onNotice?.(notice);
    await options.audit?.append(
      auditOf(
        { ...record, state: notice.type === "expired" ? "expired" : record.state },
        "cloudsteward/exceptions",
        now,
        step,
      ),
    );
  });
}

/** Reopens the exception's ticket under a claim; true at once without a `reopenTicket`. */
async function reopen(
  context: SweepContext,
  record: ExceptionRecord,
  step: string,
  comment: string,
): Promise<boolean> {
  const { reopenTicket, audit } = context.options;
  if (!reopenTicket) return true;
  return claimed(context, `${record.id}:reopen:${step}`, "reopen", record.id, async () => {
    await reopenTicket(record, comment);
    await audit?.append(auditOf(record, "cloudsteward/exceptions", context.now, `ticket-reopened-${step}`));
  });
}

/** Withdraws the write-back under a claim at the expiry; true at once without `withdraw`. */
async function withdraw(context: SweepContext, record: ExceptionRecord): Promise<boolean> {
  const { withdraw, store, audit, now } = context.options;
  if (!withdraw) return true;
  return claimed(context, `${record.id}:withdraw`, "withdraw", record.id, async () => {
    const results = await withdrawException(
      { ...record, state: "expired" },
      { ...withdraw, store, ...(audit ? { audit } : {}), ...(now ? { now } : {}) },
    );
    const failed = results.filter((result) => result.outcome === "failed");
    if (failed.length > 0) {
      throw new Error(
        `withdrawing ${record.id} failed on ${failed.map((result) => `${result.platform} (${result.findingId})`).join(", ")}`,
      );
    }
  });
}

/**
 * Claims `key` in the notice ledger, runs `deliver`, and marks it done. True when it is done (now or by
 * an earlier sweep), false when another worker holds it or the delivery failed (then released for retry).
 */
async function claimed(
  context: SweepContext,
  key: string,
  type: SweepResult["failed"][number]["type"],
  id: string,
  deliver: () => Promise<void>,
): Promise<boolean> {
  const { options, now, result } = context;
  const { store } = options;
  const time = now.getTime();
  const claim: NoticeClaim = {
    state: "claimed",
    claimId: crypto.randomUUID(),
    leaseUntil: new Date(time + (options.claimTtlMs ?? 900_000)).toISOString(),
  };
  if (!(await store.setIfAbsent(exceptionNoticeNamespace, key, claim))) {
    const held = await store.get<NoticeClaim>(exceptionNoticeNamespace, key);
    if (held?.state === "done") return true;
    if (held && Date.parse(held.leaseUntil) > time) return false;
    if (!(await store.compareAndSet(exceptionNoticeNamespace, key, held, claim))) return false;
  }
  try {
    await deliver();
  } catch (error) {
    await store.compareAndSet(exceptionNoticeNamespace, key, claim, {
      ...claim,
      leaseUntil: now.toISOString(),
    });
    result.failed.push({ id, type, error });
    return false;
  }
  return store.compareAndSet(exceptionNoticeNamespace, key, claim, { ...claim, state: "done" });
}

/** Applies `change` to the record if nobody changed it since it was read: the record written, or `undefined`. */
async function move(
  store: Store,
  record: ExceptionRecord,
  change: Partial<ExceptionRecord>,
): Promise<ExceptionRecord | undefined> {
  const next = { ...record, ...change };
  return (await store.compareAndSet(exceptionNamespace, record.id, record, next)) ? next : undefined;
}

/**
 * Files the exception again from what it is now (a step not done stays due) and drops the entry that
 * woke the sweep. `known` is the record as the sweep last read or wrote it (read from the Store when
 * `undefined`). The new entry is written first, so a crash never leaves an open exception unfiled. An
 * ended exception never changes again; for an open one, reading the record once more after the delete
 * files it again if another worker changed it and filed it under the very key just deleted.
 */
async function reschedule(
  store: Store,
  rules: ExceptionPolicy,
  bucket: string,
  entry: { key: string; id: string },
  known: ExceptionRecord | undefined,
): Promise<void> {
  const current = known ?? (await store.get<ExceptionRecord>(exceptionNamespace, entry.id));
  const filed = current && (await scheduleException(store, current, rules));
  if (filed === entry.key) return;
  await store.delete(bucket, entry.key);
  if (current && filed === undefined) return;
  const latest = await store.get<ExceptionRecord>(exceptionNamespace, entry.id);
  if (latest && dueKey(latest, rules) !== filed) await scheduleException(store, latest, rules);
}

/**
 * Drops a past day from the list of days once its entries are all gone. A writer files an entry before
 * listing its day, so checking again after the delete and listing the day back if an entry arrived
 * meanwhile means no entry is ever left on an unlisted day.
 */
async function forgetDayIfEmpty(store: Store, day: string): Promise<void> {
  const isEmpty = async () => {
    for await (const _ of store.list(dueBucket(day))) return false;
    return true;
  };
  if (!(await isEmpty())) return;
  await store.delete(exceptionDueDaysNamespace, day);
  if (!(await isEmpty())) await store.set(exceptionDueDaysNamespace, day, true);
}
