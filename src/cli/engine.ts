import { approvalQueue } from "../agents/approvals/queue.js";
import { decide } from "../agents/decide/decide.js";
import { enrich } from "../agents/enrich/enrich.js";
import { explain } from "../agents/explain/explain.js";
import { gate } from "../agents/gate/gate.js";
import type { Policy } from "../agents/policy/schema.js";
import { triage } from "../agents/triage/triage.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Action } from "../core/action.js";
import type { Case, Mode } from "../core/case.js";
import type { Delivery } from "../core/events.js";
import { type PipelineSource, pipeline } from "../core/pipeline.js";
import type { RunReport } from "../core/report.js";
import type { Sink } from "../core/sink.js";
import type { FindingQuery } from "../core/source.js";
import type { Stage } from "../core/stage.js";
import type { Store } from "../core/store.js";
import type { LanguageModel } from "../llm/language-model.js";

/** The Store namespace where {@link runGovernance} keeps the last explained version of each case. */
export const casesNamespace = "cli:cases";

/** Options of {@link runGovernance}. */
export interface GovernanceRunOptions {
  /** Where findings come from: adapters or any async iterables of findings. */
  sources: PipelineSource[];
  /** The filter passed to every source, e.g. `{ updatedAfter }` for an incremental run. */
  query?: FindingQuery;
  /** The governance policy decide and gate apply. */
  policy: Policy;
  /** The principal the run acts as; it must be declared in the policy. */
  principal: string;
  /** The run's rollout phase; the policy's mode may be stricter. */
  mode: Mode;
  /** Sinks by the names the policy's actions use (`jira`, `slack`…). */
  sinks: Record<string, Sink>;
  /** Durable state: ledgers, approvals, caches, recorded cases and the audit log. */
  store: Store;
  /** Where ingestion, explanations, gate decisions and deliveries are recorded. */
  audit: AuditLog;
  /** Explanations come from the knowledge base alone without one. */
  model?: LanguageModel;
  /** Called as findings arrive and cases are explained (progress display). */
  onProgress?: (progress: { findings: number; cases: number; actions: number }) => void;
  /** Aborting it stops the run. */
  signal?: AbortSignal;
}

/** What {@link runGovernance} did. */
export interface GovernanceRunResult {
  /** The pipeline's run report: counts and timings per stage, warnings, dead letters, usage. */
  report: RunReport;
  /** Every case, explained, in priority order. */
  cases: Case[];
  /** Actions the gate let through (delivered unless a dead letter says otherwise). */
  allowed: Action[];
  /** What the sinks did with the delivered actions. */
  delivered: { action: Action; delivery: Delivery }[];
}

/**
 * Runs the whole governance pipeline the CLI and the demo use: ingest → triage → enrich → explain →
 * (record) → decide → gate → sinks. The `record` stage writes one `ingestion` and one `ai-output`
 * audit record per case and keeps the case in the Store ({@link casesNamespace}) for `replay` and
 * the report; deliveries are audited as they happen.
 * @example
 * const { report, cases } = await runGovernance({ sources: [wiz(sandbox.wiz)], policy, principal: "cloudsteward-bot", mode: "automated", sinks, store, audit });
 */
export async function runGovernance(options: GovernanceRunOptions): Promise<GovernanceRunResult> {
  const cases: Case[] = [];
  const allowed: Action[] = [];
  const byId = new Map<string, Action>();
  const delivered: GovernanceRunResult["delivered"] = [];
  const progress = { findings: 0, cases: 0, actions: 0 };
  const approvals = approvalQueue({ store: options.store, policy: options.policy, audit: options.audit });
  const run = pipeline({
    sources: options.sources,
    ...(options.query ? { query: options.query } : {}),
    stages: [
      triage(),
      enrich(),
      explain(options.model ? { model: options.model } : {}),
      recordCases(options, cases, () => {
        progress.cases++;
        options.onProgress?.(progress);
      }),
      decide({ policy: options.policy }),
      gate({ policy: options.policy, audit: options.audit, principal: options.principal, approvals }),
      collect(allowed, byId),
    ] as Stage<never, unknown>[],
    sinks: options.sinks,
    store: options.store,
    mode: options.mode,
    concurrency: 8,
  });
  const deliveries: Promise<unknown>[] = [];
  run.on("finding-received", () => {
    progress.findings++;
    if (progress.findings % 100 === 0) options.onProgress?.(progress);
  });
  run.on("action-proposed", () => {
    progress.actions++;
  });
  run.on("action-delivered", ({ actionId, sink, delivery }) => {
    const action = byId.get(actionId);
    if (action) delivered.push({ action, delivery });
    deliveries.push(
      options.audit.append({
        type: "delivery",
        actor: options.principal,
        ...(action
          ? { caseId: action.case.id, findingIds: action.case.findings.map((finding) => finding.id) }
          : {}),
        data: { actionId, sink, status: delivery.status, key: delivery.key, ref: delivery.ref ?? null },
      }),
    );
  });
  const report = await run.start(options.signal ? { signal: options.signal } : {});
  await Promise.all(deliveries);
  return { report, cases, allowed, delivered };
}

// Internal helpers.

/** Audits and stores each explained case, then passes it on. */
function recordCases(options: GovernanceRunOptions, cases: Case[], onCase: () => void): Stage<Case, Case> {
  return {
    name: "record",
    async *run(input, context) {
      for await (const item of input) {
        const findingIds = item.findings.map((finding) => finding.id);
        const explanation = item.explanation;
        await options.audit.appendMany([
          {
            type: "ingestion",
            actor: `cloudsteward/${item.platforms.join("+")}`,
            caseId: item.id,
            findingIds,
            data: {
              platforms: item.platforms,
              severity: item.severity,
              priority: item.priority?.score ?? null,
            },
          },
          {
            type: "ai-output",
            actor: "cloudsteward/explain",
            caseId: item.id,
            findingIds,
            data: {
              source: explanation?.source ?? "none",
              archetypeId: explanation?.archetypeId ?? null,
              model: explanation?.model ?? null,
              promptVersion: explanation?.promptVersion ?? null,
              headline: explanation?.headline ?? null,
            },
          },
        ]);
        await context.store.set(casesNamespace, item.id, item);
        cases.push(item);
        onCase();
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
