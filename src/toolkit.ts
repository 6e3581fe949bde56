/**
 * For people writing an integration of their own (a fifth source, a sink, a context provider): the
 * pieces cloudsteward's own adapters and sinks are built from.
 *
 * - **HTTP**: `createHttpClient` (pacing, retries with Retry-After, 401 refresh, credential scrubbing),
 *   `paginate` (lazy, resumable, never silently partial), `cachedToken`, secrets from options or env.
 * - **Findings**: `assembleFinding` gives a mapped record its stable `id` and the cross-platform
 *   `dedupKey` (so your findings merge with Wiz's on the same problem), `normalizePage` turns a page of
 *   records into findings and dead letters, `toTags` reads the tag shapes vendors send.
 * - **Delivery**: `deliverOnce` (claim → search → create → record, exactly once per idempotency key),
 *   `ledgerSink`/`ticketSink`, `reconcile`, and the renderers for every destination's markup.
 *
 * Everything here is also what `ocsf()` (`cloudsteward/adapters/ocsf`) is built on, and nothing else:
 * that adapter is the worked example.
 * @module cloudsteward/toolkit
 */

export { assembleFinding, type FindingParts } from "./adapters/shared/finding.js";
export {
  type HttpClientOptions as SourceHttpClientOptions,
  type HttpSourceOptions,
  pageSizeOf,
} from "./adapters/shared/options.js";
export {
  itemIdOf,
  normalizePage,
  type PageNormalizer,
  recorderOf,
  warnOnce,
} from "./adapters/shared/report.js";
export { toTags } from "./adapters/shared/tags.js";
export { type CachedToken, cachedToken, type IssuedToken } from "./adapters/shared/token.js";
export { clientSideFilterWarnings } from "./adapters/shared/warnings.js";
export { constantTimeEqual, webhookPayloads } from "./adapters/shared/webhook.js";
export { type MatchInput, matchArchetype, ruleKeyFor } from "./core/archetypes/match.js";
export { canonicalJson } from "./core/canonical-json.js";
export {
  type CaseChange,
  type CaseSnapshot,
  describeChange,
  diffCase,
  isResolved,
  snapshotCase,
} from "./core/case-change.js";
export { mapConcurrent } from "./core/concurrency.js";
export * from "./core/errors.js";
export type { Delivery, PipelineEventName, PipelineEvents } from "./core/events.js";
export {
  type Finding,
  findingId,
  findingSchema,
  formatPath,
  type Platform,
  parseFinding,
  platformSchema,
} from "./core/finding.js";
export {
  canonicalResourceKey,
  dedupKey,
  type ResourceIdentity,
  sha256Hex,
  stableHash,
} from "./core/fingerprint.js";
export {
  createHttpClient,
  type FailedRequest,
  type HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  parseRetryAfter,
  type RequestOptions,
  requestIdOf,
  toApiError,
} from "./core/http.js";
export {
  type DeliveryOperations,
  deliverOnce,
  type ExternalRef,
  isAmbiguous,
  type LedgerEntry,
  type LedgerSink,
  ledgerOptionsOf,
  ledgerSink,
  type ReconcilableSink,
  type ReconcileReport,
  reconcile,
  type SyncableSink,
  type TicketLedger,
  type TicketLedgerOptions,
  type TicketOperations,
  type TicketStatus,
  ticketLedger,
  ticketSink,
  trackingId,
} from "./core/ledger.js";
export { memoize } from "./core/memo.js";
export {
  type DeepReadonly,
  type Page,
  type PageInfo,
  type PaginateOptions,
  paginate,
  pinQuery,
} from "./core/paginate.js";
export { createRateLimiter, type RateLimit, type RateLimiter, sleep } from "./core/rate-limiter.js";
export { createRecorder, type FailedItem, type RunRecorder } from "./core/recorder.js";
export { redact, redactUrl } from "./core/redact.js";
export { createRunReport, type DeadLetter, type RunReport, type Warning } from "./core/report.js";
export { optionOrEnv, resolveSecret, type Secret, type SecretSource } from "./core/secret.js";
export type { Announcement, AnnouncingSink, HttpSinkOptions, Sink, SinkCallOptions } from "./core/sink.js";
export type {
  CallOptions,
  ExceptionRef,
  ExceptionRequest,
  FindingQuery,
  FindingSource,
  NativeQuery,
  SourceCapabilities,
  StatusChange,
} from "./core/source.js";
export type { Stage, StageContext } from "./core/stage.js";
export type { LogEntry, Store } from "./core/store.js";
export * from "./sinks/render/index.js";
