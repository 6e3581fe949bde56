/** @module cloudsteward/sinks/email */
export {};
