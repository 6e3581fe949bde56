/** @module cloudsteward/report — the self-contained HTML report of a run. */
export {
  buildReportData,
  type ReportAction,
  type ReportCase,
  type ReportCount,
  type ReportData,
  type ReportInput,
  type ReportPhase,
} from "./data.js";
export { escapeHtml, renderReport } from "./render.js";
