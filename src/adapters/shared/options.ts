import type { EventEmitter } from "eventemitter3";
import type { PipelineEvents } from "../../core/events.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import type { Warning } from "../../core/report.js";
import type { SourceCapabilities } from "../../core/source.js";

/**
 * The options every HTTP adapter (`wiz`, `prisma`, `orca`, `lacework`) shares. Each adapter adds its own
 * credentials and paging, and restates `allowWrite` and `rateLimit` with what they allow and its own default.
 */
export interface HttpSourceOptions {
  /** Allow `setStatus`, `createException` and writes through `query`. @default false */
  allowWrite?: boolean;
  /** Custom fetch, for proxies and tests. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Client-side pacing; `false` turns it off. */
  rateLimit?: RateLimit | false;
  /** Where `request-retried`, `warning-raised` and `item-failed` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** Keep each native record in `finding.raw`. @default false */
  keepRaw?: boolean;
  /** Timeout of one HTTP attempt, in milliseconds. @default 30_000 */
  timeoutMs?: number;
  /**
   * `findings()` requests the next page as soon as a page arrives, while your code works through
   * it, so work per page does not add to the paging time at a rate limit (at most one page more than
   * you read is requested; see `paginate`'s `readAhead`). `false`: one page at a time. @default true
   */
  readAhead?: boolean;
}

/** What every adapter's HTTP client takes from its factory's options. */
export type HttpClientOptions = Pick<HttpSourceOptions, "fetch" | "rateLimit" | "events" | "timeoutMs">;

/** The options every adapter's `normalize` shares; each adds the console URL its links point at. */
export interface SourceNormalizeOptions {
  /** When the record was fetched (ISO-8601). @default the current time */
  fetchedAt?: string;
  /** Keep the native record in `raw`. @default false */
  keepRaw?: boolean;
  /**
   * Receives a `fallback` warning when a field the Finding needs (e.g. the account id) is missing and a
   * fallback is used; `findings()` sends these to the call's report, once per field.
   */
  onWarning?: (warning: Warning) => void;
}

/** A page size from the user's option: a whole number from 1 to the platform's `max`, 500 when unset. */
export function pageSizeOf(requested: number | undefined, max: number): number {
  return Math.min(max, Math.max(1, Math.floor(requested ?? 500)));
}

/** What every CNAPP adapter can do besides `findings()`: look up, pass queries through, write back, resume (an adapter that reads compliance posture says so). */
export const cnappCapabilities: Readonly<Required<SourceCapabilities>> = {
  getFinding: true,
  nativeQuery: true,
  setStatus: true,
  createException: true,
  removeException: true,
  comment: true,
  resume: true,
  compliancePosture: false,
};
