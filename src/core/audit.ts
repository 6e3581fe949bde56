/** What an audit log records, as every stage and the pipeline hand it over (the log itself is `cloudsteward/audit`). */

/** The kinds of step the audit log records; other names are allowed for side workflows. */
export type AuditEventType =
  | "ingestion"
  | "ai-output"
  | "decision"
  | "approval"
  | "delivery"
  | "exception"
  | "suppression"
  | "gate"
  | (string & {});

/**
 * One step to record: who did what, for which case and findings. For `ai-output`, `data` holds the
 * model, prompt version, input and output digests and token usage.
 */
export interface AuditEvent {
  type: AuditEventType;
  /** When it happened (ISO-8601); the time of recording is kept in the record either way. */
  at?: string;
  /** Who acted: a user, a service principal, or `cloudsteward/<stage>`. */
  actor: string;
  caseId?: string;
  findingIds?: string[];
  /** Details of the step; secrets are masked with `redact` before anything is stored. */
  data: Record<string, unknown>;
}

/** The key of {@link AuditAppender}'s `appendMany` that returns no records; shared by copies of the package. */
export const appendDiscarding: unique symbol = Symbol.for("cloudsteward.audit.appendDiscarding");

/**
 * Where steps are recorded: an `auditLog(store)` from `cloudsteward/audit`, or anything with the
 * same `append` (and, to write several records in one transaction, `appendMany`).
 */
export interface AuditAppender {
  append(event: AuditEvent): Promise<unknown>;
  appendMany?(events: AuditEvent[]): Promise<unknown>;
  /**
   * `appendMany` without building the records it returns (`auditLog` has it): {@link appendAll}, which
   * discards them, prefers it.
   * @internal
   */
  [appendDiscarding]?(events: AuditEvent[]): Promise<void>;
}

/**
 * Writes `events` to `log` in order: in one call that returns no records when it has one, else in one
 * `appendMany` when it has one, else one `append` at a time.
 */
export async function appendAll(log: AuditAppender, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (log[appendDiscarding]) await log[appendDiscarding]([...events]);
  else if (log.appendMany && events.length > 1) await log.appendMany([...events]);
  else for (const event of events) await log.append(event);
}
