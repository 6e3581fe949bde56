/** @module cloudsteward/sinks/slack */
export { slackActionIds } from "../render/slack.js";
export { slackApiError } from "./errors.js";
export { type SlackOptions, type SlackSink, slack } from "./slack.js";
