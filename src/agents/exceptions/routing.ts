import type { Action } from "../../core/action.js";
import type { Case } from "../../core/case.js";
import { isCloudstewardError } from "../../core/errors.js";
import type { Delivery } from "../../core/events.js";
import type { Finding } from "../../core/finding.js";
import type { ExternalRef, TicketStatus } from "../../core/ledger.js";
import type { Sink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import type { ApprovalDecisions } from "../../sinks/slack/interaction.js";
import { ExceptionError } from "./errors.js";
import {
  auditOf,
  decideException,
  type ExceptionOptions,
  type ExceptionRecord,
  exceptionNamespace,
} from "./exceptions.js";

/** The Store namespace of routed exceptions: one {@link ExceptionRoute} per exception and sink (`<id>:<sink>`). */
export const exceptionRouteNamespace = "exception-routes";

/** Where an exception request was sent, and the last ITSM decision seen for it. */
export interface ExceptionRoute {
  exceptionId: string;
  /** The sink's name (`jira`, `servicenow`, `slack`…): the key of `sinks` in {@link syncExceptionDecisions}. */
  sink: string;
  /** The delivery's idempotency key: the exception id. */
  key: string;
  /** The record the sink created (Jira issue key, ServiceNow sys_id, Slack message). */
  ref?: ExternalRef;
  routedAt: string;
  /** The last decision status seen (`<status>|<actor>`), so each is applied or refused once. */
  seen?: string;
}

/** Options of {@link routeException}. */
export interface RouteExceptionOptions extends Pick<ExceptionOptions, "store" | "audit" | "now"> {
  /**
   * Where the request goes: a `jira({ issueType: "Exception" })`, a
   * `servicenow({ table: "sn_compliance_policy_exception", fields: serviceNowExceptionFields })`, a `slack()`.
   * Its ledger makes the delivery exactly once per exception.
   */
  sink: Sink;
  /** The findings the exception was requested for (others are left out); the record shows them. */
  findings: readonly Finding[];
  /** The review board's memo (`analyzeException`'s), pre-filled in the record. */
  memo?: string;
  signal?: AbortSignal;
}

/**
 * Sends a `requested` exception to an ITSM or chat sink as one record — a Jira issue of the sink's
 * issue type, a ServiceNow GRC policy exception, a Slack message with Approve/Reject buttons — with
 * the justification, the compensating controls, the dates and the memo pre-filled. Exactly once per
 * exception and sink: the idempotency key is the exception id (the sink's ledger and its
 * search-before-create), so calling it again returns `unchanged`. The first delivery writes an audit
 * record (step `routed:<sink>`) and remembers the route for {@link syncExceptionDecisions}.
 * @throws ExceptionError naming `id` or `state` when the exception does not exist or is no longer `requested`;
 * the sink's `DeliveryError` when the delivery failed.
 * @example
 * const sink = jira({ projectKey: "SEC", issueType: "Exception", store });
 * await routeException(record, { sink, findings, memo: analysis.memo.text, store, audit });
 */
export async function routeException(
  record: ExceptionRecord,
  options: RouteExceptionOptions,
): Promise<Delivery> {
  const current = await options.store.get<ExceptionRecord>(exceptionNamespace, record.id);
  if (!current) throw new ExceptionError(`no exception "${record.id}"`, { field: "id" });
  if (current.state !== "requested") {
    throw new ExceptionError(`exception "${record.id}" is ${current.state}; only a request is routed`, {
      field: "state",
    });
  }
  const delivery = await options.sink.deliver(exceptionAction(current, options.findings, options.memo), {
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const now = (options.now ?? (() => new Date()))();
  const route: ExceptionRoute = {
    exceptionId: current.id,
    sink: options.sink.name,
    key: current.id,
    ...(delivery.ref ? { ref: delivery.ref } : {}),
    routedAt: now.toISOString(),
  };
  const key = routeKey(current.id, route.sink);
  let first = await options.store.setIfAbsent(exceptionRouteNamespace, key, route);
  if (!first) {
    // A decision may have come back (webhook) before this routing finished: it left an entry without the record.
    const existing = await options.store.get<ExceptionRoute>(exceptionRouteNamespace, key);
    if (existing && !existing.ref && route.ref) {
      first = await options.store.compareAndSet(exceptionRouteNamespace, key, existing, {
        ...existing,
        ref: route.ref,
        routedAt: route.routedAt,
      });
    }
  }
  if (first) {
    const audit = auditOf(current, "cloudsteward/exceptions", now, `routed:${route.sink}`);
    await options.audit?.append({
      ...audit,
      data: { ...audit.data, sink: route.sink, ...(delivery.ref ? { ref: delivery.ref } : {}) },
    });
  }
  return delivery;
}

/**
 * Where an exception's request was routed (one {@link ExceptionRoute} per sink, in sink order): the
 * ticket or message it became and the last decision seen there.
 * @example
 * for (const route of await exceptionRoutes(record.id, store)) console.log(route.sink, route.ref?.id, route.seen);
 */
export async function exceptionRoutes(id: string, store: Store): Promise<ExceptionRoute[]> {
  const routes: ExceptionRoute[] = [];
  for await (const { value } of store.list<ExceptionRoute>(exceptionRouteNamespace, { prefix: `${id}:` })) {
    routes.push(value);
  }
  return routes;
}

/**
 * The action {@link routeException} delivers: kind `exception`, idempotency key = the exception id,
 * `requiresApproval` (so the Slack sink adds Approve/Reject buttons whose value is the exception id),
 * a case built from the findings with the request as its explanation, and `params.exception` with
 * the request's fields (what {@link serviceNowExceptionFields} maps to ServiceNow columns).
 * Only the findings the exception was requested for are shown.
 * @throws ExceptionError naming `findings` when none of them is given.
 */
export function exceptionAction(
  record: ExceptionRecord,
  findings: readonly Finding[],
  memo?: string,
): Action {
  const shown = findings.filter((finding) => record.findingIds.includes(finding.id));
  if (shown.length === 0) {
    throw new ExceptionError(
      `routing exception "${record.id}" needs its findings (${record.findingIds.slice(0, 3).join(", ")}…)`,
      { field: "findings" },
    );
  }
  const kind = record.kind === "risk-acceptance" ? "Risk acceptance" : "Exception";
  const day = (iso: string) => iso.slice(0, 10);
  const scope =
    typeof record.scope === "string" ? record.scope : `tag ${record.scope.tag.key}=${record.scope.tag.value}`;
  const controls = record.compensatingControls.map(
    (control) =>
      `Compensating control: ${control.description}${control.verification ? ` (verify: ${control.verification})` : ""}`,
  );
  const item: Case = {
    id: record.caseId ?? record.id,
    groupKey: { exception: record.id },
    findings: shown,
    platforms: [...new Set(shown.map((finding) => finding.source.platform))],
    severity: record.severity,
    explanation: {
      source: "knowledge",
      headline: `${kind} requested by ${record.requester} until ${day(record.expiresAt)}: ${shown[0]!.title}`,
      risk: `Justification: ${record.justification}`,
      whyItMatters:
        memo ??
        `${kind} ${record.id} for ${record.findingIds.length} ${record.severity} finding(s), scope ${scope}, from ${day(record.startsAt)} to ${day(record.expiresAt)}${record.residualRisk ? `, residual risk ${record.residualRisk}` : ""}.`,
      likelyIntent:
        record.kind === "risk-acceptance" ? "Accept the risk for a time" : "Bypass the policy for a time",
      remediationSteps: [
        `Approve or reject ${record.id}: ${record.requiredApprovals} approval(s) from approvers other than ${record.requester}.`,
        ...controls,
      ],
      snippets: [],
      controls: [],
    },
  };
  return {
    id: `${record.id}:route`,
    kind: "exception",
    case: item,
    idempotencyKey: record.id,
    risk:
      record.severity === "critical" || record.severity === "high"
        ? "high"
        : record.severity === "medium"
          ? "medium"
          : "low",
    rationale: `${kind} request ${record.id} by ${record.requester}`,
    requiresApproval: true,
    params: {
      approvalId: record.id,
      exception: {
        id: record.id,
        kind: record.kind,
        requester: record.requester,
        justification: record.justification,
        startsAt: record.startsAt,
        expiresAt: record.expiresAt,
        ...(record.residualRisk ? { residualRisk: record.residualRisk } : {}),
        ...(memo ? { memo } : {}),
      },
    },
  };
}

/**
 * The `fields` option of a `servicenow()` sink writing to the GRC policy exception table
 * (`sn_compliance_policy_exception`): from an exception action's `params.exception`, the request's
 * `justification`, `valid_from`, `valid_to` and `requested_valid_to` (dates, `YYYY-MM-DD`); nothing
 * for other actions. The Table API ignores columns a table does not have.
 * @example
 * const sink = servicenow({ table: "sn_compliance_policy_exception", fields: serviceNowExceptionFields, store });
 */
export function serviceNowExceptionFields(action: Action): Record<string, string> {
  const exception = action.params.exception as
    | { justification?: unknown; startsAt?: unknown; expiresAt?: unknown }
    | undefined;
  if (typeof exception?.expiresAt !== "string" || typeof exception.startsAt !== "string") return {};
  return {
    ...(typeof exception.justification === "string" ? { justification: exception.justification } : {}),
    valid_from: exception.startsAt.slice(0, 10),
    valid_to: exception.expiresAt.slice(0, 10),
    requested_valid_to: exception.expiresAt.slice(0, 10),
  };
}

/** Which native statuses mean approved or rejected, per sink name. */
export type ExceptionDecisionStates = Record<string, { approved: string[]; rejected: string[] }>;

/**
 * The default decision statuses: ServiceNow's policy exception states `8` (Approved) and `7`
 * (Rejected); Jira's `Approved` and `Rejected` or `Declined` status names (compared without case).
 * Pass your own for other tables and workflows (a `sn_risk_acceptance_task`, a custom Jira workflow).
 */
export const exceptionDecisionStates: ExceptionDecisionStates = {
  servicenow: { approved: ["8"], rejected: ["7"] },
  jira: { approved: ["Approved"], rejected: ["Rejected", "Declined"] },
};

/** Options of {@link applyItsmDecision} and {@link syncExceptionDecisions}. */
export interface ItsmDecisionOptions extends ExceptionOptions {
  /**
   * Maps the ITSM's approver (Jira account id, ServiceNow user name) to a policy principal; undefined
   * refuses the decision. @default the approver's name itself (refused unless the policy declares it)
   */
  principalFor?: (actor: string, sink: string) => string | undefined | Promise<string | undefined>;
  /** Which statuses are decisions, per sink name. @default exceptionDecisionStates */
  states?: ExceptionDecisionStates;
}

/** A decision status read from an ITSM (by polling or a webhook). */
export interface ItsmDecisionInput {
  exceptionId: string;
  /** The sink's name, the key of `states`. */
  sink: string;
  /** The native status (Jira status name, ServiceNow state value). */
  status: string;
  /** Who set it, as the ITSM names them; a decision without one is refused. */
  actor?: string;
}

/** What became of one ITSM decision. */
export interface ItsmDecisionResult {
  exceptionId: string;
  sink: string;
  /**
   * `approved` / `rejected`: applied; `pending`: an approval counted, the quorum still open;
   * `refused`: not applied (unknown approver, the requester, a decided exception), audited;
   * `ignored`: the status is no decision; `unchanged`: this decision was seen before.
   */
  outcome: "approved" | "rejected" | "pending" | "refused" | "ignored" | "unchanged";
  /** Why it was refused. */
  reason?: string;
  /** The exception after the decision. */
  exception?: ExceptionRecord;
}

/**
 * Applies an approval or rejection made in an ITSM to the exception, through {@link decideException}
 * (approver ≠ requester, the policy's approvers and scopes, the quorum). The ITSM's approver is mapped
 * to a principal with `principalFor`; an unknown approver, a missing one, the requester approving their
 * own request, or a decision on an exception already decided is refused: nothing changes, an audit
 * record (step `itsm-decision-refused`) says who tried what, and the same status is not tried again.
 * @example
 * await applyItsmDecision({ exceptionId, sink: "jira", status: "Approved", actor: accountId }, { store, policy, principalFor });
 */
export async function applyItsmDecision(
  input: ItsmDecisionInput,
  options: ItsmDecisionOptions,
): Promise<ItsmDecisionResult> {
  const base = { exceptionId: input.exceptionId, sink: input.sink };
  const decision = decisionOf(input, options.states ?? exceptionDecisionStates);
  if (!decision) return { ...base, outcome: "ignored" };
  const record = await options.store.get<ExceptionRecord>(exceptionNamespace, input.exceptionId);
  if (!record) return { ...base, outcome: "ignored", reason: `no exception "${input.exceptionId}"` };
  const seen = `${input.status}|${input.actor ?? ""}`;
  const key = routeKey(record.id, input.sink);
  const route = await options.store.get<ExceptionRoute>(exceptionRouteNamespace, key);
  if (route?.seen === seen) return { ...base, outcome: "unchanged", exception: record };
  const markSeen = async () => {
    const fresh: ExceptionRoute = route ?? {
      exceptionId: record.id,
      sink: input.sink,
      key: record.id,
      routedAt: (options.now ?? (() => new Date()))().toISOString(),
    };
    await options.store.set(exceptionRouteNamespace, key, { ...fresh, seen });
  };
  const principal =
    input.actor === undefined
      ? undefined
      : await (options.principalFor ?? ((actor: string) => actor))(input.actor, input.sink);
  let reason: string | undefined;
  if (principal === undefined) {
    reason = `${input.sink} gave ${input.actor === undefined ? "no approver" : `approver "${input.actor}", who maps to no principal`}`;
  } else if (decision === "approve" && record.approvals.some((item) => item.principal === principal)) {
    await markSeen();
    return { ...base, outcome: "unchanged", exception: record };
  } else {
    try {
      const next = await decideException(
        record.id,
        {
          decision,
          principal,
          comment: `${decision === "approve" ? "approved" : "rejected"} in ${input.sink} (${input.status})`,
        },
        options,
      );
      await markSeen();
      const outcome =
        next.state === "rejected" ? "rejected" : next.state === "requested" ? "pending" : "approved";
      return { ...base, outcome, exception: next };
    } catch (error) {
      if (!isCloudstewardError(error, "POLICY")) throw error;
      // The same decision applied a moment ago (a webhook and a poll at once) is no refusal.
      const now = await options.store.get<ExceptionRecord>(exceptionNamespace, record.id);
      const same =
        decision === "approve"
          ? now?.approvals.some((item) => item.principal === principal)
          : now?.state === "rejected" && now.endedBy === principal;
      if (same) {
        await markSeen();
        return { ...base, outcome: "unchanged", exception: now };
      }
      reason = error.message;
    }
  }
  const now = (options.now ?? (() => new Date()))();
  const audit = auditOf(record, input.actor ?? "unknown", now, "itsm-decision-refused");
  await options.audit?.append({
    ...audit,
    data: { ...audit.data, sink: input.sink, nativeStatus: input.status, decision, reason },
  });
  await markSeen();
  return { ...base, outcome: "refused", reason, exception: record };
}

/** A sink whose records can be read back (Jira, ServiceNow). */
export interface StatusReader {
  readStatus(key: string, options?: { signal?: AbortSignal }): Promise<TicketStatus | undefined>;
}

/** Options of {@link syncExceptionDecisions}. */
export interface SyncExceptionDecisionsOptions extends ItsmDecisionOptions {
  /** The sinks requests were routed through, by name (`{ jira, servicenow }`). */
  sinks: Record<string, StatusReader>;
  signal?: AbortSignal;
}

/** What one sync did. */
export interface SyncExceptionDecisionsResult {
  /** Every decision status read, and what became of it (routes with no decision yet are left out). */
  decisions: ItsmDecisionResult[];
  /** Routes whose status could not be read; the next sync tries again. */
  failed: { exceptionId: string; sink: string; error: unknown }[];
}

/**
 * Polls the ITSM records of every routed exception still `requested` (`readStatus` of its sink) and
 * applies the approvals and rejections found there with {@link applyItsmDecision}. Run it on a
 * schedule next to `sweepExceptions`; a webhook (`createWebhookHandler({ exceptions })`) applies the
 * same decisions sooner, and whichever comes second finds the decision seen.
 * @example
 * const { decisions } = await syncExceptionDecisions({ store, policy, audit, sinks: { jira: sink }, principalFor });
 */
export async function syncExceptionDecisions(
  options: SyncExceptionDecisionsOptions,
): Promise<SyncExceptionDecisionsResult> {
  const result: SyncExceptionDecisionsResult = { decisions: [], failed: [] };
  const routes: ExceptionRoute[] = [];
  for await (const { value } of options.store.list<ExceptionRoute>(exceptionRouteNamespace))
    routes.push(value);
  for (const route of routes) {
    options.signal?.throwIfAborted();
    const sink = Object.hasOwn(options.sinks, route.sink) ? options.sinks[route.sink] : undefined;
    if (!sink) continue;
    const record = await options.store.get<ExceptionRecord>(exceptionNamespace, route.exceptionId);
    if (record?.state !== "requested") continue;
    let status: TicketStatus | undefined;
    try {
      status = await sink.readStatus(route.key, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (options.signal?.aborted) throw error;
      result.failed.push({ exceptionId: route.exceptionId, sink: route.sink, error });
      continue;
    }
    if (!status) continue;
    const applied = await applyItsmDecision(
      {
        exceptionId: route.exceptionId,
        sink: route.sink,
        status: status.nativeStatus,
        ...(status.changedBy === undefined ? {} : { actor: status.changedBy }),
      },
      options,
    );
    if (applied.outcome !== "ignored") result.decisions.push(applied);
  }
  return result;
}

/**
 * The exception side of Slack's Approve/Reject buttons: an object `slackInteractionHandler` (and
 * `createWebhookHandler({ exceptions })`) applies presses to, each through {@link decideException}
 * with the principal the Slack user maps to — approver ≠ requester, scopes and quorum included.
 * Exceptions have no Acknowledge button: it is refused.
 * @example
 * const handler = slackInteractionHandler({ approvals: exceptionApprovals({ store, policy, audit }), principalFor });
 */
export function exceptionApprovals(options: ExceptionOptions): ApprovalDecisions<ExceptionRecord> {
  return {
    approve: (id, { principal }) =>
      decideException(id, { decision: "approve", principal, comment: "approved in Slack" }, options),
    reject: (id, { principal }) =>
      decideException(id, { decision: "reject", principal, comment: "rejected in Slack" }, options),
    acknowledge: (id) =>
      Promise.reject(
        new ExceptionError(`exception "${id}" is approved or rejected, not acknowledged`, {
          field: "decision",
        }),
      ),
  };
}

// Internal helpers.

function routeKey(exceptionId: string, sink: string): string {
  return `${exceptionId}:${sink}`;
}

function decisionOf(
  input: ItsmDecisionInput,
  states: ExceptionDecisionStates,
): "approve" | "reject" | undefined {
  const table = Object.hasOwn(states, input.sink) ? states[input.sink] : undefined;
  if (!table) return undefined;
  const status = input.status.toLowerCase();
  if (table.approved.some((value) => value.toLowerCase() === status)) return "approve";
  if (table.rejected.some((value) => value.toLowerCase() === status)) return "reject";
  return undefined;
}
