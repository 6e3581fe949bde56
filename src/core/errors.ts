/**
 * Typed errors. Every error the SDK throws is a {@link CloudstewardError} with a `code`, an
 * `isRetryable` flag and a chained `cause`. The constructors scrub secrets themselves (like octokit's
 * `RequestError`): from the message, an {@link ApiError}'s URL and body, and the cause chain, so no
 * call site has to remember to.
 */
import { redact, redactUrl, redactValues } from "./redact.js";

export type ErrorCode =
  | "CONFIGURATION"
  | "AUTHENTICATION"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "RATE_LIMITED"
  | "UPSTREAM"
  | "CONNECTION"
  | "TIMEOUT"
  | "NORMALIZATION"
  | "INVALID_RESPONSE"
  | "MODEL_OUTPUT"
  | "WRITE_DISABLED"
  | "DELIVERY"
  | "POLICY"
  | "BAD_REQUEST"
  | "BUDGET_EXCEEDED"
  | "STAGE"
  | "CORRUPT_RECORD";

const marker = Symbol.for("cloudsteward.error");

/** A zod-style issue list, kept small and serializable. */
export interface ErrorIssue {
  path: (string | number)[];
  message: string;
}

/** The base class of every error the SDK throws. */
export class CloudstewardError extends Error {
  readonly [marker] = true;
  /** A stable machine-readable code. */
  readonly code: ErrorCode;
  /** True when the same call may succeed if tried again later. */
  readonly isRetryable: boolean;

