/** @module cloudsteward/sinks/teams */
export {};
