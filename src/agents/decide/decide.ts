import type { Action } from "../../core/action.js";
import { type Case, findingIdsOf, type Mode } from "../../core/case.js";
import { isAbortError, isCloudstewardError, PolicyError } from "../../core/errors.js";
import { stableHash } from "../../core/fingerprint.js";
import type { Stage } from "../../core/stage.js";
import { definePolicy } from "../policy/define.js";
import {
  type ApprovalRequirement,
  approvalRequirement,
  matchRules,
  riskOf,
  routingEnvironmentOf,
  stricterMode,
} from "../policy/evaluate.js";
import type { Policy, PolicyInput } from "../policy/schema.js";

/** Options of {@link decide}. */
export interface DecideOptions {
  /** The governance policy (validated again here, so a YAML-loaded or hand-written one both work). */
  policy: Policy | PolicyInput;
}

/** Options of {@link decideCase}. */
export interface DecideCaseOptions {
  /** The run's mode; the stricter of it and the policy's mode sets `requiresApproval`. @default the policy's mode */
  mode?: Mode;
}

/**
 * The decide stage: maps each case to the actions the policy's routing rules ask for, each with a
 * rationale naming the rule, a risk level, an idempotency key, an SLA due date and whether it needs
 * a human approval. It is a `Stage<Case, Action>`, so it composes with `pipeline`, which delivers
 * the last stage's actions to `sinks[action.sink]`; put `gate()` after it so that only what the
 * mode, policy and scopes allow reaches a sink. Deterministic: the same case and policy give the
 * same actions. A case that fails goes to the dead letters; a case no rule matches yields nothing.
 * @throws PolicyError at creation when the policy is invalid.
 * @example
 * const run = pipeline({
 *   source: wiz(),
 *   stages: [triage(), enrich(), decide({ policy }), gate({ policy, audit })],
 *   sinks: { jira: jira({ projectKey: "SEC" }) },
 *   mode: "assisted",
 * });
 */
export function decide(options: DecideOptions): Stage<Case, Action> {
  const policy = definePolicy(options.policy);
  return {
    name: "decide",
    async *run(cases, { signal, events, mode, fail, audit, warn }) {
      const emit = events.listenerCount("action-proposed") > 0;
      // Cases whose environment could not be read and were routed as a guarded one (fail closed).
      const guarded: string[] = [];
      for await (const item of cases) {
        signal.throwIfAborted();
        const routing = routingEnvironmentOf(policy, item);
        if (routing.guarded) guarded.push(item.id);
        let actions: Action[];
        try {
          actions = decideCase(policy, item, { mode });
        } catch (error) {
          fail(
            isCloudstewardError(error) || isAbortError(error)
              ? error
              : new PolicyError(`decide: case ${item.id} could not be decided; see the cause.`, {
                  cause: error,
                }),
            { itemId: item.id },
          );
          continue;
        }
        await audit({
          type: "decision",
          actor: "cloudsteward/decide",
          caseId: item.id,
          findingIds: findingIdsOf(item),
          data: {
            mode,
            ...(routing.guarded && { environment: routing.environment, environmentGuarded: routing.guarded }),
            actions: actions.map((action) => ({
              id: action.id,
              kind: action.kind,
              sink: action.sink ?? null,
              rule: action.rule ?? null,
              risk: action.risk,
              requiresApproval: action.requiresApproval,
              idempotencyKey: action.idempotencyKey,
              dueDate: action.dueDate ?? null,
              rationale: action.rationale,
            })),
          },
        });
        for (const action of actions) {
          if (emit) {
            events.emit("action-proposed", {
              actionId: action.id,
              kind: action.kind,
              requiresApproval: action.requiresApproval,
            });
          }
          yield action;
        }
      }
      if (guarded.length > 0) {
        warn({
          type: "other",
          source: "decide",
          feature: "decide.unknown-environment",
          message: `decide: ${guarded.length} case(s) had no readable environment (or disputed ones) and were routed as ${policy.unknownEnvironment} (the policy's unknownEnvironment); fix their environment tags or CMDB records.`,
          details: {
            environment: policy.unknownEnvironment,
            cases: guarded.slice(0, 20),
            total: guarded.length,
          },
        });
      }
    },
  };
}

