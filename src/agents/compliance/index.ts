/**
 * Compliance: framework catalogs as data, mapping findings to requirements with provenance, posture
 * snapshots in a Store, audit-ready evidence packs (JSON, Markdown, CSV, print-ready HTML, OSCAL), and
 * executive briefings whose narrative numbers are checked against the data.
 * @module cloudsteward/compliance
 */

export type { CompliancePostureRequest, PlatformRequirementPosture } from "../../core/source.js";
export {
  type Briefing,
  type BriefingOptions,
  type BriefingRisk,
  buildBriefing,
  uncheckedNumbers,
} from "../briefing/briefing.js";
export {
  briefingAnnouncement,
  type DeliverBriefingOptions,
  deliverBriefing,
} from "../briefing/deliver.js";
export { briefingHtml, briefingMarkdown, briefingPage, briefingSummary } from "../briefing/render.js";
export {
  type AnnexCheck,
  type AnnexCoverage,
  type AnnexGap,
  type AnnexRequirement,
  type AnnexResource,
  annexMarkdown,
  type PolicyAnnex,
  type PolicyAnnexFacts,
  type PolicyAnnexOptions,
  type PolicyAnnexResult,
  policyAnnexes,
} from "./annex.js";
export {
  buildEvidencePack,
  type EvidenceFinding,
  type EvidenceItem,
  type EvidencePack,
  type EvidencePackOptions,
  type EvidenceRequirement,
  type EvidenceVerification,
  verifyEvidencePack,
} from "./evidence.js";
export {
  type BundledFrameworkKey,
  bundledFrameworkKeys,
  bundledFrameworks,
  defineFramework,
  type FrameworkInput,
  frameworkInputSchema,
  loadFramework,
} from "./framework.js";
export {
  type PostureHistory,
  type PostureHistoryOptions,
  type PostureHistoryQuery,
  postureHistory,
} from "./history.js";
export {
  bundledFrameworkKeyOf,
  type ComplianceMapper,
  type ComplianceMapperOptions,
  complianceMapper,
  type MappingRoute,
  type RequirementMapping,
  requirementKey,
} from "./mapping.js";
export {
  comparePosture,
  type PostureComparison,
  type PostureComparisonResult,
  type PostureOutcome,
  type RequirementComparison,
} from "./platform-posture.js";
export {
  type AssessComplianceOptions,
  type AssessedRequirement,
  assessCompliance,
  type ComplianceException,
  type ComplianceScope,
  complianceScore,
  type FrameworkAssessment,
  type MappingRouteUse,
  type PostureSnapshot,
  type RequirementStatus,
  scopeKey,
  snapshotStatus,
  toSnapshot,
} from "./posture.js";
export {
  evidencePackCsv,
  evidencePackHtml,
  evidencePackMarkdown,
  evidencePackOscal,
  OSCAL_VERSION,
  type WrittenEvidencePack,
  writeEvidencePack,
} from "./render.js";
export type { Framework, FrameworkSource, Requirement } from "./types.js";
