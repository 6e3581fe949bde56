/** @module cloudsteward/adapters/wiz */
export {};