/**
 * The actions a policy asks for on one case, as {@link decide} yields them: one per action
 * template of each matching rule (with `routing: "all"`, one per kind and sink, the earliest
 * rule's). The due date is the case's earliest `firstSeen` plus the severity's SLA days, so it does
 * not move between runs and an old finding is already overdue.
 * @example
 * const actions = decideCase(policy, item, { mode: "assisted" });
 */
export function decideCase(policy: Policy, item: Case, options: DecideCaseOptions = {}): Action[] {
  return deriveActions(policy, item, options).map(({ action }) => copyAction(action));
}

/** A copy of a derived action that its receiver may change without touching the cached one. */
export function copyAction(action: Action): Action {
  return { ...action, params: { ...action.params } };
}

/** An action {@link deriveActions} derived, with why it does or does not need an approval. */
export interface DerivedAction {
  action: Action;
  requirement: ApprovalRequirement;
}

/**
 * Like {@link decideCase}, keeping each action's approval requirement (the gate's input). The
 * result is frozen and remembered per policy, case object and mode, so the gate re-derives a case
 * `decide` just derived for free; callers that hand actions on must copy them.
 */
export function deriveActions(
  policy: Policy,
  item: Case,
  options: DecideCaseOptions = {},
): readonly DerivedAction[] {
  const mode = stricterMode(policy.mode, options.mode ?? policy.mode);
  let byCase = derivations.get(policy);
  if (byCase === undefined) {
    byCase = new WeakMap();
    derivations.set(policy, byCase);
  }
  const cached = byCase.get(item);
  if (cached?.mode === mode) return cached.derived;
  const derived = Object.freeze(computeActions(policy, item, mode));
  byCase.set(item, { mode, derived });
  return derived;
}

// Internal helpers.

const derivations = new WeakMap<Policy, WeakMap<Case, { mode: Mode; derived: readonly DerivedAction[] }>>();

function computeActions(policy: Policy, item: Case, mode: Mode): DerivedAction[] {
  const derived: DerivedAction[] = [];
  const seen = new Set<string>();
  const dueDate = dueDateOf(policy, item);
  const { guarded } = routingEnvironmentOf(policy, item);
  for (const { rule, reasons } of matchRules(policy, item)) {
    for (const template of rule.do) {
      const sink = template.sink ?? "default";
      const slot = `${template.kind}\u0000${sink}`;
      if (seen.has(slot)) continue;
      seen.add(slot);
      const risk = riskOf(template.kind, item, template.risk, policy);
      const requirement = approvalRequirement(
        policy,
        { kind: template.kind, risk, case: item, automatic: template.automatic },
        mode,
      );
      const idempotencyKey = stableHash(item.id, template.kind, sink, rule.id);
      const action: Action = {
        id: `act_${idempotencyKey}`,
        kind: template.kind,
        case: item,
        idempotencyKey,
        risk,
        rationale: `Policy rule "${rule.id}"${rule.description ? ` (${rule.description})` : ""} matched: ${reasons.join("; ")}.${guarded && !reasons.some((reason) => reason.includes(guarded)) ? ` Environment: ${guarded}.` : ""} Risk ${risk}; ${requirement.requiresApproval ? `needs approval: ${requirement.reason}` : requirement.reason}.`,
        rule: rule.id,
        sink,
        requiresApproval: requirement.requiresApproval,
        params: template.params ? { ...template.params } : {},
      };
      if (dueDate !== undefined) action.dueDate = dueDate;
      Object.freeze(action.params);
      derived.push(Object.freeze({ action: Object.freeze(action), requirement: Object.freeze(requirement) }));
    }
  }
  return derived;
}

const dayMs = 86_400_000;

/** `YYYY-MM-DD`: the earliest `firstSeen` of the case plus the severity's SLA days. */
function dueDateOf(policy: Policy, item: Case): string | undefined {
  const days = policy.sla[item.severity];
  if (days === undefined) return undefined;
  let earliest = Number.POSITIVE_INFINITY;
  for (const finding of item.findings) {
    const at = Date.parse(finding.firstSeen);
    if (at < earliest) earliest = at;
  }
  if (!Number.isFinite(earliest)) return undefined;
  return new Date(earliest + days * dayMs).toISOString().slice(0, 10);
}
