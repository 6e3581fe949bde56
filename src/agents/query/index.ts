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
  compilePlatform,
  type NativeRequest,
  type PlatformPlan,
  type QueryPlan,
  toFindingQuery,
} from "./compile.js";
export { QueryError } from "./errors.js";
export {
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
