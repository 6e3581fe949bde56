/** @module cloudsteward/sinks/audit */
export {};
