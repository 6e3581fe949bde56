/**
 * Drift and remediation orchestration: approved baselines (from a snapshot, Terraform, the knowledge
 * base), drift detection from snapshot diffs and the platforms' change signals, attributed to who
 * changed what and how; playbooks as data with their fix impact; decisions under the policy through
 * the approval gate, with verification and rollback.
 * @module cloudsteward/drift
 */

export {
  type ApproveBaselineOptions,
  type ApprovedBaselines,
  approvedBaselines,
  type Baseline,
  type BaselineDraft,
  type BaselineIndex,
  type BaselineSource,
  baselineHistoryNamespace,
  baselineScope,
  baselinesFromSnapshot,
  baselinesFromTerraform,
  baselinesNamespace,
  type ChangeAttribution,
  indexBaselines,
  knowledgeBaselines,
  type ResourceSnapshot,
  type TerraformBaselineOptions,
} from "./baseline.js";
export {
  type ChangeSignal,
  type ChangeSignalOptions,
  changeSignals,
  type DetectDriftOptions,
  type Drift,
  detectDrift,
  driftsFromSignals,
} from "./detect.js";
export {
  type AttributeCheck,
  type Dependent,
  defaultPlaybooks,
  type FixFormat,
  type FixImpact,
  type FixPlan,
  type FixRoute,
  fixFormats,
  fixImpact,
  type Playbook,
  planFix,
  playbookFor,
  unmetPreconditions,
  validatePlaybooks,
  valueAt,
  verificationPasses,
} from "./playbooks.js";
export {
  type DriftDecision,
  type DriftExecution,
  type DriftFix,
  type DriftFixState,
  type DriftRemediation,
  type DriftRemediationOptions,
  driftFixesNamespace,
  driftRemediation,
  type ImpactContext,
} from "./remediate.js";
