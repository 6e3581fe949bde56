import type { Action } from "../core/action.js";
import type { Delivery } from "../core/events.js";

export type { Delivery } from "../core/events.js";

/** Per-call options for a sink. */
export interface SinkCallOptions {
  signal?: AbortSignal;
}

/** Where actions go: a ticket system, a chat, a webhook (STYLE §4). */
export interface Sink {
  readonly specificationVersion: "v1";
  readonly name: string;
  /** Idempotent by `action.idempotencyKey`: delivering twice returns the first result as `unchanged`. */
  deliver(action: Action, options?: SinkCallOptions): Promise<Delivery>;
  /** Flush buffers and release resources. Safe to call twice. */
  close?(): Promise<void>;
}
