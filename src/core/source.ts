import type { Finding, FindingStatus, Platform } from "./finding.js";
import type { RunRecorder } from "./recorder.js";

/** Per-call options every source method accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Where warnings (e.g. a filter applied client-side) and dead letters (malformed records) go. The
   * pipeline passes its own; outside one, pass `createRecorder(report, events)` from
   * `cloudsteward/toolkit`. Without one, a source announces them only on its own `events`.
   */
  record?: RunRecorder;
  /**
   * Called by `findings()` once every item of a page was consumed: persist `next` and pass it back as
   * `query.cursor` to resume after that page (`undefined` when the run is complete).
   */
  onPage?: (page: { next: string | undefined; count: number }) => void | Promise<void>;
}

/** A platform-neutral filter. What a platform cannot filter server-side is filtered client-side with a warning. */
export interface FindingQuery {
  severity?: Finding["severity"][];
  status?: FindingStatus[];
  category?: Finding["category"][];
  /** Findings created at or after this instant (ISO-8601). */
  createdAfter?: string;
  /** Findings created at or before this instant (ISO-8601): age bounds such as "older than 30 days". */
  createdBefore?: string;
  /** Findings updated at or after this instant (ISO-8601): incremental runs. */
  updatedAfter?: string;
  /** Cloud account / subscription / project ids as the cloud knows them (an AWS account number, an Azure subscription id), not display names. */
  accountIds?: string[];
  /** Platform projects (Wiz projects, Prisma account groups…). */
  projectIds?: string[];
  /** Compliance framework names or ids. */
  frameworks?: string[];
  /** Resume a paging run from a saved cursor. */
  cursor?: string;
}

/** A request to suppress a finding in the platform until a date. */
export interface ExceptionRequest {
  findingId: string;
  reason: string;
  /** ISO-8601; every exception expires. */
  expiresAt: string;
  requestedBy: string;
  approvedBy: string;
  note?: string;
}

/** The native reference of an exception created in the platform. */
export interface ExceptionRef {
  id: string;
  url?: string;
  /**
   * When the platform itself ends the exception (ISO-8601), which may be later than asked (Orca snoozes
   * in whole days). Absent when the platform keeps no expiry (a Lacework policy exception): withdraw it
   * with `removeException` when it expires.
   */
  until?: string;
}

/** A status change to write back to the platform. */
export interface StatusChange {
  status: Extract<FindingStatus, "open" | "in_progress" | "resolved" | "suppressed" | "risk_accepted">;
  /** The platform's resolution reason, where it has one (e.g. Wiz `FALSE_POSITIVE`). */
  reason?: string;
  note?: string;
}

/**
 * What a source can do besides `findings()`. The pipeline, the CLI and the side workflows read these
 * flags before calling an optional method, and `testFindingSource` (`cloudsteward/testing/vitest`)
 * tests every capability a source declares. Declaring a write capability says the platform supports
 * it; the write still refuses unless the source was created with `allowWrite: true`.
 */
export interface SourceCapabilities {
  /** `getFinding` looks one finding up by id. */
  getFinding?: boolean;
  /** `query` passes the platform's own query language through. */
  nativeQuery?: boolean;
  /** `setStatus` writes a status back to the platform. */
  setStatus?: boolean;
  /** `createException` creates an expiring ignore rule, dismissal or snooze in the platform. */
  createException?: boolean;
  /** `removeException` withdraws an exception `createException` made (revocation, or an expiry the platform does not keep). */
  removeException?: boolean;
  /** `comment` adds a comment or note to the finding's own record in the platform. */
  comment?: boolean;
  /** `findings()` reports resume cursors through `onPage` and honours `query.cursor`. */
  resume?: boolean;
  /** `compliancePosture` reads the platform's own compliance posture (read-only). */
  compliancePosture?: boolean;
}

