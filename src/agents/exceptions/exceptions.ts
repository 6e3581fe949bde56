import type { AuditAppender } from "../../core/audit.js";
import { type Case, findingCountOf, maxSeverity } from "../../core/case.js";
import { toErrorIssues } from "../../core/errors.js";
import type { Severity } from "../../core/finding.js";
import type { Store } from "../../core/store.js";
import { casesNamespace } from "../governance/governance.js";
import { definePolicy } from "../policy/define.js";
import { scopesCover } from "../policy/evaluate.js";
import {
  type ExceptionPolicy,
  exceptionPolicySchema,
  type Policy,
  type PolicyInput,
  type Principal,
} from "../policy/schema.js";
import { scheduleException } from "./due.js";
import { ExceptionError } from "./errors.js";
import {
  type CompensatingControl,
  type ExceptionRequest,
  type ExceptionRequestByCase,
  type ExceptionRequestInput,
  type ExceptionScope,
  exceptionRequestSchema,
} from "./schema.js";

/**
 * Where an exception stands. `requested` moves once to `approved` (its start is still ahead),
 * `active` or `rejected`, or to `expired` when still undecided at its requested end; `approved`
 * becomes `active` at its start; `active` ends as `expired` or `revoked`, and anything not yet ended
 * can be `revoked`.
 */
export type ExceptionState = "requested" | "approved" | "rejected" | "active" | "expired" | "revoked";

/** One thing an exception covers: always a rule, narrowed to a resource, an account or a tag. */
export interface ExceptionTarget {
  ruleId: string;
  resourceId?: string;
  accountId?: string;
  tag?: { key: string; value: string };
}

/** One approver's decision. */
export interface ExceptionApproval {
  principal: string;
  at: string;
  comment?: string;
}

/** An exception or risk acceptance as kept in the Store (namespace `exceptions`, key = id). */
export interface ExceptionRecord {
  /** `exc_` + a random id. */
  id: string;
  kind: ExceptionRequest["kind"];
  state: ExceptionState;
  scope: ExceptionScope;
  targets: ExceptionTarget[];
  findingIds: string[];
  caseId?: string;
  /** The highest severity of the findings it was requested for. */
  severity: Severity;
  requester: string;
  justification: string;
  compensatingControls: CompensatingControl[];
  residualRisk?: ExceptionRequest["residualRisk"];
  /** The exception this one renews. */
  renews?: string;
  requestedAt: string;
  startsAt: string;
  expiresAt: string;
  /** Distinct approvers needed: 2 for critical findings when the policy's `criticalQuorum` is 2. */
  requiredApprovals: number;
  approvals: ExceptionApproval[];
  /** The nearest `reminderDays` threshold a reminder was sent for (the expiry sweep's bookkeeping). */
  remindedDays?: number;
  /** The last re-review period a notice went out for (a risk acceptance with `reReviewDays`). */
  reviewedPeriods?: number;
  /**
   * Set on an exception declared in `exceptions.yaml` (approved in its pull request): the file, the
   * entry's `id` and line, and the commit that carried it when the sync was told.
   */
  origin?: { file: string; entryId: string; line?: number; commit?: string };
  /** Who rejected or revoked it, when, and why. */
  endedBy?: string;
  endedAt?: string;
  comment?: string;
}

/** The Store namespace of exception records. */
export const exceptionNamespace = "exceptions";

