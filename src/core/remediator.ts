import type { Action } from "./action.js";

/** Per-call options of a {@link Remediator}. */
export interface RemediationCallOptions {
  signal?: AbortSignal;
}

/** What a remediation did, and how to undo it. */
export interface RemediationResult {
  /** `applied`: the change was made; `triggered`: a pipeline or receiver was asked to make it. */
  status: "applied" | "triggered";
  /** What was done: run ids, API responses, resources changed. */
  details: Record<string, unknown>;
  /** How to undo it, in words a person on call can follow. */
  rollback: string;
}

/**
 * Something that fixes a case: a CNAPP's native remediation, a CI/CD pipeline, a signed webhook or
 * your own function. Remediators never decide on their own: wrap one in `remediationSink`, which
 * runs it only for an approved `remediate` action, once per idempotency key.
 */
export interface Remediator {
  readonly name: string;
  remediate(action: Action, options?: RemediationCallOptions): Promise<RemediationResult>;
}

/** A static rollback note, or one built from the action. */
export type RollbackNote = string | ((action: Action) => string);

/** The rollback note for `action`. */
export function rollbackNote(note: RollbackNote, action: Action): string {
  return typeof note === "function" ? note(action) : note;
}
