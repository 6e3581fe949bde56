import type { Action } from "../../core/action.js";
import type { AuditAppender } from "../../core/audit.js";
import type { Case, Mode } from "../../core/case.js";
import type { Delivery } from "../../core/events.js";
import { type PipelineRun, type PipelineSource, pipeline } from "../../core/pipeline.js";
import { redact } from "../../core/redact.js";
import type { RunReport } from "../../core/report.js";
import type { Sink } from "../../core/sink.js";
import type { FindingQuery } from "../../core/source.js";
import type { Stage } from "../../core/stage.js";
import type { Store } from "../../core/store.js";
import type { ApprovalQueue } from "../approvals/queue.js";
import { decide } from "../decide/decide.js";
import { type EnrichOptions, enrich } from "../enrich/enrich.js";
import { type ExplainOptions, explain } from "../explain/explain.js";
import { gate } from "../gate/gate.js";
import { definePolicy } from "../policy/define.js";
import type { Policy, PolicyInput } from "../policy/schema.js";
import { type TriageOptions, triage } from "../triage/triage.js";

/** The Store namespace where {@link governance} keeps the last explained version of each case, secrets masked (for replay and reports). */
export const casesNamespace = "cli:cases";

/** Options of {@link governance}. */
export interface GovernanceOptions {
  /** Where findings come from: adapters, or any async iterables of findings. */
  sources: readonly PipelineSource[];
  /** The filter passed to every source, e.g. `{ updatedAfter }` for an incremental run. */
  query?: FindingQuery;
  /** The governance policy decide and gate apply. */
  policy: Policy | PolicyInput;
  /** The principal the run acts as; it must be declared in the policy. */
  principal: string;
  /** The run's rollout phase; the policy's own mode wins when it is stricter. @default the policy's mode */
  mode?: Mode;
  /** Sinks by the names the policy's actions use (`jira`, `slack`…). */
  sinks: Record<string, Sink>;
  /** Durable state: ledgers, approvals, caches and the recorded cases. @default memoryStore() */
  store?: Store;
  /** The audit log the run writes every step to; pass `auditLog(store)` from `cloudsteward/audit`. */
  audit?: AuditAppender;
  /** Writes the explanations; without one the knowledge base does. */
  model?: ExplainOptions["model"];
  /** Options of the triage stage (suppressions, grouping, priority weights, a verdict model). */
  triage?: TriageOptions;
  /** Options of the enrich stage (context providers). */
  enrich?: EnrichOptions;
  /** Options of the explain stage other than `model`. */
  explain?: Omit<ExplainOptions, "model">;
  /** The approval queue held actions go to. @default one over `store`, recording to `audit` */
  approvals?: ApprovalQueue;
  /** Where open approval requests are posted for approvers (a Slack sink renders buttons). */
  requestSink?: Sink;
  /** How many sink deliveries run at once. @default 8 */
  concurrency?: number;
  /** The run's clock; tests pass a fixed one. */
  now?: () => Date;
}

/** What {@link governance} did. */
export interface GovernanceResult {
  /** The pipeline's run report: counts and timings per stage, warnings, dead letters, usage. */
  report: RunReport;
  /** Every case, explained, in priority order. */
  cases: Case[];
  /** Actions the gate let through (delivered unless a dead letter says otherwise). */
  allowed: Action[];
  /** What the sinks did with the delivered actions. */
  delivered: { action: Action; delivery: Delivery }[];
}

/** A configured governed run: subscribe to its events (`finding-received`, `case-explained`…), then `start` it once. */
export interface GovernanceRun extends Omit<PipelineRun, "start"> {
  start(options?: { signal?: AbortSignal }): Promise<GovernanceResult>;
}

/**
 * The governed run, as one preset: findings → triage → enrich → explain → decide → gate → sinks,
 * with every step on the audit log (ingestion, AI output, decisions, gate decisions, approvals,
 * deliveries) and every explained case kept in the Store ({@link casesNamespace}). The CLI's `run`,
 * `serve` and `demo` call exactly this.
 * @example
 * const result = await governance({
 *   sources: [wiz(sandbox.wiz)],
 *   policy, principal: "cloudsteward-bot", mode: "automated",
 *   sinks: { jira: jira({ ...sandbox.jira, projectKey: "SEC" }) },
 *   store, audit: auditLog(store),
 * }).start();
 * console.log(result.cases.length, result.delivered.length, result.report.deadLetters);
 */
export function governance(options: GovernanceOptions): GovernanceRun {
  const policy = definePolicy(options.policy);
  const cases: Case[] = [];
  const allowed: Action[] = [];
  const byId = new Map<string, Action>();
  const delivered: GovernanceResult["delivered"] = [];
  const run = pipeline({
    sources: options.sources,
    ...(options.query ? { query: options.query } : {}),
    stages: [
      triage(options.triage),
      enrich(options.enrich),
      explain({ ...options.explain, ...(options.model ? { model: options.model } : {}) }),
      keep(cases),
      decide({ policy }),
      gate({
        policy,
        principal: options.principal,
        ...(options.approvals ? { approvals: options.approvals } : {}),
        ...(options.requestSink ? { requestSink: options.requestSink } : {}),
      }),
      collect(allowed, byId),
    ],
    sinks: options.sinks,
    mode: options.mode ?? policy.mode,
    principal: options.principal,
    concurrency: options.concurrency ?? 8,
    ...(options.store ? { store: options.store } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  run.on("action-delivered", ({ actionId, delivery }) => {
    const action = byId.get(actionId);
    if (action) delivered.push({ action, delivery });
  });
  const start = run.start.bind(run);
  return Object.assign(run, {
    async start(startOptions?: { signal?: AbortSignal }): Promise<GovernanceResult> {
      const report = await start(startOptions);
      return { report, cases, allowed, delivered };
    },
  });
}

// Internal helpers.

/** Keeps each explained case in the Store and in `cases`, then passes it on. */
function keep(cases: Case[]): Stage<Case, Case> {
  return {
    name: "keep",
    async *run(input, context) {
      for await (const item of input) {
        // Store records never hold raw finding text: secrets in the kept case are masked.
        await context.store.set(casesNamespace, item.id, redact(item));
        cases.push(item);
        yield item;
      }
    },
  };
}

/** Keeps the actions that leave the gate. */
function collect(allowed: Action[], byId: Map<string, Action>): Stage<Action, Action> {
  return {
    name: "collect",
    async *run(input) {
      for await (const action of input) {
        allowed.push(action);
        byId.set(action.id, action);
        yield action;
      }
    },
  };
}
