/** @module cloudsteward/sinks/slack */
export { slackActionIds } from "../render/slack.js";
export { slackApiError } from "./errors.js";
export {
  type ApprovalDecisions,
  type FeedbackRecorder,
  type SlackInteractionOptions,
  type SlackInteractionResult,
  slackInteractionHandler,
  verifySlackSignature,
} from "./interaction.js";
export { type SlackOptions, type SlackSink, slack } from "./slack.js";
