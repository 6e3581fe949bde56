/** @module cloudsteward/sinks/slack */
export {};
