export {
  type ApprovalDecisionOptions,
  type ApprovalExecution,
  type ApprovalQueue,
  type ApprovalQueueOptions,
  type ApprovalRequest,
  type ApprovalRequestOptions,
  type ApprovalState,
  type AuditAppender,
  approvalIdOf,
  approvalQueue,
  approvalsNamespace,
  type ExecuteApprovedOptions,
  type ExecuteApprovedResult,
  executionsNamespace,
  type GovernanceAuditEvent,
} from "./queue.js";
export {
  type SlackInteractionOptions,
  type SlackInteractionResult,
  slackInteractionHandler,
  verifySlackSignature,
} from "./slack-interaction.js";
