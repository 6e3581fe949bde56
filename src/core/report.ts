import type { CloudstewardError } from "./errors.js";

/** Something worth knowing that did not stop the run, e.g. a filter applied client-side. */
export interface Warning {
  type: "unsupported" | "suppression-expired" | "fallback" | "budget-exhausted" | "other";
  /** The integration or stage that raised it. */
  source: string;
  message: string;
  /** e.g. `filter.category` for `unsupported`. */
  feature?: string;
  /**
   * `info`: a status line worth keeping (a stage's counts, what read-only mode held back), not a
   * problem; CLIs and the report show it apart from warnings. @default "warning"
   */
  level?: "info" | "warning";
  details?: Record<string, unknown>;
}

/** One item that could not be processed, with its typed error. It never ends the run. */
export interface DeadLetter {
  stage: string;
  /** A finding id, case id or action key, when known. */
  itemId?: string;
  error: CloudstewardError;
  /** The item itself, when it is safe and small enough to keep. */
  item?: unknown;
}

/** Token usage and cost of the model calls in a run. */
export interface Usage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Money spent, in the price table's currency (USD by default). */
  cost: number;
}

/** Counts per stage: items in, items out. */
export interface StageStats {
  in: number;
  out: number;
  /** Wall-clock milliseconds from the stage's first input to its last output. */
  durationMs: number;
  /**
   * Milliseconds after the run's start when the stage took its first input. Stages stream and
   * overlap, so `startMs` and `durationMs` place each one on the run's timeline.
   */
  startMs?: number;
}

/** What a run did: counts per stage, warnings, dead letters, timings and token usage. */
export interface RunReport {
  runId: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  stages: Record<string, StageStats>;
  warnings: Warning[];
  deadLetters: DeadLetter[];
  usage: Usage;
}

/** A fresh, empty report. */
export function createRunReport(runId: string, now: Date = new Date()): RunReport {
  return {
    runId,
    startedAt: now.toISOString(),
    stages: {},
    warnings: [],
    deadLetters: [],
    usage: { calls: 0, inputTokens: 0, outputTokens: 0, cost: 0 },
  };
}
