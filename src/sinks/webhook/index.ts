/** @module cloudsteward/sinks/webhook */
export {};
