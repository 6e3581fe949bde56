export { definePolicy, type PolicyValidation, policyError, validatePolicy } from "./define.js";
export {
  type ActionFacts,
  type ApprovalRequirement,
  approvalPermission,
  approvalRequirement,
  approvalRuleFor,
  environmentOf,
  matchRules,
  type RuleMatch,
  riskOf,
  scopesCover,
  stricterMode,
} from "./evaluate.js";
export { type LoadPolicyOptions, loadPolicy, loadPolicyFile, type PolicyIssue } from "./load.js";
export * from "./schema.js";
