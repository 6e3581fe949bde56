import type { Action, ActionKind } from "../../core/action.js";
import type { AuditAppender } from "../../core/audit.js";
import { type Case, findingCountOf, findingIdsOf } from "../../core/case.js";
import { DeliveryError, isAbortError, isCloudstewardError, PolicyError } from "../../core/errors.js";
import type { Delivery } from "../../core/events.js";
import type { Finding } from "../../core/finding.js";
import { redact } from "../../core/redact.js";
import { redactIds } from "../../core/redacted-ids.js";
import type { Sink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { definePolicy } from "../policy/define.js";
import { approvalPermission } from "../policy/evaluate.js";
import type { Policy, PolicyInput } from "../policy/schema.js";

/** Where an approval request stands; `requested` moves to one of the others exactly once. */
export type ApprovalState = "requested" | "approved" | "rejected" | "expired";

/** One held action waiting for (or past) a human decision, as kept in the Store. */
export interface ApprovalRequest {
  /** `apr_` + the action's idempotency key: the same action is never queued twice. */
  id: string;
  state: ApprovalState;
  /**
   * The action as the gate re-derived it from the policy, with secrets in its case masked (`redact`).
   * A ticket, notify or escalate action keeps its case compact: every case-level fact and total, and
   * the first 10 findings (plus one of every other category and resource type); the other kinds keep
   * the whole case, since executing them acts on each finding.
   */
  action: Action;
  /** Who asked (the gate's principal); they may never approve it. */
  requester: string;
  /** Why it waits, e.g. `high-risk remediate always waits for a human approval`. */
  reason: string;
  /** The approvers named by the matching `approvals` rule, when one matched. */
  approvers?: string[];
  requestedAt: string;
  /** After this instant the request can only expire. */
  expiresAt: string;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
}

/** What an executed approval left in the execution ledger. */
export interface ApprovalExecution {
  state: "running" | "done" | "failed";
  at: string;
  claimId: string;
  delivery?: Delivery;
  /** The failure's message, when `failed`. */
  error?: string;
}

/** Options of {@link approvalQueue}. */
export interface ApprovalQueueOptions {
  /** Holds the requests and the execution ledger; use a shared store (PostgreSQL) across workers. */
  store: Store;
  /** Decides who may approve what (principals, scopes, `approvals` rules) and how long requests live. */
  policy: Policy | PolicyInput;
  /** Records every request, decision, expiry and execution. */
  audit?: AuditAppender;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/** Options of {@link ApprovalQueue.request}. */
export interface ApprovalRequestOptions {
  /** Who asks: the run's principal. */
  requester: string;
  /** Why the action waits. */
  reason: string;
  approvers?: string[];
}

/** Options of {@link ApprovalQueue.approve} and {@link ApprovalQueue.reject}. */
export interface ApprovalDecisionOptions {
  /** The id of a principal declared in the policy; its scopes come from the policy, never from the caller. */
  principal: string;
  comment?: string;
}

/** Options of {@link ApprovalQueue.executeApproved}. */
export interface ExecuteApprovedOptions {
  /** Sinks by name, as for `pipeline`: an action goes to `sinks[action.sink ?? "default"]`. */
  sinks: Record<string, Sink>;
  signal?: AbortSignal;
  /** Try again the approved actions whose execution failed earlier. @default false */
  retryFailed?: boolean;
  /**
   * Takes over an execution still `running` this long after it was claimed: its worker died (a
   * SIGKILL, a lost machine) between claiming it and recording the delivery. Only with sinks that
   * deliver once per idempotency key (the ticket sinks' ledgers), since the first run may have
   * delivered. @default never
   */
  staleAfterMs?: number;
}

/** What {@link ApprovalQueue.executeApproved} did. */
export interface ExecuteApprovedResult {
  executed: { id: string; delivery: Delivery }[];
  failed: { id: string; error: Error }[];
  /** Approved requests another call already executed or is executing. */
  skipped: number;
}

/** The approval queue: held actions, human decisions and exactly-once execution, all in the Store. */
export interface ApprovalQueue {
  /** Queues an action (idempotent: the same action returns its existing request; an expired one is asked again). */
  request(action: Action, options: ApprovalRequestOptions): Promise<ApprovalRequest>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /** Requests in id order, optionally only those in `state`. */
  list(filter?: { state?: ApprovalState }): AsyncIterable<ApprovalRequest>;
  /**
   * Approves a request once. @throws PolicyError when the principal is unknown, lacks the scope, is
   * the requester, or the request is missing, already decided or expired.
   */
  approve(id: string, options: ApprovalDecisionOptions): Promise<ApprovalRequest>;
  /** Rejects a request once; the same checks as {@link ApprovalQueue.approve}. */
  reject(id: string, options: ApprovalDecisionOptions): Promise<ApprovalRequest>;
  /** Records that a principal saw a notification (the Slack Acknowledge button); changes no state. */
  acknowledge(id: string, options: { principal: string }): Promise<void>;
  /** Moves every `requested` request past its `expiresAt` to `expired`; returns them. */
  expire(now?: Date): Promise<ApprovalRequest[]>;
  /** Delivers every approved action that was not delivered yet, each exactly once across workers. */
  executeApproved(options: ExecuteApprovedOptions): Promise<ExecuteApprovedResult>;
  /** The execution ledger entry of an approval, once execution started. */
  execution(id: string): Promise<ApprovalExecution | undefined>;
}

/** The Store namespace of approval requests. */
export const approvalsNamespace = "approvals";
/** The Store namespace of the execution ledger. */
export const executionsNamespace = "approvals:executions";

/** The approval id of an action: `apr_` + its idempotency key. */
export function approvalIdOf(action: Pick<Action, "idempotencyKey">): string {
  return `apr_${action.idempotencyKey}`;
}

/**
 * Opens the approval queue over a Store. Decisions use `compareAndSet`, so each request is decided
 * once even with many workers and double clicks; execution claims each approval with `setIfAbsent`,
 * so an approved action is delivered exactly once.
 * @example
 * const approvals = approvalQueue({ store, policy, audit: auditLog(store) });
 * await approvals.approve("apr_3f9c…", { principal: "alice" });
 * await approvals.executeApproved({ sinks: { jira: jira({ projectKey: "SEC" }) } });
 */
export function approvalQueue(options: ApprovalQueueOptions): ApprovalQueue {
  const policy = definePolicy(options.policy);
  const { store, audit } = options;
  const clock = options.now ?? (() => new Date());
  const ttlMs = policy.approvalTtlHours * 3_600_000;
  // The gate asks for a case's actions one after another: the case a request keeps (compact or
  // whole, see `keptCase`) is built and redacted once for all of them, not once per action.
  let lastCase: { item: Case; kept: Partial<Record<"compact" | "whole", Case>> } | undefined;
  const redactedCase = (item: Case, shape: "compact" | "whole"): Case => {
    if (lastCase?.item !== item) lastCase = { item, kept: {} };
    lastCase.kept[shape] ??= redactCase(shape === "compact" ? compactCase(item) : item);
    return lastCase.kept[shape];
  };

  const record = async (request: ApprovalRequest, actor: string, data: Record<string, unknown>) => {
    await audit?.append({
      type: "approval",
      actor,
      caseId: request.action.case.id,
      findingIds: findingIdsOf(request.action.case),
      data: { approvalId: request.id, actionId: request.action.id, kind: request.action.kind, ...data },
    });
  };

  const decideOnce = async (
    id: string,
    decision: "approved" | "rejected",
    { principal, comment }: ApprovalDecisionOptions,
  ): Promise<ApprovalRequest> => {
    const current = await store.get<ApprovalRequest>(approvalsNamespace, id);
    const verb = decision === "approved" ? "approve" : "reject";
    if (!current)
      throw new PolicyError(`approvals: no approval request "${id}". Check the id (it starts with "apr_").`);
    const deny = async (reason: string): Promise<never> => {
      await record(current, principal, { decision: "denied", attempted: verb, reason });
      throw new PolicyError(`approvals: ${principal} may not ${verb} ${id}: ${reason}.`, {
        rule: current.action.rule,
      });
    };
    if (current.state !== "requested") {
      return deny(`it is already ${current.state}${current.decidedBy ? ` by ${current.decidedBy}` : ""}`);
    }
    const at = clock();
    if (Date.parse(current.expiresAt) <= at.getTime()) {
      await expireOne(current, at);
      return deny(`it expired at ${current.expiresAt}; the next run asks again`);
    }
    if (principal === current.requester) return deny("a requester never decides their own request");
    const permission = approvalPermission(policy, principal, current.action);
    if (!permission.allowed) return deny(permission.reason);
    const next: ApprovalRequest = {
      ...current,
      state: decision,
      decidedBy: principal,
      decidedAt: at.toISOString(),
      ...(comment === undefined ? {} : { comment }),
    };
    if (!(await store.compareAndSet(approvalsNamespace, id, current, next))) {
      const latest = await store.get<ApprovalRequest>(approvalsNamespace, id);
      throw new PolicyError(
        `approvals: ${id} was decided concurrently (now ${latest?.state ?? "missing"}${latest?.decidedBy ? ` by ${latest.decidedBy}` : ""}); nothing was changed.`,
        { rule: current.action.rule },
      );
    }
    await record(next, principal, { decision, comment });
    return next;
  };

  const expireOne = async (request: ApprovalRequest, at: Date): Promise<ApprovalRequest | undefined> => {
    const next: ApprovalRequest = { ...request, state: "expired", decidedAt: at.toISOString() };
    if (!(await store.compareAndSet(approvalsNamespace, request.id, request, next))) return undefined;
    await record(next, "cloudsteward/approvals", { decision: "expired", expiresAt: request.expiresAt });
    return next;
  };

  return {
    async request(action, { requester, reason, approvers }) {
      const id = approvalIdOf(action);
      const at = clock();
      const fresh: ApprovalRequest = {
        id,
        state: "requested",
        // The Store keeps the action with its secrets masked; the approved action is delivered as kept.
        action: redactAction(
          { ...action, requiresApproval: true, params: { ...action.params, approvalId: id } },
          redactedCase(action.case, messageKinds.has(action.kind) ? "compact" : "whole"),
        ),
        requester,
        reason,
        ...(approvers ? { approvers } : {}),
        requestedAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + ttlMs).toISOString(),
      };
      for (let attempt = 0; attempt < 3; attempt++) {
        // Try the write first: a new request (the common case) then costs one store call.
        const existing = attempt === 0 ? undefined : await store.get<ApprovalRequest>(approvalsNamespace, id);
        const written =
          existing === undefined
            ? await store.setIfAbsent(approvalsNamespace, id, fresh)
            : existing.state === "expired" &&
              (await store.compareAndSet(approvalsNamespace, id, existing, fresh));
        if (written) {
          if (audit) await record(fresh, requester, { decision: "requested", reason, risk: action.risk });
          return fresh;
        }
        if (existing !== undefined && existing.state !== "expired") return existing;
      }
      const latest = await store.get<ApprovalRequest>(approvalsNamespace, id);
      if (latest) return latest;
      throw new PolicyError(
        `approvals: could not queue ${id}: the store kept changing under concurrent requests; retry.`,
      );
    },
    get: (id) => store.get<ApprovalRequest>(approvalsNamespace, id),
    async *list(filter = {}) {
      for await (const { value } of store.list<ApprovalRequest>(approvalsNamespace)) {
        if (filter.state === undefined || value.state === filter.state) yield value;
      }
    },
    approve: (id, decision) => decideOnce(id, "approved", decision),
    reject: (id, decision) => decideOnce(id, "rejected", decision),
    async acknowledge(id, { principal }) {
      const current = await store.get<ApprovalRequest>(approvalsNamespace, id);
      await audit?.append({
        type: "approval",
        actor: principal,
        caseId: current?.action.case.id,
        data: { approvalId: id, decision: "acknowledged" },
      });
    },
    async expire(now = clock()) {
      const expired: ApprovalRequest[] = [];
      const due: ApprovalRequest[] = [];
      for await (const { value } of store.list<ApprovalRequest>(approvalsNamespace)) {
        if (value.state === "requested" && Date.parse(value.expiresAt) <= now.getTime()) due.push(value);
      }
      for (const request of due) {
        const next = await expireOne(request, now);
        if (next) expired.push(next);
      }
      return expired;
    },
    execution: (id) => store.get<ApprovalExecution>(executionsNamespace, id),
    async executeApproved({ sinks, signal, retryFailed = false, staleAfterMs }) {
      const result: ExecuteApprovedResult = { executed: [], failed: [], skipped: 0 };
      const approved: ApprovalRequest[] = [];
      for await (const { value } of store.list<ApprovalRequest>(approvalsNamespace)) {
        if (value.state === "approved") approved.push(value);
      }
      for (const request of approved) {
        signal?.throwIfAborted();
        const claim: ApprovalExecution = {
          state: "running",
          at: clock().toISOString(),
          claimId: crypto.randomUUID(),
        };
        const existing = await store.get<ApprovalExecution>(executionsNamespace, request.id);
        const claimed =
          existing === undefined
            ? await store.setIfAbsent(executionsNamespace, request.id, claim)
            : ((retryFailed && existing.state === "failed") ||
                (staleAfterMs !== undefined &&
                  existing.state === "running" &&
                  Date.parse(existing.at) + staleAfterMs <= clock().getTime())) &&
              (await store.compareAndSet(executionsNamespace, request.id, existing, claim));
        if (!claimed) {
          result.skipped++;
          continue;
        }
        const name = request.action.sink ?? "default";
        try {
          if (!policy.allowedActions.includes(request.action.kind)) {
            throw new PolicyError(
              `approvals: ${request.id} was approved, but the policy no longer allows ${request.action.kind} actions (allowedActions); it was not run.`,
              { rule: request.action.rule },
            );
          }
          const sink = sinks[name];
          if (!sink) {
            throw new DeliveryError(
              `approvals: no sink named "${name}" for approved action ${request.action.idempotencyKey}. Pass it in \`sinks\`.`,
              { sink: name, key: request.action.idempotencyKey },
            );
          }
          const delivery = await sink.deliver(request.action, { signal });
          await store.set<ApprovalExecution>(executionsNamespace, request.id, {
            ...claim,
            state: "done",
            at: clock().toISOString(),
            delivery,
          });
          await audit?.append({
            type: "delivery",
            actor: "cloudsteward/approvals",
            caseId: request.action.case.id,
            data: {
              approvalId: request.id,
              actionId: request.action.id,
              sink: name,
              delivery,
              approvedBy: request.decidedBy,
            },
          });
          result.executed.push({ id: request.id, delivery });
        } catch (error) {
          if (isAbortError(error) || signal?.aborted) {
            await store.set<ApprovalExecution>(executionsNamespace, request.id, {
              ...claim,
              state: "failed",
              error: "aborted",
            });
            throw error;
          }
          const typed =
            isCloudstewardError(error) || error instanceof Error ? error : new Error(String(error));
          await store.set<ApprovalExecution>(executionsNamespace, request.id, {
            ...claim,
            state: "failed",
            at: clock().toISOString(),
            error: typed.message,
          });
          await audit?.append({
            type: "delivery",
            actor: "cloudsteward/approvals",
            caseId: request.action.case.id,
            data: { approvalId: request.id, actionId: request.action.id, sink: name, failed: typed.message },
          });
          result.failed.push({ id: request.id, error: typed });
        }
      }
      return result;
    },
  };
}

// Internal helpers.

/**
 * The kinds whose sink shows the case to people (a ticket, a message, an escalation) rather than
 * acting on each of its findings: their request keeps a {@link compactCase}. A remediation, a tag or
 * an exception keeps the whole case, since executing it acts on every finding it holds.
 */
const messageKinds: ReadonlySet<ActionKind> = new Set(["ticket", "notify", "escalate"]);

/** Findings a compact case keeps in full: the resources Slack's approval message lists. */
const compactSampleSize = 10;

/**
 * The case as an approval request keeps it for a message kind: every case-level fact (id, group
 * key, severity, priority, context, explanation, platforms, exceptions), the totals (`findingCount`,
 * every id in `findingIds`, `resourceCount`), and of the findings only the first
 * {@link compactSampleSize} in case order plus the first finding of every other category and
 * resource type, so approval rules, scopes and risk read the same facts as on the whole case. The
 * rendered ticket or message lists those findings' resources and counts the rest.
 */
function compactCase(item: Case): Case {
  if (item.findings.length <= compactSampleSize) return item;
  const findings = item.findings.slice(0, compactSampleSize);
  const kinds = new Set(findings.map(kindOf));
  for (const finding of item.findings.slice(compactSampleSize)) {
    const kind = kindOf(finding);
    if (kinds.has(kind)) continue;
    kinds.add(kind);
    findings.push(finding);
  }
  return {
    ...item,
    findings,
    findingCount: findingCountOf(item),
    findingIds: findingIdsOf(item),
    resourceCount: item.resourceCount ?? new Set(item.findings.map((finding) => finding.resource.id)).size,
  };
}

/** What a finding contributes to approval rules and risk: its category and resource type. */
function kindOf(finding: Finding): string {
  return `${finding.category}\u0000${finding.resource.type}`;
}

/**
 * `redact(item)`, its `findingIds` (every id of a big case) masked with `redactIds`, which the audit
 * log's records of the same case reuse rather than mask the same ids again.
 */
function redactCase(item: Case): Case {
  const { findingIds, ...rest } = item;
  const masked = redact(rest);
  return findingIds === undefined ? masked : { ...masked, findingIds: redactIds(findingIds) };
}

/** `redact(action)` with its case replaced by `redactedCase`, already redacted. */
function redactAction(action: Action, redactedCase: Case): Action {
  const { case: _item, ...rest } = action;
  return { ...action, ...redact(rest), case: redactedCase };
}
