/**
 * Exceptions and risk acceptances: structured requests validated against the policy, grounded analysis
 * for the review board (compensating controls, the history of similar requests, organization knowledge
 * from your runbooks), routing to Jira, ServiceNow GRC or Slack and the decision coming back, activation
 * in triage and write-back to the CNAPP, expiry that never lapses silently, and exceptions as code
 * (`exceptions.yaml`).
 * @module cloudsteward/exceptions
 */

export { compensatingControlsByWeakness, compensatingControlsFor } from "../knowledge/compensating.js";
export {
  type CompensatingControlGuide,
  compensatingControlGuideSchema,
} from "../knowledge/entry.js";
export {
  type OrganizationKnowledge,
  type OrganizationKnowledgeOptions,
  type OrganizationMatch,
  type OrganizationPassage,
  organizationKnowledge,
  splitByHeading,
} from "../knowledge/organization.js";
export {
  activateException,
  commentException,
  exceptionWriteBackNamespace,
  exceptionWriteBacks,
  type WriteBackEntry,
  type WriteBackOptions,
  type WriteBackResult,
  withdrawException,
} from "./activate.js";
export {
  type AnalysisFact,
  type AnalyzeExceptionOptions,
  type ApprovalRequirement,
  analyzeException,
  type ExceptionAnalysis,
  type ExceptionHistory,
  type ExceptionMemoPromptInput,
  exceptionAnalysisNamespace,
  exceptionMemoPrompt,
  exceptionMemoSchema,
  type MemoSentence,
  type SuggestedControl,
} from "./analysis.js";
export { ExceptionError } from "./errors.js";
export {
  decideException,
  type ExceptionApproval,
  type ExceptionDecision,
  type ExceptionOptions,
  type ExceptionRecord,
  type ExceptionState,
  type ExceptionTarget,
  exceptionNamespace,
  exceptionPolicyOf,
  getException,
  listExceptions,
  requestException,
} from "./exceptions.js";
export {
  type ExceptionsFileEntry,
  type ExceptionsFileIssue,
  type ExceptionsFileLint,
  type ExceptionsFileOptions,
  exceptionsFileEntrySchema,
  exceptionsFileSchema,
  lintExceptionsFile,
  loadExceptionsFile,
  type SyncExceptionsFileOptions,
  type SyncExceptionsFileResult,
  syncExceptionsFile,
} from "./file.js";
export {
  type ApplyExceptionsOptions,
  applyExceptions,
  type ExceptionIndex,
  exceptionIndex,
  type MatchableFinding,
} from "./match.js";
export {
  applyItsmDecision,
  type ExceptionDecisionStates,
  type ExceptionRoute,
  exceptionAction,
  exceptionApprovals,
  exceptionDecisionStates,
  exceptionRouteNamespace,
  exceptionRoutes,
  type ItsmDecisionInput,
  type ItsmDecisionOptions,
  type ItsmDecisionResult,
  type RouteExceptionOptions,
  routeException,
  type StatusReader,
  type SyncExceptionDecisionsOptions,
  type SyncExceptionDecisionsResult,
  serviceNowExceptionFields,
  syncExceptionDecisions,
} from "./routing.js";
export * from "./schema.js";
export {
  type ExceptionNotice,
  exceptionNoticeNamespace,
  type ReopenableSink,
  type ReopenExceptionTicket,
  type ReopenRoutedTicketOptions,
  reopenRoutedTicket,
  type SweepExceptionsOptions,
  type SweepResult,
  sweepExceptions,
} from "./sweep.js";
