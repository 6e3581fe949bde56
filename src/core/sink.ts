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

/**
 * A short message that is about no case — an executive brief's summary — with a link to drill down.
 * Sinks that can post one (Slack, Teams, email) expose `announce`; it is a write, sent only when asked.
 */
export interface Announcement {
  /** One line: the message's heading or subject. */
  title: string;
  /** Plain text, paragraphs separated by blank lines; escaped by each sink. */
  text: string;
  /** An http(s) URL to the full report. */
  link?: string;
}

/** A sink that can also post an {@link Announcement}. */
export interface AnnouncingSink extends Sink {
  /** Posts `message` once (no ledger: each call posts again). */
  announce(message: Announcement, options?: SinkCallOptions): Promise<void>;
}
