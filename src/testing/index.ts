/** @module cloudsteward/testing */
export * from "./factories.js";
