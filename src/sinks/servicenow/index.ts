/** @module cloudsteward/sinks/servicenow */
export {};
