/** Renderers from a case and its explanation: Jira ADF, Slack Block Kit, HTML, text, Markdown, Adaptive Cards. */

export {
  type CaseChange,
  type CaseSnapshot,
  describeChange,
  diffCase,
  isResolved,
  snapshotCase,
} from "../../core/case-change.js";
export { type AdaptiveCard, renderAdaptiveCard } from "./adaptive-card.js";
export { type AdfDocument, type AdfNode, adfParagraphs, renderAdf } from "./adf.js";
export { escapeHtml, renderHtml, renderText, serviceNowHtml } from "./html.js";
export { escapeMarkdown, renderMarkdown } from "./markdown.js";
export {
  escapeSlack,
  renderSlack,
  type SlackBlock,
  type SlackMessage,
  type SlackRenderOptions,
  slackActionIds,
} from "./slack.js";
export { type CaseView, caseView, type RenderOptions, type ResourceRow, truncate } from "./view.js";
