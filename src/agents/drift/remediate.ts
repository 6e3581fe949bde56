import type { Action } from "../../core/action.js";
import type { AuditAppender } from "../../core/audit.js";
import type { Case, Mode } from "../../core/case.js";
import { ConfigurationError, PolicyError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { sleep } from "../../core/rate-limiter.js";
import type { Remediator } from "../../core/remediator.js";
import type { Sink } from "../../core/sink.js";
import { createStageContext } from "../../core/stage.js";
import type { Store } from "../../core/store.js";
import { type ApprovalQueue, approvalIdOf, approvalQueue } from "../approvals/queue.js";
import { decideCase } from "../decide/decide.js";
import { gate } from "../gate/gate.js";
import { definePolicy } from "../policy/define.js";
import { matchRules, routingEnvironmentOf, stricterMode } from "../policy/evaluate.js";
import type { Policy, PolicyInput } from "../policy/schema.js";
import { remediationSink } from "../remediation/sink.js";
import type { ResourceSnapshot } from "./baseline.js";
import type { Drift } from "./detect.js";
import {
  type Dependent,
  defaultPlaybooks,
  type FixFormat,
  type FixImpact,
  type FixPlan,
  type FixRoute,
  fixImpact,
  type Playbook,
  planFix,
  playbookFor,
  unmetPreconditions,
  validatePlaybooks,
  valueAt,
  verificationPasses,
} from "./playbooks.js";

/** What the drift job decided for one drift. */
export type DriftDecision =
  /** Low-risk, marked automatic by the policy, outside production, IAM and network: approved by the automation principal. */
  | "automatic"
  /** Waits for a named human's approval in the approval queue. */
  | "approval"
  /** No playbook fixes it, or the policy proposes no remediation: only what the policy asks (an incident ticket). */
  | "ticket";

/** Where a drift fix stands. */
export type DriftFixState =
  | "waiting"
  | "approved"
  | "executed"
  | "verified"
  | "rolled-back"
  | "failed"
  | "ticketed"
  | "rejected";

/** One drift and what is being done about it, as kept in the Store ({@link driftFixesNamespace}). */
export interface DriftFix {
  drift: Drift;
  /** The case the policy and the gate saw: `drift_<drift id>`, `#<n>` from the second occurrence on. */
  caseId: string;
  /** 1 for the first time this drift (same resource, attribute and value) was seen, +1 each time it came back after a fix. */
  occurrence: number;
  decision: DriftDecision;
  reason: string;
  playbook?: string;
  plan?: FixPlan;
  impact?: FixImpact;
  approvalId?: string;
  approvedBy?: string;
  state: DriftFixState;
  /** Every state change with its instant and what was seen. */
  history: { at: string; state: DriftFixState; note: string }[];
}

/** The Store namespace of drift fixes, keyed by drift id. */
export const driftFixesNamespace = "drift:fixes";

/** Options of {@link driftRemediation}. */
export interface DriftRemediationOptions {
  /** The governance policy: its rules (match `rule: "drift/*"`) propose the remediation and the ticket. */
  policy: Policy | PolicyInput;
  /** Holds the fixes, the approval queue and the remediation ledger. */
  store: Store;
  /** Every step, with its before and after. */
  audit?: AuditAppender;
  /** The run's mode; the stricter of it and the policy's applies. @default the policy's mode */
  mode?: Mode;
  /** The gate's principal, the requester of every approval. @default "cloudsteward" */
  principal?: string;
  /**
   * The policy principal that approves automatic fixes. Without it nothing runs without a human.
   * It needs `approve:remediate:<environment>` in the policy, which is how the policy limits where
   * automation may act; it is never used for production, IAM or network changes.
   */
  automationPrincipal?: string;
  /** @default defaultPlaybooks */
  playbooks?: readonly Playbook[];
  /** The remediator per route; a playbook whose chosen route has none is ticketed, not run. */
  remediators: Partial<Record<FixRoute, Remediator>>;
  /**
   * Route and format per playbook. @default the first route with a remediator (native, pipeline,
   * pull-request, webhook), in `terraform` for IaC-managed resources and `cli` for the rest
   */
  choose?: (playbook: Playbook, drift: Drift) => { route: FixRoute; format: FixFormat };
  /** Reads a resource again, for preconditions and verification. */
  read: (resourceId: string, options: { signal?: AbortSignal }) => Promise<ResourceSnapshot | undefined>;
  /** Undoes a fix whose verification failed; without it the rollback steps go to the ticket and the approver. */
  rollback?: (fix: DriftFix, options: { signal?: AbortSignal }) => Promise<void>;
  /** What the fix closes and could break, per drift (open findings and dependents). */
  context?: (drift: Drift) => Promise<ImpactContext> | ImpactContext;
  /** The sinks the policy's ticket and notify actions name (incident tickets, failure notices). */
  sinks?: Record<string, Sink>;
  /** The sink name the policy's remediate template uses. @default "drift" */
  sink?: string;
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /** Waits between verification reads (tests advance a clock). @default setTimeout */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What {@link fixImpact} reads for a drift. */
export interface ImpactContext {
  findings?: readonly { finding: Finding; archetype?: string; caseId?: string }[];
  dependents?: readonly Dependent[];
}

/** What {@link DriftRemediation.execute} did. */
export interface DriftExecution {
  verified: DriftFix[];
  rolledBack: DriftFix[];
  /** Verification failed and no rollback could run: a human must act (the ticket says how). */
  failed: DriftFix[];
  /** Approved executions the remediator refused or failed; tried again with `retryFailed`. */
  errors: { approvalId: string; error: Error }[];
}

/** The drift job: decide, gate, execute, verify, roll back. */
export interface DriftRemediation {
  /**
   * A dry run: for each drift, the decision, the rendered plan (the exact native call, pipeline
   * inputs, pull request or webhook event) and the fix impact. Writes and sends nothing.
   */
  plan(drifts: readonly Drift[]): Promise<DriftFix[]>;
  /**
   * Decides each drift under the policy and sends its actions through the gate: the remediation is
   * queued for approval (and approved by the automation principal when the fix is automatic), the
   * ticket and notify actions the gate lets through go to `sinks`. Idempotent: a drift already being
   * handled is returned as it stands.
   */
  handle(drifts: readonly Drift[], options?: { signal?: AbortSignal }): Promise<DriftFix[]>;
  /**
   * Runs the approved fixes once each (the approval queue's ledger), then re-reads each resource
   * until the playbook's checks pass or its deadline passes, rolling back on failure. Resumes fixes
   * a killed run left executed but unverified.
   */
  execute(options?: { signal?: AbortSignal; retryFailed?: boolean }): Promise<DriftExecution>;
  /** The fix kept for a drift. */
  get(driftId: string): Promise<DriftFix | undefined>;
  /** Every fix kept, in drift-id order. */
  list(): AsyncIterable<DriftFix>;
  /** The approval queue the fixes wait in (approve and reject there). */
  readonly approvals: ApprovalQueue;
}

/**
 * The drift job over the existing approval gate. Every drift becomes a case (rule
 * `drift/<playbook>`, the drift, its author, the plan, the impact and the rollback in its
 * description) that the policy routes like any other: a `remediate` action is always held by the
 * gate; it is approved by `automationPrincipal` only when the mode is `automated`, the policy's
 * remediate template is `automatic`, the playbook is low-risk, it touches neither IAM nor network,
 * the environment is not production (an unknown one counts as production) and its preconditions
 * hold. Everything else waits for a named human. Ticket actions carry the diff and its author.
 * @throws ConfigurationError when a playbook is incomplete or `remediators` is empty.
 * @example
 * const job = driftRemediation({ policy, store, audit, remediators: { pipeline: githubFix }, read: inventory.read, automationPrincipal: "drift-bot", sinks: { jira } });
 * await job.handle(detectDrift(await inventory.snapshots(), await baselines.index()));
 * await job.execute();
 */
export function driftRemediation(options: DriftRemediationOptions): DriftRemediation {
  const policy = definePolicy(options.policy);
  const playbooks = options.playbooks ?? defaultPlaybooks;
  validatePlaybooks(playbooks);
  if (Object.keys(options.remediators ?? {}).length === 0) {
    throw new ConfigurationError("driftRemediation: `remediators` needs at least one route.", {
      option: "remediators",
    });
  }
  if (
    options.automationPrincipal !== undefined &&
    !policy.principals.some((principal) => principal.id === options.automationPrincipal)
  ) {
    throw new PolicyError(
      `driftRemediation: automationPrincipal "${options.automationPrincipal}" is not declared in the policy's principals.`,
    );
  }
  const store = options.store;
  const now = options.now ?? (() => new Date());
  const wait = options.sleep ?? sleep;
  const sinkName = options.sink ?? "drift";
  const mode = stricterMode(policy.mode, options.mode ?? policy.mode);
  const approvals = approvalQueue({ store, policy, audit: options.audit, now });
  const audit = async (type: string, fix: DriftFix, data: Record<string, unknown>) => {
    await options.audit?.append({
      type,
      at: now().toISOString(),
      actor: "cloudsteward/drift",
      caseId: fix.caseId,
      findingIds: fix.drift.findingIds,
      data: { driftId: fix.drift.id, resourceId: fix.drift.resourceId, path: fix.drift.path, ...data },
    });
  };

  /** The decision, plan and impact for a drift, written nowhere. */
  async function assess(drift: Drift, occurrence: number): Promise<{ fix: DriftFix; item: Case }> {
    const playbook = playbookFor(drift, playbooks);
    const choice = playbook
      ? (options.choose ?? defaultChoice(options.remediators))(playbook, drift)
      : undefined;
    const plan = playbook && choice ? planFix(playbook, drift, choice) : undefined;
    const impact = playbook ? fixImpact(drift, playbook, (await options.context?.(drift)) ?? {}) : undefined;
    const caseId = occurrence === 1 ? `drift_${drift.id}` : `drift_${drift.id}#${occurrence}`;
    const item = driftCase(drift, caseId, playbook, plan, impact);
    const remediate = decideCase(policy, item, { mode }).find((action) => action.kind === "remediate");
    let decision: DriftDecision;
    let reason: string;
    if (!playbook || !plan) {
      decision = "ticket";
      reason = "no playbook fixes this drift";
    } else if (!remediate) {
      decision = "ticket";
      reason = "the policy proposes no remediation for this drift";
    } else if (!options.remediators[plan.route]) {
      decision = "ticket";
      reason = `no remediator for the ${plan.route} route`;
    } else {
      const blocker = await automaticBlocker(item, playbook, drift);
      decision = blocker === undefined ? "automatic" : "approval";
      reason =
        blocker === undefined
          ? `low-risk ${playbook.id} marked automatic by the policy, outside production, IAM and network`
          : `waits for a named human: ${blocker}`;
    }
    const fix: DriftFix = {
      drift,
      caseId,
      occurrence,
      decision,
      reason,
      ...(playbook ? { playbook: playbook.id } : {}),
      ...(plan ? { plan } : {}),
      ...(impact ? { impact } : {}),
      state: decision === "ticket" ? "ticketed" : "waiting",
      history: [],
    };
    return { fix, item };
  }

  /** Why a fix may not run automatically, or undefined when it may. */
  async function automaticBlocker(item: Case, playbook: Playbook, drift: Drift): Promise<string | undefined> {
    if (mode !== "automated") return `${mode} mode`;
    if (playbook.risk !== "low") return `playbook ${playbook.id} is high-risk`;
    if (playbook.domain === "identity" || playbook.domain === "network")
      return `it changes ${playbook.domain}`;
    const environment = routingEnvironmentOf(policy, item).environment;
    if (environment === "production" || environment === "unknown") return `the environment is ${environment}`;
    const automatic = matchRules(policy, item).some(({ rule }) =>
      rule.do.some((template) => template.kind === "remediate" && template.automatic === true),
    );
    if (!automatic) return "the policy does not mark this remediation automatic";
    if (options.automationPrincipal === undefined) return "no automation principal is configured";
    const current = await options.read(drift.resourceId, {});
    const unmet = current
      ? unmetPreconditions(playbook, current.attributes)
      : ["the resource could not be read"];
    if (unmet.length > 0) return `precondition not met: ${unmet.join("; ")}`;
    return undefined;
  }

  async function save(fix: DriftFix, state: DriftFixState, note: string): Promise<DriftFix> {
    const next: DriftFix = {
      ...fix,
      state,
      history: [...fix.history, { at: now().toISOString(), state, note }],
    };
    await store.set(driftFixesNamespace, fix.drift.id, next);
    return next;
  }

  async function handleOne(drift: Drift, signal: AbortSignal | undefined): Promise<DriftFix> {
    const existing = await store.get<DriftFix>(driftFixesNamespace, drift.id);
    if (existing && !reopens(existing, drift)) return existing;
    const occurrence = existing ? existing.occurrence + 1 : 1;
    const assessed = await assess(drift, occurrence);
    const claimed = await store.compareAndSet(driftFixesNamespace, drift.id, existing, {
      ...assessed.fix,
      history: [{ at: now().toISOString(), state: assessed.fix.state, note: assessed.fix.reason }],
    });
    // Another worker handled this drift in between: return what it wrote.
    if (!claimed) return (await store.get<DriftFix>(driftFixesNamespace, drift.id)) as DriftFix;
    let fix = (await store.get<DriftFix>(driftFixesNamespace, drift.id)) as DriftFix;
    await audit("drift", fix, {
      decision: fix.decision,
      reason: fix.reason,
      before: drift.before,
      after: drift.after,
      change: drift.change ?? null,
      playbook: fix.playbook ?? null,
      plan: fix.plan ?? null,
      impact: fix.impact ?? null,
    });
    // Through the existing gate: it re-derives every action from the policy and holds the remediation.
    const context = createStageContext({ stage: "gate", store, mode, now, signal, audit: options.audit });
    const stage = gate({ policy, store, approvals, principal: options.principal });
    for await (const action of stage.run(once(decideCase(policy, assessed.item, { mode })), context)) {
      const sink = options.sinks?.[action.sink ?? "default"];
      if (sink) await sink.deliver(action, { signal });
    }
    const remediate = decideCase(policy, assessed.item, { mode }).find(
      (action) => action.kind === "remediate",
    );
    if (fix.decision === "ticket" || !remediate) return fix;
    const approvalId = approvalIdOf(remediate);
    fix = await save({ ...fix, approvalId }, "waiting", `approval ${approvalId} requested`);
    if (fix.decision === "automatic") {
      const approved = await approvals.approve(approvalId, {
        principal: options.automationPrincipal as string,
        comment: `automatic: ${fix.reason}`,
      });
      fix = await save(
        { ...fix, approvedBy: approved.decidedBy },
        "approved",
        `approved by ${approved.decidedBy} (automatic)`,
      );
    }
    return fix;
  }

  /** The dispatcher the remediation sink runs: the route's remediator, with the rendered request in `params.fix`. */
  const dispatcher: Remediator = {
    name: sinkName,
    async remediate(action: Action, callOptions = {}) {
      const fix = await fixOfCase(action.case.id);
      if (!fix?.plan) {
        throw new PolicyError(`drift: no planned fix for case ${action.case.id}; it was not run.`, {
          rule: action.rule,
        });
      }
      const remediator = options.remediators[fix.plan.route];
      if (!remediator) {
        throw new ConfigurationError(`drift: no remediator for the ${fix.plan.route} route.`, {
          option: "remediators",
        });
      }
      const result = await remediator.remediate(
        { ...action, params: { ...action.params, fix: fix.plan.request, playbook: fix.plan.playbook } },
        callOptions,
      );
      return { ...result, rollback: [result.rollback, ...fix.plan.rollback].filter(Boolean).join("\n") };
    },
  };

  async function fixOfCase(caseId: string): Promise<DriftFix | undefined> {
    const driftId = caseId.replace(/^drift_/, "").replace(/#\d+$/, "");
    const fix = await store.get<DriftFix>(driftFixesNamespace, driftId);
    return fix?.caseId === caseId ? fix : undefined;
  }

  async function verify(
    fix: DriftFix,
    signal: AbortSignal | undefined,
    result: DriftExecution,
  ): Promise<void> {
    const playbook = playbooks.find((item) => item.id === fix.playbook);
    if (!playbook) return;
    const deadline =
      Date.parse(fix.history.at(-1)?.at ?? now().toISOString()) + playbook.verify.deadlineMinutes * 60_000;
    for (;;) {
      signal?.throwIfAborted();
      const current = await options.read(fix.drift.resourceId, { signal });
      if (current && verificationPasses(playbook, current.attributes)) {
        const verified = await save(fix, "verified", "verification passed");
        await audit("drift.verified", verified, stepData(playbook, fix, current));
        result.verified.push(verified);
        return;
      }
      if (now().getTime() >= deadline) {
        await audit("drift.verification-failed", fix, stepData(playbook, fix, current));
        if (options.rollback) {
          await options.rollback(fix, { signal });
          const after = await options.read(fix.drift.resourceId, { signal });
          const rolled = await save(
            fix,
            "rolled-back",
            `verification failed by the deadline; rolled back (${fix.plan?.rollback.join(" ")})`,
          );
          await audit("drift.rolled-back", rolled, {
            ...stepData(playbook, fix, after),
            approvedBy: fix.approvedBy ?? null,
          });
          await notifyFailure(rolled, signal);
          result.rolledBack.push(rolled);
        } else {
          const failed = await save(fix, "failed", "verification failed by the deadline; roll back by hand");
          await notifyFailure(failed, signal);
          result.failed.push(failed);
        }
        return;
      }
      await wait(playbook.verify.intervalSeconds * 1000, signal);
    }
  }

  /** Reopens the incident: the policy's ticket and notify actions for the case, again, with the failure in it. */
  async function notifyFailure(fix: DriftFix, signal: AbortSignal | undefined): Promise<void> {
    const playbook = playbooks.find((item) => item.id === fix.playbook);
    const item = driftCase(fix.drift, fix.caseId, playbook, fix.plan, fix.impact, fix);
    for (const action of decideCase(policy, item, { mode })) {
      if (action.kind !== "ticket" && action.kind !== "notify") continue;
      const sink = options.sinks?.[action.sink ?? "default"];
      if (!sink) continue;
      const key = `${action.idempotencyKey}:${fix.state}`;
      await sink.deliver({ ...action, id: `${action.id}:${fix.state}`, idempotencyKey: key }, { signal });
    }
  }

  return {
    approvals,
    async plan(drifts) {
      const fixes: DriftFix[] = [];
      for (const drift of drifts) {
        const existing = await store.get<DriftFix>(driftFixesNamespace, drift.id);
        const occurrence = existing ? existing.occurrence + (reopens(existing, drift) ? 1 : 0) : 1;
        fixes.push((await assess(drift, occurrence)).fix);
      }
      return fixes;
    },
    async handle(drifts, { signal } = {}) {
      const fixes: DriftFix[] = [];
      for (const drift of drifts) fixes.push(await handleOne(drift, signal));
      return fixes;
    },
    async execute({ signal, retryFailed } = {}) {
      const result: DriftExecution = { verified: [], rolledBack: [], failed: [], errors: [] };
      const sink = remediationSink(dispatcher, { approvals, store, audit: options.audit });
      const executed = await approvals.executeApproved({
        sinks: { ...options.sinks, [sinkName]: sink },
        signal,
        ...(retryFailed ? { retryFailed } : {}),
      });
      for (const failure of executed.failed)
        result.errors.push({ approvalId: failure.id, error: failure.error });
      // Every fix whose approval ran, this call or a killed one before it, and is not verified yet.
      for await (const { value } of store.list<DriftFix>(driftFixesNamespace)) {
        let fix = value;
        if (
          !fix.approvalId ||
          (fix.state !== "waiting" && fix.state !== "approved" && fix.state !== "executed")
        )
          continue;
        const request = await approvals.get(fix.approvalId);
        if (fix.state === "waiting" && request?.state === "rejected") {
          await save(fix, "rejected", `rejected by ${request.decidedBy ?? "an approver"}`);
          continue;
        }
        const execution = await approvals.execution(fix.approvalId);
        if (execution?.state !== "done") continue;
        if (fix.state !== "executed") {
          fix = await save(
            { ...fix, approvedBy: request?.decidedBy },
            "executed",
            `executed through ${fix.plan?.route}`,
          );
          await audit("drift.executed", fix, {
            route: fix.plan?.route ?? null,
            request: fix.plan?.request ?? null,
            approvedBy: fix.approvedBy ?? null,
            before: fix.drift.after,
          });
        }
        await verify(fix, signal, result);
      }
      return result;
    },
    get: (driftId) => store.get<DriftFix>(driftFixesNamespace, driftId),
    async *list() {
      for await (const { value } of store.list<DriftFix>(driftFixesNamespace)) yield value;
    },
  };
}

// Internal helpers.

/**
 * Whether a drift seen again is a new occurrence: after a verified fix it came back; after a
 * rollback, a failure, a rejection or a ticket only a new change (a later `change.at`) reopens it,
 * so a drift a human is handling is not asked about again at every poll.
 */
function reopens(existing: DriftFix, drift: Drift): boolean {
  switch (existing.state) {
    case "verified":
      return true;
    case "waiting":
    case "approved":
    case "executed":
      return false;
    default:
      return drift.change?.at !== undefined && drift.change.at !== existing.drift.change?.at;
  }
}

async function* once<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

function defaultChoice(remediators: Partial<Record<FixRoute, Remediator>>) {
  return (_playbook: Playbook, drift: Drift): { route: FixRoute; format: FixFormat } => {
    const route =
      (["native", "pipeline", "pull-request", "webhook"] as const).find((name) => remediators[name]) ??
      "native";
    return { route, format: drift.baseline.iac ? "terraform" : "cli" };
  };
}

function stepData(
  playbook: Playbook,
  fix: DriftFix,
  current: ResourceSnapshot | undefined,
): Record<string, unknown> {
  const observed = Object.fromEntries(
    playbook.verify.checks.map((check) => [
      check.path,
      current ? (valueAt(current.attributes, check.path) ?? null) : null,
    ]),
  );
  return {
    before: fix.drift.after,
    after: observed,
    expected: Object.fromEntries(playbook.verify.checks.map((check) => [check.path, check.equals])),
  };
}

const show = (value: unknown) => (value === undefined ? "absent" : JSON.stringify(value));

/**
 * The case the policy and gate see for a drift: one finding on the drifted resource, rule
 * `drift/<playbook>` (`drift/unmatched` without one), its environment from the snapshot, and a
 * description with the diff, its author, the plan, the impact and the rollback.
 */
function driftCase(
  drift: Drift,
  caseId: string,
  playbook: Playbook | undefined,
  plan: FixPlan | undefined,
  impact: FixImpact | undefined,
  outcome?: DriftFix,
): Case {
  const rule = `drift/${playbook?.id ?? "unmatched"}`;
  const author = drift.change
    ? `${drift.change.actor ?? "an unknown actor"}${drift.change.via ? ` via ${drift.change.via}` : ""}${drift.change.at ? ` at ${drift.change.at}` : ""}${drift.change.event ? ` (${drift.change.event})` : ""}`
    : "not reported by the platform";
  const lines = [
    `${drift.path} on ${drift.resourceId} changed from ${show(drift.before)} to ${show(drift.after)}.`,
    `Changed by: ${author}.`,
    `Baseline: ${drift.baseline.scope} version ${drift.baseline.version} (${drift.baseline.source}, approved by ${drift.baseline.approvedBy})${drift.baseline.iac ? `; managed by Terraform at ${drift.baseline.iac.address}, so this change was made outside the code` : ""}.`,
  ];
  if (plan) {
    lines.push(`Fix: ${plan.title} through ${plan.route} (${plan.format}): ${plan.steps.join(" ")}`);
    lines.push(`Rollback: ${plan.rollback.join(" ")}`);
  }
  if (impact) {
    lines.push(
      `Closes: ${impact.closes.findingIds.length} finding(s)${impact.closes.caseIds.length ? ` in case(s) ${impact.closes.caseIds.join(", ")}` : ""}.`,
    );
    lines.push(
      impact.mayBreak.length
        ? `Could break: ${impact.mayBreak.map((item) => `${item.id} (${item.type}, ${item.relation}): ${item.why}`).join("; ")}.`
        : "Could break: no dependents known.",
    );
  }
  if (outcome) lines.push(`Outcome: ${outcome.state}: ${outcome.history.at(-1)?.note ?? ""}`);
  const arn = drift.resourceId.split(":");
  const cloud = drift.resourceType.split(".")[0] ?? "other";
  const finding: Finding = {
    id: `drift:${caseId}`,
    dedupKey: `drift:${drift.resourceId}:${drift.path}`,
    source: {
      platform: "drift",
      nativeId: caseId,
      nativeSeverity: playbook?.risk ?? "unknown",
      nativeStatus: "open",
      fetchedAt: drift.detectedAt,
    },
    category:
      playbook?.domain === "identity"
        ? "identity"
        : playbook?.domain === "network"
          ? "exposure"
          : "misconfiguration",
    severity: playbook?.risk === "high" || !playbook ? "high" : "medium",
    status: "open",
    title: `Drift: ${drift.path} on ${drift.resourceId}`,
    description: lines.join("\n"),
    rule: { id: rule, name: playbook?.title ?? "Drift without a playbook", controls: [] },
    resource: {
      id: drift.resourceId,
      type: drift.resourceType,
      nativeType: drift.resourceType,
      name: drift.resourceId,
      cloud:
        (["aws", "azure", "gcp", "oci", "alibaba", "kubernetes"] as const).find((name) => name === cloud) ??
        "other",
      accountId: arn[0] === "arn" ? (arn[4] ?? "") : "",
      tags: {},
    },
    firstSeen: drift.detectedAt,
    lastSeen: drift.detectedAt,
  };
  const environment = drift.environment;
  const known =
    environment === "production" ||
    environment === "staging" ||
    environment === "development" ||
    environment === "test";
  return {
    id: caseId,
    groupKey: { rule, resource: drift.resourceId },
    findings: [finding],
    platforms: ["drift"],
    severity: finding.severity,
    ...(known ? { context: { environment: { value: environment, source: "snapshot" } } } : {}),
  };
}
