/**
 * Posture questions: a typed, read-only posture query over the unified findings and the Store, compiled
 * to each platform's native request (Wiz GraphQL filters, Prisma Cloud alert filters, Orca's Sonar DSL,
 * Lacework search filters) with the rest evaluated client-side; natural language to the query (a
 * deterministic parser, or one structured-output model call); answers with citations, the native calls
 * that produced them and the compliance gaps explained.
 * @module cloudsteward/query
 */

export {
  type Answer,
  type AskOptions,
  ask,
  type Citation,
  type ComplianceGap,
  complianceGaps,
  type GapExplanation,
  type NativeCalls,
} from "./answer.js";
export {
  type CompileOptions,
  compilePlatform,
  environmentAccounts,
  type NativeRequest,
  type PlatformPlan,
  type QueryPlan,
  toFindingQuery,
} from "./compile.js";
export { QueryError } from "./errors.js";
export {
  type AccountEnvironments,
  compileFilters,
  type EvaluationOptions,
  type FindingContext,
  type FindingPredicate,
  frameworkKeyOf,
} from "./evaluate.js";
export {
  type ParsedQuestion,
  type ParseQuestionOptions,
  parseOffline,
  parseQuestion,
  questionPromptVersion,
} from "./parse.js";
export {
  type PlanOptions,
  type PlatformRead,
  parsePostureQuery,
  plan,
  type QueryGroup,
  type QueryOptions,
  type QueryResult,
  runQuery,
} from "./run.js";
export * from "./schema.js";
export { type StoredCases, type StoredCasesOptions, storedCases } from "./stored.js";
