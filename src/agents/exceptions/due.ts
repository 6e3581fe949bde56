import type { Store } from "../../core/store.js";
import type { ExceptionPolicy } from "../policy/schema.js";

/** What the due index reads of an exception record (`ExceptionRecord`). */
interface DueFacts {
  id: string;
  kind: string;
  state: string;
  startsAt: string;
  expiresAt: string;
  remindedDays?: number;
  reviewedPeriods?: number;
}

/**
 * The due index: when each open exception next needs the expiry sweep (its start, a reminder, a
 * re-review, its expiry, or the end of an undecided request). One Store namespace per UTC day,
 * `exception-due:<YYYY-MM-DD>`, keyed `<due time ISO>|<exception id>` so keys sort by time, plus
 * `exception-due-days` listing the days that hold entries. A sweep lists only the days up to today and
 * stops at the first key past its clock, so it touches the exceptions that are due and no others.
 */
export const exceptionDueNamespace = "exception-due";

/** The Store namespace listing the days of the due index that may hold entries (key `YYYY-MM-DD`). */
export const exceptionDueDaysNamespace = "exception-due-days";

const dayMs = 86_400_000;

/** The namespace of one day of the due index. */
export function dueBucket(day: string): string {
  return `${exceptionDueNamespace}:${day}`;
}

/**
 * When `record` next needs the sweep, from its state and bookkeeping alone (the same answer on every
 * worker): an undecided request at its requested end; an approved or active one at the earliest of its
 * start (while `approved`), its next reminder not yet sent, its next re-review (a risk acceptance with
 * `reReviewDays`) and its expiry; an ended one never. A step that is due but not done yet (a failed
 * delivery) stays due, so it is tried again.
 */
export function nextDueAt(record: DueFacts, rules: ExceptionPolicy): number | undefined {
  const expiresAt = Date.parse(record.expiresAt);
  if (record.state === "requested") return expiresAt;
  if (record.state !== "approved" && record.state !== "active") return undefined;
  let next = expiresAt;
  if (record.state === "approved") next = Math.min(next, Date.parse(record.startsAt));
  const pending = rules.reminderDays.filter(
    (days) => record.remindedDays === undefined || days < record.remindedDays,
  );
  if (pending.length > 0) next = Math.min(next, expiresAt - Math.max(...pending) * dayMs);
  const review = reviewDueAt(record, rules, (record.reviewedPeriods ?? 0) + 1);
  if (review !== undefined) next = Math.min(next, review);
  return next;
}

/**
 * When re-review period `period` (1, 2, …) of a risk acceptance starts: `period × reReviewDays` after
 * its start, if that is before its expiry; `undefined` for an exception or without `reReviewDays`.
 */
export function reviewDueAt(record: DueFacts, rules: ExceptionPolicy, period: number): number | undefined {
  if (record.kind !== "risk-acceptance" || rules.reReviewDays === undefined) return undefined;
  const at = Date.parse(record.startsAt) + period * rules.reReviewDays * dayMs;
  return at < Date.parse(record.expiresAt) ? at : undefined;
}

/**
 * Files `record` in the due index at {@link nextDueAt} (nothing for an ended one) and returns the
 * entry's key. Call it after every write of an exception record; a duplicate or stale entry only wakes
 * the sweep once more, to no effect. The entry is written before its day is listed, so a sweep that
 * empties a day cannot hide it.
 */
export async function scheduleException(
  store: Store,
  record: DueFacts,
  rules: ExceptionPolicy,
): Promise<string | undefined> {
  const key = dueKey(record, rules);
  if (key === undefined) return undefined;
  const day = key.slice(0, 10);
  await store.set(dueBucket(day), key, record.id);
  await store.set(exceptionDueDaysNamespace, day, true);
  return key;
}

/** The key `record` is filed under in the due index (`<due time ISO>|<id>`); `undefined` for an ended one. */
export function dueKey(record: DueFacts, rules: ExceptionPolicy): string | undefined {
  const due = nextDueAt(record, rules);
  return due === undefined ? undefined : `${new Date(due).toISOString()}|${record.id}`;
}
