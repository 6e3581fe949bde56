/**
 * Policy drafting: a plain requirement becomes a portable rule tested against its own fixtures, the
 * Wiz, Prisma Cloud, Lacework and Orca policies compiled from it, a governance routing rule, and its
 * impact on a recorded estate. See docs/drafting.md.
 * @module cloudsteward/drafting
 */

export {
  type DraftingCase,
  type DraftingCaseResult,
  type DraftingEvaluation,
  draftingCaseSchema,
  type EvaluateDraftingOptions,
  evaluateDrafting,
  parseDraftingCases,
} from "../evaluation/drafting.js";
export {
  type CompiledPolicies,
  compileLql,
  compilePolicies,
  compileRego,
  compileRql,
  compileSonar,
  type DraftPlatform,
  type PlatformPolicy,
  type PlatformTypeNames,
  platformTypeNames,
  type UncompiledPlatform,
} from "./compile/index.js";
export {
  type DeployDraftOptions,
  type DeploymentResult,
  deployDraft,
  draftDeploymentResourceType,
  draftDeploymentsNamespace,
} from "./deploy.js";
export {
  type Draft,
  type DraftPolicyOptions,
  draftPolicy,
  draftPromptVersion,
  governanceRuleFor,
  matchTemplate,
} from "./draft.js";
export { type DraftFile, exportDraft } from "./export.js";
export { type FixtureReport, type FixtureResult, testRule } from "./fixtures.js";
export {
  type DraftImpact,
  type ExistingFinding,
  existingFindingOf,
  type GovernanceImpact,
  type ImpactResource,
  type ReplayDraftOptions,
  replayDraft,
} from "./impact.js";
export {
  type ComparisonOperator,
  type CompiledRule,
  type Condition,
  comparisonOperators,
  compileRule,
  conditionSchema,
  type PortableRule,
  portableRuleSchema,
  type RuleSubject,
  type RuleValue,
  toCel,
} from "./rule.js";
export {
  type Configuration,
  configurationFor,
  type DraftFixtures,
  type DraftTemplate,
  draftTemplates,
} from "./templates.js";
export {
  type DraftVersion,
  draftDigest,
  draftVersionsNamespace,
  listDraftVersions,
  type SaveDraftOptions,
  saveDraft,
} from "./versions.js";
