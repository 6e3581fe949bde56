import type { EventEmitter } from "eventemitter3";
import type { Action } from "./action.js";
import type { Delivery, PipelineEvents } from "./events.js";

export type { Delivery } from "./events.js";

/** Per-call options for a sink. */
export interface SinkCallOptions {
  signal?: AbortSignal;
}

/** The HTTP options every sink that calls an HTTP API shares (Jira, ServiceNow, Slack, Teams, webhook). */
export interface HttpSinkOptions {
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
  /** Timeout of one request. @default 30_000 */
  timeoutMs?: number;
}

/** Where actions go: a ticket system, a chat, a webhook (docs/sinks.md). */
export interface Sink {
  readonly specificationVersion: "v1";
  readonly name: string;
  /** Idempotent by `action.idempotencyKey`: delivering twice returns the first result as `unchanged`. */
  deliver(action: Action, options?: SinkCallOptions): Promise<Delivery>;
  /** Flush buffers and release resources. Safe to call twice. */
  close?(): Promise<void>;
}