/**
 * Where findings come from: a CNAPP adapter (`wiz`, `prisma`, `orca`, `lacework`), the `ocsf` reader,
 * or a source of your own. Only `findings()` is required; each optional method is declared in
 * `capabilities` and present exactly when its flag is true.
 * @example
 * const mine: FindingSource = {
 *   specificationVersion: "v1",
 *   platform: "my-scanner",
 *   capabilities: {},
 *   findings: (query, options) => paginate(async (cursor) => fetchPage(cursor), { signal: options?.signal }),
 * };
 */
export interface FindingSource {
  readonly specificationVersion: "v1";
  /** The platform's name, the prefix of every finding id it yields (`wiz`, `my-scanner`). */
  readonly platform: Platform;
  /** Which optional methods this source has. */
  readonly capabilities: SourceCapabilities;
  /** Lazily paged findings; stops fetching when the consumer stops iterating. */
  findings(query?: FindingQuery, options?: CallOptions): AsyncIterable<Finding>;
  /** One finding by its cloudsteward id or native id; `undefined` when it does not exist. */
  getFinding?(id: string, options?: CallOptions): Promise<Finding | undefined>;
  /** Passes a query in the platform's own language through, read-only unless `allowWrite`. */
  query?(native: NativeQuery, options?: CallOptions): Promise<unknown>;
  /** Writes a status back. Throws `WriteDisabledError` unless created with `allowWrite: true`. */
  setStatus?(id: string, change: StatusChange, options?: CallOptions): Promise<void>;
  /** Creates an ignore rule, dismissal or snooze with an expiry. Throws `WriteDisabledError` unless `allowWrite`. */
  createException?(request: ExceptionRequest, options?: CallOptions): Promise<ExceptionRef>;
  /**
   * Withdraws an exception `createException` made, by the reference it returned: the finding counts
   * again in the platform. Throws `WriteDisabledError` unless `allowWrite`.
   */
  removeException?(ref: ExceptionRef, options?: CallOptions): Promise<void>;
  /**
   * Adds `text` as a comment or note on the finding's record, so the platform's own audit trail shows
   * it; secrets in the text are redacted first. Throws `WriteDisabledError` unless `allowWrite`.
   */
  comment?(id: string, text: string, options?: CallOptions): Promise<void>;
  /**
   * Reads the platform's own compliance posture: per requirement of each framework asked for, the
   * resources the platform counts as passing and failing. Read-only.
   */
  compliancePosture?(
    request: CompliancePostureRequest,
    options?: CallOptions,
  ): Promise<PlatformRequirementPosture[]>;
}

/** Which frameworks {@link FindingSource.compliancePosture} reads. */
export interface CompliancePostureRequest {
  /**
   * Framework (standard) names as the platform writes them, compared case-insensitively: `SOC 2`,
   * `CIS v2.0.0 (AWS)`. A name the platform does not have is reported as a warning.
   */
  frameworks: string[];
}

/** One requirement (or section) of a framework as a platform scores it itself. */
export interface PlatformRequirementPosture {
  platform: Platform;
  /** The framework's name as the platform writes it. */
  framework: string;
  /** The requirement or section as the platform names it: `CC6.1`, `1.4`. */
  requirement: string;
  /** `requirement`, or a `section` of one (finer). */
  level: "requirement" | "section";
  title?: string;
  /** Resources the platform counts as passing it. */
  passed: number;
  /** Resources the platform counts as failing it. */
  failed: number;
  /** Resources the platform assessed against it. */
  total: number;
  /** When the platform computed it (ISO-8601), if it says. */
  at?: string;
}

/**
 * What the four CNAPP adapters return: every optional method but `comment`, which only platforms with a
 * comment API have (not Prisma Cloud).
 */
export type CnappSource = FindingSource &
  Required<Pick<FindingSource, "getFinding" | "query" | "setStatus" | "createException" | "removeException">>;

/** A native query: GraphQL for Wiz, RQL for Prisma, Sonar for Orca, LQL for Lacework. */
export interface NativeQuery {
  query: string;
  variables?: Record<string, unknown>;
}