  /**
   * `options.secrets` are known secret values (the credentials just sent, a client secret) masked
   * wherever they appear, on top of what {@link redact} recognises; they are not kept.
   */
  constructor(
    message: string,
    options: {
      code: ErrorCode;
      cause?: unknown;
      isRetryable?: boolean;
      secrets?: readonly (string | undefined)[];
    },
  ) {
    const scrub = scrubber(options.secrets);
    super(
      scrub(message),
      options.cause === undefined ? undefined : { cause: scrubCause(options.cause, scrub) },
    );
    this.name = new.target.name;
    this.code = options.code;
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** True for any cloudsteward error, even one from another copy of the package (ESM + CJS). */
export function isCloudstewardError(error: unknown, code?: ErrorCode): error is CloudstewardError {
  return (
    typeof error === "object" &&
    error !== null &&
    marker in error &&
    (code === undefined || (error as CloudstewardError).code === code)
  );
}

/** A missing or invalid option. Names the option and the environment variable that can supply it. */
export class ConfigurationError extends CloudstewardError {
  readonly option?: string;
  readonly env?: string;
  constructor(message: string, options: { option?: string; env?: string; cause?: unknown } = {}) {
    super(message, { code: "CONFIGURATION", cause: options.cause });
    this.option = options.option;
    this.env = options.env;
  }
}

/** What every HTTP failure carries. The constructor redacts the URL, the body and the message. */
export interface ApiErrorDetails {
  integration: string;
  /**
   * The response's HTTP status. Absent when the failure was read from the body of a successful
   * response (GraphQL `errors`, Slack's `ok: false`), so an error never reports a 200.
   */
  status?: number;
  method: string;
  /** The request URL; userinfo, secret parameters (`token`, `sig`, `client_secret`…) and tokens are masked. */
  url: string;
  requestId?: string;
  /** The response body or an excerpt; secrets are masked, then it is cut to 2,000 characters. */
  body?: string;
  /** Known secret values to mask wherever they appear (message, URL, body, cause); not kept. */
  secrets?: readonly (string | undefined)[];
  cause?: unknown;
}

/** A remote API answered with an error status, or a successful response reported a failure in its body. */
export class ApiError extends CloudstewardError {
  readonly integration: string;
  /** The HTTP status; absent for a failure reported in a successful response's body. */
  readonly status?: number;
  readonly method: string;
  readonly url: string;
  readonly requestId?: string;
  readonly body?: string;
  constructor(message: string, details: ApiErrorDetails & { code?: ErrorCode; isRetryable?: boolean }) {
    super(message, {
      code: details.code ?? "UPSTREAM",
      cause: details.cause,
      isRetryable: details.isRetryable ?? false,
      secrets: details.secrets,
    });
    const secrets = details.secrets ?? [];
    this.integration = details.integration;
    this.status = details.status;
    this.method = details.method;
    this.url = redactUrl(redactValues(details.url, secrets));
    this.requestId = details.requestId;
    this.body = details.body === undefined ? undefined : scrubber(secrets)(details.body).slice(0, 2000);
  }
}

/** 400 or 422: the request itself is wrong; retrying will not help. */
export class BadRequestError extends ApiError {
  constructor(message: string, details: ApiErrorDetails) {
    super(message, { ...details, code: "BAD_REQUEST" });
  }
}

/** 401: the credentials are missing, wrong or expired. */
export class AuthenticationError extends ApiError {
  constructor(message: string, details: ApiErrorDetails) {
    super(message, { ...details, code: "AUTHENTICATION" });
  }
}

/** 403: the credentials lack a scope or permission. */
export class PermissionDeniedError extends ApiError {
  constructor(message: string, details: ApiErrorDetails) {
    super(message, { ...details, code: "PERMISSION_DENIED" });
  }
}

/** 404: the object does not exist (or is invisible to these credentials). */
export class NotFoundError extends ApiError {
  constructor(message: string, details: ApiErrorDetails) {
    super(message, { ...details, code: "NOT_FOUND" });
  }
}

/** 429 (or a vendor's equivalent) after every retry was spent. */
export class RateLimitError extends ApiError {
  /** How long the server asked us to wait, when it said. */
  readonly retryAfterMs?: number;
  constructor(message: string, details: ApiErrorDetails & { retryAfterMs?: number }) {
    super(message, { ...details, code: "RATE_LIMITED", isRetryable: true });
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 5xx, or a failure such as GraphQL `errors` in a successful response (then without `status`). */
export class UpstreamError extends ApiError {
  /** GraphQL or vendor error objects, when the body had them. */
  readonly errors?: unknown[];
  constructor(message: string, details: ApiErrorDetails & { errors?: unknown[]; isRetryable?: boolean }) {
    super(message, {
      ...details,
      code: "UPSTREAM",
      isRetryable: details.isRetryable ?? (details.status ?? 0) >= 500,
    });
    this.errors = details.errors === undefined ? undefined : redact(details.errors);
  }
}

/** The connection failed (DNS, refused, reset) before any response. */
export class ConnectionError extends CloudstewardError {
  readonly integration: string;
  constructor(
    message: string,
    options: { integration: string; cause?: unknown; secrets?: readonly (string | undefined)[] },
  ) {
    super(message, { code: "CONNECTION", cause: options.cause, isRetryable: true, secrets: options.secrets });
    this.integration = options.integration;
  }
}

/** The request took longer than its timeout. */
export class TimeoutError extends CloudstewardError {
  readonly integration: string;
  constructor(
    message: string,
    options: { integration: string; cause?: unknown; secrets?: readonly (string | undefined)[] },
  ) {
    super(message, { code: "TIMEOUT", cause: options.cause, isRetryable: true, secrets: options.secrets });
    this.integration = options.integration;
  }
}

/** A page or response envelope failed its schema: the vendor changed shape, or a proxy answered. */
export class InvalidResponseError extends CloudstewardError {
  readonly integration: string;
  readonly issues: ErrorIssue[];
  constructor(
    message: string,
    options: {
      integration: string;
      issues?: ErrorIssue[];
      cause?: unknown;
      secrets?: readonly (string | undefined)[];
    },
  ) {
    super(message, { code: "INVALID_RESPONSE", cause: options.cause, secrets: options.secrets });
    this.integration = options.integration;
    this.issues = options.issues ?? [];
  }
}

/** One record could not become a Finding. `path` names the field, e.g. `["resource", "region"]`. */
export class NormalizationError extends CloudstewardError {
  readonly platform: string;
  readonly path: (string | number)[];
  readonly issues: ErrorIssue[];
  constructor(
    message: string,
    options: { platform: string; path?: (string | number)[]; issues?: ErrorIssue[]; cause?: unknown },
  ) {
    super(message, { code: "NORMALIZATION", cause: options.cause });
    this.platform = options.platform;
    this.path = options.path ?? options.issues?.[0]?.path ?? [];
    this.issues = options.issues ?? [];
  }
}

/** A model's answer failed its schema, even after one repair attempt. */
export class ModelOutputError extends CloudstewardError {
  readonly model: string;
  readonly issues: ErrorIssue[];
  /** True when a repair attempt was made. */
  readonly repaired: boolean;
  /** The text of the last answer, with any secret in it masked. */
  readonly text?: string;
  /** Token usage of every attempt together. */
  readonly usage?: { inputTokens: number; outputTokens: number };
  constructor(
    message: string,
    options: {
      model: string;
      issues?: ErrorIssue[];
      repaired?: boolean;
      text?: string;
      usage?: { inputTokens: number; outputTokens: number };
      cause?: unknown;
    },
  ) {
    super(message, { code: "MODEL_OUTPUT", cause: options.cause });
    this.model = options.model;
    this.issues = options.issues ?? [];
    this.repaired = options.repaired ?? false;
    this.text = options.text === undefined ? undefined : redact(options.text);
    this.usage = options.usage;
  }
}

/** A run's model budget (tokens or cost) is spent: AI stages fall back to the knowledge base. */
export class BudgetExceededError extends CloudstewardError {
  /** Which limit was reached. */
  readonly limit: "tokens" | "cost";
  constructor(message: string, options: { limit: "tokens" | "cost" }) {
    super(message, { code: "BUDGET_EXCEEDED" });
    this.limit = options.limit;
  }
}

/** A write-back or remediation was attempted on an integration created without `allowWrite: true`. */
export class WriteDisabledError extends CloudstewardError {
  readonly integration: string;
  readonly operation: string;
  constructor(integration: string, operation: string) {
    super(
      `${integration}: ${operation} is a write action and writes are off. Pass \`allowWrite: true\` to ${integration}() to enable it.`,
      { code: "WRITE_DISABLED" },
    );
    this.integration = integration;
    this.operation = operation;
  }
}

/** A sink could not deliver an action. */
export class DeliveryError extends CloudstewardError {
  readonly sink: string;
  readonly key: string;
  /**
   * Delivering the same action again cannot make a second object (the ledger settles it). False
   * after an ambiguous failure of a sink that cannot search (a retry re-sends), and when unknown.
   */
  readonly safeToRetry: boolean;
  /** How long to wait before a retry can succeed (a lease held elsewhere, a settle window). */
  readonly retryAfterMs?: number;
  /** A create may have gone through; the ledger entry stays `uncertain` until a later delivery settles it. */
  readonly uncertain?: boolean;
  constructor(
    message: string,
    options: {
      sink: string;
      key: string;
      cause?: unknown;
      isRetryable?: boolean;
      safeToRetry?: boolean;
      retryAfterMs?: number;
      uncertain?: boolean;
    },
  ) {
    super(message, { code: "DELIVERY", cause: options.cause, isRetryable: options.isRetryable });
    this.sink = options.sink;
    this.key = options.key;
    this.safeToRetry = options.safeToRetry ?? false;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.uncertain) this.uncertain = true;
  }
}

/**
 * A stored record that cannot be read (not JSON, cut short, not what the store writes): names the
 * store, the log and the record's sequence number (or the file and line), and says what to do.
 */
export class CorruptRecordError extends CloudstewardError {
  /** The store, e.g. `sqliteStore`. */
  readonly store: string;
  /** The log the record belongs to, when known. */
  readonly log?: string;
  /** The record's sequence number in its log, when known. */
  readonly seq?: number;
  /** The database or file, when the store has one. */
  readonly file?: string;
  /** The line of a JSON Lines file. */
  readonly line?: number;
  constructor(
    message: string,
    options: { store: string; log?: string; seq?: number; file?: string; line?: number; cause?: unknown },
  ) {
    super(message, { code: "CORRUPT_RECORD", cause: options.cause });
    this.store = options.store;
    if (options.log !== undefined) this.log = options.log;
    if (options.seq !== undefined) this.seq = options.seq;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
  }
}

/** An invalid policy, or an action the policy forbids. */
export class PolicyError extends CloudstewardError {
  readonly rule?: string;
  readonly issues: ErrorIssue[];
  constructor(message: string, options: { rule?: string; issues?: ErrorIssue[]; cause?: unknown } = {}) {
    super(message, { code: "POLICY", cause: options.cause });
    this.rule = options.rule;
    this.issues = options.issues ?? [];
  }
}

/** Throws {@link WriteDisabledError} unless writes were enabled for this integration. */
export function assertWritable(
  integration: string,
  allowWrite: boolean | undefined,
  operation: string,
): void {
  if (allowWrite !== true) throw new WriteDisabledError(integration, operation);
}

/** Converts zod issues to the small serializable form errors carry. */
export function toErrorIssues(issues: readonly { path: PropertyKey[]; message: string }[]): ErrorIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === "number" ? part : String(part))),
    message: issue.message,
  }));
}

