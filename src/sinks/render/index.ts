/** Renderers from a case and its explanation: Jira ADF, Slack Block Kit, HTML, text, Markdown, Adaptive Cards. */

export {
  type CaseChange,
  type CaseSnapshot,
  describeChange,
  diffCase,
  isResolved,
  snapshotCase,
} from "../../core/case-change.js";
export { type AdaptiveCard, escapeCardText, renderAdaptiveCard } from "./adaptive-card.js";
export { type AdfDocument, type AdfNode, adfParagraphs, renderAdf } from "./adf.js";
export { escapeHtml, renderHtml, renderText, serviceNowHtml, serviceNowText } from "./html.js";
export { escapeMarkdown, renderMarkdown } from "./markdown.js";
export {
  escapeSlack,
  renderSlack,
  type SlackBlock,
  type SlackMessage,
  type SlackRenderOptions,
  slackActionIds,
} from "./slack.js";
export {
  type CaseView,
  caseView,
  emailAddress,
  multiLine,
  type RenderOptions,
  type ResourceRow,
  singleLine,
  truncate,
} from "./view.js";
