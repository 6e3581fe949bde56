import type { Action } from "../../core/action.js";
import { type Case, findingIdsOf } from "../../core/case.js";
import { mapConcurrent } from "../../core/concurrency.js";
import { DeliveryError, isAbortError, isCloudstewardError, PolicyError } from "../../core/errors.js";
import { redact } from "../../core/redact.js";
import type { Sink } from "../../core/sink.js";
import type { Stage, StageContext } from "../../core/stage.js";
import type { Store } from "../../core/store.js";
import { type ApprovalQueue, approvalQueue } from "../approvals/queue.js";
import { copyAction, type DerivedAction, deriveActions } from "../decide/decide.js";
import { definePolicy } from "../policy/define.js";
import { routingEnvironmentOf, scopesCover, stricterMode } from "../policy/evaluate.js";
import type { Policy, PolicyInput } from "../policy/schema.js";

/** Options of {@link gate}. */
export interface GateOptions {
  /** The policy every action is re-derived from; the action's own fields are never trusted. */
  policy: Policy | PolicyInput;
  /** Holds drafts and the approval queue. @default the pipeline's store */
  store?: Store;
  /**
   * The principal the run acts as (declared in the policy). It is the requester of every approval
   * (so it can never approve them), and an action runs without a human only when it holds
   * `execute:<kind>:<environment>`. Without it, the policy's `automatic` flags alone decide.
   * @default "cloudsteward" (no scope check)
   */
  principal?: string;
  /** Use this queue instead of opening one over `store`. */
  approvals?: ApprovalQueue;
  /**
   * Where open approval requests are posted for approvers, e.g. a Slack sink (which renders Approve
   * and Reject buttons whose value is the approval id, for `slackInteractionHandler`). Each request
   * is delivered with the approval id as its idempotency key, so the sink posts it once.
   */
  requestSink?: Sink;
}

/** What the gate decided for one action. */
export type GateDecision = "allowed" | "held" | "draft" | "rejected";

/** One draft kept in read-only mode, in the Store namespace {@link draftsNamespace}. */
export interface GateDraft {
  action: Action;
  reason: string;
  at: string;
}

/**
 * The Store namespace of read-only drafts, keyed by idempotency key. A later run that gates the same
 * action outside read-only mode (allowed or held) removes its draft.
 */
export const draftsNamespace = "gate:drafts";

/**
 * The gate stage, between `decide` and the sinks: lets through only what the mode, the policy and
 * the principal's scopes allow. Every action is re-derived from the policy and the case (an action
 * the policy would not produce is rejected, and a changed field is replaced by the policy's value),
 * so nothing a model writes can add an action, widen it or skip the gate. The mode is the stricter
 * of the pipeline's and the policy's. `read-only`: nothing passes; drafts go to the Store
 * ({@link draftsNamespace}) and the audit log. `assisted`: every action is held for a human
 * approval. `automated`: low-risk actions the policy marks `automatic` pass, the rest are held.
 * High-risk actions (IAM, network, production changes, any remediation) are always held. Held
 * actions are queued in the approval queue; `executeApproved` delivers them once approved.
 * @throws PolicyError at creation when the policy is invalid or `principal` is not declared in it.
 * @example
 * const stages = [triage(), enrich(), decide({ policy }), gate({ policy, principal: "cloudsteward-bot" })];
 * const report = await pipeline({ source, stages, sinks, audit: auditLog(store) }).start();
 */