/** Options shared by the exception functions. */
export interface ExceptionOptions {
  /** Holds the records; use a shared store (PostgreSQL) across workers. */
  store: Store;
  /** Decides who may request and approve, the scopes, durations and quorum (`policy.exceptions`). */
  policy: Policy | PolicyInput;
  /** Records every request, decision and state change (type `exception`). */
  audit?: AuditAppender;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/** A decision on an exception ({@link decideException}). */
export interface ExceptionDecision {
  decision: "approve" | "reject" | "revoke";
  /** The id of a principal declared in the policy; its scopes come from the policy. */
  principal: string;
  comment?: string;
}

const dayMs = 86_400_000;

/** The exception rules of a policy, defaults filled in. */
export function exceptionPolicyOf(policy: Policy): ExceptionPolicy {
  return policy.exceptions ?? exceptionPolicySchema.parse({});
}

/**
 * Validates a request against the policy and stores it as `requested`. Throws {@link ExceptionError}
 * naming the field: a malformed request, a requester the policy does not allow, a scope it does not
 * allow, a tag the findings do not carry, an end in the past or beyond `maxDays` for the findings'
 * severity, a justification that is too short, or a risk acceptance without a residual-risk rating.
 *
 * Give `caseId` instead of `findings` to request it for a case a governed run kept in the Store
 * (`cli:cases`, written by `governedRun` and the CLI's `run`): the case's findings are read from there,
 * and an unknown case, or one kept only as a sample of its findings (a case bigger than triage's
 * `sampleSize`), is an {@link ExceptionError} naming `caseId`.
 * @example
 * const record = await requestException(
 *   { kind: "exception", findings, scope: "resource", requester: "alice",
 *     justification: "Vendor appliance needs TLS 1.0 until the Q3 upgrade", requestedUntil: "2026-09-30T00:00:00Z" },
 *   { store, policy },
 * );
 * await requestException({ kind: "exception", caseId: "case_7c1e…", scope: "resource", requester: "alice", … }, { store, policy });
 */
export async function requestException(
  input: ExceptionRequestInput | ExceptionRequestByCase,
  options: ExceptionOptions,
): Promise<ExceptionRecord> {
  const policy = definePolicy(options.policy);
  const rules = exceptionPolicyOf(policy);
  const now = (options.now ?? (() => new Date()))();
  const parsed = exceptionRequestSchema.safeParse(
    input.findings === undefined && typeof input.caseId === "string"
      ? { ...input, findings: await findingsOfCase(input.caseId, options.store) }
      : input,
  );
  if (!parsed.success) {
    const issues = toErrorIssues(parsed.error.issues);
    const field = issues[0]?.path.join(".") || "request";
    throw new ExceptionError(`invalid exception request: ${field}: ${issues[0]?.message}`, { field, issues });
  }
  const request = parsed.data;

  const principal = principalOf(policy, request.requester, "requester");
  if (rules.requesters.length > 0 && !listed(rules.requesters, principal)) {
    throw new ExceptionError(
      `"${principal.id}" may not request exceptions (requesters: ${rules.requesters.join(", ")})`,
      { field: "requester" },
    );
  }
  const scopeName = typeof request.scope === "string" ? request.scope : "tag";
  if (!rules.scopes.includes(scopeName)) {
    throw new ExceptionError(
      `the policy does not allow the scope "${scopeName}" (${rules.scopes.join(", ")})`,
      {
        field: "scope",
      },
    );
  }
  if (request.justification.length < rules.minJustificationLength) {
    throw new ExceptionError(
      `a business justification of at least ${rules.minJustificationLength} characters is required`,
      { field: "justification" },
    );
  }
  if (request.kind === "risk-acceptance" && request.residualRisk === undefined) {
    throw new ExceptionError(
      "a risk acceptance needs a residual-risk rating (critical, high, medium or low)",
      {
        field: "residualRisk",
      },
    );
  }

  const startsAt = request.startsAt === undefined ? now : new Date(request.startsAt);
  const until = new Date(request.requestedUntil);
  if (startsAt.getTime() < now.getTime() - 60_000 && request.startsAt !== undefined) {
    throw new ExceptionError("startsAt is in the past", { field: "startsAt" });
  }
  if (until.getTime() <= Math.max(now.getTime(), startsAt.getTime())) {
    throw new ExceptionError("requestedUntil must be after the start", { field: "requestedUntil" });
  }
  if (request.renews !== undefined && !(await options.store.get(exceptionNamespace, request.renews))) {
    throw new ExceptionError(`renews names no exception ("${request.renews}")`, { field: "renews" });
  }
  const severity = maxSeverity(request.findings);
  const maxDays = rules.maxDays[severity];
  if (until.getTime() - startsAt.getTime() > maxDays * dayMs) {
    throw new ExceptionError(
      `a ${severity} finding may be excepted for at most ${maxDays} days (requested ${Math.ceil(
        (until.getTime() - startsAt.getTime()) / dayMs,
      )})`,
      { field: "requestedUntil" },
    );
  }

  const record: ExceptionRecord = {
    id: `exc_${crypto.randomUUID()}`,
    kind: request.kind,
    state: "requested",
    scope: request.scope,
    targets: targetsOf(request),
    findingIds: request.findings.map((finding) => finding.id),
    ...(request.caseId === undefined ? {} : { caseId: request.caseId }),
    severity,
    requester: principal.id,
    justification: request.justification,
    compensatingControls: request.compensatingControls,
    ...(request.residualRisk === undefined ? {} : { residualRisk: request.residualRisk }),
    ...(request.renews === undefined ? {} : { renews: request.renews }),
    requestedAt: now.toISOString(),
    startsAt: startsAt.toISOString(),
    expiresAt: until.toISOString(),
    requiredApprovals: severity === "critical" ? rules.criticalQuorum : 1,
    approvals: [],
  };
  await options.store.set(exceptionNamespace, record.id, record);
  await scheduleException(options.store, record, rules);
  await options.audit?.append(auditOf(record, principal.id, now, "requested"));
  return record;
}

/**
 * Decides an exception, atomically across workers (two approvers at once both count; the state moves once):
 * - `approve`: the principal must be declared in the policy, listed in `exceptions.approvers` (by id or
 *   a scope it holds), not the requester, and not have approved already. Once the quorum is reached the
 *   exception becomes `active` (or `approved` while its start is still ahead).
 * - `reject`: a `requested` exception; the same principals as for `approve`.
 * - `revoke`: ends a `requested`, `approved` or `active` exception at once (its findings count again from
 *   the next run); the requester or an approver may revoke.
 *
 * Throws {@link ExceptionError} naming `id`, `state` or `principal` when it cannot.
 * @example
 * await decideException(record.id, { principal: "bob", decision: "approve", comment: "WAF verified" }, { store, policy });
 */
export async function decideException(
  id: string,
  decision: ExceptionDecision,
  options: ExceptionOptions,
): Promise<ExceptionRecord> {
  const verb = decision.decision;
  if (!Object.hasOwn(open, verb)) {
    throw new ExceptionError(
      `decision must be "approve", "reject" or "revoke", not ${JSON.stringify(verb)}`,
      {
        field: "decision",
      },
    );
  }
  const policy = definePolicy(options.policy);
  const rules = exceptionPolicyOf(policy);
  const principal = principalOf(policy, decision.principal, "principal");
  for (;;) {
    const current = await options.store.get<ExceptionRecord>(exceptionNamespace, id);
    if (!current) throw new ExceptionError(`no exception "${id}"`, { field: "id" });
    if (!open[verb].includes(current.state)) {
      throw new ExceptionError(`cannot ${verb} exception "${id}": it is ${current.state}`, {
        field: "state",
      });
    }
    const approver = listed(rules.approvers, principal);
    if (verb === "revoke" ? !approver && principal.id !== current.requester : !approver) {
      throw new ExceptionError(
        `"${principal.id}" may not ${verb} exceptions (approvers: ${rules.approvers.join(", ")})`,
        { field: "principal" },
      );
    }
    if (verb !== "revoke" && principal.id === current.requester) {
      throw new ExceptionError(`"${principal.id}" requested exception "${id}" and may not decide it`, {
        field: "principal",
      });
    }
    if (verb === "approve" && current.approvals.some((approval) => approval.principal === principal.id)) {
      throw new ExceptionError(`"${principal.id}" already approved exception "${id}"`, {
        field: "principal",
      });
    }
    const now = (options.now ?? (() => new Date()))();
    const at = now.toISOString();
    const comment = decision.comment === undefined ? {} : { comment: decision.comment };
    let next: ExceptionRecord;
    if (verb === "approve") {
      const approvals = [...current.approvals, { principal: principal.id, at, ...comment }];
      const state: ExceptionState =
        approvals.length < current.requiredApprovals
          ? "requested"
          : Date.parse(current.startsAt) <= now.getTime()
            ? "active"
            : "approved";
      next = { ...current, approvals, state };
    } else {
      next = {
        ...current,
        state: verb === "reject" ? "rejected" : "revoked",
        endedBy: principal.id,
        endedAt: at,
        ...comment,
      };
    }
    if (await options.store.compareAndSet(exceptionNamespace, id, current, next)) {
      await scheduleException(options.store, next, rules);
      await options.audit?.append(
        auditOf(next, principal.id, now, verb === "approve" ? "approved" : next.state),
      );
      return next;
    }
  }
}
/** The stored record of an exception, or `undefined`. */
export function getException(
  id: string,
  options: Pick<ExceptionOptions, "store">,
): Promise<ExceptionRecord | undefined> {
  return options.store.get<ExceptionRecord>(exceptionNamespace, id);
}

/** Every stored exception, in id order, optionally only those in the given states. */
export async function* listExceptions(
  options: Pick<ExceptionOptions, "store">,
  states?: readonly ExceptionState[],
): AsyncIterable<ExceptionRecord> {
  for await (const { value } of options.store.list<ExceptionRecord>(exceptionNamespace)) {
    if (!states || states.includes(value.state)) yield value;
  }
}

// Internal helpers.

const open: Record<ExceptionDecision["decision"], readonly ExceptionState[]> = {
  approve: ["requested"],
  reject: ["requested"],
  revoke: ["requested", "approved", "active"],
};

/** The audit record of a step in an exception's life. */
export function auditOf(record: ExceptionRecord, actor: string, at: Date, step: string) {
  return {
    type: "exception",
    at: at.toISOString(),
    actor,
    ...(record.caseId === undefined ? {} : { caseId: record.caseId }),
    findingIds: record.findingIds,
    data: {
      exceptionId: record.id,
      step,
      kind: record.kind,
      state: record.state,
      expiresAt: record.expiresAt,
      approvals: record.approvals.length,
      requiredApprovals: record.requiredApprovals,
    },
  };
}

/** The findings of a stored case, all of them (not a sample), or an {@link ExceptionError} naming `caseId`. */
async function findingsOfCase(caseId: string, store: Store): Promise<Case["findings"]> {
  const item = await store.get<Case>(casesNamespace, caseId);
  if (!item) {
    throw new ExceptionError(`no case "${caseId}" in the Store (cases are kept by governed runs)`, {
      field: "caseId",
    });
  }
  if (findingCountOf(item) > item.findings.length) {
    throw new ExceptionError(
      `case "${caseId}" is kept as a sample of ${item.findings.length} of its ${findingCountOf(item)} findings; request the exception by its findings`,
      { field: "caseId" },
    );
  }
  return item.findings;
}

function principalOf(policy: Policy, id: string, field: string): Principal {
  const principal = policy.principals.find((candidate) => candidate.id === id);
  if (!principal) throw new ExceptionError(`"${id}" is not a principal declared in the policy`, { field });
  return principal;
}

/** Whether a principal is in a list of principal ids and scopes. */
export function listed(entries: readonly string[], principal: Principal): boolean {
  return entries.some(
    (entry) => entry === principal.id || (entry.includes(":") && scopesCover(principal.scopes, entry)),
  );
}

function targetsOf(request: ExceptionRequest): ExceptionTarget[] {
  const targets = new Map<string, ExceptionTarget>();
  request.findings.forEach((finding, index) => {
    const ruleId = finding.rule.id;
    let target: ExceptionTarget;
    if (request.scope === "resource") target = { ruleId, resourceId: finding.resource.id };
    else if (request.scope === "rule-on-account") target = { ruleId, accountId: finding.resource.accountId };
    else {
      const { key, value } = request.scope.tag;
      if (finding.resource.tags[key] !== value) {
        throw new ExceptionError(`findings[${index}]'s resource does not carry the tag ${key}=${value}`, {
          field: "scope.tag",
        });
      }
      target = { ruleId, tag: { key, value } };
    }
    targets.set(JSON.stringify(target), target);
  });
  return [...targets.values()];
}
