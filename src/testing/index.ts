/** @module cloudsteward/testing */
export {};
