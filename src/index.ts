/**
 * The governed run, for people composing it: the stage factories (`triage`, `enrich`, `explain`,
 * `decide`, `gate`), `pipeline` and the `governance` preset, policies and approvals, the models
 * users validate with, the contracts a source, sink or store fulfils, and the typed errors.
 *
 * Everything else is a subpath, so you pay only for what you import: adapters
 * (`cloudsteward/adapters/wiz` …), model providers and LLM composition (`cloudsteward/llm/openai` …,
 * `cloudsteward/llm`), sinks (`cloudsteward/sinks/jira` …), `cloudsteward/stores`,
 * `cloudsteward/audit`, `cloudsteward/remediation`, `cloudsteward/server`, the building blocks for
 * integration authors (`cloudsteward/toolkit`) and test helpers (`cloudsteward/testing`).
 * @module cloudsteward
 */

export { type ApprovalQueue, type ApprovalRequest, approvalQueue } from "./agents/approvals/queue.js";
export { type DecideOptions, decide } from "./agents/decide/decide.js";
export { type EnrichOptions, enrich } from "./agents/enrich/enrich.js";
export { fromCsv } from "./agents/enrich/from-csv.js";
export { fromFunction } from "./agents/enrich/from-function.js";
export { fromMap } from "./agents/enrich/from-map.js";
export { fromServiceNowCmdb } from "./agents/enrich/from-servicenow-cmdb.js";
export { fromTags } from "./agents/enrich/from-tags.js";
export { decideException, requestException } from "./agents/exceptions/exceptions.js";
export { applyExceptions } from "./agents/exceptions/match.js";
export { sweepExceptions } from "./agents/exceptions/sweep.js";
export { type ExplainOptions, explain } from "./agents/explain/explain.js";
export { type GateOptions, gate } from "./agents/gate/gate.js";
export {
  type GovernanceOptions,
  type GovernanceResult,
  type GovernanceRun,
  governance,
} from "./agents/governance/governance.js";
export {
  createKnowledgeBase,
  defaultKnowledge,
  type KnowledgeBase,
} from "./agents/knowledge/knowledge-base.js";
export { definePolicy } from "./agents/policy/define.js";
export { loadPolicy, loadPolicyFile } from "./agents/policy/load.js";
export { type Policy, type PolicyInput, policySchema } from "./agents/policy/schema.js";
export { type ReplayOptions, replay } from "./agents/replay/replay.js";
export type { SuppressionRule } from "./agents/triage/suppression.js";
export { type TriageOptions, triage } from "./agents/triage/triage.js";
export { type Action, actionSchema } from "./core/action.js";
export type { AuditAppender, AuditEvent } from "./core/audit.js";
export {
  type Case,
  caseSchema,
  type Explanation,
  findingCountOf,
  findingIdsOf,
  type Mode,
} from "./core/case.js";
export type { ContextProvider } from "./core/context-provider.js";
export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  BudgetExceededError,
  CloudstewardError,
  ConfigurationError,
  ConnectionError,
  CorruptRecordError,
  DeliveryError,
  type ErrorCode,
  InvalidResponseError,
  isCloudstewardError,
  ModelOutputError,
  NormalizationError,
  NotFoundError,
  PermissionDeniedError,
  PolicyError,
  RateLimitError,
  StageError,
  TimeoutError,
  UpstreamError,
  WriteDisabledError,
} from "./core/errors.js";
export type { Delivery } from "./core/events.js";
export {
  type Category,
  type Finding,
  type FindingStatus,
  findingSchema,
  type Platform,
  parseFinding,
  type Severity,
} from "./core/finding.js";
export { toOcsf } from "./core/ocsf.js";
export { type PipelineOptions, type PipelineRun, type PipelineSource, pipeline } from "./core/pipeline.js";
export { redact } from "./core/redact.js";
export type { DeadLetter, RunReport, Warning } from "./core/report.js";
export type { Sink } from "./core/sink.js";
export type { FindingQuery, FindingSource, SourceCapabilities } from "./core/source.js";
export { createStageContext, type Stage, type StageContext } from "./core/stage.js";
export type { Store } from "./core/store.js";
export { generateObject } from "./llm/generate-object.js";
export type { LanguageModel } from "./llm/language-model.js";
export { createWebhookHandler } from "./server/webhook-handler.js";
