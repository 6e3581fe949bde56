export {
  definePolicy,
  type PolicyValidation,
  type PolicyWarning,
  policyError,
  policyWarnings,
  validatePolicy,
} from "./define.js";
export {
  type ActionFacts,
  type ApprovalRequirement,
  approvalPermission,
  approvalRequirement,
  approvalRuleFor,
  environmentOf,
  matchRules,
  type RoutingEnvironment,
  type RuleMatch,
  riskOf,
  routingEnvironmentOf,
  scopesCover,
  stricterMode,
} from "./evaluate.js";
export { type LoadPolicyOptions, loadPolicy, loadPolicyFile, type PolicyIssue } from "./load.js";
export * from "./schema.js";