/** True when `error` is the abort of a signal (these are rethrown as is, never wrapped). */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "name" in error &&
    (error.name === "AbortError" || error.name === "TimeoutError") &&
    !isCloudstewardError(error)
  );
}

/**
 * An item a pipeline stage could not process, for an error that was not already typed: names the
 * stage and the item, and chains the original error as `cause`.
 */
export class StageError extends CloudstewardError {
  readonly stage: string;
  readonly itemId?: string;

  constructor(message: string, options: { stage: string; itemId?: string; cause?: unknown }) {
    super(message, { code: "STAGE", cause: options.cause });
    this.stage = options.stage;
    if (options.itemId !== undefined) this.itemId = options.itemId;
  }
}

// Internal helpers.

/** Masks the given secret values, then whatever {@link redact} recognises. */
function scrubber(secrets: readonly (string | undefined)[] | undefined): (text: string) => string {
  return secrets === undefined || secrets.length === 0
    ? (text) => redact(text)
    : (text) => redact(redactValues(text, secrets));
}

/**
 * The cause as an error may keep it. A cloudsteward error scrubbed itself and is kept; so is any other
 * error in which nothing needs scrubbing. Otherwise the cause is replaced by a copy of the same class
 * whose message, stack and text fields are scrubbed and whose object fields are left out (a ky error's
 * `request` carries the Authorization header, an AI SDK error the request body); its own cause and an
 * AggregateError's `errors` likewise, five levels deep. Plain data is redacted by key and by pattern.
 */
