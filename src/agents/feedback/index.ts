/**
 * Analyst feedback: "helpful / wrong" on what cloudsteward said about a case (the Slack sink's
 * buttons, a Jira comment command), stored with the case and audited, and turned into the
 * organization's overrides of knowledge-base text and into explanation evaluation cases.
 * See docs/evaluation.md.
 * @module cloudsteward/feedback
 */

export {
  type AnalystFeedback,
  type FeedbackLog,
  type FeedbackLogOptions,
  feedbackCommand,
  feedbackEvaluationCases,
  feedbackLog,
  feedbackNamespace,
  type KnowledgeOverride,
  knowledgeOverrides,
  withKnowledgeOverrides,
} from "./feedback.js";
