/**
 * The webhook receiver and a Node adapter for Fetch-API handlers.
 * @module cloudsteward/server
 */

export { type ExceptionWebhookOptions, handleExceptionWebhook } from "./exception-webhooks.js";
export {
  handleJiraFeedbackWebhook,
  type JiraFeedbackResult,
  type JiraFeedbackWebhookOptions,
  jiraFeedbackCommentsNamespace,
} from "./feedback-webhooks.js";
export { type NodeServer, nodeListener, type ServeNodeOptions, serveNode } from "./node.js";
export {
  createWebhookHandler,
  type WebhookBatch,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRouteOptions,
  type WebhookSourceOptions,
  webhookSeenNamespace,
} from "./webhook-handler.js";