export function gate(options: GateOptions): Stage<Action, Action> {
  const policy = definePolicy(options.policy);
  const requester = options.principal ?? "cloudsteward";
  const principal =
    options.principal === undefined
      ? undefined
      : policy.principals.find((item) => item.id === options.principal);
  if (options.principal !== undefined && principal === undefined) {
    throw new PolicyError(
      `gate: principal "${options.principal}" is not declared in the policy's principals. Add it with its scopes, or omit \`principal\`.`,
    );
  }
  const allowedKinds = new Set(policy.allowedActions);

  return {
    name: "gate",
    async *run(actions, context) {
      const store = options.store ?? context.store;
      // The run's audit log records this queue's requests (`pipeline({ audit })`).
      const queue =
        options.approvals ??
        approvalQueue({
          store,
          policy,
          audit: { append: (event) => context.audit(event) },
          now: context.now,
        });
      const mode = stricterMode(policy.mode, context.mode);
      const counts: Record<GateDecision, number> = { allowed: 0, held: 0, draft: 0, rejected: 0 };
      let cachedCase: Case | undefined;
      let cachedDerived = new Map<string, DerivedAction>();
      // Keys already gated for the current case: a repeated action is a duplicate, not a second run.
      const gatedKeys = new Set<string>();
      // A delivering run settles the drafts of earlier read-only runs for the actions it gates.
      const draftKeys = new Set<string>();
      if (mode !== "read-only") for await (const { key } of store.list(draftsNamespace)) draftKeys.add(key);

      // Each action's outcome is decided in arrival order (the synchronous start of `gateOne`: the
      // policy, duplicates, counts), and its Store writes (approval requests, drafts) overlap, a few
      // at a time, so a Store's round trips do not add up; the gate's records and the actions that
      // pass leave in arrival order.
      const gateOne = async (proposed: Action): Promise<GateOutcome> => {
        context.signal.throwIfAborted();
        if (proposed.case !== cachedCase) {
          cachedCase = proposed.case;
          gatedKeys.clear();
          cachedDerived = new Map(
            deriveActions(policy, proposed.case, { mode }).map((derived) => [
              derived.action.idempotencyKey,
              derived,
            ]),
          );
        }
        const derived = cachedDerived.get(proposed.idempotencyKey);
        if (derived === undefined || !allowedKinds.has(derived.action.kind)) {
          counts.rejected++;
          return { record: [proposed, "rejected", "the policy does not produce this action for this case"] };
        }
        if (gatedKeys.has(proposed.idempotencyKey)) {
          counts.rejected++;
          return { record: [proposed, "rejected", "a duplicate of an action already gated for this case"] };
        }
        gatedKeys.add(proposed.idempotencyKey);
        const { action, requirement } = derived;
        const changed = changedFields(proposed, action);
        const note = changed.length > 0 ? { ignoredChanges: changed } : {};

        if (mode === "read-only") {
          counts.draft++;
          const reason = "read-only mode: kept as a draft for review";
          await store.set<GateDraft>(draftsNamespace, action.idempotencyKey, {
            action: redact(action),
            reason,
            at: context.now().toISOString(),
          });
          return { record: [action, "draft", reason, note] };
        }
        if (draftKeys.delete(action.idempotencyKey))
          await store.delete(draftsNamespace, action.idempotencyKey);
        let reason = requirement.reason;
        let held = requirement.requiresApproval;
        if (!held && principal) {
          // An unreadable environment needs the scope of the environment it routes as (fail closed).
          const scope = `execute:${action.kind}:${routingEnvironmentOf(policy, action.case).environment}`;
          if (!scopesCover(principal.scopes, scope)) {
            held = true;
            reason = `principal "${principal.id}" lacks the scope ${scope}`;
          }
        }
        if (held) {
          counts.held++;
          const request = await queue.request(action, {
            requester,
            reason,
            approvers: requirement.approvers,
          });
          if (options.requestSink && request.state === "requested") {
            await postRequest(context, options.requestSink, {
              ...request.action,
              id: request.id,
              idempotencyKey: request.id,
            });
          }
          return {
            record: [action, "held", reason, { ...note, approvalId: request.id, approval: request.state }],
          };
        }
        counts.allowed++;
        return { record: [action, "allowed", reason, note], pass: action };
      };
      for await (const outcome of mapConcurrent(actions, gateConcurrency, gateOne)) {
        await record(context, ...outcome.record);
        if (outcome.pass) yield copyAction(outcome.pass);
      }

      if (counts.held + counts.draft + counts.rejected > 0) {
        context.warn({
          type: "other",
          level: "info",
          source: "gate",
          feature: "gate",
          message: `gate (${mode}): ${counts.allowed} action(s) allowed, ${counts.held} held for approval, ${counts.draft} kept as drafts, ${counts.rejected} rejected (not produced by the policy, or duplicates).`,
          details: { mode, ...counts },
        });
      }
    },
  };

  async function postRequest(context: StageContext, sink: Sink, request: Action): Promise<void> {
    try {
      await sink.deliver(request, { signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw error;
      context.fail(
        isCloudstewardError(error) || isAbortError(error)
          ? error
          : new DeliveryError(
              `gate: posting approval request ${request.id} to ${sink.name} failed; see the cause.`,
              {
                sink: sink.name,
                key: request.idempotencyKey,
                cause: error,
              },
            ),
        { itemId: request.id },
      );
    }
  }

  async function record(
    context: StageContext,
    action: Action,
    decision: GateDecision,
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    if (decision === "rejected") {
      context.warn({
        type: "other",
        source: "gate",
        feature: "gate.rejected",
        message: `gate: rejected ${action.kind} ${action.idempotencyKey} for case ${action.case.id}: ${reason}.`,
        details: { key: action.idempotencyKey, kind: action.kind, rule: action.rule },
      });
    }
    await context.audit({
      type: "gate",
      at: context.now().toISOString(),
      actor: requester,
      caseId: action.case.id,
      findingIds: findingIdsOf(action.case),
      data: {
        decision,
        reason,
        mode: stricterMode(policy.mode, context.mode),
        actionId: action.id,
        key: action.idempotencyKey,
        kind: action.kind,
        sink: action.sink,
        rule: action.rule,
        risk: action.risk,
        ...extra,
      },
    });
  }
}

/**
 * The drafts a read-only run kept, in key order.
 * @example
 * for await (const draft of gateDrafts(store)) console.log(draft.action.rationale);
 */
export async function* gateDrafts(store: Store): AsyncIterable<GateDraft> {
  for await (const { value } of store.list<GateDraft>(draftsNamespace)) yield value;
}

// Internal helpers.

/** How many actions' Store writes (approval requests, drafts) may be under way at once. */
const gateConcurrency = 8;

/** What the gate decided for one action: its record (the arguments of `record` after the context) and the action, when it passes. */
interface GateOutcome {
  record: [action: Action, decision: GateDecision, reason: string, extra?: Record<string, unknown>];
  pass?: Action;
}

/** The fields of a proposed action that differ from what the policy derives (ignored, but audited). */
function changedFields(proposed: Action, derived: Action): string[] {
  const fields = ["kind", "sink", "risk", "requiresApproval", "rule", "dueDate"] as const;
  const changed: string[] = fields.filter((field) => proposed[field] !== derived[field]);
  if (!sameParams(proposed.params ?? {}, derived.params)) changed.push("params");
  return changed;
}

/** Equal parameters: the same values by identity (the usual shallow copy), else by JSON. */
function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}
