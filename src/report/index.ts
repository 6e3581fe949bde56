/** @module cloudsteward/report — the self-contained HTML report of a run. */
export {
  buildReportData,
  type ReportAction,
  type ReportActionStatus,
  type ReportCount,
  type ReportData,
  type ReportFix,
  type ReportInput,
  type ReportPhase,
  type ReportStage,
} from "./data.js";
export { escapeHtml, renderReport } from "./render.js";
export { writeReport } from "./write.js";
