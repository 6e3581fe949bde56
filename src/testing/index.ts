/** @module cloudsteward/testing */
export * from "./factories.js";
export { type TestStoreOptions, testStore } from "./store-suite.js";