function scrubCause(cause: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof cause === "string") return scrub(cause);
  if (typeof cause !== "object" || cause === null || isCloudstewardError(cause)) return cause;
  if (!(cause instanceof Error)) return redact(cause);
  if (depth >= 5) return undefined;
  const fields = new Map<string, unknown>();
  let changed = false;
  for (const key of Object.getOwnPropertyNames(cause)) {
    const value = (cause as unknown as Record<string, unknown>)[key];
    let kept: unknown;
    if (key === "cause") kept = scrubCause(value, scrub, depth + 1);
    else if (key === "errors" && Array.isArray(value)) {
      const errors = value.map((item) => scrubCause(item, scrub, depth + 1));
      kept = errors.every((item, index) => item === value[index]) ? value : errors;
    } else if (typeof value === "string") kept = scrub(value);
    else if (typeof value !== "object" && typeof value !== "function") kept = value;
    else if (value === null) kept = value;
    else {
      changed = true; // an object field is left out of the copy
      continue;
    }
    if (kept !== value) changed = true;
    fields.set(key, kept);
  }
  if (!changed) return cause;
  // DOMException's accessors need its internal slots, which a copy lacks: it becomes a plain Error.
  const prototype =
    typeof DOMException !== "undefined" && cause instanceof DOMException
      ? Error.prototype
      : Object.getPrototypeOf(cause);
  const copy = Object.create(prototype) as Error;
  const enumerable = new Set(Object.keys(cause));
  for (const [key, value] of fields) {
    Object.defineProperty(copy, key, {
      value,
      enumerable: enumerable.has(key),
      writable: true,
      configurable: true,
    });
  }
  if (!fields.has("name")) {
    Object.defineProperty(copy, "name", { value: cause.name, writable: true, configurable: true });
  }
  if (!fields.has("message")) {
    Object.defineProperty(copy, "message", {
      value: scrub(cause.message),
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
