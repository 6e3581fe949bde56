/** @module cloudsteward/sinks/jira */
export {};
