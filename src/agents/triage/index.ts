export { type CustomGroupKey, type GroupKey, type GroupKeyName, ruleKeyOf } from "./group.js";
export {
  defaultPriorityWeights,
  type PriorityWeights,
  type PriorityWeightsInput,
  type ScorePriorityOptions,
  scorePriority,
} from "./priority.js";
export {
  type CompiledSuppression,
  compileSuppressions,
  type SuppressionMatcher,
  type SuppressionMatchValue,
  type SuppressionRule,
  suppressionRuleSchema,
} from "./suppression.js";
export { type TriageOptions, triage } from "./triage.js";
export { type VerdictOptions, verdictAnswerSchema, verdictPrompt } from "./verdict.js";
