/**
 * Remediators (CNAPP native, CI/CD pipeline trigger, pull request against the IaC, signed webhook,
 * your function) and
 * `remediationSink`, which runs one only for an approved `remediate` action, once.
 * @module cloudsteward/remediation
 */

export {
  type RemediationCallOptions,
  type RemediationResult,
  type Remediator,
  type RollbackNote,
  rollbackNote,
} from "../../core/remediator.js";
export { type CnappRemediationOptions, cnappRemediation } from "./cnapp.js";
export { type FunctionRemediationOptions, functionRemediation } from "./function.js";
export { type PipelineTriggerOptions, pipelineTrigger } from "./pipeline-trigger.js";
export {
  type PullRequestFile,
  type PullRequestRemediationOptions,
  pullRequestRemediation,
  terraformOverride,
} from "./pull-request.js";
export {
  type RemediationRecord,
  type RemediationSinkOptions,
  remediationRecord,
  remediationSink,
} from "./sink.js";
export { type WebhookRemediationOptions, webhookRemediation } from "./webhook.js";
