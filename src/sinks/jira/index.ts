/** @module cloudsteward/sinks/jira */
export {
  type JiraFields,
  type JiraIssue,
  type JiraOptions,
  type JiraSink,
  jira,
  jiraTrackingLabel,
  jqlString,
} from "./jira.js";
